using System.Globalization;
using LocalControl.Core.Cases;

namespace LocalControl.Follow.Recist;

/// <summary>
/// RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228–47) per follow-up study: sum of diameters (nodes by short
/// axis), change from baseline and from the nadir, target response (CR: all gone and every node &lt; 10 mm; PR: ≥ 30 %
/// below baseline; PD: ≥ 20 % and ≥ 5 mm above the nadir; else SD), non-target response, new lesions and the overall
/// response of RECIST table 1, each with the rule that decided. Pure and deterministic. Lesions treated locally are
/// judged by the ablation terminology instead (<see cref="AblationOutcomes.AblationOutcomeEvaluator"/>), never both.
/// </summary>
public static class RecistEvaluator
{
    /// <summary>PR: decrease of at least this fraction from the baseline sum.</summary>
    public const double PartialResponseDecrease = 0.30;

    /// <summary>PD: increase of at least this fraction over the nadir…</summary>
    public const double ProgressionIncrease = 0.20;

    /// <summary>…and of at least this many mm.</summary>
    public const double ProgressionAbsoluteMm = 5;

    /// <summary>A target node counts as normal (for CR) below this short axis, mm.</summary>
    public const double NormalNodeShortAxisMm = 10;

    // Sums are in mm from typed decimals: compare with a tolerance far below any measurement's precision, so that
    // exactly −30 % (70 of 100 mm) is a PR and exactly +20 % with +5 mm is a PD despite binary rounding.
    private const double Tolerance = 1e-9;

    /// <summary>Assesses every follow-up study of <paramref name="case"/> after the baseline (none: no time points).</summary>
    public static RecistAssessment Assess(MetastaticCase @case)
    {
        ArgumentNullException.ThrowIfNull(@case);
        var history = @case.FollowUp ?? new FollowUpHistory();
        var choice = history.RecistBaseline is { } given ? new RecistBaselineChoice(given, false, []) : ProposeBaseline(@case);
        var lesions = @case.Lesions.ToDictionary(l => l.Id, StringComparer.Ordinal);
        var targets = choice.Baseline.TargetLesionIds.Select(id => lesions[id]).ToList();
        var nonTargets = choice.Baseline.NonTargetLesionIds.Select(id => lesions[id]).ToList();
        var baselineSum = targets.Sum(l => BaselineSize(l) ?? 0);
        var studies = history.FollowUps
            .Where(f => choice.Baseline.Date is not { } d || f.Date > d)
            .OrderBy(f => f.Date)
            .ToList();
        var points = new List<RecistTimePoint>();
        var nadir = baselineSum;
        foreach (var study in studies)
        {
            var point = AssessStudy(study, targets, nonTargets, baselineSum, nadir);
            points.Add(point);
            if (point.SumOfDiametersMm is { } sum && point.TargetResponse != RecistCategory.NE && sum < nadir)
            {
                nadir = sum;
            }
        }

        return new RecistAssessment(choice, baselineSum, points);
    }

    /// <summary>
    /// Proposes targets when the case file names none: measurable lesions (≥ 10 mm; nodes ≥ 15 mm short axis) not
    /// treated locally, largest first, at most 2 per organ and 5 in all; every other lesion is a non-target.
    /// </summary>
    public static RecistBaselineChoice ProposeBaseline(MetastaticCase @case)
    {
        ArgumentNullException.ThrowIfNull(@case);
        var history = @case.FollowUp ?? new FollowUpHistory();
        var local = history.Treatments.Where(t => t.IsLocal).SelectMany(t => t.LesionIds).ToHashSet(StringComparer.Ordinal);
        var notes = new List<string> { "recistBaseline is absent: targets proposed by RECIST 1.1 (measurable, largest first, ≤ 2 per organ, ≤ 5 in all); confirm or set recistBaseline in the case file" };
        var targets = new List<string>();
        var perOrgan = new Dictionary<Organ, int>();
        foreach (var lesion in @case.Lesions.OrderByDescending(l => BaselineSize(l) ?? 0).ThenBy(l => l.Id, StringComparer.Ordinal))
        {
            if (local.Contains(lesion.Id) || !IsMeasurable(lesion) || targets.Count >= CaseFileReader.RecistMaxTargets)
            {
                continue;
            }

            var count = perOrgan.GetValueOrDefault(lesion.Organ);
            if (count >= CaseFileReader.RecistMaxTargetsPerOrgan)
            {
                continue;
            }

            perOrgan[lesion.Organ] = count + 1;
            targets.Add(lesion.Id);
        }

        if (local.Count > 0)
        {
            notes.Add($"lesions treated locally ({string.Join(", ", @case.Lesions.Where(l => local.Contains(l.Id)).Select(l => l.Id))}) are followed by the ablation terminology, not as RECIST targets");
        }

        var nonTargets = @case.Lesions.Where(l => !targets.Contains(l.Id) && !local.Contains(l.Id)).Select(l => l.Id).ToList();
        var firstTreatment = history.Treatments.Count == 0 ? (DateOnly?)null : history.Treatments.Min(t => t.Date);
        notes.Add(firstTreatment is { } ft
            ? $"baseline sizes are the case's lesion sizes, taken as measured before the first treatment ({ft.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})"
            : "baseline sizes are the case's lesion sizes");
        return new RecistBaselineChoice(new RecistBaseline { Date = null, TargetLesionIds = targets, NonTargetLesionIds = nonTargets }, true, notes);
    }

    /// <summary>RECIST 1.1 measurability on CT/MRI: ≥ 10 mm longest diameter, or a node of ≥ 15 mm short axis.</summary>
    public static bool IsMeasurable(Lesion lesion)
    {
        ArgumentNullException.ThrowIfNull(lesion);
        return lesion.Organ == Organ.LymphNode
            ? lesion.ShortAxisMm >= CaseFileReader.RecistMeasurableNodeShortAxisMm
            : lesion.LongestDiameterMm >= CaseFileReader.RecistMeasurableMm;
    }

    private static double? BaselineSize(Lesion l) => l.Organ == Organ.LymphNode ? l.ShortAxisMm : l.LongestDiameterMm;

    private static RecistTimePoint AssessStudy(FollowUpStudy study, List<Lesion> targets, List<Lesion> nonTargets, double baselineSum, double nadir)
    {
        var findings = study.Lesions.ToDictionary(f => f.LesionId, StringComparer.Ordinal);
        var measurements = new List<TargetMeasurement>();
        var missing = new List<string>();
        foreach (var target in targets)
        {
            var node = target.Organ == Organ.LymphNode;
            double? value = null;
            if (findings.TryGetValue(target.Id, out var f))
            {
                value = f.Status switch
                {
                    LesionPresence.Absent => node ? f.ShortAxisMm ?? 0 : 0,
                    LesionPresence.Present => node ? f.ShortAxisMm : f.LongestDiameterMm,
                    _ => null,
                };
            }

            if (value is null)
            {
                missing.Add(target.Id);
            }

            measurements.Add(new TargetMeasurement(target.Id, value, node));
        }

        var sum = measurements.Sum(m => m.MeasurementMm ?? 0);
        var (targetResponse, targetRule) = TargetResponse(measurements, missing, sum, baselineSum, nadir);
        var (nonTargetResponse, nonTargetRule) = NonTargetResponse(nonTargets, findings);
        var newLesions = study.NewLesions.Count > 0;
        var (overall, overallRule) = Overall(targetResponse, nonTargetResponse, newLesions, study.NewLesions.Count);
        var rule = overallRule.Length > 0 ? overallRule : targetResponse != RecistCategory.None ? targetRule : nonTargetRule;
        return new RecistTimePoint(
            study.Date,
            targets.Count == 0 ? null : sum,
            baselineSum,
            nadir,
            targets.Count == 0 || baselineSum <= 0 ? null : (sum - baselineSum) / baselineSum * 100,
            targets.Count == 0 || nadir <= 0 ? null : (sum - nadir) / nadir * 100,
            measurements,
            targetResponse,
            nonTargetResponse,
            newLesions,
            overall,
            rule);
    }

    private static (RecistCategory, string) TargetResponse(List<TargetMeasurement> m, List<string> missing, double sum, double baselineSum, double nadir)
    {
        if (m.Count == 0)
        {
            return (RecistCategory.None, "no target lesions");
        }

        var increase = sum - nadir;
        var progression = increase >= ProgressionAbsoluteMm - Tolerance && sum >= (nadir * (1 + ProgressionIncrease)) - Tolerance;
        var numbers = $"sum {F(sum)} mm, baseline {F(baselineSum)} mm, nadir {F(nadir)} mm";
        if (missing.Count > 0)
        {
            // RECIST 1.1: with targets not assessed the response is NE, unless the evaluable ones already prove PD.
            return progression
                ? (RecistCategory.PD, $"PD: {numbers} — the evaluable targets alone rise {F(increase)} mm (≥ 20 % and ≥ 5 mm over the nadir); {string.Join(", ", missing)} not evaluable")
                : (RecistCategory.NE, $"NE: target {string.Join(", ", missing)} not evaluable on this study");
        }

        var nonNodesGone = m.Where(x => !x.IsNode).All(x => x.MeasurementMm <= Tolerance);
        var nodesNormal = m.Where(x => x.IsNode).All(x => x.MeasurementMm < NormalNodeShortAxisMm - Tolerance);
        if (nonNodesGone && nodesNormal)
        {
            return (RecistCategory.CR, m.Any(x => x.IsNode)
                ? $"CR: every non-nodal target gone and every target node < {F(NormalNodeShortAxisMm)} mm short axis"
                : "CR: every target lesion gone");
        }

        if (progression)
        {
            return (RecistCategory.PD, $"PD: {numbers} — {Pct(nadir <= 0 ? null : increase / nadir * 100)} and +{F(increase)} mm over the nadir (≥ 20 % and ≥ 5 mm)");
        }

        if (sum <= (baselineSum * (1 - PartialResponseDecrease)) + Tolerance)
        {
            return (RecistCategory.PR, $"PR: {numbers} — {Pct((sum - baselineSum) / baselineSum * 100)} from baseline (≥ 30 % decrease)");
        }

        var why = increase > 0
            ? $"+{F(increase)} mm ({Pct(nadir <= 0 ? null : increase / nadir * 100)}) over the nadir is short of PD (≥ 20 % and ≥ 5 mm)"
            : $"{Pct(baselineSum <= 0 ? null : (sum - baselineSum) / baselineSum * 100)} from baseline is short of PR (≥ 30 % decrease)";
        return (RecistCategory.SD, $"SD: {numbers} — {why}");
    }

    private static (RecistCategory, string) NonTargetResponse(List<Lesion> nonTargets, Dictionary<string, LesionFinding> findings)
    {
        if (nonTargets.Count == 0)
        {
            return (RecistCategory.None, "no non-target lesions");
        }

        var progressed = nonTargets.Where(l => findings.TryGetValue(l.Id, out var f) && f.UnequivocalProgression == true).Select(l => l.Id).ToList();
        if (progressed.Count > 0)
        {
            return (RecistCategory.PD, $"PD: unequivocal progression of non-target {string.Join(", ", progressed)}");
        }

        var unevaluated = nonTargets.Where(l => !findings.TryGetValue(l.Id, out var f) || f.Status == LesionPresence.NotEvaluable).Select(l => l.Id).ToList();
        if (unevaluated.Count > 0)
        {
            return (RecistCategory.NE, $"NE: non-target {string.Join(", ", unevaluated)} not evaluated");
        }

        var allGone = nonTargets.All(l =>
        {
            var f = findings[l.Id];
            return l.Organ == Organ.LymphNode
                ? f.Status == LesionPresence.Absent || f.ShortAxisMm < NormalNodeShortAxisMm
                : f.Status == LesionPresence.Absent;
        });
        return allGone
            ? (RecistCategory.CR, "CR: every non-target lesion gone (nodes < 10 mm short axis)")
            : (RecistCategory.NonCrNonPd, "non-CR/non-PD: non-target lesions persist without unequivocal progression");
    }

    /// <summary>RECIST 1.1 table 1 (target and non-target) and table 2 (non-target only).</summary>
    private static (RecistCategory, string) Overall(RecistCategory target, RecistCategory nonTarget, bool newLesions, int newCount)
    {
        if (newLesions)
        {
            return (RecistCategory.PD, $"PD: {newCount} new lesion{(newCount == 1 ? "" : "s")}");
        }

        if (target == RecistCategory.PD)
        {
            return (RecistCategory.PD, "");
        }

        if (nonTarget == RecistCategory.PD)
        {
            return (RecistCategory.PD, "PD: unequivocal progression of non-target disease");
        }

        return target switch
        {
            RecistCategory.None => nonTarget switch
            {
                // Table 2: non-target disease only. "Non-CR/non-PD" is reported as SD, the contract's nearest category.
                RecistCategory.CR => (RecistCategory.CR, ""),
                RecistCategory.NonCrNonPd => (RecistCategory.SD, "SD (non-CR/non-PD): no target lesions; non-target lesions persist without progression"),
                RecistCategory.None => (RecistCategory.NE, "NE: no target or non-target lesions at baseline"),
                _ => (RecistCategory.NE, ""),
            },
            RecistCategory.CR when nonTarget is RecistCategory.CR or RecistCategory.None => (RecistCategory.CR, ""),
            RecistCategory.CR => (RecistCategory.PR, nonTarget == RecistCategory.NE
                ? "PR: target CR but non-target lesions not evaluated (RECIST table 1)"
                : "PR: target CR but non-target lesions persist (RECIST table 1)"),
            RecistCategory.PR => (RecistCategory.PR, ""),
            RecistCategory.SD => (RecistCategory.SD, ""),
            _ => (RecistCategory.NE, ""),
        };
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Pct(double? v) => v is { } x ? (x >= 0 ? "+" : "") + x.ToString("0.0", CultureInfo.InvariantCulture) + " %" : "n/a (nadir 0)";
}
