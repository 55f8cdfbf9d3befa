using LocalControl.Core.Cases;
using LocalControl.Core.Evidence;
using LocalControl.Follow.AblationOutcomes;
using LocalControl.Follow.Export;

namespace LocalControl.Follow.Survival;

/// <summary>The registry's time-to-event end points.</summary>
public enum CohortEndpoint
{
    /// <summary>Local-tumour-progression-free survival per ablated lesion (months from the ablation).</summary>
    Ltp,
    /// <summary>Overall survival per patient (months from the first local treatment).</summary>
    Os,
}

/// <summary>How a cohort is stratified.</summary>
public enum CohortGrouping
{
    /// <summary>Therapy (rfa, mwa, …).</summary>
    Tool,
    /// <summary>Longest diameter &lt; 30 / ≥ 30 mm.</summary>
    Size,
    /// <summary>Minimal ablative margin &lt; 5, 5–10, ≥ 10 mm.</summary>
    Margin,
    /// <summary>Organ.</summary>
    Organ,
    /// <summary>RAS status.</summary>
    Ras,
}

/// <summary>One subject of a cohort: a lesion-ablation (LTP) or a patient (OS).</summary>
/// <param name="CaseId">The case.</param>
/// <param name="LesionId">The lesion (LTP); null for OS.</param>
/// <param name="TreatmentId">The ablation (LTP), or the first local treatment (OS).</param>
/// <param name="Months">Time to the event or to censoring, months (days / 30.4375, to 0.01).</param>
/// <param name="Event">True: LTP or death at <paramref name="Months"/>; false: censored there.</param>
/// <param name="Group">The stratum (<c>unknown</c> when the field is not recorded).</param>
public sealed record CohortSubject(string CaseId, string? LesionId, string TreatmentId, double Months, bool Event, string Group);

/// <summary>A subject left out of a cohort, and why.</summary>
public sealed record CohortExclusion(string CaseId, string? LesionId, string Reason);

/// <summary>A published figure to show beside the centre's curves, from the evidence base.</summary>
/// <param name="Reference">Evidence-base reference <c>ITEM/FIGURE</c>.</param>
/// <param name="Label">What the figure is.</param>
/// <param name="Value">The figure as published (e.g. "56.0%").</param>
/// <param name="Survival">As a proportion (0.56).</param>
/// <param name="Months">Time point in months when the figure has one (5-year OS: 60); null for a rate without a time.</param>
/// <param name="Population">Population of the figure.</param>
/// <param name="Citation">Full citation text.</param>
/// <param name="ShortName">Short citation for the plot.</param>
public sealed record CohortPublishedFigure(string Reference, string Label, string Value, double Survival, double? Months, string? Population, string Citation, string ShortName);

/// <summary>A cohort: subjects, exclusions and the curves.</summary>
public sealed record CohortOutcome(CohortEndpoint Endpoint, CohortGrouping By, IReadOnlyList<CohortSubject> Subjects, IReadOnlyList<CohortExclusion> Excluded)
{
    /// <summary>Kaplan–Meier per group and the log-rank test (same as <c>outcomes survival</c>).</summary>
    public SurvivalAnalysisResult Analyse(ConfidenceIntervalTransform transform = ConfidenceIntervalTransform.Log) =>
        SurvivalAnalysis.Run(Subjects.Select(s => s.Months).ToArray(), Subjects.Select(s => s.Event).ToArray(), Subjects.Select(s => s.Group).ToArray(), transform);
}

/// <summary>
/// Builds the registry's cohorts from case files by the response engine's rules, so that the figures are those of
/// <c>localcontrol follow</c> and of the <c>export csv</c> columns <c>ltpEvent</c>/<c>ltpMonths</c>:
/// <list type="bullet">
/// <item><b>LTP</b>, per ablated lesion (RFA, MWA, cryoablation, IRE): LTP <c>yes</c> is an event at
/// <c>monthsFromTreatment</c>; <c>no</c> is censored at <c>followUpMonths</c> (the last study that assessed the zone);
/// <c>unknown</c> (no technique efficacy, zone not assessed) is left out and listed.</item>
/// <item><b>OS</b>, per patient, from the first local treatment (resection, ablation, SBRT): death at <c>deathDate</c>
/// is an event, alive at <c>lastContactDate</c> is censored; a patient with no local treatment or no survival record is
/// left out and listed.</item>
/// </list>
/// Strata per lesion: the ablation's therapy, the lesion's longest diameter band, the treatment's margin band, the
/// lesion's organ, the patient's RAS. Per patient: the therapy of the first local treatment (several on that day joined
/// with +), the band of the largest lesion treated locally, the band of the smallest margin recorded, the organs with
/// lesions (joined with +) and RAS. Labels are the case-file and CSV spellings; a field not recorded is <c>unknown</c>.
/// </summary>
public static class CohortOutcomes
{
    /// <summary>Label of a stratum whose field is not recorded.</summary>
    public const string Unknown = "unknown";

    /// <summary>Published figures listed and drawn beside each end point (evidence-base references).</summary>
    public static readonly IReadOnlyDictionary<CohortEndpoint, IReadOnlyList<(string Reference, double? Months)>> PublishedReferences =
        new Dictionary<CohortEndpoint, IReadOnlyList<(string, double?)>>
        {
            [CohortEndpoint.Ltp] = [("DB2017/rfa-local-control", null), ("P2/control-lt3cm", null)],
            [CohortEndpoint.Os] = [("P2/os-5y", 60), ("G5/os-5y-mean", 60)],
        };

    /// <summary>Parses an end point name (<c>ltp</c>, <c>os</c>); false for any other.</summary>
    public static bool TryParseEndpoint(string text, out CohortEndpoint endpoint)
    {
        (var ok, endpoint) = text switch { "ltp" => (true, CohortEndpoint.Ltp), "os" => (true, CohortEndpoint.Os), _ => (false, CohortEndpoint.Ltp) };
        return ok;
    }

    /// <summary>Parses a grouping name (<c>tool</c>, <c>size</c>, <c>margin</c>, <c>organ</c>, <c>ras</c>); false for any other.</summary>
    public static bool TryParseGrouping(string text, out CohortGrouping by)
    {
        (var ok, by) = text switch
        {
            "tool" => (true, CohortGrouping.Tool), "size" => (true, CohortGrouping.Size), "margin" => (true, CohortGrouping.Margin),
            "organ" => (true, CohortGrouping.Organ), "ras" => (true, CohortGrouping.Ras), _ => (false, CohortGrouping.Tool),
        };
        return ok;
    }

    /// <summary>Builds the cohort of <paramref name="cases"/> for an end point and a grouping.</summary>
    public static CohortOutcome Build(IEnumerable<MetastaticCase> cases, CohortEndpoint endpoint, CohortGrouping by)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var subjects = new List<CohortSubject>();
        var excluded = new List<CohortExclusion>();
        foreach (var @case in cases)
        {
            if (endpoint == CohortEndpoint.Ltp)
            {
                AddLesions(@case, by, subjects, excluded);
            }
            else
            {
                AddPatient(@case, by, subjects, excluded);
            }
        }
        return new CohortOutcome(endpoint, by, subjects, excluded);
    }

    /// <summary>
    /// Joins per-case cohorts (each from <see cref="Build"/> over one case, in the order of the cases) into the cohort
    /// <see cref="Build"/> gives over all of them: the same subjects and exclusions in the same order, because
    /// <see cref="Build"/> treats every case on its own and appends. Lets a cache keep each case's part per version.
    /// </summary>
    public static CohortOutcome Join(CohortEndpoint endpoint, CohortGrouping by, IReadOnlyList<CohortOutcome> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        int nSubjects = 0, nExcluded = 0;
        foreach (var part in parts)
        {
            if (part.Endpoint != endpoint || part.By != by)
            {
                throw new ArgumentException($"a part for {part.Endpoint} by {part.By} cannot join a cohort for {endpoint} by {by}", nameof(parts));
            }
            nSubjects += part.Subjects.Count;
            nExcluded += part.Excluded.Count;
        }
        var subjects = new List<CohortSubject>(nSubjects);
        var excluded = new List<CohortExclusion>(nExcluded);
        foreach (var part in parts)
        {
            subjects.AddRange(part.Subjects);
            excluded.AddRange(part.Excluded);
        }
        return new CohortOutcome(endpoint, by, subjects, excluded);
    }

    /// <summary>The published figures for an end point, resolved in the evidence base.</summary>
    public static IReadOnlyList<CohortPublishedFigure> Published(CohortEndpoint endpoint, EvidenceBase? evidence = null)
    {
        evidence ??= EvidenceBase.Default;
        var list = new List<CohortPublishedFigure>();
        foreach (var (reference, months) in PublishedReferences[endpoint])
        {
            if (evidence.FindFigure(reference) is not { } found || found.Figure.NumericValue is not { } value)
            {
                throw new InvalidOperationException($"evidence base {evidence.Version}: figure {reference} is missing or has no number");
            }
            list.Add(new CohortPublishedFigure(reference, found.Figure.Label, found.Figure.Value, value / 100, months,
                found.Figure.Population ?? found.Item.Population, found.Item.Citation.Text, found.Item.ShortName));
        }
        return list;
    }

    private static void AddLesions(MetastaticCase @case, CohortGrouping by, List<CohortSubject> subjects, List<CohortExclusion> excluded)
    {
        foreach (var o in AblationOutcomeEvaluator.Assess(@case))
        {
            var ltp = o.LocalTumourProgression;
            double? months = ltp.Status switch { Tristate.Yes => ltp.MonthsFromTreatment, Tristate.No => ltp.FollowUpMonths, _ => null };
            if (months is not { } m)
            {
                excluded.Add(new(@case.CaseId, o.LesionId, $"treatment {o.TreatmentId}: local tumour progression unknown ({ltp.Rule})"));
                continue;
            }
            var lesion = @case.Lesions.First(l => l.Id == o.LesionId);
            var group = by switch
            {
                CohortGrouping.Tool => FollowUpVocabulary.ToJson(o.Therapy),
                CohortGrouping.Size => SizeBand(lesion.LongestDiameterMm),
                CohortGrouping.Margin => OutcomeCsv.MarginBand(o.MinimalAblativeMarginMm) ?? Unknown,
                CohortGrouping.Organ => CaseVocabulary.ToJson(lesion.Organ),
                _ => Ras(@case),
            };
            subjects.Add(new(@case.CaseId, o.LesionId, o.TreatmentId, m, ltp.Status == Tristate.Yes, group));
        }
    }

    private static void AddPatient(MetastaticCase @case, CohortGrouping by, List<CohortSubject> subjects, List<CohortExclusion> excluded)
    {
        var history = @case.FollowUp ?? new FollowUpHistory();
        var local = history.Treatments.Where(t => t.IsLocal).ToList();
        if (local.Count == 0)
        {
            excluded.Add(new(@case.CaseId, null, "no local treatment (resection, ablation, SBRT) recorded"));
            return;
        }
        var start = local.Min(t => t.Date);
        var s = history.Survival;
        (bool Event, DateOnly End)? outcome = s switch
        {
            { VitalStatus: VitalStatus.Dead, DeathDate: { } dd } => (true, dd),
            { VitalStatus: not VitalStatus.Dead, LastContactDate: { } lc } => (false, lc),
            _ => null,
        };
        if (outcome is not { } end)
        {
            excluded.Add(new(@case.CaseId, null, s is { VitalStatus: VitalStatus.Dead }
                ? "dead without a date of death (survival.deathDate)"
                : "no survival record with a last contact date (survival.lastContactDate)"));
            return;
        }
        var first = local.Where(t => t.Date == start).ToList();
        var treatedIds = local.SelectMany(t => t.LesionIds).ToHashSet(StringComparer.Ordinal);
        var margins = local.Where(t => t.MinimalAblativeMarginMm is not null).Select(t => t.MinimalAblativeMarginMm!.Value).ToList();
        var largest = @case.Lesions.Where(l => treatedIds.Contains(l.Id) && l.LongestDiameterMm is not null).Select(l => l.LongestDiameterMm).Max();
        var group = by switch
        {
            CohortGrouping.Tool => string.Join("+", first.Select(t => FollowUpVocabulary.ToJson(t.Therapy)).Distinct().Order(StringComparer.Ordinal)),
            CohortGrouping.Size => SizeBand(largest),
            CohortGrouping.Margin => margins.Count == 0 ? Unknown : OutcomeCsv.MarginBand(margins.Min())!,
            CohortGrouping.Organ => string.Join("+", @case.Lesions.Select(l => CaseVocabulary.ToJson(l.Organ)).Distinct().Order(StringComparer.Ordinal)),
            _ => Ras(@case),
        };
        var firstId = string.Join("+", first.Select(t => t.Id));
        subjects.Add(new(@case.CaseId, null, firstId, AblationOutcomeEvaluator.Months(start, end.End), end.Event, group.Length == 0 ? Unknown : group));
    }

    /// <summary>Size band of the outcome literature (and of the CSV's <c>sizeBand</c>): &lt; 30 or ≥ 30 mm.</summary>
    public static string SizeBand(double? longestDiameterMm) => longestDiameterMm switch
    {
        null => Unknown,
        < 30 => "<30",
        _ => ">=30",
    };

    private static string Ras(MetastaticCase @case) =>
        @case.Patient.RasStatus == MutationStatus.Unknown ? Unknown : CaseVocabulary.ToJson(@case.Patient.RasStatus);
}
