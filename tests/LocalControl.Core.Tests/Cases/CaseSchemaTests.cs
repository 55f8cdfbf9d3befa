using Json.Schema;
using LocalControl.Core.Cases;

namespace LocalControl.Core.Tests.Cases;

/// <summary>The published JSON Schema and the reader agree: an independent validator (JsonSchema.Net) as oracle.</summary>
public class CaseSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(CaseSchema.Json);

    private static bool SchemaAccepts(string json) =>
        Schema.Evaluate(System.Text.Json.JsonDocument.Parse(json).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid;

    public static TheoryData<string> Samples() =>
        [.. Directory.GetFiles(Path.Combine(TestCases.RepoRoot(), "samples", "cases"), "*.json").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_sample_case_conforms_to_the_schema(string file)
    {
        var json = File.ReadAllText(Path.Combine(TestCases.RepoRoot(), "samples", "cases", file));
        Assert.True(SchemaAccepts(json));
        Assert.True(CaseFileReader.Read(json).IsValid);
    }

    [Theory]
    [InlineData("""{"caseId":"C","lesions":[{"id":"L","organ":"liver","longestDiameterMm":0}]}""")]
    [InlineData("""{"caseId":"C","lesions":[{"id":"L","organ":"liver","longestDiameterMm":301}]}""")]
    [InlineData("""{"caseId":"C","lesions":[{"id":"L","organ":"moon"}]}""")]
    [InlineData("""{"caseId":"C","lesions":[{"organ":"liver"}]}""")]
    [InlineData("""{"caseId":"C","lesions":[]}""")]
    [InlineData("""{"lesions":[{"id":"L","organ":"liver"}]}""")]
    [InlineData("""{"caseId":"C","patient":{"ecog":7},"lesions":[{"id":"L","organ":"liver"}]}""")]
    [InlineData("""{"caseId":"C","patient":{"rasStatus":"positive"},"lesions":[{"id":"L","organ":"liver"}]}""")]
    [InlineData("""{"caseId":"C","lesions":[{"id":"L","organ":"liver","visibility":{"ct":"great"}}]}""")]
    [InlineData("""{"caseId":"C","lesions":[{"id":"L","organ":"liver","adjacentStructures":["spleen"]}]}""")]
    [InlineData("""{"caseId":"C","lesions":[{"id":"L","organ":"liver","worstPainScore":12}]}""")]
    public void Schema_and_reader_both_reject_bad_cases(string json)
    {
        Assert.False(SchemaAccepts(json));
        Assert.False(CaseFileReader.Read(json).IsValid);
    }
}
