using System.Text.Json;
using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Decide;

public class AssessCommandTests
{
    [Fact]
    public void Json_output_follows_the_contract()
    {
        var (code, output, _) = Run("assess", Sample("04-liver-portal-branch"), "--format", "json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("LC-SAMPLE-04", root.GetProperty("caseId").GetString());
        Assert.StartsWith("localcontrol-default ", root.GetProperty("ruleSetVersion").GetString(), StringComparison.Ordinal);
        var lesion = root.GetProperty("lesions")[0];
        Assert.Equal("L1", lesion.GetProperty("id").GetString());
        var therapies = lesion.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("therapy").GetString()!).Order().ToArray();
        Assert.Equal(["cryoablation", "ire", "mwa", "resection", "rfa", "sbrt"], therapies);
        var rfa = lesion.GetProperty("options").EnumerateArray().Single(o => o.GetProperty("therapy").GetString() == "rfa");
        Assert.Equal("caution", rfa.GetProperty("eligibility").GetString());
        var heatSink = rfa.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "heat-sink");
        Assert.Equal("failed", heatSink.GetProperty("status").GetString());
        Assert.Contains("M3", heatSink.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()));
        Assert.False(string.IsNullOrEmpty(heatSink.GetProperty("description").GetString()));
        var outcome = rfa.GetProperty("expectedOutcomes")[0];
        foreach (var field in new[] { "evidenceId", "value", "citation", "grade", "verification" })
        {
            Assert.True(outcome.TryGetProperty(field, out _), field);
        }

        var patientTherapies = root.GetProperty("patientOptions").EnumerateArray().Select(o => o.GetProperty("therapy").GetString()!).Order().ToArray();
        Assert.Equal(["curative-local", "haic", "sirt", "systemic"], patientTherapies);
        Assert.Equal(JsonValueKind.Object, root.GetProperty("scores").ValueKind);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("missingData").ValueKind);
    }

    [Theory]
    [InlineData("text", "LocalControl assessment: case LC-SAMPLE-07")]
    [InlineData("markdown", "# LocalControl assessment: case LC-SAMPLE-07")]
    [InlineData("html", "<!DOCTYPE html>")]
    public void Every_format_renders_every_sample(string format, string start)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(RepoRoot(), "samples", "cases"), "*.json"))
        {
            var (code, output, err) = Run("assess", file, "--format", format);
            Assert.True(code == 0, err);
            Assert.Contains("LC-SAMPLE-", output, StringComparison.Ordinal);
        }

        Assert.StartsWith(start, Run("assess", Sample("07-bilobar-after-folfox"), "--format", format).Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_file_is_written_with_o()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lc-{Guid.NewGuid():N}.html");
        try
        {
            var (code, output, _) = Run("assess", Sample("01-small-liver-ablatable"), "--format", "html", "-o", path);
            Assert.Equal(0, code);
            Assert.Equal("", output);
            Assert.Contains("</html>", File.ReadAllText(path), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Html_output_encodes_free_text()
    {
        using var file = new TempFile("""{"caseId":"<script>alert(1)</script>","lesions":[{"id":"L1","organ":"liver","location":"<img src=x onerror=alert(1)>","priorLocalTreatment":"<b>RFA</b>"}]}""");
        var (code, output, _) = Run("assess", file.Path, "--format", "html");
        Assert.Equal(0, code);
        Assert.DoesNotContain("<script>alert", output, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", output, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_centre_rule_set_is_applied_and_named()
    {
        using var rules = new TempFile("""{"id":"centre-x","version":"7","thresholds":{"smallLesionMaxMm":20}}""");
        var (code, output, _) = Run("assess", Sample("01-small-liver-ablatable"), "--format", "json", "--rules", rules.Path);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("centre-x 7 (on localcontrol-default 2026.12.0)", doc.RootElement.GetProperty("ruleSetVersion").GetString());
        var l2 = doc.RootElement.GetProperty("lesions")[1].GetProperty("options").EnumerateArray().Single(o => o.GetProperty("therapy").GetString() == "rfa");
        Assert.Equal("caution", l2.GetProperty("eligibility").GetString());
    }

    [Fact]
    public void The_example_centre_rule_set_of_the_readme_widens_the_perivascular_band()
    {
        var rules = Path.Combine(RepoRoot(), "samples", "rules", "centre-example.json");
        using var file = new TempFile("""{"caseId":"C","patient":{"ecog":0},"lesions":[{"id":"L1","organ":"liver","longestDiameterMm":20,"distanceToLargeVesselMm":7,"distanceToHilumMm":40,"adjacentStructures":[],"visibility":{"ultrasound":"conspicuous"}}]}""");
        string Rfa(string json) => JsonDocument.Parse(json).RootElement.GetProperty("lesions")[0].GetProperty("options").EnumerateArray()
            .Single(o => o.GetProperty("therapy").GetString() == "rfa").GetProperty("eligibility").GetString()!;
        Assert.Equal("eligible", Rfa(Run("assess", file.Path, "--format", "json").Out));
        Assert.Equal("caution", Rfa(Run("assess", file.Path, "--format", "json", "--rules", rules).Out));
    }

    [Fact]
    public void Warnings_go_to_stderr_and_into_the_json()
    {
        using var file = new TempFile("""{"caseId":"C","lesions":[{"id":"L1","organ":"liver","longestDiameterMm":1.5}]}""");
        var (code, output, err) = Run("assess", file.Path, "--format", "json");
        Assert.Equal(0, code);
        Assert.Contains("lesions[0].longestDiameterMm", err, StringComparison.Ordinal);
        Assert.Contains("centimetres", JsonDocument.Parse(output).RootElement.GetProperty("warnings")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
