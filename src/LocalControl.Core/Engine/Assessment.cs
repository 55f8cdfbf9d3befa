using LocalControl.Core.Cases;
using LocalControl.Core.Evidence;

namespace LocalControl.Core.Engine;

/// <summary>The engine's view of an option. Listed from most to least favourable.</summary>
public enum Eligibility
{
    /// <summary>Every criterion met.</summary>
    Eligible,
    /// <summary>No required criterion failed or unknown, but an advisory criterion failed: MDT to weigh.</summary>
    Caution,
    /// <summary>A required criterion cannot be evaluated for missing data.</summary>
    Unknown,
    /// <summary>A required criterion failed.</summary>
    NotEligible,
}

/// <summary>Outcome of one criterion.</summary>
public enum CriterionStatus
{
    /// <summary>Satisfied by the data.</summary>
    Met,
    /// <summary>Not satisfied by the data.</summary>
    Failed,
    /// <summary>Cannot be decided: data missing.</summary>
    Unknown,
}

/// <summary>What a failed criterion does to the option.</summary>
public enum CriterionSeverity
{
    /// <summary>Failing makes the option not eligible; unknown makes it unknown.</summary>
    Required,
    /// <summary>Failing makes the option 'caution'; unknown leaves it unchanged (the missing data is still listed).</summary>
    Advisory,
}

/// <summary>The result of one criterion for one option.</summary>
/// <param name="Definition">Id, description (thresholds filled in), reason sentences and evidence ids, from the rule set.</param>
/// <param name="Status">Met, failed or unknown.</param>
/// <param name="Severity">Required or advisory (for this result: some criteria fail as advisory in one band, required in another).</param>
/// <param name="ObservedValue">The value the criterion looked at, when numeric (in <see cref="Unit"/>).</param>
/// <param name="ObservedText">The value the criterion looked at, when not numeric (or a short finding).</param>
/// <param name="MissingFields">JSON paths of the case-file fields that would resolve an unknown status.</param>
public sealed record CriterionResult(
    Rules.CriterionDefinition Definition,
    CriterionStatus Status,
    CriterionSeverity Severity,
    double? ObservedValue,
    string? ObservedText,
    IReadOnlyList<string> MissingFields)
{
    private string? _reason;

    /// <summary>Criterion id.</summary>
    public string Id => Definition.Id;

    /// <summary>Unit of <see cref="ObservedValue"/> (<c>mm</c>, <c>%</c>, <c>ECOG</c>, <c>lesions</c>...), or null.</summary>
    public string? Unit { get; init; }

    /// <summary>Which of the rule set's reason sentences applies (<c>met</c>, <c>caution</c>, <c>failed</c>, <c>unknown</c>,
    /// or a criterion's own key); null picks one from the status and severity.</summary>
    public string? ReasonKey { get; init; }

    /// <summary>True when the result is a positive finding (met) — never to be shown as a failure.</summary>
    public bool IsPositive => Status == CriterionStatus.Met;

    /// <summary>
    /// The reason as a sentence a clinician reads at a glance, with the observed value, its unit and the threshold
    /// (e.g. <c>40 mm (30–50 mm): local control 22–89% (L5); MDT discussion</c>). Formatted on first use.
    /// </summary>
    public string Reason => _reason ??= ReasonText.Format(this);
}

/// <summary>An expected outcome: one evidence figure with its source.</summary>
/// <param name="Reference">Figure reference <c>ITEM/FIGURE</c>.</param>
/// <param name="Item">The evidence item (citation, grade, population).</param>
/// <param name="Figure">The figure.</param>
public sealed record ExpectedOutcome(string Reference, EvidenceItem Item, EvidenceFigure Figure);

/// <summary>One therapy option with its eligibility, every criterion, and expected outcomes.</summary>
public sealed record TherapyOption(
    Therapy Therapy,
    Eligibility Eligibility,
    IReadOnlyList<CriterionResult> Criteria,
    IReadOnlyList<ExpectedOutcome> ExpectedOutcomes,
    IReadOnlyList<string> Notes)
{
    /// <summary>The criteria as the engine built them (an exact-size array: no interface dispatch on the hot path).</summary>
    internal CriterionResult[] CriteriaArray => (CriterionResult[])Criteria;

    /// <summary>1-based rank among the options of its list (1 = most favourable).</summary>
    public int Rank { get; internal set; }

    /// <summary>For <see cref="Therapy.CurativeLocal"/>: per lesion, the local options that could treat it, best first.</summary>
    public IReadOnlyList<LesionPlan>? Plan { get; init; }

    /// <summary>For HAIC and SIRT: the treatment setting (first-line, oxaliplatin-rechallenge, second-line, salvage, later-line).</summary>
    public string? Setting { get; init; }

    /// <summary>Number of advisory criteria that failed: the concerns behind a <c>caution</c>.</summary>
    public int AdvisoryFailures { get; init; }

    /// <summary>Sum of the rule set's weights of the failed advisory criteria (ranking among cautions).</summary>
    public double CautionWeight { get; init; }

    /// <summary>Strength of the outcome evidence for this therapy in this organ (1 = randomised or consensus ... 4 = none).</summary>
    public int EvidenceLevel { get; init; }
}

/// <summary>The local options that could treat one lesion within a curative-intent strategy.</summary>
/// <param name="LesionId">The lesion.</param>
/// <param name="Options">Usable local options (eligible or caution), best first.</param>
public sealed record LesionPlan(string LesionId, IReadOnlyList<Therapy> Options)
{
    /// <summary>
    /// The lesion's place in the plan: <c>treatable</c> (an eligible resection or ablation), <c>caution</c> (only with
    /// caution), <c>sbrt-only</c>, <c>pending-data</c>, <c>untreatable</c>, or <c>palliative</c> (goal set to palliation).
    /// </summary>
    public string Status { get; init; } = "treatable";

    /// <summary>For <c>pending-data</c>: what would place the lesion in the plan, in words (the fields to collect, or an
    /// MDT judgement where the rule set has no criteria for the lesion's organ); null otherwise.</summary>
    public string? Pending { get; init; }
}

/// <summary>Every option for one lesion.</summary>
public sealed record LesionAssessment(string LesionId, Organ Organ, IReadOnlyList<TherapyOption> Options);

/// <summary>Summary of the disease across lesions.</summary>
public sealed record DiseaseSummary(
    int LesionCount,
    IReadOnlyDictionary<Organ, int> LesionsByOrgan,
    bool LiverOnly,
    bool ExtrahepaticDisease,
    string Oligometastatic,
    IReadOnlyList<CriterionResult> OligometastaticCriteria);

/// <summary>One criterion that needs a missing item of data.</summary>
/// <param name="Owner">"lesion L1" or "patient".</param>
/// <param name="Therapy">The option concerned, or null for the disease summary.</param>
/// <param name="CriterionId">The criterion.</param>
/// <param name="CriterionLabel">The criterion's name for human formats.</param>
public readonly record struct MissingDataNeed(string Owner, Therapy? Therapy, string CriterionId, string? CriterionLabel = null)
{
    /// <summary>The need in words for human formats (<c>lesion L1, RFA: distance to the hilum</c>).</summary>
    public string Describe() =>
        Therapy is { } t ? $"{Owner}, {TherapyNames.DisplayName(t)}: {CriterionLabel ?? CriterionId}" : $"{Owner}: {CriterionLabel ?? CriterionId}";

    /// <inheritdoc />
    public override string ToString() =>
        Therapy is { } t ? $"{Owner} {TherapyNames.ToJson(t)}: {CriterionId}" : $"{Owner}: {CriterionId}";
}

/// <summary>An item of data that would resolve one or more unknown criteria.</summary>
public sealed class MissingDataItem
{
    private IReadOnlyList<string>? _labels;

    private readonly IReadOnlyList<string>? _lesionIds;
    private string? _label;

    /// <summary>Creates the item.</summary>
    public MissingDataItem(string field, IReadOnlyList<MissingDataNeed> needs, bool changesEligibility, string? label = null)
    {
        Field = field;
        Needs = needs;
        ChangesEligibility = changesEligibility;
        _label = label;
    }

    /// <summary>Creates the item whose label is worded on first use from the case's lesion ids.</summary>
    internal MissingDataItem(string field, IReadOnlyList<MissingDataNeed> needs, bool changesEligibility, IReadOnlyList<string> lesionIds)
        : this(field, needs, changesEligibility) => _lesionIds = lesionIds;

    /// <summary>JSON path in the case file.</summary>
    public string Field { get; }

    /// <summary>The field in words for human formats (<c>lesion L1: distance to the hilum (mm)</c>).</summary>
    public string Label => _label ??= _lesionIds is null ? Field : MissingDataCollector.FieldLabel(Field, _lesionIds);

    /// <summary>Which options and criteria need it.</summary>
    public IReadOnlyList<MissingDataNeed> Needs { get; }

    /// <summary>The needs as text (<c>lesion L1 rfa: away-from-hilum</c>), formatted on first use.</summary>
    public IReadOnlyList<string> NeededFor => _labels ??= [.. Needs.Select(n => n.ToString())];

    /// <summary>True when a required criterion needs it (it can change an eligibility).</summary>
    public bool ChangesEligibility { get; }
}

/// <summary>A prognostic score, computed when data allow; information only, never an exclusion.</summary>
/// <param name="Name">Score name.</param>
/// <param name="Value">The score, or null when a component is unknown.</param>
/// <param name="Minimum">Lowest possible value given the known components.</param>
/// <param name="Maximum">Highest possible value given the known components.</param>
/// <param name="RiskGroup">Risk group when the value is known.</param>
/// <param name="Components">Each component with its points (null = unknown).</param>
/// <param name="Missing">Case-file fields needed to complete it.</param>
/// <param name="Evidence">Evidence ids of the score's source.</param>
/// <param name="Note">A caveat to show with the score.</param>
public sealed record PrognosticScore(
    string Name,
    double? Value,
    double Minimum,
    double Maximum,
    string? RiskGroup,
    IReadOnlyList<ScoreComponent> Components,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Evidence,
    string? Note);

/// <summary>One component of a prognostic score: its name, its points (null = unknown) and the value it rests on.</summary>
public sealed class ScoreComponent
{
    private readonly double? _number;
    private readonly string? _unit;
    private string? _value;

    /// <summary>Creates a component with its value as text.</summary>
    public ScoreComponent(string name, double? points, string? value)
    {
        Name = name;
        Points = points;
        _value = value;
    }

    /// <summary>Creates a component whose value is a number with a unit, formatted only when read.</summary>
    internal ScoreComponent(string name, double? points, Scores.ScoreValue value)
    {
        Name = name;
        Points = points;
        _value = value.Text;
        _number = value.Number;
        _unit = value.Unit;
    }

    /// <summary>Name of the component.</summary>
    public string Name { get; }

    /// <summary>Points, or null when unknown.</summary>
    public double? Points { get; }

    /// <summary>The value it rests on, as text (e.g. <c>240 ng/mL</c>), or null when unknown.</summary>
    public string? Value => _value ??= _number is { } n
        ? n.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + (string.IsNullOrEmpty(_unit) ? "" : " " + _unit)
        : null;
}

/// <summary>Prognostic context of a case.</summary>
public sealed record PrognosticScores(PrognosticScore? Fong, PrognosticScore? Game, PrognosticScore? TumourBurden);

/// <summary>
/// The engine's assessment of a case: options per lesion and per patient, each with every criterion, evidence and
/// expected outcomes; prognostic scores; and the data still missing. It ranks and explains; the MDT decides.
/// </summary>
public sealed record Assessment(
    string CaseId,
    string RuleSetVersion,
    string EvidenceVersion,
    IReadOnlyList<LesionAssessment> Lesions,
    IReadOnlyList<TherapyOption> PatientOptions,
    DiseaseSummary Disease,
    PrognosticScores Scores,
    IReadOnlyList<MissingDataItem> MissingData);
