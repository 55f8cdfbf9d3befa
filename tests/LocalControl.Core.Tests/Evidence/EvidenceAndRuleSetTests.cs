using LocalControl.Core.Evidence;
using LocalControl.Core.Rules;

namespace LocalControl.Core.Tests.Evidence;

public class EvidenceAndRuleSetTests
{
    [Fact]
    public void The_founding_review_statements_are_in_the_evidence_base()
    {
        var e = EvidenceBase.Default;
        Assert.Equal("about 90%", e.FindFigure("DB2017/rfa-local-control")!.Value.Figure.Value);
        Assert.Contains("56.0", e.FindFigure("DB2017/lung-rfa-os-5y")!.Value.Figure.Value, StringComparison.Ordinal);
        Assert.Contains("91.6", e.FindFigure("DB2017/lung-rfa-control-lt3cm")!.Value.Figure.Value, StringComparison.Ordinal);
        Assert.Contains("90", e.FindFigure("DB2017/haic-response-first-line")!.Value.Figure.Value, StringComparison.Ordinal);
        Assert.Contains("40", e.FindFigure("DB2017/haic-conversion")!.Value.Figure.Value, StringComparison.Ordinal);
        Assert.NotNull(e.FindFigure("DB2017/haic-rechallenge"));
        Assert.NotNull(e.FindFigure("DB2017/sirt-liver-pfs"));
        foreach (var id in new[] { "L1", "L2", "M1", "M2", "M3", "T1", "I1", "P3", "B1", "G9", "S3" })
        {
            Assert.NotNull(e.Find(id));
        }
    }

    [Fact]
    public void Every_item_has_a_citation_a_statement_and_figures_with_values()
    {
        foreach (var item in EvidenceBase.Default.Items)
        {
            Assert.False(string.IsNullOrWhiteSpace(item.Citation.Text), item.Id);
            Assert.False(string.IsNullOrWhiteSpace(item.Statement), item.Id);
            Assert.All(item.Figures, f => Assert.False(string.IsNullOrWhiteSpace(f.Value), $"{item.Id}/{f.Id}"));
            Assert.Equal(item.Figures.Count, item.Figures.Select(f => f.Id).Distinct().Count());
            if (item.Verification == Verification.PartlyVerified)
            {
                Assert.False(string.IsNullOrWhiteSpace(item.VerificationNote), $"{item.Id} is partly verified but says not what");
            }
        }
    }

    [Fact]
    public void Unconfirmed_sources_of_the_research_note_are_not_carried()
    {
        foreach (var id in new[] { "M9", "M10", "H6", "P10" })
        {
            Assert.Null(EvidenceBase.Default.Find(id));
        }
    }

    [Fact]
    public void Every_rule_cites_evidence_that_exists_or_says_it_is_a_convention()
    {
        var rules = RuleSet.Default;
        foreach (var criterion in rules.Criteria.Values)
        {
            Assert.True(criterion.Evidence.Count > 0 || criterion.Description.Contains("onvention", StringComparison.Ordinal)
                || criterion.Description.Contains("no outcome data", StringComparison.Ordinal) || criterion.Description.Contains("Not applicable", StringComparison.Ordinal), criterion.Id);
            Assert.All(criterion.Evidence, e => Assert.NotNull(EvidenceBase.Default.Find(e)));
            Assert.DoesNotContain("{", criterion.Description, StringComparison.Ordinal);
        }

        foreach (var t in rules.Thresholds.Values.Where(t => t.Evidence.Count == 0))
        {
            Assert.Contains("convention", t.Meaning, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void A_centre_override_changes_a_threshold_and_names_its_version()
    {
        var rules = RuleSet.Default.WithOverrides("""{"id":"centre-x","version":"2027.1","thresholds":{"perivascularDistanceMm":10}}""", "centre.json");
        Assert.Equal(10, rules.PerivascularDistanceMm);
        Assert.Equal(30, rules.SmallLesionMaxMm);
        Assert.Equal("centre-x 2027.1 (on localcontrol-default 2026.12.0)", rules.DisplayVersion);
        Assert.Contains("10 mm", rules.Criterion("heat-sink").Description, StringComparison.Ordinal);
        var lesion = TestCases.IdealLiverLesion() with { DistanceToLargeVesselMm = 7 };
        var a = new Core.Engine.TumourBoardEngine(rules, EvidenceBase.Default).Assess(TestCases.Case(lesion));
        Assert.Equal(Core.Engine.Eligibility.Caution, a.Lesions[0].Options.Single(o => o.Therapy == Core.Engine.Therapy.Rfa).Eligibility);
        Assert.Equal(Core.Engine.Eligibility.Eligible, TestCases.Assess(TestCases.Case(lesion)).Lesions[0].Options.Single(o => o.Therapy == Core.Engine.Therapy.Rfa).Eligibility);
    }

    [Fact]
    public void A_centre_large_vessel_calibre_is_the_one_every_report_names()
    {
        // With large vessels from 6 mm, no sentence of the report may still say "3 mm" for them: the reasons take the
        // calibre from the rule set, and the missing-data label names no number of its own.
        var rules = RuleSet.Default.WithOverrides("""{"id":"centre-v","version":"1","thresholds":{"largeVesselMinCalibreMm":6}}""", "centre.json");
        var engine = new Core.Engine.TumourBoardEngine(rules, EvidenceBase.Default);
        var close = TestCases.IdealLiverLesion() with { DistanceToLargeVesselMm = 2, LargeVesselCalibreMm = 7 };
        var unknown = TestCases.IdealLiverLesion("L2") with { DistanceToLargeVesselMm = null };
        var c = TestCases.Case(close, unknown);
        var text = Core.Reporting.AssessmentText.RenderText(engine.Assess(c), c);
        Assert.Contains("Vessel of ≥ 6 mm at 2 mm", text, StringComparison.Ordinal);
        Assert.Contains("lesion L2: distance to the nearest large vessel (mm)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("≥ 3 mm", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"x","version":"1","thresholds":{"smallLesionMaxMM":25}}""", "thresholds.smallLesionMaxMM: unknown threshold")]
    [InlineData("""{"id":"x","version":"1","thresholds":{"smallLesionMaxMm":"25"}}""", "thresholds.smallLesionMaxMm: must be a number")]
    [InlineData("""{"id":"x","version":"1","thresholds":{"hilumAbutmentMm":20}}""", "thresholds.hilumCautionMm: must be ≥ hilumAbutmentMm")]
    [InlineData("""{"version":"1"}""", "id: is required")]
    [InlineData("""{"id":"x","version":"1","colour":"red"}""", "colour: unknown field")]
    [InlineData("""{"id":""", "malformed JSON")]
    public void A_bad_override_is_refused_with_the_field_named(string json, string message)
    {
        var ex = Assert.Throws<LocalControlInputException>(() => RuleSet.Default.WithOverrides(json, "centre.json"));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("centre.json", ex.Message, StringComparison.Ordinal);
    }
}
