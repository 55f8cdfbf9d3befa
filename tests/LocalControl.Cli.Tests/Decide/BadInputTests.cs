using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Decide;

/// <summary>Every class of bad input gives exit 2 and a message naming the file and field; never a stack trace.</summary>
public class BadInputTests
{
    [Theory]
    [InlineData("""{"caseId":"C","lesions":[{"id":"L1","organ":"liver"},{"id":"L1","organ":"liver"}]}""", "lesions[1].id: duplicate lesion id 'L1'")]
    [InlineData("""{"caseId":"C","lesions":[{"id":"L1","organ":"liver","longestDiameterMm":0}]}""", "lesions[0].longestDiameterMm: must be > 0")]
    [InlineData("""{"caseId":"C","lesions":[{"id":"L1","organ":"liver","longestDiameterMm":-5}]}""", "lesions[0].longestDiameterMm: must be > 0")]
    [InlineData("""{"caseId":"C","lesions":[{"id":"L1","organ":"liver","longestDiameterMm":350}]}""", "lesions[0].longestDiameterMm: must be ≤ 300")]
    [InlineData("""{"caseId":"C","lesions":[{"id":"L1","organ":"kidney"}]}""", "lesions[0].organ: unknown value 'kidney'")]
    [InlineData("""{"caseId":"C","patient":{"brafStatus":"V600E"},"lesions":[{"id":"L1","organ":"liver"}]}""", "patient.brafStatus: unknown value 'V600E'")]
    [InlineData("{\"caseId\":\"C\",\n\"lesions\":[{\"id\":\"L1\" \"organ\":\"liver\"}]}", "malformed JSON at line 2, column")]
    public void Invalid_case_files_exit_2_naming_the_field(string json, string message)
    {
        using var file = new TempFile(json);
        foreach (var command in new[] { "assess", "validate" })
        {
            var (code, _, err) = Run(command, file.Path);
            Assert.Equal(2, code);
            Assert.Contains($"{file.Path}: {message}", err, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_missing_file_exits_2()
    {
        var (code, _, err) = Run("assess", "/no/such/case.json");
        Assert.Equal(2, code);
        Assert.Contains("/no/such/case.json: no such case file", err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_and_a_binary_file_exit_2()
    {
        Assert.Equal(2, Run("validate", Path.GetTempPath()).ExitCode);
        var path = Path.Combine(Path.GetTempPath(), $"lc-{Guid.NewGuid():N}.json");
        File.WriteAllBytes(path, [0x7B, 0xFF, 0xFE, 0x00, 0x7D]);
        try
        {
            var (code, _, err) = Run("validate", path);
            Assert.Equal(2, code);
            Assert.Contains("not UTF-8 text (invalid byte at offset", err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Unknown_options_and_formats_exit_2()
    {
        Assert.Equal(2, Run("assess", Sample("01-small-liver-ablatable"), "--format", "pdf").ExitCode);
        Assert.Equal(2, Run("assess", Sample("01-small-liver-ablatable"), "--frobnicate").ExitCode);
        Assert.Equal(2, Run("no-such-command").ExitCode);
        Assert.Equal(2, Run("assess").ExitCode);
    }

    [Fact]
    public void A_bad_rule_set_override_exits_2()
    {
        using var rules = new TempFile("""{"id":"x","version":"1","thresholds":{"nope":1}}""");
        var (code, _, err) = Run("assess", Sample("01-small-liver-ablatable"), "--rules", rules.Path);
        Assert.Equal(2, code);
        Assert.Contains("thresholds.nope: unknown threshold", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_into_a_missing_folder_exits_2_and_writes_nothing()
    {
        var (code, _, err) = Run("assess", Sample("01-small-liver-ablatable"), "-o", "/no/such/folder/report.txt");
        Assert.Equal(2, code);
        Assert.Contains("does not exist", err, StringComparison.Ordinal);
    }
}
