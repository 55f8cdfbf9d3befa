using System.Diagnostics;
using System.Text.RegularExpressions;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using LocalControl.Web.Reporting;

namespace LocalControl.Web.Tests;

/// <summary>
/// The PDF summary's text against a golden file read and checked by hand (tests/LocalControl.Web.Tests/Golden). The
/// text is extracted with poppler's <c>pdftotext</c> (Debian poppler-utils, scripts/install-test-deps.sh), an
/// independent reader of the PDF; only the line with the print date is normalised. When the summary changes on
/// purpose, read the new text (and the page, rendered with <c>pdftoppm</c>) as a clinician would before replacing
/// the file: never regenerate it to make this test pass.
/// </summary>
public partial class PdfSummaryGoldenTests
{
    [Fact]
    public void Pdf_summary_text_matches_its_hand_checked_golden_file() =>
        AssertGolden("04-liver-portal-branch", "04-liver-portal-branch", null, null);

    /// <summary>
    /// The same summary with a decision of two strategies (systemic, then resection of L1; disease control with
    /// portal vein embolisation plus re-imaging), two attendees of whom one signed off, and a guest.
    /// </summary>
    [Fact]
    public void Pdf_summary_with_a_multi_strategy_decision_matches_its_hand_checked_golden_file()
    {
        var content = new LocalControl.Registry.DecisionContent(2,
            [
                new LocalControl.Registry.DecisionStrategy(null, [new("systemic", []), new("resection", ["L1"])]),
                new LocalControl.Registry.DecisionStrategy("disease-control", [new("portal-vein-embolisation", []), new("re-image", ["L1"], "liver MRI 4 weeks after PVE", WithPrevious: true)]),
            ],
            [new("dr.surgeon", "Dr A. Surgeon", "hepatobiliary surgery"), new("dr.ir", "Dr B. Radiologist", "interventional radiology")],
            "Dr C. Oncologist (medical oncology, visiting)", false);
        var decision = new DecisionRecord
        {
            Id = 7, MeetingDate = new DateOnly(2026, 12, 3), Intent = "curative", ChoicesJson = content.ToJson(),
            Rationale = "Portal branch close to L1: downsize first; resect if the remnant allows.", Attendees = content.AttendeesText(),
            RuleSetVersion = "localcontrol-default 2026.12.0", AssessmentJson = "{}", CaseFileJson = "{}", CaseVersion = 1,
            RecordedBy = "dr.surgeon", RecordedUtc = new DateTime(2026, 12, 3, 10, 15, 0, DateTimeKind.Utc),
        };
        DecisionSignOff[] signOffs = [new() { DecisionId = 7, UserName = "dr.ir", SignedUtc = new DateTime(2026, 12, 3, 11, 2, 0, DateTimeKind.Utc) }];
        AssertGolden("04-liver-portal-branch", "04-liver-portal-branch-decision", decision, signOffs);
    }

    private static void AssertGolden(string sample, string golden, DecisionRecord? decision, IReadOnlyList<DecisionSignOff>? signOffs)
    {
        Assert.True(PdfSummary.EnsureFonts(DejaVuFontResolver.DefaultFolder), "DejaVu fonts missing: run scripts/install-test-deps.sh");
        var root = RepoRoot();
        var json = File.ReadAllText(Path.Combine(root, "samples", "cases", sample + ".json"));
        var assessed = new CaseService().Assess(json);
        Assert.NotNull(assessed);
        var record = new CaseRecord
        {
            CaseId = assessed.Case.CaseId,
            CaseFileJson = json,
            Status = CaseStatus.ToDiscuss,
            MeetingDate = new DateOnly(2026, 12, 3),
            Version = 1,
            LesionCount = assessed.Case.Lesions.Count,
        };
        var pdf = PdfSummary.Render(record, assessed, decision, "clinician1", new DateTime(2026, 12, 2, 9, 30, 0, DateTimeKind.Utc), null, signOffs);

        var folder = Directory.CreateTempSubdirectory("lc-pdf-golden-");
        try
        {
            var pdfPath = Path.Combine(folder.FullName, "summary.pdf");
            File.WriteAllBytes(pdfPath, pdf);
            var textPath = Path.Combine(folder.FullName, "summary.txt");
            Process started;
            try
            {
                started = Process.Start(new ProcessStartInfo("pdftotext", ["-enc", "UTF-8", pdfPath, textPath]) { RedirectStandardError = true })!;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Assert.Fail("pdftotext not found: install Debian's poppler-utils (scripts/install-test-deps.sh)");
                return;
            }

            using (var p = started)
            {
                var err = p.StandardError.ReadToEnd();
                Assert.True(p.WaitForExit(30_000), "pdftotext did not finish");
                Assert.True(p.ExitCode == 0, "pdftotext failed: " + err);
            }

            // To read a changed summary by hand: LC_KEEP_PDF=FOLDER keeps the PDF and its text there.
            if (Environment.GetEnvironmentVariable("LC_KEEP_PDF") is { Length: > 0 } keep)
            {
                Directory.CreateDirectory(keep);
                File.Copy(pdfPath, Path.Combine(keep, golden + ".pdf"), overwrite: true);
                File.Copy(textPath, Path.Combine(keep, golden + ".pdf.txt"), overwrite: true);
            }

            var expected = File.ReadAllText(Path.Combine(root, "tests", "LocalControl.Web.Tests", "Golden", golden + ".pdf.txt"));
            Assert.Equal(Normalise(expected), Normalise(File.ReadAllText(textPath)));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Line endings, trailing blank lines and the print date ("printed 2026-12-02 09:30 UTC").</summary>
    private static string Normalise(string s) =>
        PrintedDate().Replace(s.Replace("\r\n", "\n", StringComparison.Ordinal), "printed <date>").TrimEnd('\n', '\f');

    [GeneratedRegex(@"printed \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")]
    private static partial Regex PrintedDate();

    internal static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "LocalControl.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("repository root not found");
    }
}

public partial class PdfSummaryGoldenTests
{
    /// <summary>The server PDF of each two-lesion sample, with an identity and a decision, fits on at most two A4 pages
    /// (counted by poppler's pdfinfo; rendered with pdftoppm beside it when LC_KEEP_PDF is set, to look at).</summary>
    [Theory]
    [InlineData("01-small-liver-ablatable")]
    [InlineData("05-lung-metastases")]
    [InlineData("11-incomplete-data")]
    public void The_pdf_summary_of_a_two_lesion_case_takes_at_most_two_A4_pages(string sample)
    {
        Assert.True(PdfSummary.EnsureFonts(DejaVuFontResolver.DefaultFolder), "DejaVu fonts missing: run scripts/install-test-deps.sh");
        var json = File.ReadAllText(Path.Combine(RepoRoot(), "samples", "cases", sample + ".json"));
        var assessed = new CaseService().Assess(json);
        Assert.NotNull(assessed);
        Assert.Equal(2, assessed.Case.Lesions.Count);
        var record = new CaseRecord { CaseId = assessed.Case.CaseId, CaseFileJson = json, Status = CaseStatus.Discussed, MeetingDate = new DateOnly(2026, 12, 3), Version = 1, LesionCount = 2 };
        var lesion = assessed.Assessment.Lesions[0];
        var decision = new DecisionRecord
        {
            MeetingDate = new DateOnly(2026, 12, 3), Intent = "curative", RecordedBy = "clinician1", RecordedUtc = new DateTime(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc),
            ChoicesJson = $$"""[{"lesionId":"{{lesion.LesionId}}","therapy":"{{LocalControl.Core.Engine.TherapyNames.ToJson(lesion.Options[0].Therapy)}}"}]""",
            Rationale = "Local treatment of the first lesion agreed; the second to be re-imaged in 6 weeks before a decision on it.",
            Attendees = "Dr A (hepatobiliary surgery), Dr B (interventional radiology), Dr C (oncology)", CaseVersion = 1, RuleSetVersion = assessed.Assessment.RuleSetVersion,
            AssessmentJson = "{}", CaseFileJson = json,
        };
        var identity = IdentityView.For(new PatientIdentity("PG55012207", "Nieminen", "Aino Maria", new DateOnly(1957, 4, 12), "female"), full: true);
        var pdf = PdfSummary.Render(record, assessed, decision, "clinician1", new DateTime(2026, 12, 3, 9, 30, 0, DateTimeKind.Utc), identity);
        var folder = Environment.GetEnvironmentVariable("LC_KEEP_PDF") is { Length: > 0 } keep ? Directory.CreateDirectory(keep) : Directory.CreateTempSubdirectory("lc-pdf-pages-");
        var pdfPath = Path.Combine(folder.FullName, $"summary-{sample}.pdf");
        File.WriteAllBytes(pdfPath, pdf);
        var pages = Browser.BrowserTests.PdfPages(pdfPath);
        if (Environment.GetEnvironmentVariable("LC_KEEP_PDF") is { Length: > 0 })
        {
            Browser.BrowserTests.Render(pdfPath, Path.Combine(folder.FullName, $"summary-{sample}"));
        }
        else
        {
            folder.Delete(recursive: true);
        }
        Assert.True(pages <= 2, $"{sample}: the PDF summary takes {pages} A4 pages");
    }
}
