using LocalControl.Follow.Survival;

namespace LocalControl.Follow.Tests.Survival;

public sealed class LogRankTests
{
    private static (double[] Times, bool[] Events, int[] Groups) Trial()
    {
        double[] times = [.. Freireich.ControlWeeks, .. Freireich.SixMpWeeks];
        bool[] events = [.. Freireich.ControlRelapse, .. Freireich.SixMpRelapse];
        int[] groups = [.. Enumerable.Repeat(0, 21), .. Enumerable.Repeat(1, 21)];
        return (times, events, groups);
    }

    [Fact]
    public void Freireich_log_rank_matches_r_survdiff()
    {
        // R survdiff: chi-square 16.79294 on 1 df (tests/data/survival/README.md). The p printed beside it in the
        // source notes, 4.175275e-05, is the tail of the rounded 16.79 (scipy chi2.isf gives 16.79000); the tail of
        // 16.79294 itself is 4.168811e-05 (scipy.stats.chi2.sf(16.79294, 1) = 4.1688112825e-05).
        var (times, events, groups) = Trial();
        var result = LogRank.Test(times, events, groups, 2)!;
        Assert.Equal(16.79294, Math.Round(result.ChiSquare, 5));
        Assert.Equal(1, result.DegreesOfFreedom);
        Assert.Equal(4.168811e-05, result.PValue, 1e-10);
        Assert.Equal([21.0, 9.0], result.Observed);
    }

    [Fact]
    public void Expected_events_sum_to_observed_events()
    {
        var (times, events, groups) = Trial();
        var result = LogRank.Test(times, events, groups, 2)!;
        Assert.Equal(result.Observed.Sum(), result.Expected.Sum(), 10);
    }

    [Fact]
    public void Swapping_group_labels_leaves_the_statistic_unchanged()
    {
        var (times, events, groups) = Trial();
        var swapped = groups.Select(g => 1 - g).ToArray();
        Assert.Equal(LogRank.Test(times, events, groups, 2)!.ChiSquare, LogRank.Test(times, events, swapped, 2)!.ChiSquare, 10);
    }

    [Fact]
    public void Two_identical_groups_give_chi_square_zero_and_p_one()
    {
        double[] times = [.. Freireich.SixMpWeeks, .. Freireich.SixMpWeeks];
        bool[] events = [.. Freireich.SixMpRelapse, .. Freireich.SixMpRelapse];
        int[] groups = [.. Enumerable.Repeat(0, 21), .. Enumerable.Repeat(1, 21)];
        var result = LogRank.Test(times, events, groups, 2)!;
        Assert.Equal(0, result.ChiSquare, 12);
        Assert.Equal(1, result.PValue, 12);
    }

    [Fact]
    public void Three_groups_have_two_degrees_of_freedom_and_a_statistic_invariant_to_which_group_is_dropped()
    {
        var random = new Random(7);
        var n = 90;
        var times = Enumerable.Range(0, n).Select(i => Math.Round(random.NextDouble() * (10 + (i % 3 * 10)), 1)).ToArray();
        var events = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.7).ToArray();
        var groups = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        var a = LogRank.Test(times, events, groups, 3)!;
        // Relabel so that a different group is the one left out of the (k−1)×(k−1) block.
        var relabelled = groups.Select(g => (g + 1) % 3).ToArray();
        var b = LogRank.Test(times, events, relabelled, 3)!;
        Assert.Equal(2, a.DegreesOfFreedom);
        Assert.Equal(a.ChiSquare, b.ChiSquare, 9);
        // p of χ²₂ is exp(−x/2) exactly.
        Assert.Equal(Math.Exp(-a.ChiSquare / 2), a.PValue, 12);
    }

    [Fact]
    public void Analysis_orders_groups_by_label_and_tests_them()
    {
        var (times, events, groups) = Trial();
        var labels = groups.Select(g => g == 0 ? "placebo" : "6-MP").ToArray();
        var result = SurvivalAnalysis.Run(times, events, labels);
        Assert.Equal(["6-MP", "placebo"], result.Groups.Select(g => g.Group));
        Assert.Equal(16.79294, Math.Round(result.LogRank!.ChiSquare, 5));
    }
}
