using LocalControl.Core.Cases;

namespace LocalControl.Core.Tests.Cases;

public class ClinicalWordsTests
{
    // Expected codes written by hand from docs/case-format.md and the clinical meaning of each word (RECIST 1.1 for responses).
    [Theory]
    [InlineData(CodedField.BestResponse, "stable disease", "stable-disease")]
    [InlineData(CodedField.BestResponse, "SD", "stable-disease")]
    [InlineData(CodedField.BestResponse, "Progression", "progressive-disease")]
    [InlineData(CodedField.BestResponse, "PD", "progressive-disease")]
    [InlineData(CodedField.BestResponse, "partial response", "partial-response")]
    [InlineData(CodedField.BestResponse, "complete_response", "complete-response")]
    [InlineData(CodedField.BestResponse, "not evaluable", "not-evaluable")]
    [InlineData(CodedField.RasStatus, "wild type", "wild-type")]
    [InlineData(CodedField.RasStatus, "Wild-Type", "wild-type")]
    [InlineData(CodedField.RasStatus, "WT", "wild-type")]
    [InlineData(CodedField.RasStatus, "mutated", "mutant")]
    [InlineData(CodedField.BrafStatus, "V600E", "mutant")]
    [InlineData(CodedField.MsiStatus, "MSI-high", "msi-high")]
    [InlineData(CodedField.MsiStatus, "MSI-H", "msi-high")]
    [InlineData(CodedField.MsiStatus, "dMMR", "msi-high")]
    [InlineData(CodedField.MsiStatus, "pMMR", "mss")]
    [InlineData(CodedField.MsiStatus, "microsatellite stable", "mss")]
    [InlineData(CodedField.PrimarySite, "sigmoid", "colon")]
    [InlineData(CodedField.PrimarySite, "rectal", "rectum")]
    [InlineData(CodedField.Organ, "lymph node", "lymph-node")]
    [InlineData(CodedField.Organ, "pulmonary", "lung")]
    [InlineData(CodedField.Visibility, "not seen", "invisible")]
    [InlineData(CodedField.SurgicalAssessment, "borderline resectable", "resectable-with-difficulty")]
    [InlineData(CodedField.SurgicalAssessment, "irresectable", "unresectable")]
    [InlineData(CodedField.BoneIntent, "pain palliation", "palliative-pain")]
    [InlineData(CodedField.TreatmentIntentPreference, "disease control", "disease-control")]
    public void A_clinical_word_maps_to_the_formats_code_and_says_so(CodedField field, string typed, string code)
    {
        var m = ClinicalWords.Map(field, "the.field", typed);
        Assert.Equal(code, m.Code);
        Assert.Null(m.Error);
        Assert.True(m.Changed);
        Assert.Equal($"{typed.Trim()} → {code}", m.Shown);
    }

    [Fact]
    public void The_code_itself_maps_to_itself_and_is_not_shown_as_a_mapping()
    {
        var m = ClinicalWords.Map(CodedField.BestResponse, "x", "stable-disease");
        Assert.Equal("stable-disease", m.Code);
        Assert.False(m.Changed);
        Assert.Equal("stable-disease", m.Shown);
    }

    [Theory]
    [InlineData(CodedField.BestResponse, "patient.priorSystemicTherapy[0].bestResponse", "stabel disease")] // misspelt: no fuzzy guess
    [InlineData(CodedField.BestResponse, "patient.priorSystemicTherapy[1].bestResponse", "better")]
    [InlineData(CodedField.RasStatus, "patient.rasStatus", "positive")] // ambiguous for a mutation test: refused
    [InlineData(CodedField.MsiStatus, "patient.msiStatus", "stable disease")] // a response word in the wrong field
    [InlineData(CodedField.PrimarySite, "patient.primary.site", "rectosigmoid")] // between the two codes: the clinician decides
    [InlineData(CodedField.Organ, "lesions[0].organ", "")]
    public void An_unknown_word_is_an_error_naming_the_field_and_the_codes(CodedField field, string path, string typed)
    {
        var m = ClinicalWords.Map(field, path, typed);
        Assert.Null(m.Code);
        Assert.NotNull(m.Error);
        Assert.StartsWith(path + ": ", m.Error, StringComparison.Ordinal);
        foreach (var code in ClinicalWords.Codes(field))
        {
            Assert.Contains(code, m.Error, StringComparison.Ordinal);
        }
        Assert.Equal(m.Error, m.Shown);
    }

    [Theory]
    [InlineData("  Wild-Type ", "wild type")]
    [InlineData("wild_type", "wild type")]
    [InlineData("MSI--H", "msi h")]
    [InlineData("stable\tdisease.", "stable disease")]
    [InlineData("", "")]
    public void Normalise_ignores_case_and_treats_space_hyphen_underscore_alike(string text, string expected) =>
        Assert.Equal(expected, ClinicalWords.Normalise(text));

    public static TheoryData<CodedField, string> FieldsAndPaths => new()
    {
        { CodedField.RasStatus, "\"patient\":{\"rasStatus\":\"CODE\"}" },
        { CodedField.BrafStatus, "\"patient\":{\"brafStatus\":\"CODE\"}" },
        { CodedField.MsiStatus, "\"patient\":{\"msiStatus\":\"CODE\"}" },
        { CodedField.PrimarySite, "\"patient\":{\"primary\":{\"site\":\"CODE\"}}" },
        { CodedField.BestResponse, "\"patient\":{\"priorSystemicTherapy\":[{\"line\":1,\"regimen\":\"FOLFIRI\",\"bestResponse\":\"CODE\"}]}" },
        { CodedField.TreatmentIntentPreference, "\"patient\":{\"treatmentIntentPreference\":\"CODE\"}" },
    };

    // Oracle: the case-file reader itself. Every word the table knows maps to a code the reader accepts without a problem
    // for that field, and every code the reader names in its own error message is reachable.
    [Theory]
    [MemberData(nameof(FieldsAndPaths))]
    public void Every_mapped_word_gives_a_code_the_reader_accepts(CodedField field, string patientJson)
    {
        foreach (var (word, code) in ClinicalWords.Table[field])
        {
            var json = $$"""{"caseId":"C1",{{patientJson.Replace("CODE", code, StringComparison.Ordinal)}},"lesions":[{"id":"L1","organ":"liver","longestDiameterMm":20}]}""";
            var r = CaseFileReader.Read(json);
            Assert.True(r.IsValid, $"{field} '{word}' → '{code}': {string.Join("; ", r.Errors.Select(e => e.Path + ": " + e.Message))}");
        }
        var bad = $$"""{"caseId":"C1",{{patientJson.Replace("CODE", "zzz", StringComparison.Ordinal)}},"lesions":[{"id":"L1","organ":"liver","longestDiameterMm":20}]}""";
        var message = Assert.Single(CaseFileReader.Read(bad).Errors).Message;
        foreach (var code in ClinicalWords.Codes(field))
        {
            Assert.Contains(code, message, StringComparison.Ordinal);
        }
    }

    public static TheoryData<CodedField, string> LesionFields => new()
    {
        { CodedField.Organ, "\"organ\":\"CODE\"" },
        { CodedField.Visibility, "\"organ\":\"liver\",\"visibility\":{\"ct\":\"CODE\"}" },
        { CodedField.SurgicalAssessment, "\"organ\":\"liver\",\"surgicalAssessment\":\"CODE\"" },
        { CodedField.BoneIntent, "\"organ\":\"bone\",\"intent\":\"CODE\"" },
    };

    [Theory]
    [MemberData(nameof(LesionFields))]
    public void Every_mapped_lesion_word_gives_a_code_the_reader_accepts(CodedField field, string lesionJson)
    {
        foreach (var (word, code) in ClinicalWords.Table[field])
        {
            var json = $$"""{"caseId":"C1","lesions":[{"id":"L1","longestDiameterMm":20,{{lesionJson.Replace("CODE", code, StringComparison.Ordinal)}}}]}""";
            var r = CaseFileReader.Read(json);
            Assert.True(r.IsValid, $"{field} '{word}' → '{code}': {string.Join("; ", r.Errors.Select(e => e.Path + ": " + e.Message))}");
        }
    }

    // The reader's own aliases (docs/case-format.md) mean the same in the form.
    [Theory]
    [InlineData(CodedField.MsiStatus, "msi-h", "msi-high")]
    [InlineData(CodedField.MsiStatus, "dMMR", "msi-high")]
    [InlineData(CodedField.MsiStatus, "pMMR", "mss")]
    [InlineData(CodedField.BestResponse, "cr", "complete-response")]
    [InlineData(CodedField.BestResponse, "pr", "partial-response")]
    [InlineData(CodedField.BestResponse, "ne", "not-evaluable")]
    public void The_readers_aliases_map_alike(CodedField field, string alias, string code) =>
        Assert.Equal(code, ClinicalWords.Map(field, "f", alias).Code);
}
