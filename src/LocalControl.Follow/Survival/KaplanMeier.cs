namespace LocalControl.Follow.Survival;

/// <summary>How the pointwise 95 % confidence interval of a Kaplan–Meier curve is built from the Greenwood variance.</summary>
public enum ConfidenceIntervalTransform
{
    /// <summary>On log S (R <c>survfit</c> default, <c>conf.type = "log"</c>): S·exp(±z·σ), with σ² = Σ dᵢ/(nᵢ(nᵢ−dᵢ)); capped at 1.</summary>
    Log,

    /// <summary>On log(−log S) (Stata <c>sts list</c>, SAS default): S^exp(±z·σ/log S). Always inside [0, 1].</summary>
    LogLog,
}

/// <summary>One row of a Kaplan–Meier table: a distinct time at which at least one event or censoring happened.</summary>
/// <param name="Time">Time, in the unit of the input.</param>
/// <param name="AtRisk">Subjects still at risk just before <paramref name="Time"/>.</param>
/// <param name="Events">Events at <paramref name="Time"/>.</param>
/// <param name="Censored">Subjects censored at <paramref name="Time"/> (taken as still at risk at their own time).</param>
/// <param name="Survival">Estimated survival just after <paramref name="Time"/>.</param>
/// <param name="StandardError">Greenwood standard error of <paramref name="Survival"/>; null where the curve reached 0.</param>
/// <param name="Lower95">Lower limit of the pointwise 95 % interval; null where undefined (survival 0).</param>
/// <param name="Upper95">Upper limit of the pointwise 95 % interval; null where undefined (survival 0).</param>
public sealed record KaplanMeierStep(double Time, int AtRisk, int Events, int Censored, double Survival, double? StandardError, double? Lower95, double? Upper95);

/// <summary>A Kaplan–Meier estimate with its median.</summary>
/// <param name="N">Subjects.</param>
/// <param name="Events">Events in all.</param>
/// <param name="Steps">One row per distinct time, ascending.</param>
/// <param name="MedianTime">Smallest time with survival ≤ 0.5 (midpoint where the curve sits exactly at 0.5, as R does); null when not reached.</param>
/// <param name="MedianLower95">Lower 95 % limit of the median (Brookmeyer–Crowley: first time the interval's lower limit is ≤ 0.5); null when not reached.</param>
/// <param name="MedianUpper95">Upper 95 % limit of the median (first time the interval's upper limit is ≤ 0.5); null when not reached.</param>
/// <param name="Transform">Transform of the confidence intervals.</param>
public sealed record KaplanMeierCurve(
    int N,
    int Events,
    IReadOnlyList<KaplanMeierStep> Steps,
    double? MedianTime,
    double? MedianLower95,
    double? MedianUpper95,
    ConfidenceIntervalTransform Transform)
{
    /// <summary>Survival at <paramref name="time"/> (right-continuous step function; 1 before the first event).</summary>
    public double SurvivalAt(double time)
    {
        var s = 1.0;
        foreach (var step in Steps)
        {
            if (step.Time > time)
            {
                break;
            }

            s = step.Survival;
        }

        return s;
    }
}

/// <summary>
/// The Kaplan–Meier product-limit estimator (Kaplan &amp; Meier 1958) with Greenwood's variance (Greenwood 1926)
/// and log- or log(−log)-transformed pointwise 95 % intervals. Ties: events before censorings at the same time.
/// </summary>
public static class KaplanMeier
{
    /// <summary>Two-sided 95 % normal quantile.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>Estimates the curve from times and event flags (true = event, false = censored).</summary>
    /// <exception cref="ArgumentException">Lengths differ, or a time is negative or not finite.</exception>
    public static KaplanMeierCurve Estimate(ReadOnlySpan<double> times, ReadOnlySpan<bool> events, ConfidenceIntervalTransform transform = ConfidenceIntervalTransform.Log)
    {
        if (times.Length != events.Length)
        {
            throw new ArgumentException($"{times.Length} times but {events.Length} event flags", nameof(events));
        }

        var t = times.ToArray();
        var e = events.ToArray();
        for (var i = 0; i < t.Length; i++)
        {
            if (!double.IsFinite(t[i]) || t[i] < 0)
            {
                throw new ArgumentException($"time {i} is {t[i]}; times must be finite and ≥ 0", nameof(times));
            }
        }

        Array.Sort(t, e);
        return FromSorted(t, e, transform);
    }

    /// <summary>Estimates the curve from times already sorted ascending (no copy, no check).</summary>
    internal static KaplanMeierCurve FromSorted(ReadOnlySpan<double> t, ReadOnlySpan<bool> e, ConfidenceIntervalTransform transform)
    {
        var steps = new List<KaplanMeierStep>();
        var n = t.Length;
        var atRisk = n;
        var survival = 1.0;
        var greenwood = 0.0; // Σ d/(n(n−d)): the variance of log S
        var totalEvents = 0;
        var i = 0;
        while (i < n)
        {
            var time = t[i];
            var d = 0;
            var c = 0;
            while (i < n && t[i] == time)
            {
                if (e[i])
                {
                    d++;
                }
                else
                {
                    c++;
                }

                i++;
            }

            if (d > 0)
            {
                survival *= (atRisk - d) / (double)atRisk;
                greenwood = atRisk == d ? double.PositiveInfinity : greenwood + (d / ((double)atRisk * (atRisk - d)));
            }

            totalEvents += d;
            var (se, lower, upper) = Interval(survival, greenwood, transform);
            steps.Add(new KaplanMeierStep(time, atRisk, d, c, survival, se, lower, upper));
            atRisk -= d + c;
        }

        var (median, medianLower, medianUpper) = Median(steps);
        return new KaplanMeierCurve(n, totalEvents, steps, median, medianLower, medianUpper, transform);
    }

    private static (double? Se, double? Lower, double? Upper) Interval(double s, double greenwood, ConfidenceIntervalTransform transform)
    {
        if (s <= 0 || double.IsInfinity(greenwood))
        {
            return (null, null, null);
        }

        var sigma = Math.Sqrt(greenwood);
        if (sigma == 0)
        {
            return (0, s, s);
        }

        var se = s * sigma;
        if (transform == ConfidenceIntervalTransform.Log)
        {
            return (se, s * Math.Exp(-Z95 * sigma), Math.Min(1, s * Math.Exp(Z95 * sigma)));
        }

        if (s >= 1)
        {
            return (se, s, s);
        }

        // log(−log S) has standard error σ/|log S|; back-transform S^exp(±w), lower bound from +w.
        var w = Z95 * sigma / Math.Abs(Math.Log(s));
        return (se, Math.Pow(s, Math.Exp(w)), Math.Pow(s, Math.Exp(-w)));
    }

    private static (double? Median, double? Lower, double? Upper) Median(List<KaplanMeierStep> steps)
    {
        const double half = 0.5;
        const double tolerance = 1e-12;
        double? median = null;
        double? lower = null;
        double? upper = null;
        for (var k = 0; k < steps.Count; k++)
        {
            var step = steps[k];
            if (median is null && step.Survival <= half + tolerance)
            {
                median = step.Time;
                if (Math.Abs(step.Survival - half) <= tolerance)
                {
                    // The curve sits exactly at 0.5 until the next event: the median is the midpoint of that interval.
                    for (var j = k + 1; j < steps.Count; j++)
                    {
                        if (steps[j].Events > 0)
                        {
                            median = (step.Time + steps[j].Time) / 2;
                            break;
                        }
                    }
                }
            }

            var lo = step.Survival <= 0 ? 0 : step.Lower95;
            var hi = step.Survival <= 0 ? 0 : step.Upper95;
            if (lower is null && lo is { } l && l <= half + tolerance)
            {
                lower = step.Time;
            }

            if (upper is null && hi is { } h && h <= half + tolerance)
            {
                upper = step.Time;
            }
        }

        return (median, lower, upper);
    }
}
