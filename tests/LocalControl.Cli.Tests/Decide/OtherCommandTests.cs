using System.Text.Json;
using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Decide;

public class OtherCommandTests
{
    [Fact]
    public void Validate_reports_a_valid_case()
    {
        var (code, output, _) = Run("validate", Sample("05-lung-metastases"));
        Assert.Equal(0, code);
        Assert.Contains("valid (2 lesions", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_json_lists_errors_with_paths()
    {
        using var file = new TempFile("""{"caseId":"C","patient":{"ecog":8},"lesions":[{"id":"L1","organ":"liver","longestDiameterMm":1.2}]}""");
        var (code, output, _) = Run("validate", file.Path, "--format", "json");
        Assert.Equal(2, code);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.False(root.GetProperty("valid").GetBoolean());
        Assert.Equal("patient.ecog", root.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("lesions[0].longestDiameterMm", root.GetProperty("warnings")[0].GetProperty("field").GetString());
    }

    [Fact]
    public void Schema_is_a_json_schema_document()
    {
        var (code, output, _) = Run("schema");
        Assert.Equal(0, code);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", root.GetProperty("$schema").GetString());
        Assert.True(root.GetProperty("properties").TryGetProperty("lesions", out _));
    }

    [Fact]
    public void Evidence_list_and_show()
    {
        var (code, output, _) = Run("evidence", "list");
        Assert.Equal(0, code);
        Assert.Contains("COLLISION", output, StringComparison.Ordinal);
        (code, output, _) = Run("evidence", "show", "L1");
        Assert.Equal(0, code);
        Assert.Contains("Lancet Oncol 2025", output, StringComparison.Ordinal);
        Assert.Contains("L1/os-hr", output, StringComparison.Ordinal);
        (code, output, _) = Run("evidence", "show", "DB2017", "--format", "json");
        Assert.Equal(0, code);
        Assert.Equal("DB2017", JsonDocument.Parse(output).RootElement.GetProperty("id").GetString());
        Assert.Equal(2, Run("evidence", "show", "Z99").ExitCode);
    }

    [Fact]
    public void Help_and_version_exit_0()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("assess", output, StringComparison.Ordinal);
        Assert.Equal(0, Run("--version").ExitCode);
        Assert.Equal(0, Run("assess", "--help").ExitCode);
    }
}
