using LocalControl.Core.Cases;
using LocalControl.Core.Engine.Criteria;
using LocalControl.Core.Evidence;
using LocalControl.Core.Rules;

namespace LocalControl.Core.Engine.Outcomes;

/// <summary>
/// Attaches an outcome figure to an option only when the case is known to belong to the figure's population
/// (<see cref="OutcomeConditions"/>): organ, size band with the paper's own edges, resectability, visibility, line of
/// therapy... An unknown value never meets a condition: a figure is shown where it applies, not where it might.
/// </summary>
internal sealed class OutcomeSelector
{
    private readonly Dictionary<(Therapy, string), (OutcomeConditions Conditions, ExpectedOutcome[] Figures)[]> _rules = [];
    private readonly Dictionary<(Therapy, string), System.Collections.Concurrent.ConcurrentDictionary<ulong, ExpectedOutcome[]>> _cache = [];

    public OutcomeSelector(RuleSet rules, EvidenceBase evidence)
    {
        foreach (var rule in rules.Outcomes)
        {
            var therapy = TherapyNames.Parse(rule.Therapy);
            var figures = rule.Figures.Select(f => evidence.FindFigure(f) is { } hit
                    ? new ExpectedOutcome(f, hit.Item, hit.Figure)
                    : throw new InvalidOperationException($"Outcome figure {f} is not in evidence base {evidence.Version}."))
                .ToArray();
            var key = (therapy, rule.Organ);
            _rules[key] = _rules.TryGetValue(key, out var existing) ? [.. existing, (rule.Conditions, figures)] : [(rule.Conditions, figures)];
            _cache.TryAdd(key, new());
            if (_rules[key].Length > 64)
            {
                throw new InvalidOperationException($"More than 64 outcome rows for {rule.Therapy} in {rule.Organ}.");
            }
        }
    }

    /// <summary>Figures for a lesion's option.</summary>
    public IReadOnlyList<ExpectedOutcome> ForLesion(Therapy therapy, string organ, LesionInput x) =>
        Select(therapy, organ, x.Case, x.Lesion, null);

    /// <summary>Figures for a patient-level strategy (<paramref name="setting"/>: its line-of-therapy setting, if any;
    /// <paramref name="plan"/>: the curative plan, for figures whose trial used given therapies).</summary>
    public IReadOnlyList<ExpectedOutcome> ForPatient(Therapy therapy, CaseContext ctx, string? setting, IReadOnlyList<LesionPlan>? plan = null) =>
        Select(therapy, "any", ctx, null, setting, plan);

    private IReadOnlyList<ExpectedOutcome> Select(Therapy therapy, string organ, CaseContext ctx, Lesion? lesion, string? setting, IReadOnlyList<LesionPlan>? plan = null)
    {
        if (!_rules.TryGetValue((therapy, organ), out var rules))
        {
            return [];
        }

        // Which rows apply, as a bit set; the figures of each distinct set are built once and shared (they are
        // immutable), so the hot path allocates nothing here.
        var mask = 0UL;
        for (var i = 0; i < rules.Length; i++)
        {
            if (Meets(rules[i].Conditions, ctx, lesion, setting, plan))
            {
                mask |= 1UL << i;
            }
        }

        if (mask == 0)
        {
            return [];
        }

        var cache = _cache[(therapy, organ)];
        if (cache.TryGetValue(mask, out var hit))
        {
            return hit;
        }

        var result = new List<ExpectedOutcome>(8);
        for (var i = 0; i < rules.Length; i++)
        {
            if ((mask & (1UL << i)) == 0)
            {
                continue;
            }

            foreach (var f in rules[i].Figures)
            {
                if (!result.Exists(x => x.Reference == f.Reference))
                {
                    result.Add(f);
                }
            }
        }

        var array = result.ToArray();
        cache.TryAdd(mask, array);
        return array;
    }

    /// <summary>True only when every condition is known to hold.</summary>
    internal static bool Meets(OutcomeConditions c, CaseContext ctx, Lesion? lesion, string? setting, IReadOnlyList<LesionPlan>? plan = null)
    {
        if (c.PlanTherapies is { } trialTherapies && (plan is not { Count: > 0 } || !EveryLesionHasOneOf(plan, trialTherapies)))
        {
            return false;
        }

        if (lesion is not null)
        {
            if (!In(c.DiameterMm, lesion.LongestDiameterMm)
                || !In(c.DistanceToHilumMm, lesion.DistanceToHilumMm)
                || !In(c.DistanceToLargeVesselMm, lesion.DistanceToLargeVesselMm)
                || !In(c.LesionsInOrgan, ctx.LesionsIn(lesion.Organ)))
            {
                return false;
            }

            if (c.Surgical is { } surgical && (lesion.SurgicalAssessment == SurgicalAssessment.NotAssessed
                || !surgical.Contains(CaseVocabulary.ToJson(lesion.SurgicalAssessment))))
            {
                return false;
            }

            if (c.PerfectlyVisible == true && !VisibilityCriteria.PerfectlyVisible(lesion.Visibility))
            {
                return false;
            }

            if (c.Intent is { } intent && (lesion.Intent == BoneLesionIntent.NotAssessed || CaseVocabulary.ToJson(lesion.Intent) != intent))
            {
                return false;
            }
        }
        else
        {
            // Patient options: a diameter condition holds for every liver lesion (the largest must be in range).
            if (c.DiameterMm is { } band && (ctx.LiverCount == 0 || !AllLiverIn(band, ctx)))
            {
                return false;
            }

            // ... and a surgical condition holds for every liver lesion.
            if (c.Surgical is { } every && (ctx.LiverCount == 0 || ctx.Case.Lesions.Any(l => l.Organ == Organ.Liver
                && (l.SurgicalAssessment == SurgicalAssessment.NotAssessed || !every.Contains(CaseVocabulary.ToJson(l.SurgicalAssessment))))))
            {
                return false;
            }
        }

        if (c.Ras is { } ras && (ctx.Patient.RasStatus == MutationStatus.Unknown || CaseVocabulary.ToJson(ctx.Patient.RasStatus) != ras))
        {
            return false;
        }

        if (!In(c.LiverLesions, ctx.LiverCount)
            || (c.LiverOnly is { } liverOnly && ctx.LiverOnly != liverOnly)
            || (c.AnyLiverUnresectable is { } unresectable && ctx.AnyLiverUnresectable != unresectable)
            || (c.OrganPresent is { } organ && !OrganPresent(ctx, organ)))
        {
            return false;
        }

        return c.Setting is not { } settings || (setting is not null && settings.Contains(setting));
    }

    /// <summary>True when every lesion of the plan has a usable option among <paramref name="therapies"/> (rule-set ids).</summary>
    private static bool EveryLesionHasOneOf(IReadOnlyList<LesionPlan> plan, IReadOnlyList<string> therapies)
    {
        for (var i = 0; i < plan.Count; i++)
        {
            var found = false;
            var options = plan[i].Options;
            for (var k = 0; k < options.Count && !found; k++)
            {
                var id = TherapyNames.ToJson(options[k]);
                for (var t = 0; t < therapies.Count && !found; t++)
                {
                    found = therapies[t] == id;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private static bool In(NumericRange? range, double? value) => range is null || (value is { } v && range.Contains(v));

    private static bool AllLiverIn(NumericRange band, CaseContext ctx)
    {
        foreach (var l in ctx.Case.Lesions)
        {
            if (l.Organ == Organ.Liver && !In(band, l.LongestDiameterMm))
            {
                return false;
            }
        }

        return true;
    }

    private static bool OrganPresent(CaseContext ctx, string organ)
    {
        foreach (var (o, n) in ctx.CountByOrgan)
        {
            if (n > 0 && CaseVocabulary.ToJson(o) == organ)
            {
                return true;
            }
        }

        return false;
    }
}
