using LocalControl.Core.Cases;

namespace LocalControl.Follow.Survival;

/// <summary>Survival of one group at one time, with its pointwise 95 % interval (Greenwood, log transform).</summary>
/// <param name="Months">The time point, months.</param>
/// <param name="AtRisk">Subjects at risk just before it.</param>
/// <param name="Survival">Kaplan–Meier estimate at it (1 before the first event).</param>
/// <param name="Lower95">Lower 95 % limit; null before the first event or when the estimate is 0.</param>
/// <param name="Upper95">Upper 95 % limit.</param>
public sealed record SurvivalAtTime(double Months, int AtRisk, double Survival, double? Lower95, double? Upper95);

/// <summary>
/// Everything the cohort page shows for one end point and one grouping: the cohort (subjects, those left out), the
/// Kaplan–Meier curves and log-rank test, the published figures with their citations, and the plot's labels. Pure:
/// cases in, figures out; the web app keeps the parsed cases and calls this, and so does the benchmark.
/// </summary>
/// <param name="Cohort">The cohort.</param>
/// <param name="Analysis">Curves and log-rank (log-transformed Greenwood intervals).</param>
/// <param name="Published">Published figures for the end point.</param>
/// <param name="TimeLabel">Axis label with its unit.</param>
/// <param name="Title">Plot title.</param>
public sealed record CohortView(CohortOutcome Cohort, SurvivalAnalysisResult Analysis, IReadOnlyList<CohortPublishedFigure> Published, string TimeLabel, string Title)
{
    /// <summary>Time points of the page's table: 1, 2, 3 and 5 years.</summary>
    public static IReadOnlyList<double> TableMonths { get; } = [12, 24, 36, 60];

    /// <summary>Builds the view of <paramref name="cases"/>.</summary>
    public static CohortView Compute(IEnumerable<MetastaticCase> cases, CohortEndpoint endpoint, CohortGrouping by) =>
        Compute(CohortOutcomes.Build(cases, endpoint, by));

    /// <summary>Builds the view of a cohort already built (e.g. joined from per-case parts kept by a cache).</summary>
    public static CohortView Compute(CohortOutcome cohort)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        var (endpoint, by) = (cohort.Endpoint, cohort.By);
        // An empty cohort has no curve to estimate (the page says so instead of drawing).
        var analysis = cohort.Subjects.Count == 0 ? new SurvivalAnalysisResult([], null) : cohort.Analyse();
        var byName = Name(by);
        var timeLabel = endpoint == CohortEndpoint.Ltp ? "Months from ablation" : "Months from first local treatment";
        var title = (endpoint == CohortEndpoint.Ltp ? "Local-tumour-progression-free survival per lesion" : "Overall survival per patient") + $" by {byName}";
        return new CohortView(cohort, analysis, CohortOutcomes.Published(endpoint), timeLabel, title);
    }

    /// <summary>The published figures that have a time point, as plot points (short citation beside each).</summary>
    public IReadOnlyList<PublishedFigure> PlotPoints =>
        [.. Published.Where(p => p.Months is not null).Select(p => new PublishedFigure(p.Months!.Value, p.Survival, p.ShortName))];

    /// <summary>The curves as a PNG (number at risk under the axis, bands, log-rank p, published points).</summary>
    public byte[] Png() => KaplanMeierPlot.Png(Analysis, TimeLabel, Title, PlotPoints);

    /// <summary>The curves as SVG.</summary>
    public string Svg() => KaplanMeierPlot.Svg(Analysis, TimeLabel, Title, PlotPoints);

    /// <summary>Survival of <paramref name="curve"/> at <paramref name="months"/> with its interval (the step in force then).</summary>
    public static SurvivalAtTime At(KaplanMeierCurve curve, double months)
    {
        ArgumentNullException.ThrowIfNull(curve);
        KaplanMeierStep? inForce = null;
        foreach (var step in curve.Steps)
        {
            if (step.Time > months)
            {
                break;
            }
            inForce = step;
        }
        var atRisk = KaplanMeierPlot.AtRisk(curve, months);
        return inForce is null
            ? new SurvivalAtTime(months, atRisk, 1, null, null)
            : new SurvivalAtTime(months, atRisk, inForce.Survival, inForce.Lower95, inForce.Upper95);
    }

    /// <summary>The grouping's name as the CLI spells it (<c>tool</c>, <c>size</c>, …).</summary>
    public static string Name(CohortGrouping by) => by switch
    {
        CohortGrouping.Tool => "tool",
        CohortGrouping.Size => "size",
        CohortGrouping.Margin => "margin",
        CohortGrouping.Organ => "organ",
        _ => "ras",
    };

    /// <summary>The end point's name as the CLI spells it.</summary>
    public static string Name(CohortEndpoint endpoint) => endpoint == CohortEndpoint.Ltp ? "ltp" : "os";
}
