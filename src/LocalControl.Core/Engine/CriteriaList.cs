using LocalControl.Core.Rules;

namespace LocalControl.Core.Engine;

/// <summary>Collects the criteria of one option and derives its eligibility.</summary>
internal readonly struct CriteriaList(RuleSet rules)
{
    private readonly List<CriterionResult> _items = new(10);

    public List<CriterionResult> Items => _items;

    public void Met(string id, double? observed = null, string? text = null) =>
        _items.Add(Known(rules.Criterion(id), CriterionStatus.Met, CriterionSeverity.Required, observed, text));

    /// <summary>Met, but shown as advisory (a criterion that can only ever caution).</summary>
    public void MetAdvisory(string id, double? observed = null, string? text = null) =>
        _items.Add(Known(rules.Criterion(id), CriterionStatus.Met, CriterionSeverity.Advisory, observed, text));

    public void Failed(string id, CriterionSeverity severity, double? observed = null, string? text = null) =>
        _items.Add(Known(rules.Criterion(id), CriterionStatus.Failed, severity, observed, text));

    /// <summary>
    /// A met or failed result. Results without an observed number are immutable and identical from case to case,
    /// so one shared instance serves them all (the engine runs on every keystroke; most results are of this kind).
    /// </summary>
    private static CriterionResult Known(CriterionDefinition definition, CriterionStatus status, CriterionSeverity severity, double? observed, string? text) =>
        observed is null
            ? definition.Shared(status, severity, text)
            : new CriterionResult(definition, status, severity, observed, text, []);

    public void Unknown(string id, CriterionSeverity severity, params string[] missingFields) =>
        _items.Add(new(rules.Criterion(id), CriterionStatus.Unknown, severity, null, null, missingFields));

    public void UnknownWithText(string id, CriterionSeverity severity, string text, params string[] missingFields) =>
        _items.Add(new(rules.Criterion(id), CriterionStatus.Unknown, severity, null, text, missingFields));

    /// <summary>Adds a result whose status was computed elsewhere.</summary>
    public void Add(string id, CriterionStatus status, CriterionSeverity severity, double? observed = null, string? text = null, params string[] missingFields) =>
        _items.Add(new(rules.Criterion(id), status, severity, observed, text, status == CriterionStatus.Unknown ? missingFields : []));

    /// <summary>
    /// Eligibility from the criteria: a failed required criterion → not eligible; else an unknown required one →
    /// unknown; else a failed advisory one → caution; else eligible. Unknown advisory criteria do not change it.
    /// </summary>
    public static Eligibility Aggregate(IReadOnlyList<CriterionResult> criteria) =>
        criteria is List<CriterionResult> list ? Aggregate(list) : Aggregate([.. criteria]);

    /// <inheritdoc cref="Aggregate(IReadOnlyList{CriterionResult})"/>
    public static Eligibility Aggregate(List<CriterionResult> criteria)
    {
        var unknownRequired = false;
        var failedAdvisory = false;
        foreach (var c in criteria)
        {
            if (c.Status == CriterionStatus.Failed)
            {
                if (c.Severity == CriterionSeverity.Required)
                {
                    return Eligibility.NotEligible;
                }

                failedAdvisory = true;
            }
            else if (c.Status == CriterionStatus.Unknown && c.Severity == CriterionSeverity.Required)
            {
                unknownRequired = true;
            }
        }

        return unknownRequired ? Eligibility.Unknown : failedAdvisory ? Eligibility.Caution : Eligibility.Eligible;
    }
}
