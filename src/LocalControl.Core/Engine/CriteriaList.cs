using System.Globalization;
using LocalControl.Core.Rules;

namespace LocalControl.Core.Engine;

/// <summary>
/// Collects the criteria of one option (with the organ's variant of each definition) and derives its eligibility.
/// One list serves every option of a lesion in turn (<see cref="Clear"/>); <see cref="ToOption"/> copies the criteria
/// out into an exact-size array.
/// </summary>
internal sealed class CriteriaList(RuleSet rules, string organ)
{
    private readonly IReadOnlyDictionary<string, Rules.CriterionDefinition> _definitions = rules.CriteriaFor(organ);

    public List<CriterionResult> Items { get; } = new(12);

    /// <summary>The definition of <paramref name="id"/> for this organ (its variant, else the general one).</summary>
    public Rules.CriterionDefinition Definition(string id) => _definitions.TryGetValue(id, out var d) ? d : rules.Criterion(id);

    /// <summary>Empties the list for the next option.</summary>
    public void Clear() => Items.Clear();

    /// <summary>Adds a result built earlier for this case (an immutable result shared by several options).</summary>
    public void AddResult(CriterionResult result) => Items.Add(result);

    public RuleSet Rules => rules;

    public string Organ => organ;

    public void Met(string id, double? value = null, string? unit = null, string? text = null, string? reason = null) =>
        Add(id, CriterionStatus.Met, CriterionSeverity.Required, value, unit, text, reason);

    /// <summary>Met, shown as advisory (a criterion that can only ever caution).</summary>
    public void MetAdvisory(string id, double? value = null, string? unit = null, string? text = null, string? reason = null) =>
        Add(id, CriterionStatus.Met, CriterionSeverity.Advisory, value, unit, text, reason);

    public void Failed(string id, CriterionSeverity severity, double? value = null, string? unit = null, string? text = null, string? reason = null) =>
        Add(id, CriterionStatus.Failed, severity, value, unit, text, reason);

    public void Unknown(string id, CriterionSeverity severity, params string[] missingFields) =>
        Items.Add(new(Definition(id), CriterionStatus.Unknown, severity, null, null, missingFields));

    public void UnknownWithText(string id, CriterionSeverity severity, string text, params string[] missingFields) =>
        Items.Add(new(Definition(id), CriterionStatus.Unknown, severity, null, text, missingFields));

    /// <summary>Adds a result whose status was computed elsewhere.</summary>
    public void Add(string id, CriterionStatus status, CriterionSeverity severity, double? value = null, string? unit = null,
        string? text = null, string? reason = null, params string[] missingFields)
    {
        var definition = Definition(id);
        // Results with neither a number nor a finding text are the same from case to case: share one instance
        // (texts such as a lesion's visibility differ per lesion and are not worth searching a cache for).
        if (value is null && text is null && status != CriterionStatus.Unknown)
        {
            Items.Add(definition.Shared(status, severity, text, reason));
            return;
        }

        Items.Add(new(definition, status, severity, value, text, status == CriterionStatus.Unknown ? missingFields : [])
        {
            Unit = unit,
            ReasonKey = reason,
        });
    }

    /// <summary>
    /// Eligibility from the criteria: a failed required criterion → not eligible; else an unknown required one →
    /// unknown; else a failed advisory one → caution; else eligible. Unknown advisory criteria do not change it.
    /// </summary>
    public static Eligibility Aggregate(IReadOnlyList<CriterionResult> criteria) =>
        criteria is CriterionResult[] array ? Aggregate(array.AsSpan()) : Aggregate([.. criteria]);

    /// <inheritdoc cref="Aggregate(IReadOnlyList{CriterionResult})"/>
    public static Eligibility Aggregate(ReadOnlySpan<CriterionResult> criteria)
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

    /// <summary>An option from these criteria: eligibility, the count and weight of advisory failures.</summary>
    public TherapyOption ToOption(Therapy therapy, IReadOnlyList<ExpectedOutcome> outcomes, IReadOnlyList<string> notes, int evidenceLevel = 1)
    {
        var failures = 0;
        var weight = 0.0;
        foreach (var c in Items)
        {
            if (c.Status == CriterionStatus.Failed && c.Severity == CriterionSeverity.Advisory)
            {
                failures++;
                weight += c.Definition.Weight;
            }
        }

        var criteria = Items.ToArray();
        return new TherapyOption(therapy, Aggregate(criteria), criteria, outcomes, notes)
        {
            AdvisoryFailures = failures,
            CautionWeight = weight,
            EvidenceLevel = evidenceLevel,
        };
    }
}

/// <summary>Turns a criterion result into the sentence a clinician reads, from the rule set's reason templates.</summary>
internal static class ReasonText
{
    public static string Format(CriterionResult c)
    {
        var key = c.ReasonKey ?? c.Status switch
        {
            CriterionStatus.Met => "met",
            CriterionStatus.Unknown => "unknown",
            _ => c.Severity == CriterionSeverity.Advisory ? "caution" : "failed",
        };
        var templates = c.Definition.Reasons;
        if (!templates.TryGetValue(key, out var template) && !templates.TryGetValue(FallbackKey(c), out template))
        {
            template = c.Status == CriterionStatus.Unknown ? c.Definition.Label + ": not known" : c.Definition.Label + "{observation}";
        }

        var value = c.ObservedValue is { } v ? Number(v) : "";
        var observation = (c.ObservedValue, c.ObservedText) switch
        {
            ({ } n, { } t) => $": {Number(n)}{UnitSuffix(c.Unit)}, {t}",
            ({ } n, null) => $": {Number(n)}{UnitSuffix(c.Unit)}",
            (null, { } t) => $": {t}",
            _ => "",
        };
        var text = template
            .Replace("{value}", value, StringComparison.Ordinal)
            .Replace("{unit}", c.Unit ?? "", StringComparison.Ordinal)
            .Replace("{text}", c.ObservedText ?? "", StringComparison.Ordinal)
            .Replace("{observation}", observation, StringComparison.Ordinal);
        // A finding the sentence does not already say (e.g. the vessel's calibre) is added in brackets.
        if (c.ObservedText is { Length: > 0 } t2 && !template.Contains("{text}", StringComparison.Ordinal)
            && !template.Contains("{observation}", StringComparison.Ordinal) && !text.Contains(t2, StringComparison.OrdinalIgnoreCase) && t2 != c.ReasonKey)
        {
            text += " (" + t2 + ")";
        }

        return text;
    }

    private static string FallbackKey(CriterionResult c) => c.Status switch
    {
        CriterionStatus.Met => "met",
        CriterionStatus.Unknown => "unknown",
        _ => "failed",
    };

    private static string UnitSuffix(string? unit) => unit switch
    {
        null or "" => "",
        "%" => "%",
        "ECOG" => "",
        _ => " " + unit,
    };

    internal static string Number(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
