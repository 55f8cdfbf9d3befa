using System.Text.Json;

namespace LocalControl.Cli.Tests.Follow;

public sealed class OutcomesSurvivalCommandTests
{
    private static string Trial() => Path.Combine(CliRunner.RepoRoot(), "tests", "data", "survival", "freireich-6mp.csv");

    [Fact]
    public void Json_follows_the_contract_and_carries_the_published_figures()
    {
        var (code, output, error) = CliRunner.Run("outcomes", "survival", "--csv", Trial(), "--time", "weeks", "--event", "relapse", "--group", "treatment", "--format", "json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        var groups = doc.RootElement.GetProperty("groups");
        Assert.Equal(2, groups.GetArrayLength());
        var mp = groups[0];
        Assert.Equal("6-MP", mp.GetProperty("group").GetString());
        Assert.Equal(21, mp.GetProperty("n").GetInt32());
        Assert.Equal(9, mp.GetProperty("events").GetInt32());
        Assert.Equal(23, mp.GetProperty("medianTime").GetDouble());
        var first = mp.GetProperty("curve")[0];
        foreach (var field in new[] { "time", "atRisk", "events", "censored", "survival", "standardError", "lower95", "upper95" })
        {
            Assert.True(first.TryGetProperty(field, out _), field);
        }

        Assert.Equal(0.857, Math.Round(first.GetProperty("survival").GetDouble(), 3));
        Assert.Equal(0.720, Math.Round(first.GetProperty("lower95").GetDouble(), 3));
        var logRank = doc.RootElement.GetProperty("logRank");
        Assert.Equal(16.79294, Math.Round(logRank.GetProperty("chiSquare").GetDouble(), 5));
        Assert.Equal(1, logRank.GetProperty("degreesOfFreedom").GetInt32());
        Assert.True(logRank.GetProperty("pValue").GetDouble() is > 4.16e-5 and < 4.18e-5);
    }

    [Fact]
    public void Without_a_group_there_is_one_curve_and_no_log_rank()
    {
        var (code, output, _) = CliRunner.Run("outcomes", "survival", "--csv", Trial(), "--time", "weeks", "--event", "relapse", "--format", "json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(42, doc.RootElement.GetProperty("groups")[0].GetProperty("n").GetInt32());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("logRank").ValueKind);
    }

    [Fact]
    public void Png_is_written_as_a_picture()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lc-km-{Guid.NewGuid():N}.png");
        try
        {
            var (code, _, error) = CliRunner.Run("outcomes", "survival", "--csv", Trial(), "--time", "weeks", "--event", "relapse", "--group", "treatment", "--format", "png", "-o", path);
            Assert.True(code == 0, error);
            var bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 10_000);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("subject,weeks,relapse\nA,3,1\nB,-1,0\n", "line 3, column 'weeks'")]
    [InlineData("subject,weeks,relapse\nA,3,maybe\n", "line 2, column 'relapse'")]
    [InlineData("subject,weeks,relapse\nA,three,1\n", "line 2, column 'weeks'")]
    [InlineData("subject,time,relapse\nA,3,1\n", "no column 'weeks'")]
    [InlineData("subject,weeks,relapse\n", "no data rows")]
    public void Bad_tables_are_refused_with_the_line_and_column(string csv, string expected)
    {
        using var file = new CliRunner.TempFile(csv, ".csv");
        var (code, _, error) = CliRunner.Run("outcomes", "survival", "--csv", file.Path, "--time", "weeks", "--event", "relapse");
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Png_without_an_output_file_is_refused()
    {
        var (code, _, error) = CliRunner.Run("outcomes", "survival", "--csv", Trial(), "--time", "weeks", "--event", "relapse", "--format", "png");
        Assert.Equal(2, code);
        Assert.Contains("-o", error, StringComparison.Ordinal);
    }
}
