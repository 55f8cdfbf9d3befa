using Xunit.Abstractions;
using Hl7.Fhir.Model;
using LocalControl.Core.Cases;
using LocalControl.Follow.Export;
using CorePatient = LocalControl.Core.Cases.Patient;

namespace LocalControl.Follow.Fhir.Tests;

/// <summary>Export → validate (base R4, offline) → import → compare, on the sample case and on a case that uses every field.</summary>
public sealed class CaseBundleTests(BaseR4Validator validator, ITestOutputHelper log) : IClassFixture<BaseR4Validator>
{
    private static string Sample14 => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "cases", "14-liver-mwa-follow-up.json"));

    /// <summary>Every follow-up field: rectal primary, nodes, resection, SBRT, HAIC, PET-CT and US, absent and not-evaluable lesions, a new lesion, unequivocal progression, death.</summary>
    internal const string EveryField = """
    {
      "caseId": "LC-FHIR-1",
      "patient": { "ageYears": 70, "primary": { "site": "rectum" } },
      "lesions": [
        { "id": "A", "organ": "liver", "location": "segment 6", "longestDiameterMm": 31 },
        { "id": "B", "organ": "lung", "location": "left upper lobe", "longestDiameterMm": 12.5 },
        { "id": "N", "organ": "lymph-node", "location": "para-aortic", "longestDiameterMm": 25, "shortAxisMm": 18 },
        { "id": "C", "organ": "bone", "location": "T10 vertebra" },
        { "id": "D", "organ": "liver", "location": "segment 3", "longestDiameterMm": 9 }
      ],
      "treatments": [
        { "id": "T1", "date": "2024-03-01", "therapy": "rfa", "lesionIds": ["A"], "approach": "open", "intent": "curative",
          "device": "Cool-tip", "setting": "12 min", "technicalSuccess": false, "complicationGrade": 3, "minimalAblativeMarginMm": -1.5 },
        { "id": "T2", "date": "2024-03-01", "therapy": "resection", "lesionIds": ["D"], "approach": "open", "intent": "curative" },
        { "id": "T3", "date": "2024-04-10", "therapy": "sbrt", "lesionIds": ["C"], "intent": "palliative", "setting": "3 x 10 Gy" },
        { "id": "T4", "date": "2024-05-01", "therapy": "haic", "lesionIds": [], "approach": "endovascular", "regimen": "oxaliplatin" }
      ],
      "recistBaseline": { "date": "2024-02-20", "targetLesionIds": ["B", "N"], "nonTargetLesionIds": ["C"] },
      "followUps": [
        { "date": "2024-04-01", "modality": "pet-ct", "lesions": [
            { "lesionId": "A", "status": "present", "ablationZone": { "enhancingTissue": true, "adjacentToZone": false, "diameterMm": 40 } },
            { "lesionId": "B", "status": "present", "longestDiameterMm": 10 },
            { "lesionId": "N", "status": "present", "shortAxisMm": 9.5 },
            { "lesionId": "C", "status": "not-evaluable" } ] },
        { "date": "2024-07-01", "modality": "us", "lesions": [
            { "lesionId": "A", "status": "absent", "ablationZone": { "enhancingTissue": false } },
            { "lesionId": "B", "status": "absent", "longestDiameterMm": 0 },
            { "lesionId": "C", "status": "present", "unequivocalProgression": true } ],
          "newLesions": [ { "organ": "peritoneum", "location": "omentum", "size": 14 }, { "location": "unclear" } ] },
        { "date": "2024-09-01", "lesions": [] }
      ],
      "survival": { "lastContactDate": "2024-11-30", "vitalStatus": "dead", "deathDate": "2024-12-05" }
    }
    """;

    private static MetastaticCase Read(string json)
    {
        var result = CaseFileReader.Read(json);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Case!;
    }

    /// <summary>What a bundle carries: the follow-up fields, lesion identity and baseline size, the primary site.</summary>
    private static MetastaticCase FollowUpPart(MetastaticCase c) =>
        new(c.CaseId, new CorePatient { Primary = c.Patient.Primary?.Site is { } s ? new PrimaryTumour { Site = s } : null },
            c.Lesions.Select(l => new Lesion { Id = l.Id, Organ = l.Organ, Location = l.Location, LongestDiameterMm = l.LongestDiameterMm, ShortAxisMm = l.ShortAxisMm }).ToList())
        { FollowUp = c.FollowUp };

    private static MetastaticCase RoundTrip(MetastaticCase c, Pseudonymisation? p = null) =>
        CaseBundleImporter.Import(CaseBundleImporter.Parse(CaseBundleExporter.ToJson(CaseBundleExporter.Export(c, p))));

    [Theory]
    [InlineData("sample14")]
    [InlineData("every-field")]
    public void The_bundle_is_valid_R4_and_imports_back_to_the_same_follow_up(string which)
    {
        var original = Read(which == "sample14" ? Sample14 : EveryField);
        var bundle = CaseBundleExporter.Export(original);
        var errors = validator.Validate(CaseBundleImporter.Parse(CaseBundleExporter.ToJson(bundle)));
        foreach (var w in validator.Warnings(bundle))
        {
            log.WriteLine("warning: " + w);
        }

        Assert.True(errors.Count == 0, string.Join("\n", errors));

        var imported = RoundTrip(original);
        Assert.Equal(CaseFileWriter.Write(FollowUpPart(original)), CaseFileWriter.Write(imported));
        Assert.True(CaseFileReader.Read(CaseFileWriter.Write(imported)).IsValid);
    }

    [Fact]
    public void Resources_carry_the_mcode_profiles_and_the_hand_computed_recist_response()
    {
        var bundle = CaseBundleExporter.Export(Read(Sample14));
        var types = bundle.Entry.Select(e => e.Resource.TypeName).ToList();
        Assert.Equal(1, types.Count(t => t == "Patient"));
        Assert.Equal(6, types.Count(t => t == "Condition")); // primary + five metastases
        Assert.Equal(2, types.Count(t => t == "Procedure"));
        Assert.Equal(3, types.Count(t => t == "ImagingStudy"));
        var patient = bundle.Entry.Select(e => e.Resource).OfType<Hl7.Fhir.Model.Patient>().Single();
        Assert.Equal([FhirVocabulary.Profiles.CancerPatient], patient.Meta.Profile);
        Assert.Empty(patient.Name);
        Assert.Null(patient.BirthDate);

        var mwa = bundle.Entry.Select(e => e.Resource).OfType<Procedure>().Single(p => p.Identifier[0].Value == "T1");
        Assert.Equal([FhirVocabulary.Profiles.SurgicalProcedure], mwa.Meta.Profile);
        Assert.Equal("10200004", mwa.BodySite.Single().Coding[0].Code); // liver structure, SNOMED CT
        Assert.Equal("Emprint", mwa.UsedCode.Single().Text);

        // 2025-05-20: targets L2 22 + L3 8 + N1 9 (short axis) = 39 mm against the baseline 35 + 14 + 16 = 65 mm:
        // −40 % → PR; L2 still present, so not CR; L4 present → non-target non-CR/non-PD; overall PR (RECIST table 1).
        var status = bundle.Entry.Select(e => e.Resource).OfType<Observation>()
            .Where(o => o.Meta?.Profile.Contains(FhirVocabulary.Profiles.CancerDiseaseStatus) == true).ToList();
        Assert.Equal(3, status.Count);
        var may = status.Single(o => ((FhirDateTime)o.Effective).Value == "2025-05-20");
        var value = (CodeableConcept)may.Value;
        Assert.Contains(value.Coding, c => c.System == FhirVocabulary.Snomed && c.Code == "268910001");
        Assert.Contains(value.Coding, c => c.System == FhirVocabulary.RecistCodeSystem && c.Code == "PR");
        Assert.Equal(39m, ((Quantity)may.Component.Single().Value).Value);
    }

    [Fact]
    public void Pseudonymised_bundles_hide_the_case_id_and_shift_every_date_by_the_csv_exports_keyed_shift()
    {
        var original = Read(EveryField);
        var p = new Pseudonymisation("a centre's long secret");
        var shift = p.ShiftDays("LC-FHIR-1");
        var json = CaseBundleExporter.ToJson(CaseBundleExporter.Export(original, p));
        Assert.DoesNotContain("LC-FHIR-1", json, StringComparison.Ordinal);
        Assert.DoesNotContain("2024-12-05", json, StringComparison.Ordinal);

        var imported = CaseBundleImporter.Import(CaseBundleImporter.Parse(json));
        Assert.Equal(p.Pseudonym("LC-FHIR-1"), imported.CaseId);
        var o = original.FollowUp!;
        var i = imported.FollowUp!;
        Assert.Equal(o.Treatments.Select(t => t.Date.AddDays(shift)), i.Treatments.Select(t => t.Date));
        Assert.Equal(o.FollowUps.Select(f => f.Date.AddDays(shift)), i.FollowUps.Select(f => f.Date));
        Assert.Equal(o.RecistBaseline!.Date!.Value.AddDays(shift), i.RecistBaseline!.Date);
        Assert.Equal(o.Survival!.DeathDate!.Value.AddDays(shift), i.Survival!.DeathDate);
        Assert.Equal(o.Survival.LastContactDate!.Value.AddDays(shift), i.Survival.LastContactDate);
    }
}
