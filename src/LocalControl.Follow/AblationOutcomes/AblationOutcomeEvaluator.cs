using System.Globalization;
using LocalControl.Core.Cases;

namespace LocalControl.Follow.AblationOutcomes;

/// <summary>Three-valued answer of the ablation terminology.</summary>
public enum Tristate
{
    /// <summary>Not determinable from the recorded data.</summary>
    Unknown,
    /// <summary>Yes.</summary>
    Yes,
    /// <summary>No.</summary>
    No,
}

/// <summary>Local tumour progression of one ablated lesion.</summary>
/// <param name="Status">Yes, no (none seen so far) or unknown.</param>
/// <param name="Date">Date of the study that first showed it; null unless <paramref name="Status"/> is yes.</param>
/// <param name="MonthsFromTreatment">Months (days / 30.4375) from the ablation to <paramref name="Date"/>; null unless yes.</param>
/// <param name="FollowUpMonths">Months from the ablation to the last study that assessed the zone (the censoring time when no LTP).</param>
/// <param name="Rule">Why.</param>
public sealed record LocalTumourProgression(Tristate Status, DateOnly? Date, double? MonthsFromTreatment, double? FollowUpMonths, string Rule);

/// <summary>Outcome of one ablation of one lesion, in the standardised terminology (Ahmed et al., Radiology 2014;273:241–60).</summary>
/// <param name="LesionId">The lesion.</param>
/// <param name="TreatmentId">The ablation.</param>
/// <param name="Therapy">Ablation modality.</param>
/// <param name="TreatmentDate">Date of the ablation.</param>
/// <param name="TechnicalSuccess">As recorded at the end of the procedure; null = not recorded.</param>
/// <param name="TechniqueEfficacy">Complete ablation on the first contrast-enhanced follow-up.</param>
/// <param name="TechniqueEfficacyDate">Date of that first follow-up.</param>
/// <param name="TechniqueEfficacyRule">Why.</param>
/// <param name="LocalTumourProgression">Tumour at the edge of the zone after technique efficacy.</param>
/// <param name="MinimalAblativeMarginMm">Minimal ablative margin of the treatment, mm, when recorded.</param>
public sealed record AblatedLesionOutcome(
    string LesionId,
    string TreatmentId,
    TreatmentKind Therapy,
    DateOnly TreatmentDate,
    bool? TechnicalSuccess,
    Tristate TechniqueEfficacy,
    DateOnly? TechniqueEfficacyDate,
    string TechniqueEfficacyRule,
    LocalTumourProgression LocalTumourProgression,
    double? MinimalAblativeMarginMm);

/// <summary>
/// The ablation terminology per ablated lesion (Ahmed 2014; time-to-event end points, Puijk et al., Radiology 2021):
/// technical success as recorded; technique efficacy at the first follow-up that assesses the ablation zone (no
/// enhancing tissue at the zone = yes; enhancing tissue at the zone = residual unablated tumour, no); local tumour
/// progression = enhancing tissue adjacent to the zone on a later study, only after technique efficacy was shown.
/// Kept apart from RECIST: an ablated lesion is never a RECIST target here.
/// </summary>
public static class AblationOutcomeEvaluator
{
    /// <summary>Average days per month (365.25 / 12), for months from treatment.</summary>
    public const double DaysPerMonth = 30.4375;

    /// <summary>Outcomes of every ablation (RFA, MWA, cryoablation, IRE) of every lesion it treated, in treatment order.</summary>
    public static IReadOnlyList<AblatedLesionOutcome> Assess(MetastaticCase @case)
    {
        ArgumentNullException.ThrowIfNull(@case);
        var history = @case.FollowUp ?? new FollowUpHistory();
        var studies = history.FollowUps.OrderBy(f => f.Date).ToList();
        var result = new List<AblatedLesionOutcome>();
        foreach (var treatment in history.Treatments.Where(t => t.IsAblation).OrderBy(t => t.Date).ThenBy(t => t.Id, StringComparer.Ordinal))
        {
            foreach (var lesionId in treatment.LesionIds)
            {
                // Studies after this ablation and before the next local treatment of the same lesion.
                var next = history.Treatments
                    .Where(t => t.IsLocal && t.Id != treatment.Id && t.LesionIds.Contains(lesionId) && t.Date > treatment.Date)
                    .Select(t => (DateOnly?)t.Date).Min();
                var findings = studies
                    .Where(s => s.Date > treatment.Date && (next is null || s.Date <= next))
                    .Select(s => (s.Date, Finding: s.Lesions.FirstOrDefault(f => f.LesionId == lesionId)))
                    .Where(x => x.Finding is not null)
                    .Select(x => (x.Date, Finding: x.Finding!))
                    .ToList();
                result.Add(Assess(treatment, lesionId, findings));
            }
        }

        return result;
    }

    private static AblatedLesionOutcome Assess(Treatment treatment, string lesionId, List<(DateOnly Date, LesionFinding Finding)> findings)
    {
        Tristate efficacy;
        string efficacyRule;
        DateOnly? efficacyDate = null;
        if (findings.Count == 0)
        {
            efficacy = Tristate.Unknown;
            efficacyRule = "no follow-up study of this lesion after the ablation yet";
        }
        else
        {
            var (date, first) = findings[0];
            efficacyDate = date;
            (efficacy, efficacyRule) = Zone(first) switch
            {
                ZoneState.Clear => (Tristate.Yes, $"first follow-up {Iso(date)}: no enhancing tissue at the ablation zone (complete ablation)"),
                ZoneState.AtZone => (Tristate.No, $"first follow-up {Iso(date)}: enhancing tissue at the ablation zone — residual unablated tumour, not local tumour progression"),
                ZoneState.Away => (Tristate.Yes, $"first follow-up {Iso(date)}: enhancing tissue away from the ablation zone (a new lesion, not residual tumour); the zone is complete"),
                _ => (Tristate.Unknown, $"first follow-up {Iso(date)}: the ablation zone was not assessed (no ablationZone.enhancingTissue, or not evaluable)"),
            };
        }

        var lastAssessed = findings.Where(f => Zone(f.Finding) != ZoneState.Unassessed).Select(f => (DateOnly?)f.Date).LastOrDefault();
        var followUpMonths = lastAssessed is { } la ? Months(treatment.Date, la) : (double?)null;
        LocalTumourProgression ltp;
        if (efficacy != Tristate.Yes)
        {
            ltp = new(Tristate.Unknown, null, null, followUpMonths, efficacy == Tristate.No
                ? "not defined: technique efficacy was not achieved (residual tumour is not LTP, Ahmed 2014)"
                : "unknown until technique efficacy is shown");
        }
        else
        {
            ltp = new(Tristate.No, null, null, followUpMonths, findings.Count > 1
                ? $"no enhancing tissue adjacent to the zone through {Iso(lastAssessed!.Value)}"
                : "no later study yet (only the first follow-up, which showed complete ablation)");
            var uncertain = false;
            foreach (var (date, finding) in findings.Skip(1))
            {
                var state = Zone(finding);
                if (state == ZoneState.AtZone)
                {
                    var months = Months(treatment.Date, date);
                    ltp = new(Tristate.Yes, date, months, months, $"enhancing tissue adjacent to the ablation zone on {Iso(date)}, {months.ToString("0.0", CultureInfo.InvariantCulture)} months after the ablation, after technique efficacy on {Iso(efficacyDate!.Value)}");
                    uncertain = false;
                    break;
                }

                if (state == ZoneState.EnhancingUnknownPosition)
                {
                    uncertain = true;
                }
            }

            if (uncertain)
            {
                ltp = ltp with { Status = Tristate.Unknown, Rule = "enhancing tissue was seen but not whether it is adjacent to the zone (set ablationZone.adjacentToZone)" };
            }
        }

        return new AblatedLesionOutcome(lesionId, treatment.Id, treatment.Therapy, treatment.Date, treatment.TechnicalSuccess, efficacy, efficacyDate, efficacyRule, ltp, treatment.MinimalAblativeMarginMm);
    }

    private enum ZoneState
    {
        Unassessed,
        Clear,
        AtZone,
        Away,
        EnhancingUnknownPosition,
    }

    private static ZoneState Zone(LesionFinding f)
    {
        if (f.Status == LesionPresence.NotEvaluable)
        {
            return ZoneState.Unassessed;
        }

        if (f.AblationZone is not { EnhancingTissue: { } enhancing } zone)
        {
            // "absent" without a zone report: nothing left of the lesion, i.e. no enhancing tissue.
            return f.Status == LesionPresence.Absent ? ZoneState.Clear : ZoneState.Unassessed;
        }

        if (!enhancing)
        {
            return ZoneState.Clear;
        }

        return zone.AdjacentToZone switch
        {
            true => ZoneState.AtZone,
            false => ZoneState.Away,
            null => ZoneState.EnhancingUnknownPosition,
        };
    }

    /// <summary>Months between two dates (days / 30.4375), rounded to 0.01.</summary>
    public static double Months(DateOnly from, DateOnly to) => Math.Round((to.DayNumber - from.DayNumber) / DaysPerMonth, 2);

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
