using LocalControl.Follow.AblationOutcomes;

namespace LocalControl.Follow.Tests.AblationOutcomes;

/// <summary>Every state of the ablation terminology (Ahmed 2014): technical success, technique efficacy, LTP.</summary>
public sealed class AblationTerminologyTests
{
    private const string Lesion = """[{"id":"L1","organ":"liver","longestDiameterMm":22}]""";

    private static string Study(string date, string finding) => $$"""{"date":"{{date}}","modality":"ct","lesions":[{"lesionId":"L1",{{finding}}}]}""";

    private static string Zone(bool enhancing, bool? adjacent = null) =>
        $$"""
        "status":"present","ablationZone":{"enhancingTissue":{{(enhancing ? "true" : "false")}}{{(adjacent is { } a ? $",\"adjacentToZone\":{(a ? "true" : "false")}" : "")}}}
        """;

    private static AblatedLesionOutcome Outcome(string? technicalSuccess, params string[] studies)
    {
        var ts = technicalSuccess is null ? "" : $",\"technicalSuccess\":{technicalSuccess}";
        var json = CaseBuilder.Json(Lesion,
            treatments: $$"""[{"id":"T1","date":"2025-01-15","therapy":"mwa","lesionIds":["L1"]{{ts}}}]""",
            followUps: $"[{string.Join(",", studies)}]");
        return AblationOutcomeEvaluator.Assess(CaseBuilder.Read(json)).Single();
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData(null, null)]
    public void Technical_success_is_reported_as_recorded(string? recorded, bool? expected)
    {
        Assert.Equal(expected, Outcome(recorded).TechnicalSuccess);
    }

    [Fact]
    public void Without_follow_up_efficacy_and_progression_are_unknown()
    {
        var o = Outcome("true");
        Assert.Equal(Tristate.Unknown, o.TechniqueEfficacy);
        Assert.Equal(Tristate.Unknown, o.LocalTumourProgression.Status);
    }

    [Fact]
    public void A_clear_zone_on_the_first_follow_up_is_technique_efficacy()
    {
        var o = Outcome("true", Study("2025-02-20", Zone(false)));
        Assert.Equal(Tristate.Yes, o.TechniqueEfficacy);
        Assert.Equal(new DateOnly(2025, 2, 20), o.TechniqueEfficacyDate);
        Assert.Equal(Tristate.No, o.LocalTumourProgression.Status);
        Assert.Null(o.LocalTumourProgression.Date);
    }

    [Fact]
    public void Enhancing_tissue_at_the_zone_on_the_first_follow_up_is_residual_tumour_not_ltp()
    {
        var o = Outcome("true", Study("2025-02-20", Zone(true, adjacent: true)), Study("2025-06-01", Zone(true, adjacent: true)));
        Assert.Equal(Tristate.No, o.TechniqueEfficacy);
        Assert.Contains("residual", o.TechniqueEfficacyRule, StringComparison.Ordinal);
        Assert.Equal(Tristate.Unknown, o.LocalTumourProgression.Status);
        Assert.Null(o.LocalTumourProgression.Date);
    }

    [Fact]
    public void Enhancing_tissue_at_the_zone_after_efficacy_is_ltp_with_date_and_months()
    {
        // 2025-01-15 → 2025-09-10 is 238 days; 238 / 30.4375 = 7.819… months.
        var o = Outcome("true", Study("2025-02-20", Zone(false)), Study("2025-05-20", Zone(false)), Study("2025-09-10", Zone(true, adjacent: true)), Study("2025-12-01", Zone(true, adjacent: true)));
        Assert.Equal(Tristate.Yes, o.TechniqueEfficacy);
        Assert.Equal(Tristate.Yes, o.LocalTumourProgression.Status);
        Assert.Equal(new DateOnly(2025, 9, 10), o.LocalTumourProgression.Date);
        Assert.Equal(7.82, o.LocalTumourProgression.MonthsFromTreatment);
    }

    [Fact]
    public void Clear_zones_through_follow_up_are_no_ltp_censored_at_the_last_study()
    {
        // 2025-01-15 → 2026-01-15 is 365 days = 11.99 months.
        var o = Outcome("true", Study("2025-02-20", Zone(false)), Study("2026-01-15", Zone(false)));
        Assert.Equal(Tristate.No, o.LocalTumourProgression.Status);
        Assert.Null(o.LocalTumourProgression.MonthsFromTreatment);
        Assert.Equal(11.99, o.LocalTumourProgression.FollowUpMonths);
    }

    [Fact]
    public void A_zone_not_evaluable_on_the_first_follow_up_leaves_efficacy_unknown()
    {
        var o = Outcome("true", Study("2025-02-20", "\"status\":\"not-evaluable\""));
        Assert.Equal(Tristate.Unknown, o.TechniqueEfficacy);
        Assert.Equal(Tristate.Unknown, o.LocalTumourProgression.Status);
    }

    [Fact]
    public void Enhancing_tissue_away_from_the_zone_is_not_residual_tumour()
    {
        var o = Outcome("true", Study("2025-02-20", Zone(true, adjacent: false)));
        Assert.Equal(Tristate.Yes, o.TechniqueEfficacy);
    }

    [Fact]
    public void Enhancing_tissue_of_unknown_position_after_efficacy_leaves_ltp_unknown()
    {
        var o = Outcome("true", Study("2025-02-20", Zone(false)), Study("2025-06-01", Zone(true)));
        Assert.Equal(Tristate.Unknown, o.LocalTumourProgression.Status);
        Assert.Contains("adjacentToZone", o.LocalTumourProgression.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lesion_gone_on_follow_up_counts_as_a_clear_zone()
    {
        var o = Outcome("true", Study("2025-02-20", "\"status\":\"absent\""));
        Assert.Equal(Tristate.Yes, o.TechniqueEfficacy);
    }

    [Fact]
    public void A_repeat_ablation_starts_its_own_record_and_takes_the_later_studies()
    {
        var json = CaseBuilder.Json(Lesion,
            treatments: """[{"id":"T1","date":"2025-01-15","therapy":"rfa","lesionIds":["L1"]},{"id":"T2","date":"2025-07-01","therapy":"mwa","lesionIds":["L1"]}]""",
            followUps: $"[{Study("2025-02-20", Zone(false))},{Study("2025-06-10", Zone(true, true))},{Study("2025-08-01", Zone(false))}]");
        var outcomes = AblationOutcomeEvaluator.Assess(CaseBuilder.Read(json));
        Assert.Equal(["T1", "T2"], outcomes.Select(o => o.TreatmentId));
        Assert.Equal(Tristate.Yes, outcomes[0].LocalTumourProgression.Status);
        Assert.Equal(new DateOnly(2025, 6, 10), outcomes[0].LocalTumourProgression.Date);
        Assert.Equal(Tristate.Yes, outcomes[1].TechniqueEfficacy);
        Assert.Equal(new DateOnly(2025, 8, 1), outcomes[1].TechniqueEfficacyDate);
    }

    [Fact]
    public void Resection_and_systemic_therapy_are_not_judged_by_the_ablation_terminology()
    {
        var json = CaseBuilder.Json("""[{"id":"L1","organ":"liver","longestDiameterMm":22},{"id":"L2","organ":"liver","longestDiameterMm":30}]""",
            treatments: """[{"id":"T1","date":"2025-01-15","therapy":"resection","lesionIds":["L2"]},{"id":"T2","date":"2025-01-15","therapy":"cryoablation","lesionIds":["L1"]},{"id":"T3","date":"2025-02-01","therapy":"systemic","lesionIds":[]}]""");
        Assert.Equal("L1", AblationOutcomeEvaluator.Assess(CaseBuilder.Read(json)).Single().LesionId);
    }
}
