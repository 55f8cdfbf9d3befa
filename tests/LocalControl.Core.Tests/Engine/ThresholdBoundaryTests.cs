using LocalControl.Core.Cases;
using LocalControl.Core.Engine;
using static LocalControl.Core.Tests.TestCases;

namespace LocalControl.Core.Tests.Engine;

/// <summary>Every threshold of the rule set, tested just below, at and just above its cut-off.</summary>
public class ThresholdBoundaryTests
{
    [Theory]
    [InlineData(29, "eligible")]
    [InlineData(29.9, "eligible")]
    [InlineData(30, "caution")]
    [InlineData(31, "caution")]
    [InlineData(50, "caution")]
    [InlineData(50.1, "not-eligible")]
    [InlineData(51, "not-eligible")]
    public void Liver_rfa_and_mwa_follow_the_size_bands(double diameterMm, string expected)
    {
        var a = Assess(Case(IdealLiverLesion(diameterMm: diameterMm)));
        Assert.Equal(expected, TherapyNames.ToJson(a.Option("L1", Therapy.Rfa).Eligibility));
        Assert.Equal(expected, TherapyNames.ToJson(a.Option("L1", Therapy.Mwa).Eligibility));
    }

    [Fact]
    public void Lesion_of_30_mm_is_not_small_for_rfa()
    {
        var c = Assess(Case(IdealLiverLesion(diameterMm: 30))).Option("L1", Therapy.Rfa).Criterion("size-thermal-ablation");
        Assert.Equal(CriterionStatus.Failed, c.Status);
        Assert.Equal(CriterionSeverity.Advisory, c.Severity);
        Assert.Equal(30, c.ObservedValue);
    }

    [Theory]
    [InlineData(4.9, "not-eligible")]
    [InlineData(5, "caution")]
    [InlineData(9.9, "caution")]
    [InlineData(10, "eligible")]
    public void Distance_to_hilum_bands_thermal_ablation(double hilumMm, string expected)
    {
        var a = Assess(Case(IdealLiverLesion() with { DistanceToHilumMm = hilumMm }));
        Assert.Equal(expected, TherapyNames.ToJson(a.Option("L1", Therapy.Rfa).Eligibility));
        Assert.Equal(expected, TherapyNames.ToJson(a.Option("L1", Therapy.Mwa).Eligibility));
    }

    [Theory]
    [InlineData(4.9, "caution", "eligible")]
    [InlineData(5, "eligible", "eligible")]
    [InlineData(0, "caution", "eligible")]
    public void A_vessel_closer_than_5_mm_cautions_rfa_but_not_mwa(double vesselMm, string rfa, string mwa)
    {
        var a = Assess(Case(IdealLiverLesion() with { DistanceToLargeVesselMm = vesselMm, LargeVesselCalibreMm = 6 }));
        Assert.Equal(rfa, TherapyNames.ToJson(a.Option("L1", Therapy.Rfa).Eligibility));
        Assert.Equal(mwa, TherapyNames.ToJson(a.Option("L1", Therapy.Mwa).Eligibility));
    }

    [Fact]
    public void A_calibre_below_3_mm_contradicting_the_large_vessel_field_keeps_the_conservative_heat_sink_flag()
    {
        var a = Assess(Case(IdealLiverLesion() with { DistanceToLargeVesselMm = 0, LargeVesselCalibreMm = 2.9 }));
        Assert.Equal(Eligibility.Caution, a.Option("L1", Therapy.Rfa).Eligibility);
        var r = LocalControl.Core.Cases.CaseFileReader.Read("""{"caseId":"C","lesions":[{"id":"L1","organ":"liver","distanceToLargeVesselMm":0,"largeVesselCalibreMm":2.9}]}""");
        Assert.Contains(r.Warnings, w => w.Path == "lesions[0].largeVesselCalibreMm");
    }

    [Theory]
    [InlineData(35, "eligible")]
    [InlineData(35.1, "caution")]
    [InlineData(50, "caution")]
    [InlineData(51, "not-eligible")]
    public void Lung_cryoablation_follows_the_trial_size_limit(double diameterMm, string expected)
    {
        var a = Assess(Case(IdealLungLesion(diameterMm: diameterMm)));
        Assert.Equal(expected, TherapyNames.ToJson(a.Option("P1", Therapy.Cryoablation).Eligibility));
    }

    [Theory]
    [InlineData(29, "eligible")]
    [InlineData(30, "caution")]
    [InlineData(31, "caution")]
    public void Lung_rfa_follows_the_size_bands(double diameterMm, string expected) =>
        Assert.Equal(expected, TherapyNames.ToJson(Assess(Case(IdealLungLesion(diameterMm: diameterMm))).Option("P1", Therapy.Rfa).Eligibility));

    [Theory]
    [InlineData(6, "eligible")]
    [InlineData(7, "caution")]
    public void More_than_six_lung_metastases_caution_lung_ablation(int count, string expected)
    {
        var lesions = Enumerable.Range(1, count).Select(i => IdealLungLesion($"P{i}")).ToArray();
        var a = Assess(Case(lesions));
        Assert.Equal(expected, TherapyNames.ToJson(a.Option("P1", Therapy.Rfa).Eligibility));
    }

    [Theory]
    [InlineData(3, "not-eligible")]
    [InlineData(3.9, "not-eligible")]
    [InlineData(4, "eligible")]
    [InlineData(10, "eligible")]
    public void Palliative_bone_ablation_needs_worst_pain_of_4(double pain, string expected)
    {
        var bone = new Lesion
        {
            Id = "B1", Organ = Organ.Bone, LongestDiameterMm = 40, AdjacentStructures = [],
            Visibility = new GuidanceVisibility { Ct = Visibility.Conspicuous }, Intent = BoneLesionIntent.PalliativePain, WorstPainScore = pain,
        };
        var a = Assess(Case(bone));
        Assert.Equal(expected, TherapyNames.ToJson(a.Option("B1", Therapy.Cryoablation).Eligibility));
        Assert.Equal(expected, TherapyNames.ToJson(a.Option("B1", Therapy.Rfa).Eligibility));
    }

    [Theory]
    [InlineData(29, "eligible")]
    [InlineData(30, "caution")]
    [InlineData(31, "caution")]
    public void Curative_bone_ablation_prefers_lesions_under_30_mm(double diameterMm, string expected)
    {
        var bone = new Lesion
        {
            Id = "B1", Organ = Organ.Bone, LongestDiameterMm = diameterMm, AdjacentStructures = [], CorticalErosion = false,
            Visibility = new GuidanceVisibility { Ct = Visibility.Conspicuous }, Intent = BoneLesionIntent.Curative,
        };
        Assert.Equal(expected, TherapyNames.ToJson(Assess(Case(bone)).Option("B1", Therapy.Cryoablation).Eligibility));
    }

    [Theory]
    [InlineData(25, "caution")]
    [InlineData(25.1, "eligible")]
    public void Future_liver_remnant_of_25_percent_or_less_cautions_resection(double flr, string expected)
    {
        var patient = FitPatient with { Liver = FitPatient.Liver! with { FutureLiverRemnantPercent = flr } };
        Assert.Equal(expected, TherapyNames.ToJson(Assess(Case(patient, IdealLiverLesion())).Option("L1", Therapy.Resection).Eligibility));
    }

    [Theory]
    [InlineData(2, "eligible", "eligible")]
    [InlineData(3, "not-eligible", "not-eligible")]
    public void Ecog_above_2_excludes_each_lesion_option_and_the_curative_strategy_alike(int ecog, string lesionLevel, string strategy)
    {
        var a = Assess(Case(FitPatient with { Ecog = ecog }, IdealLiverLesion()));
        Assert.Equal(lesionLevel, TherapyNames.ToJson(a.Option("L1", Therapy.Resection).Eligibility));
        Assert.Equal(lesionLevel, TherapyNames.ToJson(a.Option("L1", Therapy.Rfa).Eligibility));
        Assert.Equal(strategy, TherapyNames.ToJson(a.PatientOption(Therapy.CurativeLocal).Eligibility));
    }

    [Fact]
    public void An_unknown_performance_status_leaves_lesion_options_and_the_strategy_unknown()
    {
        var a = Assess(Case(FitPatient with { Ecog = null }, IdealLiverLesion()));
        Assert.Equal(Eligibility.Unknown, a.Option("L1", Therapy.Rfa).Eligibility);
        Assert.Equal(Eligibility.Unknown, a.PatientOption(Therapy.CurativeLocal).Eligibility);
        Assert.Contains(a.MissingData, m => m.Field == "patient.ecog" && m.ChangesEligibility);
    }

    [Theory]
    [InlineData(5, "eligible")]
    [InlineData(6, "caution")]
    public void More_than_five_metastases_across_organs_is_not_oligometastatic_by_convention_and_cautions(int count, string expected)
    {
        var lesions = Enumerable.Range(1, count - 1).Select(i => IdealLiverLesion($"L{i}")).Append(IdealLungLesion()).ToArray();
        var a = Assess(Case(lesions));
        Assert.Equal(expected == "eligible" ? "yes" : "no", a.Disease.Oligometastatic);
        Assert.Equal(expected, TherapyNames.ToJson(a.PatientOption(Therapy.CurativeLocal).Eligibility));
    }

    [Theory]
    [InlineData(10, "yes")]
    [InlineData(11, "no")]
    public void Liver_only_disease_allows_ten_metastases(int count, string expected)
    {
        var a = Assess(Case(Enumerable.Range(1, count).Select(i => IdealLiverLesion($"L{i}")).ToArray()));
        Assert.Equal(expected, a.Disease.Oligometastatic);
    }

    [Theory]
    [InlineData(2, "yes")]
    [InlineData(3, "borderline")]
    [InlineData(4, "no")]
    public void Organ_count_sets_oligometastatic_status(int organs, string expected)
    {
        var all = new[]
        {
            IdealLiverLesion(),
            IdealLungLesion(),
            new Lesion { Id = "B1", Organ = Organ.Bone, LongestDiameterMm = 20 },
            new Lesion { Id = "N1", Organ = Organ.LymphNode, LongestDiameterMm = 15 },
        };
        Assert.Equal(expected, Assess(Case(all.Take(organs).ToArray())).Disease.Oligometastatic);
    }

    [Theory]
    [InlineData(1, "eligible")]
    [InlineData(2, "caution")]
    [InlineData(3, "not-eligible")]
    public void Intra_arterial_therapy_needs_ecog_0_to_1(int ecog, string expected)
    {
        var unresectable = IdealLiverLesion(diameterMm: 70) with { SurgicalAssessment = SurgicalAssessment.Unresectable };
        var a = Assess(Case(FitPatient with { Ecog = ecog }, unresectable));
        Assert.Equal(expected, TherapyNames.ToJson(a.PatientOption(Therapy.Haic).Eligibility));
    }

    [Theory]
    [InlineData(29, "eligible")]
    [InlineData(30, "caution")]
    [InlineData(50, "caution")]
    [InlineData(51, "not-eligible")]
    public void Ire_follows_the_coldfire_size_limits(double diameterMm, string expected)
    {
        var central = IdealLiverLesion(diameterMm: diameterMm) with { DistanceToHilumMm = 2, SurgicalAssessment = SurgicalAssessment.Unresectable };
        Assert.Equal(expected, TherapyNames.ToJson(Assess(Case(central)).Option("L1", Therapy.Ire).Eligibility));
    }

    [Theory]
    [InlineData(9.9, "eligible")]
    [InlineData(10, "not-eligible")]
    public void Ire_is_only_for_central_lesions(double hilumMm, string expected)
    {
        var lesion = IdealLiverLesion() with { DistanceToHilumMm = hilumMm, SurgicalAssessment = SurgicalAssessment.Unresectable };
        Assert.Equal(expected, TherapyNames.ToJson(Assess(Case(lesion)).Option("L1", Therapy.Ire).Eligibility));
    }

    [Theory]
    [InlineData(34, "eligible")]
    [InlineData(34.1, "caution")]
    public void Bilirubin_above_34_umol_cautions_intra_arterial_therapy(double bilirubin, string expected)
    {
        var patient = FitPatient with { Liver = FitPatient.Liver! with { BilirubinUmolPerL = bilirubin } };
        var unresectable = IdealLiverLesion(diameterMm: 70) with { SurgicalAssessment = SurgicalAssessment.Unresectable };
        Assert.Equal(expected, TherapyNames.ToJson(Assess(Case(patient, unresectable)).PatientOption(Therapy.Haic).Eligibility));
    }

    [Theory]
    [InlineData(9.9, 3, "eligible")]
    [InlineData(10, 3, "not-eligible")]
    [InlineData(9.9, 4, "not-eligible")]
    public void Liver_dominant_disease_allows_three_small_lung_nodules(double noduleMm, int nodules, string expected)
    {
        var lesions = new List<Lesion> { IdealLiverLesion(diameterMm: 70) with { SurgicalAssessment = SurgicalAssessment.Unresectable } };
        lesions.AddRange(Enumerable.Range(1, nodules).Select(i => IdealLungLesion($"P{i}", noduleMm)));
        var criterion = Assess(Case([.. lesions])).PatientOption(Therapy.Haic).Criterion("liver-only-or-dominant");
        Assert.Equal(expected == "eligible" ? CriterionStatus.Met : CriterionStatus.Failed, criterion.Status);
    }
}
