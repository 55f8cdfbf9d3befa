using LocalControl.Follow.Recist;

namespace LocalControl.Follow.Tests.Recist;

public sealed class ProposedBaselineTests
{
    [Fact]
    public void Without_a_baseline_targets_are_proposed_by_the_rules_and_it_says_so()
    {
        // Liver 50, 40, 30 (only two per organ), lung 12, 9 (not measurable), node short axis 15 (measurable) and 14 (not),
        // bone 20, peritoneum 11: at most five, largest first, two per organ. L6 was ablated: not a target.
        var json = CaseBuilder.Json("""
            [{"id":"L1","organ":"liver","longestDiameterMm":40},{"id":"L2","organ":"liver","longestDiameterMm":50},
             {"id":"L3","organ":"liver","longestDiameterMm":30},{"id":"P1","organ":"lung","longestDiameterMm":12},
             {"id":"P2","organ":"lung","longestDiameterMm":9},{"id":"N1","organ":"lymph-node","longestDiameterMm":25,"shortAxisMm":15},
             {"id":"N2","organ":"lymph-node","longestDiameterMm":24,"shortAxisMm":14},{"id":"B1","organ":"bone","longestDiameterMm":20},
             {"id":"X1","organ":"peritoneum","longestDiameterMm":11},{"id":"L6","organ":"liver","longestDiameterMm":60}]
            """,
            treatments: """[{"id":"T1","date":"2025-01-10","therapy":"rfa","lesionIds":["L6"]}]""");
        var choice = RecistEvaluator.ProposeBaseline(CaseBuilder.Read(json));
        Assert.True(choice.Proposed);
        Assert.Equal(["L2", "L1", "B1", "N1", "P1"], choice.Baseline.TargetLesionIds);
        Assert.Equal(["L3", "P2", "N2", "X1"], choice.Baseline.NonTargetLesionIds);
        Assert.Contains(choice.Notes, n => n.Contains("recistBaseline is absent", StringComparison.Ordinal));
        Assert.Contains(choice.Notes, n => n.Contains("L6", StringComparison.Ordinal));
    }

    [Fact]
    public void A_given_baseline_is_used_as_given()
    {
        var json = CaseBuilder.Json("""[{"id":"L1","organ":"liver","longestDiameterMm":40},{"id":"L2","organ":"liver","longestDiameterMm":50}]""",
            baseline: """{"date":"2025-01-01","targetLesionIds":["L1"],"nonTargetLesionIds":["L2"]}""");
        var assessment = RecistEvaluator.Assess(CaseBuilder.Read(json));
        Assert.False(assessment.Baseline.Proposed);
        Assert.Equal(40, assessment.BaselineSumMm);
        Assert.Empty(assessment.TimePoints);
    }

    [Theory]
    [InlineData("liver", 9.9, null, false)]
    [InlineData("liver", 10.0, null, true)]
    [InlineData("lymph-node", 30.0, 14.9, false)]
    [InlineData("lymph-node", 30.0, 15.0, true)]
    public void Measurability_follows_recist(string organ, double longestMm, double? shortAxisMm, bool measurable)
    {
        var sa = shortAxisMm is { } s ? $",\"shortAxisMm\":{s.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "";
        var json = CaseBuilder.Json($$"""[{"id":"L1","organ":"{{organ}}","longestDiameterMm":{{longestMm.ToString(System.Globalization.CultureInfo.InvariantCulture)}}{{sa}}}]""");
        Assert.Equal(measurable, RecistEvaluator.IsMeasurable(CaseBuilder.Read(json).Lesions[0]));
    }
}
