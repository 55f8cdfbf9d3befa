using LocalControl.Core.Cases;
using LocalControl.Core.Engine;
using LocalControl.Core.Reporting;
using static LocalControl.Core.Tests.TestCases;

namespace LocalControl.Core.Tests.Engine;

/// <summary>
/// Reports of sample cases against golden files that were read and checked by hand (tests/LocalControl.Core.Tests/Golden).
/// When a report changes on purpose, read the new output as a clinician would before replacing the file: never
/// regenerate a golden file to make this test pass.
/// </summary>
public class GoldenReportTests
{
    [Theory]
    [InlineData("06-bone-near-spinal-cord", "txt")]
    [InlineData("03-liver-perihilar", "md")]
    [InlineData("04-liver-portal-branch", "html")]
    public void Sample_report_matches_its_hand_checked_golden_file(string sample, string format)
    {
        var @case = CaseFileReader.Read(File.ReadAllText(Path.Combine(RepoRoot(), "samples", "cases", sample + ".json"))).Case!;
        var a = TumourBoardEngine.Default.Assess(@case);
        var actual = format switch
        {
            "md" => AssessmentText.RenderMarkdown(a, @case),
            "html" => AssessmentText.RenderHtml(a, @case),
            _ => AssessmentText.RenderText(a, @case),
        };
        var expected = File.ReadAllText(Path.Combine(RepoRoot(), "tests", "LocalControl.Core.Tests", "Golden", $"{sample}.{format}"));
        Assert.Equal(Normalise(expected), Normalise(actual));
    }

    private static string Normalise(string s) => s.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
}
