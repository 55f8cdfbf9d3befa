using FsCheck;
using FsCheck.Fluent;
using LocalControl.Follow.Survival;
using Microsoft.FSharp.Core;

namespace LocalControl.Follow.Tests.Survival;

/// <summary>Invariants of the estimator on random tables (seeded: a failure replays identically).</summary>
public sealed class KaplanMeierPropertyTests
{
    private static readonly Config Seeded = Config.QuickThrowOnFailure.WithMaxTest(200)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20261202), FSharpOption<int>.None)));

    private static Gen<(double[] Times, bool[] Events)> Tables() =>
        from n in Gen.Choose(1, 60)
        from times in Gen.Choose(0, 30).ArrayOf(n)
        from events in Gen.Elements(true, false).ArrayOf(n)
        select (times.Select(t => (double)t).ToArray(), events);

    [Fact]
    public void Survival_never_rises_stays_in_0_1_and_its_interval_holds_it()
    {
        Prop.ForAll(Tables().ToArbitrary(), t =>
        {
            foreach (var transform in new[] { ConfidenceIntervalTransform.Log, ConfidenceIntervalTransform.LogLog })
            {
                var curve = KaplanMeier.Estimate(t.Times, t.Events, transform);
                var previous = 1.0;
                foreach (var s in curve.Steps)
                {
                    if (s.Survival > previous + 1e-15 || s.Survival < 0 || s.Survival > 1)
                    {
                        return false;
                    }

                    if (s.Lower95 is { } lo && s.Upper95 is { } hi && (lo > s.Survival + 1e-12 || hi < s.Survival - 1e-12 || lo < 0 || hi > 1))
                    {
                        return false;
                    }

                    previous = s.Survival;
                }

                if (curve.Steps.Sum(s => s.Events) != t.Events.Count(e => e) || curve.Steps.Sum(s => s.Events + s.Censored) != t.Times.Length)
                {
                    return false;
                }
            }

            return true;
        }).Check(Seeded);
    }

    [Fact]
    public void At_risk_counts_match_a_brute_force_count()
    {
        Prop.ForAll(Tables().ToArbitrary(), t =>
        {
            var curve = KaplanMeier.Estimate(t.Times, t.Events);
            return curve.Steps.All(s => s.AtRisk == t.Times.Count(x => x >= s.Time)
                && s.Events == Enumerable.Range(0, t.Times.Length).Count(i => t.Times[i] == s.Time && t.Events[i]));
        }).Check(Seeded);
    }

    [Fact]
    public void The_svg_has_a_curve_per_group()
    {
        var analysis = SurvivalAnalysis.Run([.. Freireich.ControlWeeks, .. Freireich.SixMpWeeks], [.. Freireich.ControlRelapse, .. Freireich.SixMpRelapse],
            [.. Enumerable.Repeat("control", 21), .. Enumerable.Repeat("6-MP", 21)]);
        var svg = KaplanMeierPlot.Svg(analysis, "weeks", "Freireich");
        Assert.Contains("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("6-MP (n = 21, events 9, median 23)", svg, StringComparison.Ordinal);
        Assert.Contains("control (n = 21, events 21, median 8)", svg, StringComparison.Ordinal);
    }
}
