using LocalControl.Core.Cases;

namespace LocalControl.Follow.Tests.Cases;

/// <summary>The follow-up part of the case file: bad input named by field, round trip, old files unchanged.</summary>
public sealed class FollowUpCaseFileTests
{
    private const string Lesions = """
        [{"id":"L1","organ":"liver","longestDiameterMm":22},{"id":"L2","organ":"liver","longestDiameterMm":35},
         {"id":"L3","organ":"liver","longestDiameterMm":30},{"id":"P1","organ":"lung","longestDiameterMm":14},
         {"id":"P2","organ":"lung","longestDiameterMm":12},{"id":"B1","organ":"bone","longestDiameterMm":25},
         {"id":"S1","organ":"liver","longestDiameterMm":9},{"id":"N1","organ":"lymph-node","longestDiameterMm":20,"shortAxisMm":14}]
        """;

    private const string Mwa = """[{"id":"T1","date":"2025-01-15","therapy":"mwa","lesionIds":["L1"]}]""";

    private static void AssertError(string json, string path, string words)
    {
        var result = CaseBuilder.TryRead(json);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Path == path && e.Message.Contains(words, StringComparison.Ordinal));
    }

    [Fact]
    public void A_follow_up_dated_before_its_treatment_is_refused()
    {
        AssertError(CaseBuilder.Json(Lesions, Mwa, """[{"date":"2025-01-10","lesions":[{"lesionId":"L1","status":"present"}]}]"""),
            "followUps[0].date", "before the first treatment T1");
    }

    [Fact]
    public void An_ablation_zone_before_the_lesion_was_ablated_is_refused()
    {
        var treatments = """[{"id":"T1","date":"2025-01-15","therapy":"systemic","lesionIds":[]},{"id":"T2","date":"2025-03-01","therapy":"rfa","lesionIds":["L1"]}]""";
        AssertError(CaseBuilder.Json(Lesions, treatments, """[{"date":"2025-02-01","lesions":[{"lesionId":"L1","status":"present","ablationZone":{"enhancingTissue":false}}]}]"""),
            "followUps[0].lesions[0].ablationZone", "no ablation dated on or before");
    }

    [Fact]
    public void A_measurement_of_an_unknown_lesion_is_refused()
    {
        AssertError(CaseBuilder.Json(Lesions, Mwa, """[{"date":"2025-02-10","lesions":[{"lesionId":"L9","status":"present","longestDiameterMm":10}]}]"""),
            "followUps[0].lesions[0].lesionId", "unknown lesion 'L9'");
    }

    [Fact]
    public void A_treatment_of_an_unknown_lesion_is_refused()
    {
        AssertError(CaseBuilder.Json(Lesions, """[{"id":"T1","date":"2025-01-15","therapy":"rfa","lesionIds":["L1","X"]}]"""),
            "treatments[0].lesionIds[1]", "unknown lesion 'X'");
    }

    [Fact]
    public void More_than_five_targets_are_refused()
    {
        AssertError(CaseBuilder.Json(Lesions, baseline: """{"date":"2025-01-01","targetLesionIds":["L1","L2","P1","P2","B1","L3"]}"""),
            "recistBaseline.targetLesionIds", "at most 5");
    }

    [Fact]
    public void Three_targets_in_one_organ_are_refused()
    {
        AssertError(CaseBuilder.Json(Lesions, baseline: """{"date":"2025-01-01","targetLesionIds":["L1","L2","L3"]}"""),
            "recistBaseline.targetLesionIds", "at most 2 per organ");
    }

    [Fact]
    public void A_target_under_10_mm_is_refused()
    {
        AssertError(CaseBuilder.Json(Lesions, baseline: """{"date":"2025-01-01","targetLesionIds":["L2","S1"]}"""),
            "recistBaseline.targetLesionIds[1]", "≥ 10 mm");
    }

    [Fact]
    public void A_target_node_under_15_mm_short_axis_is_refused()
    {
        AssertError(CaseBuilder.Json(Lesions, baseline: """{"date":"2025-01-01","targetLesionIds":["N1"]}"""),
            "recistBaseline.targetLesionIds[0]", "≥ 15 mm");
    }

    [Theory]
    [InlineData("""[{"id":"T1","date":"15/01/2025","therapy":"rfa","lesionIds":["L1"]}]""", "treatments[0].date", "ISO 8601")]
    [InlineData("""[{"id":"T1","date":"2025-01-15","therapy":"laser","lesionIds":["L1"]}]""", "treatments[0].therapy", "unknown value 'laser'")]
    [InlineData("""[{"id":"T1","date":"2025-01-15","therapy":"rfa"}]""", "treatments[0].lesionIds", "list their ids")]
    [InlineData("""[{"id":"T1","date":"2025-01-15","therapy":"rfa","lesionIds":["L1"],"complicationGrade":7}]""", "treatments[0].complicationGrade", "from 1 to 6")]
    [InlineData("""[{"id":"T1","date":"2025-01-15","therapy":"rfa","lesionIds":["L1"]},{"id":"T1","date":"2025-02-15","therapy":"rfa","lesionIds":["L2"]}]""", "treatments[1].id", "duplicate")]
    public void Bad_treatments_are_named_by_field(string treatments, string path, string words)
    {
        AssertError(CaseBuilder.Json(Lesions, treatments), path, words);
    }

    [Fact]
    public void A_death_before_a_follow_up_is_refused()
    {
        AssertError(CaseBuilder.Json(Lesions, Mwa, """[{"date":"2025-03-01","lesions":[]}]""", survival: """{"vitalStatus":"dead","deathDate":"2025-02-01"}"""),
            "survival.deathDate", "before a treatment or follow-up");
    }

    [Fact]
    public void A_file_without_follow_up_reads_as_before()
    {
        var c = CaseBuilder.Read(CaseBuilder.Json(Lesions));
        Assert.Null(c.FollowUp);
        Assert.Equal(14, c.Lesions.Single(l => l.Id == "N1").ShortAxisMm);
    }

    [Fact]
    public void Write_then_read_keeps_every_follow_up_field()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "cases", "14-liver-mwa-follow-up.json");
        var first = CaseBuilder.Read(File.ReadAllText(path));
        var written = CaseFileWriter.Write(first);
        var second = CaseBuilder.Read(written);
        Assert.Equal(written, CaseFileWriter.Write(second));
        var a = first.FollowUp!;
        var b = second.FollowUp!;
        Assert.Equal(a.Treatments, b.Treatments, (x, y) => x with { LesionIds = [] } == y with { LesionIds = [] } && x.LesionIds.SequenceEqual(y.LesionIds));
        Assert.Equal(a.FollowUps.Count, b.FollowUps.Count);
        Assert.Equal(a.FollowUps.SelectMany(f => f.Lesions), b.FollowUps.SelectMany(f => f.Lesions));
        Assert.Equal(a.RecistBaseline!.TargetLesionIds, b.RecistBaseline!.TargetLesionIds);
        Assert.Equal(a.Survival, b.Survival);
        Assert.Equal(16, second.Lesions.Single(l => l.Id == "N1").ShortAxisMm);
        Assert.Equal("Emprint", b.Treatments[0].Device);
        Assert.Equal(4.2, b.Treatments[0].MinimalAblativeMarginMm);
    }
}
