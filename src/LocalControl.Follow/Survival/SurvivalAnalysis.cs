namespace LocalControl.Follow.Survival;

/// <summary>One group's curve in a <see cref="SurvivalAnalysisResult"/>.</summary>
/// <param name="Group">Group label (empty when the table is not stratified).</param>
/// <param name="Curve">Its Kaplan–Meier estimate.</param>
public sealed record SurvivalGroup(string Group, KaplanMeierCurve Curve);

/// <summary>Curves per group and, with two groups or more, the log-rank test.</summary>
public sealed record SurvivalAnalysisResult(IReadOnlyList<SurvivalGroup> Groups, LogRankResult? LogRank);

/// <summary>Kaplan–Meier per group plus the log-rank test across groups: the table behind every survival figure.</summary>
public static class SurvivalAnalysis
{
    /// <summary>Analyses a time-to-event table. Groups are ordered by label (ordinal), so output is stable.</summary>
    /// <param name="times">Times, finite and ≥ 0.</param>
    /// <param name="events">True = event.</param>
    /// <param name="groups">Group label per subject; null for one group.</param>
    /// <param name="transform">Confidence-interval transform.</param>
    public static SurvivalAnalysisResult Run(IReadOnlyList<double> times, IReadOnlyList<bool> events, IReadOnlyList<string>? groups, ConfidenceIntervalTransform transform = ConfidenceIntervalTransform.Log)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(events);
        if (groups is null)
        {
            var single = KaplanMeier.Estimate(times.ToArray(), events.ToArray(), transform);
            return new([new SurvivalGroup("", single)], null);
        }

        var labels = groups.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < labels.Length; i++)
        {
            index[labels[i]] = i;
        }

        var groupOf = new int[times.Count];
        var counts = new int[labels.Length];
        for (var i = 0; i < groupOf.Length; i++)
        {
            groupOf[i] = index[groups[i]];
            counts[groupOf[i]]++;
        }

        var result = new SurvivalGroup[labels.Length];
        for (var g = 0; g < labels.Length; g++)
        {
            var t = new double[counts[g]];
            var e = new bool[counts[g]];
            var j = 0;
            for (var i = 0; i < groupOf.Length; i++)
            {
                if (groupOf[i] == g)
                {
                    t[j] = times[i];
                    e[j++] = events[i];
                }
            }

            result[g] = new SurvivalGroup(labels[g], KaplanMeier.Estimate(t, e, transform));
        }

        var logRank = labels.Length >= 2 ? LogRank.Test(times.ToArray(), events.ToArray(), groupOf, labels.Length) : null;
        return new(result, logRank);
    }
}
