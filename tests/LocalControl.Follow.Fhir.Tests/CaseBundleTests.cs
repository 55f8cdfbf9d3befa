// FHIR POCOs are nullable throughout; the tests dereference what they have just asserted or built.
#nullable disable warnings
using System.Globalization;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using LocalControl.Core.Cases;
using LocalControl.Follow.Export;
using FhirPatient = Hl7.Fhir.Model.Patient;

namespace LocalControl.Follow.Fhir.Tests;

/// <summary>Export, validation against base R4, and the round trip back into a case.</summary>
[Collection(ValidatorCollection.Name)]
public sealed class CaseBundleTests(BaseR4Validator validator)
{
    [Theory]
    [MemberData(nameof(Names))]
    public void Every_exported_bundle_is_valid_R4(string name)
    {
        var bundle = CaseBundleExporter.Export(Cases.ByName(name));
        var errors = validator.Errors(bundle);
        Assert.True(errors.Count == 0, $"{name}:\n{string.Join("\n", errors)}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_pseudonymised_bundle_is_valid_R4(string name)
    {
        var bundle = CaseBundleExporter.Export(Cases.ByName(name), new Pseudonymisation("centre secret key 0001"));
        var errors = validator.Errors(bundle);
        Assert.True(errors.Count == 0, $"{name}:\n{string.Join("\n", errors)}");
    }

    [Fact]
    public void The_validator_does_find_errors_in_a_broken_bundle()
    {
        // A guard on the guard: an Observation without its required status and code must not pass.
        var bundle = CaseBundleExporter.Export(Cases.Read(Cases.EveryField));
        var obs = bundle.Entry.Select(e => e.Resource).OfType<Observation>().First();
        obs.Status = null;
        obs.Code = null;
        Assert.NotEmpty(validator.Errors(bundle));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Export_then_import_through_JSON_gives_back_every_field_the_bundle_carries(string name)
    {
        var original = Cases.ByName(name);
        var json = CaseBundleExporter.ToJson(CaseBundleExporter.Export(original));
        var imported = CaseBundleImporter.Import(CaseBundleImporter.Parse(json));
        Assert.Equal(Cases.Carried(original), Cases.Carried(imported));
    }

    [Fact]
    public void The_round_trip_keeps_a_margin_to_the_last_bit_and_the_order_of_studies_on_one_day()
    {
        var original = Cases.Read(Cases.EveryField);
        var imported = CaseBundleImporter.Import(CaseBundleImporter.Parse(CaseBundleExporter.ToJson(CaseBundleExporter.Export(original))));
        Assert.Equal(BitConverter.DoubleToInt64Bits(3.1415926535897931), BitConverter.DoubleToInt64Bits(imported.FollowUp!.Treatments[0].MinimalAblativeMarginMm!.Value));
        Assert.Equal([ImagingModality.PetCt, ImagingModality.Us, ImagingModality.Mri, ImagingModality.Unknown], imported.FollowUp.FollowUps.Select(f => f.Modality));
        Assert.Equal(3, imported.FollowUp.FollowUps[2].NewLesions.Count);
    }

    [Fact]
    public void The_bundle_holds_the_mCODE_resources_with_their_codes()
    {
        var bundle = CaseBundleExporter.Export(Cases.Read(Cases.EveryField));
        var resources = bundle.Entry.Select(e => e.Resource).ToList();
        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        Assert.Single(resources.OfType<FhirPatient>());
        var conditions = resources.OfType<Condition>().ToList();
        var primary = Assert.Single(conditions, c => c.Meta.Profile.Contains(FhirVocabulary.Profiles.PrimaryCancerCondition));
        Assert.Contains(primary.Code.Coding, c => c.System == "http://hl7.org/fhir/sid/icd-10" && c.Code == "C20");
        var secondary = conditions.Where(c => c.Meta.Profile.Contains(FhirVocabulary.Profiles.SecondaryCancerCondition)).ToList();
        Assert.Equal(7, secondary.Count);
        var liver = secondary.First(c => c.Identifier[0].Value == "L1");
        Assert.Contains(liver.Code.Coding, c => c.Code == "C78.7");
        Assert.Contains(liver.BodySite[0].Coding, c => c.System == "http://snomed.info/sct" && c.Code == "10200004");
        Assert.Equal("segment 8", liver.BodySite[0].Text);
        Assert.Equal(9, resources.OfType<Procedure>().Count());
        var rfa = resources.OfType<Procedure>().First(p => p.Identifier[0].Value == "T1");
        Assert.Equal("2024-03-04", ((FhirDateTime)rfa.Performed).Value);
        Assert.Contains(rfa.Extension, x => x.Url == FhirVocabulary.McodeProcedureIntent && ((CodeableConcept)x.Value).Coding[0].Code == "373808002");
        Assert.Equal(4, resources.OfType<ImagingStudy>().Count());
        var sizes = resources.OfType<Observation>().Where(o => o.Code.Coding.Any(c => c.System == "http://loinc.org" && c.Code == "21889-1")).ToList();
        // The mCODE Tumor Size claim only where the longest dimension (required by the profile) is present.
        Assert.All(sizes, o => Assert.Equal(o.Component.Any(c => c.Code.Coding.Any(x => x.Code == "33728-7")), o.Meta?.Profile.Contains(FhirVocabulary.Profiles.TumorSize) == true));
        Assert.Contains(sizes, o => o.Meta is null);
        Assert.Contains(sizes, o => o.Meta is not null);
        var status = resources.OfType<Observation>().Where(o => o.Code.Coding.Any(c => c.Code == "97509-4")).ToList();
        Assert.NotEmpty(status);
        Assert.All(status, o => Assert.Contains(FhirVocabulary.Profiles.CancerDiseaseStatus, o.Meta.Profile));
        var dead = Assert.Single(resources.OfType<FhirPatient>());
        Assert.Equal("2025-01-20", ((FhirDateTime)dead.Deceased).Value);
        Assert.Empty(dead.Name);
        Assert.Null(dead.BirthDate);
    }

    [Fact]
    public void The_RECIST_status_of_the_last_study_is_progression_by_new_lesions_and_the_node_at_9_9_mm_counts_as_normal()
    {
        // Baseline targets L2 (17 mm) and N1 (18.5 mm short axis) = 35.5 mm. 2024-04-15: 14.2 + 9.9 = 24.1 mm, −32.1 % → PR.
        // 2024-09-30: L2 gone, N1 10 mm; three new lesions → PD whatever the targets do.
        var bundle = CaseBundleExporter.Export(Cases.Read(Cases.EveryField));
        var status = bundle.Entry.Select(e => e.Resource).OfType<Observation>()
            .Where(o => o.Code.Coding.Any(c => c.Code == "97509-4"))
            .Select(o => (((FhirDateTime)o.Effective).Value, ((CodeableConcept)o.Value).Coding.First(c => c.System == FhirVocabulary.RecistCodeSystem).Code))
            .ToList();
        Assert.Contains(("2024-04-15", "PR"), status);
        Assert.Contains(("2024-09-30", "PD"), status);
    }

    [Fact]
    public void Pseudonymised_bundles_have_no_case_id_no_name_no_birth_date_and_every_date_moved_by_one_offset()
    {
        var original = Cases.Read(Cases.EveryField);
        var key = new Pseudonymisation("centre secret key 0001");
        var bundle = CaseBundleExporter.Export(original, key);
        var json = CaseBundleExporter.ToJson(bundle);
        Assert.DoesNotContain("HB-EVERY", json, StringComparison.Ordinal);
        var patient = bundle.Entry.Select(e => e.Resource).OfType<FhirPatient>().Single();
        Assert.Empty(patient.Name);
        Assert.Null(patient.BirthDate);

        // Every date of the original is gone from the text, and the import differs from the original by one offset.
        foreach (var date in new[] { "2024-03-04", "2024-04-15", "2024-09-30", "2025-01-20", "2024-02-20" })
        {
            Assert.DoesNotContain(date, json, StringComparison.Ordinal);
        }

        var imported = CaseBundleImporter.Import(CaseBundleImporter.Parse(json));
        var shift = imported.FollowUp!.Treatments[0].Date.DayNumber - original.FollowUp!.Treatments[0].Date.DayNumber;
        Assert.NotEqual(0, shift);
        Assert.InRange(Math.Abs(shift), 1, Pseudonymisation.MaxShiftDays);
        Assert.Equal(Cases.Carried(original, shift, imported.CaseId), Cases.Carried(imported));
        Assert.Matches("^P-[0-9a-f]{16}$", imported.CaseId);
    }

    [Fact]
    public void The_same_key_gives_the_same_pseudonym_and_shift_and_another_key_does_not()
    {
        var original = Cases.Read(Cases.EveryField);
        string Export(string key) => CaseBundleExporter.ToJson(CaseBundleExporter.Export(original, new Pseudonymisation(key)));
        var a = Export("centre secret key 0001");
        Assert.Equal(a, Export("centre secret key 0001"));
        var other = Export("another centre key 0002");
        var idA = CaseBundleImporter.Import(CaseBundleImporter.Parse(a)).CaseId;
        var idB = CaseBundleImporter.Import(CaseBundleImporter.Parse(other)).CaseId;
        Assert.NotEqual(idA, idB);
    }

    [Fact]
    public void Two_patients_shift_independently_but_each_keeps_its_intervals()
    {
        var key = new Pseudonymisation("centre secret key 0001");
        int Interval(MetastaticCase c) => c.FollowUp!.Survival!.LastContactDate!.Value.DayNumber - c.FollowUp.Treatments[0].Date.DayNumber;
        foreach (var json in new[] { Cases.EveryField, Cases.AliveNoPrimary })
        {
            var original = Cases.Read(json);
            var imported = CaseBundleImporter.Import(CaseBundleImporter.Parse(CaseBundleExporter.ToJson(CaseBundleExporter.Export(original, key))));
            Assert.Equal(Interval(original), Interval(imported));
        }

        Assert.NotEqual(key.ShiftDays("HB-EVERY"), key.ShiftDays("HB-ALIVE"));
    }

    private static readonly MdtDecision[] Decisions =
    [
        new()
        {
            MeetingDate = new DateOnly(2024, 2, 27), Intent = "curative", Rationale = "Dr Example: small, well placed; ablate L1, resect P1",
            Choices = [new MdtChoice("L1", "ablation"), new MdtChoice("P1", "resection"), new MdtChoice(null, "systemic")],
        },
        new() { MeetingDate = new DateOnly(2024, 5, 20), Choices = [new MdtChoice("L3", "ablation")] },
    ];

    [Fact]
    public void MDT_decisions_are_valid_CarePlans_and_come_back_whole()
    {
        var original = Cases.Read(Cases.EveryField);
        var bundle = CaseBundleExporter.Export(original, null, Decisions);
        Assert.Empty(validator.Errors(bundle));
        var plans = bundle.Entry.Select(e => e.Resource).OfType<CarePlan>().ToList();
        Assert.Equal(2, plans.Count);
        Assert.Equal("2024-02-27", plans[0].Created);
        var (imported, decisions) = CaseBundleImporter.ImportWithDecisions(CaseBundleImporter.Parse(CaseBundleExporter.ToJson(bundle)));
        Assert.Equal(Cases.Carried(original), Cases.Carried(imported));
        Assert.Equal(2, decisions.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(Decisions[i].MeetingDate, decisions[i].MeetingDate);
            Assert.Equal(Decisions[i].Intent, decisions[i].Intent);
            Assert.Equal(Decisions[i].Rationale, decisions[i].Rationale);
            Assert.Equal(Decisions[i].Choices, decisions[i].Choices);
        }
    }

    [Fact]
    public void Pseudonymised_MDT_decisions_lose_their_free_text_and_move_by_the_case_offset()
    {
        var original = Cases.Read(Cases.EveryField);
        var bundle = CaseBundleExporter.Export(original, new Pseudonymisation("centre secret key 0001"), Decisions);
        Assert.Empty(validator.Errors(bundle));
        var json = CaseBundleExporter.ToJson(bundle);
        Assert.DoesNotContain("Dr Example", json, StringComparison.Ordinal);
        var (imported, decisions) = CaseBundleImporter.ImportWithDecisions(CaseBundleImporter.Parse(json));
        var shift = imported.FollowUp!.Treatments[0].Date.DayNumber - original.FollowUp!.Treatments[0].Date.DayNumber;
        Assert.Equal(Decisions.Select(d => d.MeetingDate.AddDays(shift)), decisions.Select(d => d.MeetingDate));
        Assert.All(decisions, d => Assert.Null(d.Rationale));
    }

    private static readonly MdtDecision WithStrategies = new()
    {
        MeetingDate = new DateOnly(2024, 3, 5), Intent = "curative", Rationale = "Convert, then treat all disease",
        Strategies =
        [
            new MdtStrategy(null, [new MdtStep("systemic", []), new MdtStep("resection", ["L1"]), new MdtStep("mwa", ["L3", "P1"], null, WithPrevious: true)]),
            new MdtStrategy("disease-control", [new MdtStep("portal-vein-embolisation", []), new MdtStep("re-image", ["L1"], "liver MRI in 6 weeks")]),
        ],
    };

    [Fact]
    public void Strategies_travel_as_ordered_activities_and_come_back_in_order()
    {
        var original = Cases.Read(Cases.EveryField);
        var bundle = CaseBundleExporter.Export(original, null, [WithStrategies]);
        Assert.Empty(validator.Errors(bundle));
        var plan = bundle.Entry.Select(e => e.Resource).OfType<CarePlan>().Single();
        Assert.Equal(5, plan.Activity.Count);
        Assert.Equal(["systemic", "resection", "mwa", "portal-vein-embolisation", "re-image"], plan.Activity.Select(a => a.Detail.Code.Coding[0].Code));
        Assert.Equal(2, plan.Activity[2].Detail.ReasonReference.Count);
        var third = plan.Activity[2].GetExtension(FhirVocabulary.DecisionStepExtension)!;
        Assert.Equal(1, ((PositiveInt)third.GetExtension("strategy")!.Value).Value);
        Assert.Equal(3, ((PositiveInt)third.GetExtension("step")!.Value).Value);
        Assert.Equal("plus", ((Code)third.GetExtension("connector")!.Value).Value);
        Assert.Null(plan.Activity[0].GetExtension(FhirVocabulary.DecisionStepExtension)!.GetExtension("connector"));
        Assert.Equal("disease-control", ((Code)plan.Activity[4].GetExtension(FhirVocabulary.DecisionStepExtension)!.GetExtension("intent")!.Value).Value);

        var (_, decisions) = CaseBundleImporter.ImportWithDecisions(CaseBundleImporter.Parse(CaseBundleExporter.ToJson(bundle)));
        var back = Assert.Single(decisions);
        Assert.Empty(back.Choices);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(WithStrategies.Strategies), System.Text.Json.JsonSerializer.Serialize(back.Strategies));

        // Pseudonymised: the steps' free text goes with the rationale; the strategies stay.
        var pseudo = CaseBundleImporter.ImportWithDecisions(CaseBundleImporter.Parse(CaseBundleExporter.ToJson(
            CaseBundleExporter.Export(original, new Pseudonymisation("centre secret key 0001"), [WithStrategies])))).Decisions.Single();
        Assert.Null(pseudo.Strategies[1].Steps[1].Text);
        Assert.Equal(["systemic", "resection", "mwa", "portal-vein-embolisation", "re-image"], pseudo.Strategies.SelectMany(x => x.Steps).Select(x => x.Therapy));
    }

    [Fact]
    public void A_strategy_step_on_a_lesion_the_case_does_not_have_is_refused_at_export()
    {
        var bad = WithStrategies with { Strategies = [new MdtStrategy(null, [new MdtStep("mwa", ["L99"])])] };
        var ex = Assert.Throws<ArgumentException>(() => CaseBundleExporter.Export(Cases.Read(Cases.EveryField), null, [bad]));
        Assert.Contains("L99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decision_on_a_lesion_the_case_does_not_have_is_refused_at_export()
    {
        var bad = new MdtDecision { MeetingDate = new DateOnly(2024, 1, 1), Choices = [new MdtChoice("L99", "ablation")] };
        var ex = Assert.Throws<ArgumentException>(() => CaseBundleExporter.Export(Cases.Read(Cases.EveryField), null, [bad]));
        Assert.Contains("L99", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Names() => Cases.Names();

    internal static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static JsonNode Node(string json) => JsonNode.Parse(json)!;
}
