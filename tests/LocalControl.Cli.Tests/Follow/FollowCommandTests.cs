using System.Text.Json;

namespace LocalControl.Cli.Tests.Follow;

public sealed class FollowCommandTests
{
    [Fact]
    public void Json_follows_the_contract()
    {
        var (code, output, error) = CliRunner.Run("follow", CliRunner.Sample("14-liver-mwa-follow-up"), "--format", "json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("LC-SAMPLE-14", root.GetProperty("caseId").GetString());
        var recist = root.GetProperty("recist");
        Assert.Equal(3, recist.GetArrayLength());
        foreach (var field in new[] { "date", "sumOfDiametersMm", "changeFromBaselinePercent", "changeFromNadirPercent", "targetResponse", "nonTargetResponse", "newLesions", "overallResponse", "rule" })
        {
            Assert.True(recist[0].TryGetProperty(field, out _), field);
        }

        // Hand-computed: baseline 35 + 14 + 16 (node short axis) = 65 mm; 30 + 12 + 14 = 56 mm is −13.85 % (SD);
        // 22 + 8 + 9 = 39 mm is −40 % (PR); 25 + 10 + 9 = 44 mm is +5 mm but +12.8 % over the nadir 39, still −32.3 % (PR).
        Assert.Equal(["SD", "PR", "PR"], recist.EnumerateArray().Select(p => p.GetProperty("overallResponse").GetString()));
        Assert.Equal(56, recist[0].GetProperty("sumOfDiametersMm").GetDouble());
        Assert.Equal(-13.85, recist[0].GetProperty("changeFromBaselinePercent").GetDouble());
        Assert.Equal(-40, recist[1].GetProperty("changeFromBaselinePercent").GetDouble());
        Assert.Equal(12.82, recist[2].GetProperty("changeFromNadirPercent").GetDouble());
        var ablated = root.GetProperty("ablatedLesions").EnumerateArray().Single();
        Assert.Equal("L1", ablated.GetProperty("lesionId").GetString());
        Assert.Equal("T1", ablated.GetProperty("treatmentId").GetString());
        Assert.True(ablated.GetProperty("technicalSuccess").GetBoolean());
        Assert.Equal("yes", ablated.GetProperty("techniqueEfficacy").GetString());
        var ltp = ablated.GetProperty("localTumourProgression");
        Assert.Equal("yes", ltp.GetProperty("status").GetString());
        Assert.Equal("2025-09-10", ltp.GetProperty("date").GetString());
        Assert.Equal(7.82, ltp.GetProperty("monthsFromTreatment").GetDouble());
    }

    [Fact]
    public void Text_names_the_deciding_rule()
    {
        var (code, output, _) = CliRunner.Run("follow", CliRunner.Sample("14-liver-mwa-follow-up"));
        Assert.Equal(0, code);
        Assert.Contains("PR: sum 39 mm", output, StringComparison.Ordinal);
        Assert.Contains("local tumour progression yes", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_baseline_the_output_says_the_targets_were_proposed()
    {
        var json = File.ReadAllText(CliRunner.Sample("14-liver-mwa-follow-up"));
        using var doc = JsonDocument.Parse(json);
        var trimmed = JsonSerializer.Serialize(doc.RootElement.EnumerateObject().Where(p => p.Name != "recistBaseline").ToDictionary(p => p.Name, p => p.Value));
        using var file = new CliRunner.TempFile(trimmed);
        var (code, output, error) = CliRunner.Run("follow", file.Path, "--format", "json");
        Assert.True(code == 0, error);
        using var result = JsonDocument.Parse(output);
        var baseline = result.RootElement.GetProperty("recistBaseline");
        Assert.True(baseline.GetProperty("proposed").GetBoolean());
        // Largest first by the measure RECIST uses: L2 35 mm, N1 16 mm short axis, L3 14 mm; L1 was ablated, L4 is 8 mm.
        Assert.Equal(["L2", "N1", "L3"], baseline.GetProperty("targetLesionIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("recistBaseline is absent", baseline.GetProperty("notes")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_follow_up_of_an_unknown_lesion_exits_2_naming_the_field()
    {
        var json = File.ReadAllText(CliRunner.Sample("14-liver-mwa-follow-up")).Replace("\"lesionId\": \"L4\"", "\"lesionId\": \"L44\"", StringComparison.Ordinal);
        using var file = new CliRunner.TempFile(json);
        var (code, _, error) = CliRunner.Run("follow", file.Path);
        Assert.Equal(2, code);
        Assert.Contains("followUps[0].lesions[4].lesionId: unknown lesion 'L44'", error, StringComparison.Ordinal);
    }
}
