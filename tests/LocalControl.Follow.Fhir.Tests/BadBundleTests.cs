// FHIR POCOs are nullable throughout; the tests dereference what they have just built.
#nullable disable warnings
using Hl7.Fhir.Model;
using FhirPatient = Hl7.Fhir.Model.Patient;

namespace LocalControl.Follow.Fhir.Tests;

/// <summary>Bundles that must not become a case: each refusal names the resource and the field, and nothing is returned.</summary>
public sealed class BadBundleTests
{
    private static Bundle Good() => CaseBundleExporter.Export(Cases.Read(Cases.EveryField));

    private static string Url<T>(Bundle b, Func<T, bool> which)
        where T : Resource => b.Entry.First(e => e.Resource is T t && which(t)).FullUrl;

    [Fact]
    public void Text_that_is_not_JSON_is_refused_as_such()
    {
        var ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Parse("{ \"resourceType\": \"Bundle\", "));
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JSON_that_is_not_valid_FHIR_names_the_element()
    {
        var ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Parse("""{ "resourceType": "Bundle", "type": "collection", "colour": "red" }"""));
        Assert.Contains("not valid FHIR R4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("colour", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resource_of_another_type_is_refused()
    {
        var ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Parse("""{ "resourceType": "Patient", "gender": "female" }"""));
        Assert.StartsWith("Patient: resourceType: expected a Bundle", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bundle_whose_patient_is_not_an_mCODE_cancer_patient_is_of_another_profile()
    {
        var b = Good();
        var patient = b.Entry.Select(e => e.Resource).OfType<FhirPatient>().Single();
        patient.Meta = null;
        var ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Import(b));
        Assert.StartsWith("Patient urn:uuid:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("meta.profile", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bundle_without_a_patient_is_refused()
    {
        var b = Good();
        b.Entry.RemoveAll(e => e.Resource is FhirPatient);
        var ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Import(b));
        Assert.Contains("no Patient", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_to_a_resource_missing_from_the_bundle_names_the_referring_resource_and_field()
    {
        var b = Good();
        var lesionUrl = Url<Condition>(b, c => c.Identifier.Any(i => i.Value == "L1"));
        var rfaUrl = Url<Procedure>(b, p => p.Identifier.Any(i => i.Value == "T1"));
        b.Entry.RemoveAll(e => e.FullUrl == lesionUrl);
        var ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Import(b));

        // The first resource to need L1 is its baseline size observation; with that gone too, the RFA procedure.
        Assert.Contains(lesionUrl, ex.Message, StringComparison.Ordinal);
        Assert.Contains("is not a Condition in this bundle", ex.Message, StringComparison.Ordinal);
        b.Entry.RemoveAll(e => e.Resource is Observation o && o.Focus.Any(f => f.Reference == lesionUrl));
        ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Import(b));
        Assert.StartsWith($"Procedure {rfaUrl}: reasonReference[0]: {lesionUrl} is not a Condition", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tumour_size_in_an_unknown_unit_names_the_observation_and_component()
    {
        var b = Good();
        var obs = b.Entry.Select(e => e.Resource).OfType<Observation>().First(o => o.Component.Any(c => c.Value is Quantity));
        ((Quantity)obs.Component.First(c => c.Value is Quantity).Value).Code = "[in_i]";
        var ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Import(b));
        Assert.Contains("Observation urn:uuid:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'[in_i]' is not UCUM mm or cm", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_procedure_without_a_therapy_code_names_the_field()
    {
        var b = Good();
        b.Entry.Select(e => e.Resource).OfType<Procedure>().First().Code = new CodeableConcept("http://snomed.info/sct", "387713003");
        var ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Import(b));
        Assert.Matches("^Procedure urn:uuid:[0-9a-f-]+: code: no therapy coding", ex.Message);
    }

    [Fact]
    public void A_follow_up_dated_before_every_treatment_breaks_the_case_file_rules_and_names_the_study()
    {
        var b = Good();
        var study = b.Entry.Select(e => e.Resource).OfType<ImagingStudy>().First();
        study.Started = "2023-01-01";
        var url = b.Entry.First(e => ReferenceEquals(e.Resource, study)).FullUrl;
        var ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Import(b));
        Assert.Contains("followUps[0].date", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"(ImagingStudy {url})", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Six_RECIST_targets_break_the_case_file_rules()
    {
        var b = Good();
        var list = b.Entry.Select(e => e.Resource).OfType<List>().Single();
        foreach (var e in list.Entry)
        {
            e.Flag = FhirVocabulary.Follow("target", "Target lesion");
        }

        var lesions = b.Entry.Where(e => e.Resource is Condition c && c.Identifier.Count > 0).Select(e => e.FullUrl).ToList();
        list.Entry.Clear();
        foreach (var url in lesions.Take(6))
        {
            list.Entry.Add(new List.EntryComponent { Flag = FhirVocabulary.Follow("target", "Target lesion"), Item = new ResourceReference(url) });
        }

        var ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Import(b));
        Assert.Contains("recistBaseline.targetLesionIds", ex.Message, StringComparison.Ordinal);
        Assert.Contains("at most 5", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cirse-grade-x", "is not cirse-grade-1")]
    [InlineData("cirse-grade-9", "complicationGrade")]
    public void A_complication_grade_that_is_not_CIRSE_1_to_6_is_refused(string code, string expected)
    {
        var b = Good();
        var rfa = b.Entry.Select(e => e.Resource).OfType<Procedure>().First(p => p.Identifier[0].Value == "T1");
        rfa.Complication.Clear();
        rfa.Complication.Add(FhirVocabulary.Follow(code, code));
        var ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Import(b));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_entries_with_one_fullUrl_are_refused()
    {
        var b = Good();
        b.Entry[3].FullUrl = b.Entry[2].FullUrl;
        var ex = Assert.Throws<FhirImportException>(() => CaseBundleImporter.Import(b));
        Assert.Contains("appears twice", ex.Message, StringComparison.Ordinal);
    }
}
