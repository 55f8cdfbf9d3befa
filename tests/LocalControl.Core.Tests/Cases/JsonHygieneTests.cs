using LocalControl.Core.Cases;
using LocalControl.Core.Rules;

namespace LocalControl.Core.Tests.Cases;

/// <summary>Issue 8's JSON-level reproductions against the case file reader and the rule-set override.</summary>
public class JsonHygieneTests
{
    private static CaseReadResult Read(string json) => CaseFileReader.Read(json);

    [Fact]
    public void A_lone_surrogate_is_a_clear_error_at_its_path_not_an_exception()
    {
        var r = Read("""{"caseId":"C\ud800","lesions":[{"id":"L1","organ":"liver","longestDiameterMm":20}]}""");
        var e = Assert.Single(r.Errors);
        Assert.Equal("caseId", e.Path);
        Assert.Contains("unpaired UTF-16 surrogate", e.Message, StringComparison.Ordinal);
        Assert.Null(r.Case);
    }

    [Fact]
    public void A_lone_surrogate_deep_in_a_lesion_is_found_too()
    {
        var r = Read("""{"caseId":"C1","lesions":[{"id":"L1","organ":"liver","location":"seg \udc00 6","longestDiameterMm":20}]}""");
        Assert.Equal("lesions[0].location", Assert.Single(r.Errors).Path);
    }

    [Fact]
    public void Duplicate_keys_are_refused_naming_both()
    {
        var r = Read("""{"caseId":"C1","lesions":[{"id":"L1","organ":"liver","longestDiameterMm":20,"longestDiameterMm":45}]}""");
        var e = Assert.Single(r.Errors);
        Assert.Equal("lesions[0]", e.Path);
        Assert.Contains("\"longestDiameterMm\" appears twice (entries 3 and 4", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("64.0", true)]
    [InlineData("6.4e1", true)]
    [InlineData("64", true)]
    [InlineData("64.5", false)]
    [InlineData("121.0", false)]
    public void Integral_numbers_are_accepted_where_the_schema_says_integer(string age, bool valid)
    {
        var r = Read($$"""{"caseId":"C1","patient":{"ageYears":{{age}}},"lesions":[{"id":"L1","organ":"liver","longestDiameterMm":20}]}""");
        Assert.Equal(valid, r.IsValid);
        if (valid)
        {
            Assert.Equal(64, r.Case!.Patient.AgeYears);
        }
        else
        {
            Assert.Equal("patient.ageYears", Assert.Single(r.Errors).Path);
        }
    }

    [Fact]
    public void A_wrongly_typed_case_id_has_a_single_path()
    {
        var r = Read("""{"caseId":5,"lesions":[{"id":"L1","organ":"liver","longestDiameterMm":20}]}""");
        var e = Assert.Single(r.Errors);
        Assert.Equal("caseId", e.Path);
        Assert.DoesNotContain("caseId.caseId", e.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"caseId":"C1",}""")]
    [InlineData("""{"caseId": x}""")]
    [InlineData("""{"caseId":"C1""")]
    public void Syntax_errors_carry_no_dotnet_suffixes(string json)
    {
        var e = Assert.Single(Read(json).Errors);
        Assert.StartsWith("malformed JSON at line 1, column", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePositionInLine", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Change the reader options", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Path:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_megabyte_value_is_not_echoed_whole()
    {
        var huge = new string('x', 1 << 20);
        var r = Read($$"""{"caseId":"C1","lesions":[{"id":"L1","organ":"{{huge}}","longestDiameterMm":20}]}""");
        Assert.All(r.Errors, e => Assert.True(e.ToString().Length < 500, $"{e.ToString().Length} characters echoed"));
        Assert.NotEmpty(r.Errors);
    }

    [Fact]
    public void Control_characters_in_echoed_values_are_escaped()
    {
        var r = Read("""{"caseId":"C1","lesions":[{"id":"L1","organ":"\u001b[31mred","longestDiameterMm":20}]}""");
        Assert.All(r.Errors, e => Assert.DoesNotContain('\u001b', e.ToString()));
        Assert.Contains(r.Errors, e => e.Message.Contains("\\u001b", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_override_with_duplicate_keys_or_a_lone_surrogate_is_refused()
    {
        var dup = Assert.Throws<LocalControlInputException>(() => RuleSet.Default.WithOverrides("""{"id":"x","id":"y","version":"1"}""", "centre.json"));
        Assert.Contains("centre.json", dup.Message, StringComparison.Ordinal);
        Assert.Contains("\"id\" appears twice", dup.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<LocalControlInputException>(() => RuleSet.Default.WithOverrides("""{"id":"\ud800","version":"1"}""", "centre.json"));
        Assert.Contains("centre.json: id: the text", bad.Message, StringComparison.Ordinal);
        var syntax = Assert.Throws<LocalControlInputException>(() => RuleSet.Default.WithOverrides("""{"id":"x",}""", "centre.json"));
        Assert.DoesNotContain("BytePositionInLine", syntax.Message, StringComparison.Ordinal);
    }
}
