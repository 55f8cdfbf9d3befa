using LocalControl.Follow.Survival;

namespace LocalControl.Follow.Tests.Survival;

public sealed class KaplanMeierTests
{
    private static readonly double[] EventTimes = [6, 7, 10, 13, 16, 22, 23];

    private static KaplanMeierStep At(KaplanMeierCurve curve, double time) => curve.Steps.Single(s => s.Time == time);

    [Fact]
    public void Six_mp_survival_and_greenwood_error_match_the_nag_example_to_three_digits()
    {
        // NAG g12aac example results (tests/data/survival/README.md).
        double[] survival = [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448];
        double[] sd = [0.076, 0.087, 0.096, 0.107, 0.114, 0.128, 0.135];
        var curve = KaplanMeier.Estimate(Freireich.SixMpWeeks, Freireich.SixMpRelapse);
        for (var i = 0; i < EventTimes.Length; i++)
        {
            var step = At(curve, EventTimes[i]);
            Assert.Equal(survival[i], Math.Round(step.Survival, 3));
            Assert.Equal(sd[i], Math.Round(step.StandardError!.Value, 3));
        }
    }

    [Fact]
    public void Six_mp_at_risk_errors_and_log_intervals_match_r_survfit_to_the_printed_digits()
    {
        // R summary(survfit(Surv(time, relapse) ~ 1)) on drug6mp, conf.type = "log" (the default).
        int[] atRisk = [21, 17, 15, 12, 11, 7, 6];
        int[] events = [3, 1, 1, 1, 1, 1, 1];
        double[] se = [0.0764, 0.0869, 0.0963, 0.1068, 0.1141, 0.1282, 0.1346];
        double[] lower = [0.720, 0.653, 0.586, 0.510, 0.439, 0.337, 0.249];
        double[] upper = [1.000, 0.996, 0.968, 0.935, 0.896, 0.858, 0.807];
        var curve = KaplanMeier.Estimate(Freireich.SixMpWeeks, Freireich.SixMpRelapse, ConfidenceIntervalTransform.Log);
        for (var i = 0; i < EventTimes.Length; i++)
        {
            var step = At(curve, EventTimes[i]);
            Assert.Equal(atRisk[i], step.AtRisk);
            Assert.Equal(events[i], step.Events);
            Assert.Equal(se[i], Math.Round(step.StandardError!.Value, 4));
            Assert.Equal(lower[i], Math.Round(step.Lower95!.Value, 3));
            Assert.Equal(upper[i], Math.Round(step.Upper95!.Value, 3));
        }
    }

    [Fact]
    public void Control_arm_log_log_intervals_match_stata_sts_list()
    {
        var curve = KaplanMeier.Estimate(Freireich.ControlWeeks, Freireich.ControlRelapse, ConfidenceIntervalTransform.LogLog);
        var one = At(curve, 1);
        Assert.Equal((21, 2), (one.AtRisk, one.Events));
        Assert.Equal(0.9048, Math.Round(one.Survival, 4));
        Assert.Equal(0.0641, Math.Round(one.StandardError!.Value, 4));
        Assert.Equal(0.6700, Math.Round(one.Lower95!.Value, 4));
        Assert.Equal(0.9753, Math.Round(one.Upper95!.Value, 4));
        var two = At(curve, 2);
        Assert.Equal((19, 2), (two.AtRisk, two.Events));
        Assert.Equal(0.8095, Math.Round(two.Survival, 4));
        Assert.Equal(0.0857, Math.Round(two.StandardError!.Value, 4));
        Assert.Equal(0.5689, Math.Round(two.Lower95!.Value, 4));
        Assert.Equal(0.9239, Math.Round(two.Upper95!.Value, 4));
    }

    [Fact]
    public void Censorings_get_their_own_rows_and_leave_the_risk_set_after_their_time()
    {
        var curve = KaplanMeier.Estimate(Freireich.SixMpWeeks, Freireich.SixMpRelapse);
        var six = At(curve, 6);
        Assert.Equal((21, 3, 1), (six.AtRisk, six.Events, six.Censored));
        var nine = At(curve, 9);
        Assert.Equal((16, 0, 1), (nine.AtRisk, nine.Events, nine.Censored));
        Assert.Equal(At(curve, 7).Survival, nine.Survival);
        Assert.Equal(21, curve.N);
        Assert.Equal(9, curve.Events);
        Assert.Equal(curve.Steps.Count, curve.Steps.Select(s => s.Time).Distinct().Count());
    }

    [Fact]
    public void Medians_and_their_intervals_match_hand_computation()
    {
        // Hand computation with the Greenwood log interval (R prints the same: 6-MP 23 [16, NA], control 8 [4, 12]).
        var mp = KaplanMeier.Estimate(Freireich.SixMpWeeks, Freireich.SixMpRelapse);
        Assert.Equal((23.0, 16.0, (double?)null), (mp.MedianTime!.Value, mp.MedianLower95!.Value, mp.MedianUpper95));
        var control = KaplanMeier.Estimate(Freireich.ControlWeeks, Freireich.ControlRelapse);
        Assert.Equal((8.0, 4.0, 12.0), (control.MedianTime!.Value, control.MedianLower95!.Value, control.MedianUpper95!.Value));
    }

    [Fact]
    public void A_curve_that_sits_at_one_half_has_the_midpoint_as_median()
    {
        // Four subjects, events at 1, 2, 3, 4: S = 0.75, 0.5, 0.25, 0; S is 0.5 on [2, 3) → median 2.5.
        var curve = KaplanMeier.Estimate([1.0, 2, 3, 4], [true, true, true, true]);
        Assert.Equal(2.5, curve.MedianTime);
    }

    [Fact]
    public void A_curve_that_never_falls_to_one_half_has_no_median()
    {
        var curve = KaplanMeier.Estimate([1.0, 2, 3, 4], [true, false, false, false]);
        Assert.Null(curve.MedianTime);
        Assert.Equal(0.75, curve.Steps[^1].Survival);
    }

    [Fact]
    public void Survival_zero_has_no_interval_and_no_error()
    {
        var curve = KaplanMeier.Estimate([1.0, 2], [true, true]);
        var last = curve.Steps[^1];
        Assert.Equal(0, last.Survival);
        Assert.Null(last.StandardError);
        Assert.Null(last.Lower95);
        Assert.Null(last.Upper95);
    }

    [Fact]
    public void Without_censoring_the_curve_is_the_empirical_survival_function()
    {
        // Brute force: with no censoring S(t) = #(T > t) / n at every time.
        var random = new Random(13);
        var times = Enumerable.Range(0, 200).Select(_ => (double)random.Next(0, 40)).ToArray();
        var curve = KaplanMeier.Estimate(times, [.. Enumerable.Repeat(true, times.Length)]);
        foreach (var step in curve.Steps)
        {
            var expected = times.Count(t => t > step.Time) / (double)times.Length;
            Assert.Equal(expected, step.Survival, 12);
        }
    }

    [Fact]
    public void Negative_times_are_refused()
    {
        Assert.Throws<ArgumentException>(() => KaplanMeier.Estimate([1.0, -2], [true, true]));
    }
}
