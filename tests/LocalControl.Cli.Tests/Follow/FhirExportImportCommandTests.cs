using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalControl.Cli.Tests.Follow;

/// <summary><c>export fhir</c> and <c>import fhir</c>: files, folders, pseudonyms, and refusals that write nothing.</summary>
public sealed class FhirExportImportCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lc-fhir-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string In(string name) => Path.Combine(_folder, name);

    [Fact]
    public void Export_to_a_file_then_import_gives_the_sample_case_back()
    {
        var sample = CliRunner.Sample("14-liver-mwa-follow-up");
        var (code, _, error) = CliRunner.Run("export", "fhir", sample, "-o", In("b.json"));
        Assert.True(code == 0, error);
        using (var doc = JsonDocument.Parse(File.ReadAllText(In("b.json"))))
        {
            Assert.Equal("Bundle", doc.RootElement.GetProperty("resourceType").GetString());
            Assert.Equal("collection", doc.RootElement.GetProperty("type").GetString());
        }

        (code, _, error) = CliRunner.Run("import", "fhir", In("b.json"), "-o", In("case.json"));
        Assert.True(code == 0, error);
        var back = JsonNode.Parse(File.ReadAllText(In("case.json")))!;
        var original = JsonNode.Parse(File.ReadAllText(sample))!;
        Assert.Equal("LC-SAMPLE-14", back["caseId"]!.GetValue<string>());
        foreach (var part in new[] { "treatments", "recistBaseline", "followUps", "survival" })
        {
            Assert.True(JsonNode.DeepEquals(original[part], back[part]), $"{part}:\n{original[part]}\n---\n{back[part]}");
        }

        // The imported file is a valid case file: follow runs on it and gives the same responses as on the original.
        var (c1, followOriginal, _) = CliRunner.Run("follow", sample, "--format", "json");
        var (c2, followBack, e2) = CliRunner.Run("follow", In("case.json"), "--format", "json");
        Assert.True(c1 == 0 && c2 == 0, e2);
        Assert.Equal(followOriginal, followBack);
    }

    [Fact]
    public void Export_of_one_case_without_o_writes_the_bundle_to_standard_output()
    {
        var (code, output, error) = CliRunner.Run("export", "fhir", CliRunner.Sample("01-small-liver-ablatable"));
        Assert.True(code == 0, error);
        Assert.Equal("Bundle", JsonNode.Parse(output)!["resourceType"]!.GetValue<string>());
    }

    [Fact]
    public void Several_cases_go_to_a_folder_one_bundle_each_and_pseudonymised_names_are_the_pseudonyms()
    {
        var a = CliRunner.Sample("14-liver-mwa-follow-up");
        var b = CliRunner.Sample("05-lung-metastases");
        var (code, _, error) = CliRunner.Run("export", "fhir", a, b, "-o", _folder, "--pseudonymise", "--key", "centre secret key 0001");
        Assert.True(code == 0, error);
        var files = Directory.GetFiles(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, files.Count);
        Assert.All(files, f => Assert.Matches("^P-[0-9a-f]{16}\\.json$", f!));
        foreach (var f in Directory.GetFiles(_folder))
        {
            var text = File.ReadAllText(f);
            Assert.DoesNotContain("LC-SAMPLE", text, StringComparison.Ordinal);
        }

        // The same key again gives the same files, byte for byte.
        var first = Directory.GetFiles(_folder).Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        var again = Directory.CreateDirectory(In("again")).FullName;
        (code, _, error) = CliRunner.Run("export", "fhir", a, b, "-o", again, "--pseudonymise", "--key", "centre secret key 0001");
        Assert.True(code == 0, error);
        Assert.Equal(first, Directory.GetFiles(again).Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList());
    }

    [Fact]
    public void Several_cases_without_a_folder_are_refused_and_nothing_is_written()
    {
        var (code, _, error) = CliRunner.Run("export", "fhir", CliRunner.Sample("14-liver-mwa-follow-up"), CliRunner.Sample("05-lung-metastases"), "-o", In("x.json"));
        Assert.Equal(2, code);
        Assert.Contains("must be an existing folder", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void One_invalid_case_among_several_writes_no_bundle_at_all()
    {
        File.WriteAllText(In("bad-case.json"), """{ "caseId": "X", "lesions": [ { "id": "L1", "organ": "spleen" } ] }""");
        var output = Directory.CreateDirectory(In("out")).FullName;
        var (code, _, error) = CliRunner.Run("export", "fhir", CliRunner.Sample("14-liver-mwa-follow-up"), In("bad-case.json"), "-o", output);
        Assert.Equal(2, code);
        Assert.Contains("bad-case.json", error, StringComparison.Ordinal);
        Assert.Contains("organ", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output));
    }

    [Fact]
    public void Import_without_o_writes_the_case_file_to_standard_output()
    {
        var (code, _, error) = CliRunner.Run("export", "fhir", CliRunner.Sample("05-lung-metastases"), "-o", In("b.json"));
        Assert.True(code == 0, error);
        (code, var output, error) = CliRunner.Run("import", "fhir", In("b.json"));
        Assert.True(code == 0, error);
        Assert.Equal("LC-SAMPLE-05", JsonNode.Parse(output)!["caseId"]!.GetValue<string>());
    }

    [Fact]
    public void Pseudonymise_without_a_key_exits_2()
    {
        var (code, _, error) = CliRunner.Run("export", "fhir", CliRunner.Sample("14-liver-mwa-follow-up"), "--pseudonymise");
        Assert.Equal(2, code);
        Assert.Contains("--key", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_of_a_bundle_with_a_missing_reference_exits_2_naming_resource_and_field_and_writes_nothing()
    {
        var (code, _, error) = CliRunner.Run("export", "fhir", CliRunner.Sample("14-liver-mwa-follow-up"), "-o", In("b.json"));
        Assert.True(code == 0, error);
        var bundle = JsonNode.Parse(File.ReadAllText(In("b.json")))!;
        var entries = bundle["entry"]!.AsArray();
        var l1 = entries.First(e => e!["resource"]!["resourceType"]!.GetValue<string>() == "Condition"
            && e["resource"]!["identifier"]?[0]?["value"]?.GetValue<string>() == "L1")!;
        var url = l1["fullUrl"]!.GetValue<string>();
        entries.Remove(l1);
        File.WriteAllText(In("broken.json"), bundle.ToJsonString());
        (code, _, error) = CliRunner.Run("import", "fhir", In("broken.json"), "-o", In("case.json"));
        Assert.Equal(2, code);
        Assert.Contains(In("broken.json"), error, StringComparison.Ordinal);
        Assert.Contains(url + " is not a Condition in this bundle", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.False(File.Exists(In("case.json")));
    }

    [Fact]
    public void Import_of_another_resource_type_or_of_invalid_FHIR_exits_2()
    {
        File.WriteAllText(In("patient.json"), """{ "resourceType": "Patient", "gender": "male" }""");
        var (code, _, error) = CliRunner.Run("import", "fhir", In("patient.json"));
        Assert.Equal(2, code);
        Assert.Contains("Patient: resourceType: expected a Bundle", error, StringComparison.Ordinal);

        File.WriteAllText(In("bad.json"), """{ "resourceType": "Bundle", "type": "no-such-type" }""");
        (code, _, error) = CliRunner.Run("import", "fhir", In("bad.json"));
        Assert.Equal(2, code);
        Assert.Contains("not valid FHIR R4", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("import", "fhir", In("missing.json"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }
}
