using System.Globalization;
using LocalControl.Follow.Recist;

namespace LocalControl.Follow.Tests.Recist;

/// <summary>Every RECIST 1.1 transition at its boundary (Eisenhauer 2009), with the expected category worked out by hand.</summary>
public sealed class RecistBoundaryTests
{
    private static string N(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>One liver target of <paramref name="baselineMm"/>, measured at successive monthly studies.</summary>
    private static RecistAssessment OneTarget(double baselineMm, params double[] followUpMm)
    {
        var studies = string.Join(",", followUpMm.Select((mm, i) =>
            $$"""{"date":"2025-{{i + 2:00}}-01","lesions":[{"lesionId":"L1","status":"{{(mm == 0 ? "absent" : "present")}}","longestDiameterMm":{{N(mm)}}}]}"""));
        var json = CaseBuilder.Json(
            $$"""[{"id":"L1","organ":"liver","longestDiameterMm":{{N(baselineMm)}}}]""",
            followUps: $"[{studies}]",
            baseline: """{"date":"2025-01-01","targetLesionIds":["L1"],"nonTargetLesionIds":[]}""");
        return RecistEvaluator.Assess(CaseBuilder.Read(json));
    }

    [Theory]
    [InlineData(71, RecistCategory.SD)] // −29 %
    [InlineData(70.1, RecistCategory.SD)] // −29.9 %
    [InlineData(70, RecistCategory.PR)] // exactly −30 %
    [InlineData(69, RecistCategory.PR)] // −31 %
    public void Partial_response_needs_a_30_percent_decrease_from_baseline(double followUpMm, RecistCategory expected)
    {
        var point = OneTarget(100, followUpMm).TimePoints.Single();
        Assert.Equal(expected, point.TargetResponse);
        Assert.Equal(expected, point.OverallResponse);
        Assert.Equal((followUpMm - 100) / 100 * 100, point.ChangeFromBaselinePercent!.Value, 9);
    }

    [Fact]
    public void Twenty_percent_with_four_mm_is_stable_disease()
    {
        // Nadir 20 mm → 24 mm: +20 % but only +4 mm.
        var point = OneTarget(20, 24).TimePoints.Single();
        Assert.Equal(RecistCategory.SD, point.TargetResponse);
        Assert.Contains("short of PD", point.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Twenty_percent_with_five_mm_is_progression()
    {
        // Nadir 25 mm → 30 mm: exactly +20 % and exactly +5 mm.
        var point = OneTarget(25, 30).TimePoints.Single();
        Assert.Equal(RecistCategory.PD, point.TargetResponse);
        Assert.Equal(RecistCategory.PD, point.OverallResponse);
        Assert.Equal(20, point.ChangeFromNadirPercent!.Value, 9);
        Assert.StartsWith("PD:", point.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30, 35, RecistCategory.SD)] // +5 mm but +16.7 %
    [InlineData(16, 20, RecistCategory.SD)] // +25 % but +4 mm
    [InlineData(30, 36, RecistCategory.PD)] // +20 % and +6 mm
    [InlineData(25, 29.9, RecistCategory.SD)] // +19.6 %, +4.9 mm
    public void Progression_needs_both_twenty_percent_and_five_mm(double baselineMm, double followUpMm, RecistCategory expected)
    {
        Assert.Equal(expected, OneTarget(baselineMm, followUpMm).TimePoints.Single().TargetResponse);
    }

    [Fact]
    public void Progression_is_measured_from_the_nadir_not_the_baseline()
    {
        // 100 → 60 (PR, nadir 60) → 72: −28 % from baseline yet +20 % and +12 mm over the nadir → PD.
        var points = OneTarget(100, 60, 72).TimePoints;
        Assert.Equal(RecistCategory.PR, points[0].TargetResponse);
        Assert.Equal(60, points[1].NadirSumMm);
        Assert.Equal(RecistCategory.PD, points[1].TargetResponse);
        Assert.Equal(-28, points[1].ChangeFromBaselinePercent!.Value, 9);
        Assert.Equal(20, points[1].ChangeFromNadirPercent!.Value, 9);
    }

    [Fact]
    public void A_lesion_that_disappears_is_a_complete_response()
    {
        var point = OneTarget(30, 0).TimePoints.Single();
        Assert.Equal(RecistCategory.CR, point.TargetResponse);
        Assert.Equal(0, point.SumOfDiametersMm);
        Assert.Equal(-100, point.ChangeFromBaselinePercent!.Value, 9);
    }

    [Fact]
    public void After_a_complete_response_reappearance_of_five_mm_is_progression()
    {
        // Nadir 0: +5 mm is ≥ 20 % of 0 and ≥ 5 mm.
        var points = OneTarget(30, 0, 5).TimePoints;
        Assert.Equal(RecistCategory.PD, points[1].TargetResponse);
        Assert.Null(points[1].ChangeFromNadirPercent);
    }

    private static RecistTimePoint NodeTarget(double shortAxisMm)
    {
        var json = CaseBuilder.Json(
            """[{"id":"N1","organ":"lymph-node","longestDiameterMm":22,"shortAxisMm":16}]""",
            followUps: $$"""[{"date":"2025-03-01","lesions":[{"lesionId":"N1","status":"present","shortAxisMm":{{N(shortAxisMm)}}}]}]""",
            baseline: """{"date":"2025-01-01","targetLesionIds":["N1"]}""");
        return RecistEvaluator.Assess(CaseBuilder.Read(json)).TimePoints.Single();
    }

    [Fact]
    public void A_target_node_of_9_9_mm_short_axis_is_a_complete_response()
    {
        var point = NodeTarget(9.9);
        Assert.Equal(RecistCategory.CR, point.TargetResponse);
        // Nodes keep their short axis in the sum even at CR (RECIST 1.1): 9.9 mm, not 0.
        Assert.Equal(9.9, point.SumOfDiametersMm!.Value, 9);
    }

    [Fact]
    public void A_target_node_of_10_mm_short_axis_is_not_a_complete_response()
    {
        // 16 → 10 mm is −37.5 %: a partial response, not CR.
        var point = NodeTarget(10);
        Assert.Equal(RecistCategory.PR, point.TargetResponse);
    }

    [Fact]
    public void Nodes_are_summed_by_short_axis_and_other_lesions_by_longest_diameter()
    {
        var json = CaseBuilder.Json(
            """[{"id":"L1","organ":"liver","longestDiameterMm":40},{"id":"N1","organ":"lymph-node","longestDiameterMm":30,"shortAxisMm":18}]""",
            followUps: """[{"date":"2025-03-01","lesions":[{"lesionId":"L1","status":"present","longestDiameterMm":30,"shortAxisMm":20},{"lesionId":"N1","status":"present","longestDiameterMm":25,"shortAxisMm":12}]}]""",
            baseline: """{"date":"2025-01-01","targetLesionIds":["L1","N1"]}""");
        var assessment = RecistEvaluator.Assess(CaseBuilder.Read(json));
        Assert.Equal(58, assessment.BaselineSumMm);
        Assert.Equal(42, assessment.TimePoints.Single().SumOfDiametersMm);
    }

    [Fact]
    public void A_new_lesion_is_progression_whatever_the_targets_do()
    {
        var json = CaseBuilder.Json(
            """[{"id":"L1","organ":"liver","longestDiameterMm":40}]""",
            followUps: """[{"date":"2025-03-01","lesions":[{"lesionId":"L1","status":"present","longestDiameterMm":20}],"newLesions":[{"organ":"lung","location":"left upper lobe","size":6}]}]""",
            baseline: """{"date":"2025-01-01","targetLesionIds":["L1"]}""");
        var point = RecistEvaluator.Assess(CaseBuilder.Read(json)).TimePoints.Single();
        Assert.Equal(RecistCategory.PR, point.TargetResponse);
        Assert.True(point.NewLesions);
        Assert.Equal(RecistCategory.PD, point.OverallResponse);
        Assert.Contains("new lesion", point.Rule, StringComparison.Ordinal);
    }

    private static RecistTimePoint TwoTargets(string secondFinding)
    {
        var json = CaseBuilder.Json(
            """[{"id":"L1","organ":"liver","longestDiameterMm":20},{"id":"L2","organ":"lung","longestDiameterMm":20}]""",
            followUps: $$"""[{"date":"2025-03-01","lesions":[{"lesionId":"L1","status":"present","longestDiameterMm":{{secondFinding}}}]}]""",
            baseline: """{"date":"2025-01-01","targetLesionIds":["L1","L2"]}""");
        return RecistEvaluator.Assess(CaseBuilder.Read(json)).TimePoints.Single();
    }

    [Fact]
    public void A_target_not_evaluated_makes_the_response_not_evaluable()
    {
        // L2 is not reported; L1 shrinks 20 → 10 mm. Without L2 no sum can be judged: NE.
        var point = TwoTargets("10");
        Assert.Equal(RecistCategory.NE, point.TargetResponse);
        Assert.Equal(RecistCategory.NE, point.OverallResponse);
        Assert.Contains("L2", point.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluable_targets_that_already_prove_progression_give_progression_not_ne()
    {
        // Baseline sum 40 mm; L1 alone is now 50 mm: +25 % and +10 mm over the nadir with L2 unknown → PD.
        var point = TwoTargets("50");
        Assert.Equal(RecistCategory.PD, point.TargetResponse);
    }

    [Fact]
    public void A_not_evaluable_status_counts_as_not_evaluated()
    {
        var json = CaseBuilder.Json(
            """[{"id":"L1","organ":"liver","longestDiameterMm":20}]""",
            followUps: """[{"date":"2025-03-01","lesions":[{"lesionId":"L1","status":"not-evaluable"}]}]""",
            baseline: """{"date":"2025-01-01","targetLesionIds":["L1"]}""");
        Assert.Equal(RecistCategory.NE, RecistEvaluator.Assess(CaseBuilder.Read(json)).TimePoints.Single().OverallResponse);
    }

    private static RecistTimePoint WithNonTarget(string targetFinding, string nonTargetFinding)
    {
        var json = CaseBuilder.Json(
            """[{"id":"L1","organ":"liver","longestDiameterMm":20},{"id":"L2","organ":"liver","longestDiameterMm":7}]""",
            followUps: $$"""[{"date":"2025-03-01","lesions":[{{targetFinding}},{{nonTargetFinding}}]}]""",
            baseline: """{"date":"2025-01-01","targetLesionIds":["L1"],"nonTargetLesionIds":["L2"]}""");
        return RecistEvaluator.Assess(CaseBuilder.Read(json)).TimePoints.Single();
    }

    [Fact]
    public void Target_cr_with_non_targets_gone_is_overall_cr()
    {
        var point = WithNonTarget("""{"lesionId":"L1","status":"absent"}""", """{"lesionId":"L2","status":"absent"}""");
        Assert.Equal((RecistCategory.CR, RecistCategory.CR, RecistCategory.CR), (point.TargetResponse, point.NonTargetResponse, point.OverallResponse));
    }

    [Fact]
    public void Target_cr_with_non_targets_persisting_is_overall_pr()
    {
        var point = WithNonTarget("""{"lesionId":"L1","status":"absent"}""", """{"lesionId":"L2","status":"present","longestDiameterMm":6}""");
        Assert.Equal((RecistCategory.CR, RecistCategory.NonCrNonPd, RecistCategory.PR), (point.TargetResponse, point.NonTargetResponse, point.OverallResponse));
    }

    [Fact]
    public void Target_cr_with_non_targets_not_evaluated_is_overall_pr()
    {
        var point = WithNonTarget("""{"lesionId":"L1","status":"absent"}""", """{"lesionId":"L2","status":"not-evaluable"}""");
        Assert.Equal((RecistCategory.NE, RecistCategory.PR), (point.NonTargetResponse, point.OverallResponse));
    }

    [Fact]
    public void Unequivocal_non_target_progression_is_overall_pd()
    {
        var point = WithNonTarget("""{"lesionId":"L1","status":"present","longestDiameterMm":19}""", """{"lesionId":"L2","status":"present","longestDiameterMm":15,"unequivocalProgression":true}""");
        Assert.Equal((RecistCategory.SD, RecistCategory.PD, RecistCategory.PD), (point.TargetResponse, point.NonTargetResponse, point.OverallResponse));
    }

    [Fact]
    public void Studies_on_or_before_the_baseline_date_are_not_time_points()
    {
        var json = CaseBuilder.Json(
            """[{"id":"L1","organ":"liver","longestDiameterMm":20}]""",
            followUps: """[{"date":"2025-03-01","lesions":[{"lesionId":"L1","status":"present","longestDiameterMm":19}]},{"date":"2025-06-01","lesions":[{"lesionId":"L1","status":"present","longestDiameterMm":12}]}]""",
            baseline: """{"date":"2025-03-01","targetLesionIds":["L1"]}""");
        var points = RecistEvaluator.Assess(CaseBuilder.Read(json)).TimePoints;
        Assert.Equal(new DateOnly(2025, 6, 1), points.Single().Date);
    }
}
