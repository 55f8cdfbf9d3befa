using LocalControl.Core.Cases;
using LocalControl.Core.Engine;
using static LocalControl.Core.Tests.TestCases;

namespace LocalControl.Core.Tests.Engine;

/// <summary>One test per bundled sample case (samples/cases), asserting the options a tumour board would expect.</summary>
public class SampleCaseTests
{
    private static Assessment Sample(string name)
    {
        var path = Path.Combine(RepoRoot(), "samples", "cases", name + ".json");
        var result = CaseFileReader.Read(File.ReadAllText(path));
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        return TumourBoardEngine.Default.Assess(result.Case!);
    }

    [Fact]
    public void Small_liver_lesions_away_from_hilum_and_vessels_are_ablatable_and_resectable()
    {
        var a = Sample("01-small-liver-ablatable");
        foreach (var id in new[] { "L1", "L2" })
        {
            Assert.Equal(Eligibility.Eligible, a.Option(id, Therapy.Rfa).Eligibility);
            Assert.Equal(Eligibility.Eligible, a.Option(id, Therapy.Mwa).Eligibility);
            Assert.Equal(Eligibility.Eligible, a.Option(id, Therapy.Resection).Eligibility);
            Assert.Equal(Eligibility.NotEligible, a.Option(id, Therapy.Ire).Eligibility);
            Assert.Contains(a.Option(id, Therapy.Rfa).ExpectedOutcomes, o => o.Reference == "DB2017/rfa-local-control");
        }

        Assert.Equal(Eligibility.Eligible, a.PatientOption(Therapy.CurativeLocal).Eligibility);
        Assert.Equal(1, a.PatientOption(Therapy.CurativeLocal).Rank);
        Assert.Equal(Eligibility.NotEligible, a.PatientOption(Therapy.Haic).Eligibility);
        Assert.Empty(a.MissingData);
    }

    [Fact]
    public void A_40_mm_liver_lesion_is_intermediate_for_ablation_and_resectable()
    {
        var a = Sample("02-liver-40mm");
        Assert.Equal(Eligibility.Caution, a.Option("L1", Therapy.Rfa).Eligibility);
        Assert.Equal(Eligibility.Caution, a.Option("L1", Therapy.Mwa).Eligibility);
        Assert.Equal(Eligibility.Eligible, a.Option("L1", Therapy.Resection).Eligibility);
        Assert.Equal(Therapy.Resection, a.Lesions[0].Options[0].Therapy);
        // L5's series are of unresectable 3–5 cm lesions: the figure is in the reason, not attached as an outcome.
        Assert.DoesNotContain(a.Option("L1", Therapy.Rfa).ExpectedOutcomes, o => o.Reference == "L5/thermal-local-control");
        Assert.Contains("22–89%", a.Option("L1", Therapy.Rfa).Criterion("size-thermal-ablation").Reason, StringComparison.Ordinal);
        Assert.StartsWith("40 mm (30–50 mm)", a.Option("L1", Therapy.Rfa).Criterion("size-thermal-ablation").Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(a.Option("L1", Therapy.Rfa).ExpectedOutcomes, o => o.Reference == "DB2017/rfa-local-control");
    }

    [Fact]
    public void A_lesion_abutting_the_hilum_is_not_for_thermal_ablation_but_for_ire()
    {
        var a = Sample("03-liver-perihilar");
        Assert.Equal(Eligibility.NotEligible, a.Option("L1", Therapy.Rfa).Eligibility);
        Assert.Equal(Eligibility.NotEligible, a.Option("L1", Therapy.Mwa).Eligibility);
        Assert.Equal(Eligibility.NotEligible, a.Option("L1", Therapy.Resection).Eligibility);
        Assert.Equal(Eligibility.Eligible, a.Option("L1", Therapy.Ire).Eligibility);
        Assert.Equal(Therapy.Ire, a.Lesions[0].Options[0].Therapy);
        Assert.Contains(a.Option("L1", Therapy.Ire).ExpectedOutcomes, o => o.Reference == "I1/ltp-free-1y-patient");
    }

    [Fact]
    public void A_lesion_beside_a_6_mm_portal_branch_cautions_rfa_and_favours_mwa()
    {
        var a = Sample("04-liver-portal-branch");
        var rfa = a.Option("L1", Therapy.Rfa);
        Assert.Equal(Eligibility.Caution, rfa.Eligibility);
        Assert.Equal(CriterionStatus.Failed, rfa.Criterion("heat-sink").Status);
        Assert.Contains(rfa.ExpectedOutcomes, o => o.Reference == "M3/rfa-perivascular-hr");
        Assert.Equal(Eligibility.Eligible, a.Option("L1", Therapy.Mwa).Eligibility);
        Assert.True(a.Option("L1", Therapy.Mwa).Rank < rfa.Rank);
    }

    [Fact]
    public void Small_peripheral_lung_metastases_are_ablatable()
    {
        var a = Sample("05-lung-metastases");
        Assert.Equal(Eligibility.Eligible, a.Option("P1", Therapy.Rfa).Eligibility);
        Assert.Equal(Eligibility.Eligible, a.Option("P1", Therapy.Cryoablation).Eligibility);
        Assert.Equal(Eligibility.NotEligible, a.Option("P1", Therapy.Ire).Eligibility);
        Assert.Contains(a.Option("P1", Therapy.Rfa).ExpectedOutcomes, o => o.Reference == "DB2017/lung-rfa-os-5y");
        Assert.Contains(a.Option("P1", Therapy.Rfa).ExpectedOutcomes, o => o.Reference == "DB2017/lung-rfa-control-lt3cm");
        Assert.Contains(a.Option("P1", Therapy.Cryoablation).ExpectedOutcomes, o => o.Reference == "P3/local-control-12m");
        Assert.Equal(Eligibility.Eligible, a.PatientOption(Therapy.CurativeLocal).Eligibility);
        Assert.Null(a.Scores.Fong);
    }

    [Fact]
    public void A_painful_bone_lesion_near_the_spinal_cord_is_for_palliative_ablation_with_caution()
    {
        var a = Sample("06-bone-near-spinal-cord");
        var cryo = a.Option("B1", Therapy.Cryoablation);
        Assert.Equal(Eligibility.Caution, cryo.Eligibility);
        Assert.Equal(CriterionStatus.Met, cryo.Criterion("bone-pain-threshold").Status);
        Assert.Equal(CriterionStatus.Failed, cryo.Criterion("bone-away-from-neural").Status);
        Assert.Contains(cryo.ExpectedOutcomes, o => o.Reference == "B1/worst-pain-change-8w");
        Assert.Contains(a.Option("B1", Therapy.Rfa).ExpectedOutcomes, o => o.Reference == "B3/pain-response");
        Assert.Equal(Eligibility.NotEligible, a.Option("B1", Therapy.Ire).Eligibility);
    }

    [Fact]
    public void Bilobar_unresectable_disease_after_folfox_failure_is_for_haic_rechallenge_and_second_line_sirt()
    {
        var a = Sample("07-bilobar-after-folfox");
        var haic = a.PatientOption(Therapy.Haic);
        Assert.Equal(Eligibility.Eligible, haic.Eligibility);
        Assert.Equal("oxaliplatin-rechallenge", haic.Setting);
        Assert.Contains(haic.ExpectedOutcomes, o => o.Reference == "DB2017/haic-rechallenge");
        var sirt = a.PatientOption(Therapy.Sirt);
        Assert.Equal(Eligibility.Eligible, sirt.Eligibility);
        Assert.Equal("second-line", sirt.Setting);
        Assert.Contains(sirt.ExpectedOutcomes, o => o.Reference == "S3/hepatic-pfs-hr");
        Assert.Equal(Eligibility.NotEligible, a.PatientOption(Therapy.CurativeLocal).Eligibility);
        Assert.Equal(Therapy.Haic, a.PatientOptions[0].Therapy);
        Assert.Equal(5, a.Scores.Fong!.Value);
    }

    [Fact]
    public void First_line_liver_only_unresectable_disease_is_for_haic_conversion_and_sirt_only_for_liver_pfs()
    {
        var a = Sample("08-first-line-liver-only-unresectable");
        var haic = a.PatientOption(Therapy.Haic);
        Assert.Equal(Eligibility.Eligible, haic.Eligibility);
        Assert.Equal("first-line", haic.Setting);
        Assert.Contains(haic.ExpectedOutcomes, o => o.Reference == "DB2017/haic-response-first-line");
        Assert.Contains(haic.ExpectedOutcomes, o => o.Reference == "DB2017/haic-conversion");
        var sirt = a.PatientOption(Therapy.Sirt);
        Assert.Equal(Eligibility.Caution, sirt.Eligibility);
        Assert.Equal("first-line", sirt.Setting);
        Assert.Contains(sirt.ExpectedOutcomes, o => o.Reference == "S2/os-hr");
        Assert.Equal(Eligibility.NotEligible, a.PatientOption(Therapy.CurativeLocal).Eligibility);
    }

    [Fact]
    public void Widespread_extrahepatic_disease_is_for_systemic_therapy()
    {
        var a = Sample("09-widespread-extrahepatic");
        Assert.Equal("no", a.Disease.Oligometastatic);
        // The oligometastatic definition is a convention (advisory); lymph-node and other-organ lesions have no rule set.
        Assert.Equal(Eligibility.Unknown, a.PatientOption(Therapy.CurativeLocal).Eligibility);
        Assert.Equal(CriterionStatus.Failed, a.PatientOption(Therapy.CurativeLocal).Criterion("oligometastatic").Status);
        Assert.Equal(Eligibility.NotEligible, a.PatientOption(Therapy.Haic).Eligibility);
        Assert.Equal(Eligibility.NotEligible, a.PatientOption(Therapy.Sirt).Eligibility);
        Assert.Equal(Therapy.Systemic, a.PatientOptions[0].Therapy);
        Assert.Equal(Eligibility.Unknown, a.Option("N1", Therapy.Resection).Eligibility);
        Assert.Equal(2, a.Scores.Game!.Components.Single(c => c.Name == "Extrahepatic disease").Points);
    }

    [Fact]
    public void Ras_mutant_tumour_gets_margin_advice()
    {
        var a = Sample("10-ras-mutant-liver");
        var rfa = a.Option("L1", Therapy.Rfa);
        Assert.Equal(Eligibility.Caution, rfa.Eligibility);
        Assert.Equal(CriterionStatus.Failed, rfa.Criterion("ras-margin-advice").Status);
        Assert.Contains(rfa.Notes, n => n.Contains("10 mm", StringComparison.Ordinal));
        Assert.Contains(rfa.ExpectedOutcomes, o => o.Reference == "M7/ltp-by-ras");
        Assert.Equal(Eligibility.Eligible, a.Option("L1", Therapy.Resection).Eligibility);
    }

    [Fact]
    public void Missing_data_makes_options_unknown_and_is_listed()
    {
        var a = Sample("11-incomplete-data");
        Assert.Equal(Eligibility.Unknown, a.Option("L1", Therapy.Rfa).Eligibility);
        Assert.Equal(Eligibility.Unknown, a.Option("L1", Therapy.Resection).Eligibility);
        Assert.Contains(a.MissingData, m => m.Field == "lesions[0].distanceToHilumMm" && m.ChangesEligibility);
        Assert.Contains(a.MissingData, m => m.Field == "lesions[0].surgicalAssessment");
        Assert.Contains(a.MissingData, m => m.Field == "patient.ecog");
        // RAS status only cautions options that are unknown anyway: it would change no eligibility, so it is not asked for.
        Assert.DoesNotContain(a.MissingData, m => m.Field == "patient.rasStatus");
        Assert.Equal(a.MissingData.Count, a.MissingData.Select(m => m.Field).Distinct().Count());
        Assert.Null(a.Scores.Fong!.Value);
        Assert.Equal(Eligibility.Unknown, a.PatientOption(Therapy.CurativeLocal).Eligibility);
    }

    [Fact]
    public void Liver_and_lung_oligometastatic_disease_has_a_curative_combination()
    {
        var a = Sample("12-liver-and-lung-oligometastatic");
        var curative = a.PatientOption(Therapy.CurativeLocal);
        Assert.NotEqual(Eligibility.NotEligible, curative.Eligibility);
        Assert.Equal(3, curative.Plan!.Count);
        Assert.All(curative.Plan, p => Assert.NotEmpty(p.Options));
        Assert.Equal(Therapy.Resection, curative.Plan.Single(p => p.LesionId == "L1").Options[0]);
        Assert.Equal("yes", a.Disease.Oligometastatic);
    }

    [Fact]
    public void A_small_bone_metastasis_can_be_ablated_with_curative_intent()
    {
        var a = Sample("13-bone-curative");
        Assert.Equal(Eligibility.Eligible, a.Option("B1", Therapy.Cryoablation).Eligibility);
        Assert.Equal(Eligibility.Eligible, a.Option("B1", Therapy.Rfa).Eligibility);
        Assert.Contains(a.Option("B1", Therapy.Rfa).ExpectedOutcomes, o => o.Reference == "B5/complete-local-treatment-1y");
    }

    [Fact]
    public void Widespread_disease_with_nodal_and_peritoneal_lesions_says_that_the_mdt_must_judge_those_lesions()
    {
        // Sample 09: the para-aortic node (N1) and the peritoneal nodule (C1) lie in organs the rule set has no
        // criteria for. Curative intent stays unknown (nothing in the rule set excludes it), and the report says why:
        // an MDT judgement, not data, decides those two lesions.
        var a = Sample("09-widespread-extrahepatic");
        var curative = a.PatientOption(Therapy.CurativeLocal);
        Assert.Equal(Eligibility.Unknown, curative.Eligibility);
        var all = curative.Criteria.Single(c => c.Id == "all-lesions-locally-treatable");
        Assert.Equal(CriterionStatus.Unknown, all.Status);
        Assert.Contains("N1 needs an MDT judgement", all.Reason, StringComparison.Ordinal);
        Assert.Contains("lymph-node lesions", all.Reason, StringComparison.Ordinal);
        Assert.Contains("C1 needs an MDT judgement", all.Reason, StringComparison.Ordinal);
        Assert.Contains("peritoneum lesions", all.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("see their options", all.Reason, StringComparison.Ordinal);
        var pending = curative.Plan!.Where(p => p.Status == "pending-data").Select(p => p.LesionId).ToArray();
        Assert.Equal(["N1", "C1"], pending);
        Assert.All(curative.Plan!.Where(p => p.Status != "pending-data"), p => Assert.Null(p.Pending));
    }

    [Fact]
    public void Incomplete_data_names_the_fields_that_would_place_each_lesion_in_the_plan()
    {
        // Sample 11: neither lesion has a surgeon's assessment, a hilum distance or adjacent structures, and the
        // patient has no ECOG; both have a diameter. Those missing fields, and only missing ones, are named.
        var a = Sample("11-incomplete-data");
        var plan = a.PatientOption(Therapy.CurativeLocal).Plan!;
        foreach (var p in plan)
        {
            Assert.Equal("pending-data", p.Status);
            Assert.StartsWith("data: ", p.Pending, StringComparison.Ordinal);
            Assert.Contains("surgeon's resectability assessment", p.Pending, StringComparison.Ordinal);
            Assert.Contains("ECOG performance status", p.Pending, StringComparison.Ordinal);
            Assert.Contains("distance to the hilum", p.Pending, StringComparison.Ordinal);
            Assert.Contains("structures it abuts", p.Pending, StringComparison.Ordinal);
            Assert.DoesNotContain("longest diameter", p.Pending, StringComparison.Ordinal);
        }

        // L2 was assessed on ultrasound (poorly seen): ultrasound is not asked for again; L1 has no visibility at all.
        Assert.DoesNotContain("visibility on ultrasound", plan.Single(p => p.LesionId == "L2").Pending, StringComparison.Ordinal);
        Assert.Contains("visibility on ultrasound", plan.Single(p => p.LesionId == "L1").Pending, StringComparison.Ordinal);
    }
}
