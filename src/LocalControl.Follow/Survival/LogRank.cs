using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace LocalControl.Follow.Survival;

/// <summary>Result of a log-rank test of k groups.</summary>
/// <param name="ChiSquare">(O−E)ᵀ V⁻¹ (O−E) over the first k−1 groups (V: hypergeometric covariance).</param>
/// <param name="DegreesOfFreedom">k − 1.</param>
/// <param name="PValue">Upper tail of χ² with <paramref name="DegreesOfFreedom"/> degrees of freedom.</param>
/// <param name="Observed">Events per group.</param>
/// <param name="Expected">Expected events per group under equal hazards.</param>
public sealed record LogRankResult(double ChiSquare, int DegreesOfFreedom, double PValue, IReadOnlyList<double> Observed, IReadOnlyList<double> Expected);

/// <summary>
/// The log-rank (Mantel–Cox) test (Mantel 1966; Peto &amp; Peto 1972), as R's <c>survdiff</c> with rho = 0:
/// at each distinct event time, expected events per group in proportion to those at risk, hypergeometric variance.
/// </summary>
public static class LogRank
{
    /// <summary>Tests whether the groups share one survival curve.</summary>
    /// <param name="times">Times (finite, ≥ 0).</param>
    /// <param name="events">True = event, false = censored.</param>
    /// <param name="groups">Group index of each subject, 0 … <paramref name="groupCount"/>−1.</param>
    /// <param name="groupCount">Number of groups (≥ 2).</param>
    /// <returns>The test; null when it is undefined (no events, or all variance zero).</returns>
    public static LogRankResult? Test(ReadOnlySpan<double> times, ReadOnlySpan<bool> events, ReadOnlySpan<int> groups, int groupCount)
    {
        if (times.Length != events.Length || times.Length != groups.Length)
        {
            throw new ArgumentException("times, events and groups must have the same length", nameof(groups));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(groupCount, 2);
        var n = times.Length;
        var order = new int[n];
        var keys = times.ToArray();
        for (var i = 0; i < n; i++)
        {
            if (groups[i] < 0 || groups[i] >= groupCount)
            {
                throw new ArgumentException($"group {groups[i]} of subject {i} is outside 0…{groupCount - 1}", nameof(groups));
            }

            if (!double.IsFinite(keys[i]) || keys[i] < 0)
            {
                throw new ArgumentException($"time {i} is {keys[i]}; times must be finite and ≥ 0", nameof(times));
            }

            order[i] = i;
        }

        Array.Sort(keys, order);
        var k = groupCount;
        var atRisk = new int[k];
        for (var i = 0; i < n; i++)
        {
            atRisk[groups[i]]++;
        }

        var observed = new double[k];
        var expected = new double[k];
        var variance = new double[k, k];
        var deaths = new int[k];
        var leaving = new int[k];
        var total = n;
        var p = 0;
        while (p < n)
        {
            var time = keys[p];
            Array.Clear(deaths);
            Array.Clear(leaving);
            var d = 0;
            while (p < n && keys[p] == time)
            {
                var subject = order[p];
                var g = groups[subject];
                leaving[g]++;
                if (events[subject])
                {
                    deaths[g]++;
                    d++;
                }

                p++;
            }

            if (d > 0)
            {
                var nTotal = (double)total;
                var factor = total > 1 ? d * (nTotal - d) / (nTotal - 1) : 0;
                for (var a = 0; a < k; a++)
                {
                    var share = atRisk[a] / nTotal;
                    observed[a] += deaths[a];
                    expected[a] += d * share;
                    for (var b = 0; b < k; b++)
                    {
                        variance[a, b] += factor * share * ((a == b ? 1 : 0) - (atRisk[b] / nTotal));
                    }
                }
            }

            var left = 0;
            for (var a = 0; a < k; a++)
            {
                atRisk[a] -= leaving[a];
                left += leaving[a];
            }

            total -= left;
        }

        // The k covariances sum to zero: drop the last group and invert the (k−1)×(k−1) block.
        var m = k - 1;
        var v = Matrix<double>.Build.Dense(m, m, (a, b) => variance[a, b]);
        var diff = Vector<double>.Build.Dense(m, a => observed[a] - expected[a]);
        if (v.Determinant() is var det && (!(Math.Abs(det) > 1e-300)))
        {
            return null;
        }

        var chiSquare = diff.DotProduct(v.Solve(diff));
        var pValue = SpecialFunctions.GammaUpperRegularized(m / 2.0, chiSquare / 2.0);
        return new LogRankResult(chiSquare, m, pValue, observed, expected);
    }
}
