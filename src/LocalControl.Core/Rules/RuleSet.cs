using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LocalControl.Core.Evidence;

namespace LocalControl.Core.Rules;

/// <summary>A threshold of the rule set, with its unit, meaning and evidence.</summary>
/// <param name="Name">Threshold name (e.g. <c>smallLesionMaxMm</c>).</param>
/// <param name="Value">The value, in <paramref name="Unit"/>.</param>
/// <param name="Unit">Unit of the value.</param>
/// <param name="Meaning">What the threshold means, in words.</param>
/// <param name="Evidence">Evidence ids it rests on (empty for a convention).</param>
/// <param name="Convention">True when no source sets this value: a documented convention for the centre to set.</param>
public sealed record Threshold(string Name, double Value, string Unit, string Meaning, IReadOnlyList<string> Evidence, bool Convention = false);

/// <summary>A criterion's text and evidence, with thresholds already filled in.</summary>
public sealed class CriterionDefinition
{
    /// <summary>Creates a definition.</summary>
    /// <param name="id">Criterion id (e.g. <c>heat-sink</c>).</param>
    /// <param name="description">Text with thresholds filled in.</param>
    /// <param name="evidence">Evidence ids it rests on.</param>
    /// <param name="label">Short name for reports (e.g. <c>Heat sink</c>).</param>
    /// <param name="reasons">Sentence templates per outcome key (<c>met</c>, <c>failed</c>, ...), thresholds filled in;
    /// <c>{value}</c>, <c>{unit}</c> and <c>{text}</c> stand for the observation.</param>
    /// <param name="weight">Weight of an advisory failure when options are ranked (1 = an ordinary concern).</param>
    /// <param name="organ">The organ this variant is for, or null when it holds for every organ.</param>
    public CriterionDefinition(string id, string description, IReadOnlyList<string> evidence, string? label = null,
        IReadOnlyDictionary<string, string>? reasons = null, double weight = 1, string? organ = null)
    {
        Id = id;
        Description = description;
        Evidence = evidence;
        Label = label ?? id;
        Reasons = reasons ?? new Dictionary<string, string>();
        Weight = weight;
        Organ = organ;
    }

    /// <summary>Criterion id (e.g. <c>heat-sink</c>).</summary>
    public string Id { get; }

    /// <summary>Text with thresholds filled in.</summary>
    public string Description { get; }

    /// <summary>Evidence ids it rests on.</summary>
    public IReadOnlyList<string> Evidence { get; }

    /// <summary>Short name for reports.</summary>
    public string Label { get; }

    /// <summary>Sentence templates per outcome key, thresholds filled in.</summary>
    public IReadOnlyDictionary<string, string> Reasons { get; }

    /// <summary>Weight of an advisory failure in ranking.</summary>
    public double Weight { get; }

    /// <summary>The organ of this variant, or null for every organ.</summary>
    public string? Organ { get; }

    // Results without an observed number are immutable and identical from case to case: one shared instance each
    // (the engine benchmark needs it: most results are of this kind). Keyed by status, severity, text and reason key.
    private (Engine.CriterionStatus Status, Engine.CriterionSeverity Severity, string? Text, string? Reason, Engine.CriterionResult Result)[] _shared = [];

    /// <summary>The shared result for this status, severity, text and reason key (created on first use; thread-safe).</summary>
    internal Engine.CriterionResult Shared(Engine.CriterionStatus status, Engine.CriterionSeverity severity, string? text, string? reason)
    {
        var shared = Volatile.Read(ref _shared);
        foreach (var s in shared)
        {
            if (s.Status == status && s.Severity == severity && ReferenceEquals(s.Text, text) && (ReferenceEquals(s.Reason, reason) || s.Reason == reason))
            {
                return s.Result;
            }
        }

        var result = new Engine.CriterionResult(this, status, severity, null, text, []) { ReasonKey = reason };
        if (shared.Length < 16)
        {
            // A lost race only costs a duplicate entry; texts built at run time stop being cached after 16 entries.
            Volatile.Write(ref _shared, [.. shared, (status, severity, text, reason, result)]);
        }

        return result;
    }
}

/// <summary>A numeric range as a paper states it: each edge inclusive or exclusive (null = open).</summary>
/// <param name="AtLeast">Lower edge, inclusive.</param>
/// <param name="Above">Lower edge, exclusive.</param>
/// <param name="AtMost">Upper edge, inclusive.</param>
/// <param name="Below">Upper edge, exclusive.</param>
public sealed record NumericRange(double? AtLeast, double? Above, double? AtMost, double? Below)
{
    /// <summary>True when <paramref name="value"/> lies in the range.</summary>
    public bool Contains(double value) =>
        (AtLeast is not { } a || value >= a) && (Above is not { } b || value > b)
        && (AtMost is not { } c || value <= c) && (Below is not { } d || value < d);

    /// <summary>The range in words (e.g. <c>≥ 30 and ≤ 50</c>).</summary>
    public override string ToString()
    {
        var parts = new List<string>(2);
        if (AtLeast is { } a) { parts.Add("≥ " + F(a)); }
        if (Above is { } b) { parts.Add("> " + F(b)); }
        if (AtMost is { } c) { parts.Add("≤ " + F(c)); }
        if (Below is { } d) { parts.Add("< " + F(d)); }
        return string.Join(" and ", parts);
    }

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>
/// The population an outcome figure was measured in, as machine-readable conditions. A figure is attached to an
/// option only when the case is known to meet every condition given; an unknown value never meets one.
/// </summary>
public sealed record OutcomeConditions
{
    /// <summary>Longest diameter of the lesion (lesion options) or of every liver lesion (patient options), in mm.</summary>
    public NumericRange? DiameterMm { get; init; }
    /// <summary>Distance to the hilum, mm (lesion options).</summary>
    public NumericRange? DistanceToHilumMm { get; init; }
    /// <summary>Distance to the nearest large vessel, mm (lesion options).</summary>
    public NumericRange? DistanceToLargeVesselMm { get; init; }
    /// <summary>Surgical assessments that qualify (<c>resectable</c>, <c>resectable-with-difficulty</c>, <c>unresectable</c>).</summary>
    public IReadOnlyList<string>? Surgical { get; init; }
    /// <summary>Conspicuous on a guidance modality and not poorly seen or invisible on any assessed one ("perfectly visible").</summary>
    public bool? PerfectlyVisible { get; init; }
    /// <summary>RAS status required (<c>mutant</c>, <c>wild-type</c>).</summary>
    public string? Ras { get; init; }
    /// <summary>Treatment goal of a bone lesion (<c>palliative-pain</c>, <c>curative</c>).</summary>
    public string? Intent { get; init; }
    /// <summary>Number of lesions in the lesion's organ (lesion options).</summary>
    public NumericRange? LesionsInOrgan { get; init; }
    /// <summary>Number of liver lesions (patient options).</summary>
    public NumericRange? LiverLesions { get; init; }
    /// <summary>True: liver-only disease; false: extrahepatic disease present.</summary>
    public bool? LiverOnly { get; init; }
    /// <summary>True: at least one liver lesion is unresectable (patient options).</summary>
    public bool? AnyLiverUnresectable { get; init; }
    /// <summary>An organ that must hold disease (patient options).</summary>
    public string? OrganPresent { get; init; }
    /// <summary>
    /// Therapies of the trial's plan (patient options): every lesion of the curative plan must have a usable option
    /// among them (CLOCC treated by RFA ± resection, so an IRE-only plan is outside its population).
    /// </summary>
    public IReadOnlyList<string>? PlanTherapies { get; init; }
    /// <summary>Line-of-therapy settings that qualify (<c>first-line</c>, <c>second-line</c>, <c>later-line</c>, <c>oxaliplatin-rechallenge</c>, <c>salvage</c>).</summary>
    public IReadOnlyList<string>? Setting { get; init; }
}

/// <summary>Which evidence figures to show as expected outcomes of a therapy in an organ, and in which population.</summary>
/// <param name="Therapy">Therapy id (e.g. <c>rfa</c>).</param>
/// <param name="Organ">Organ (<c>liver</c>, <c>lung</c>, <c>bone</c>) or <c>any</c>.</param>
/// <param name="Conditions">The figure's population; every condition must be known to hold.</param>
/// <param name="Figures">Figure references <c>ITEM/FIGURE</c>.</param>
public sealed record OutcomeRule(string Therapy, string Organ, OutcomeConditions Conditions, IReadOnlyList<string> Figures);

/// <summary>
/// The versioned rule set of the engine (Rules/ruleset.json, docs/rule-set.md): every threshold, criterion text,
/// reason sentence, clinical note and outcome population lives here as data, with the evidence it rests on. A centre
/// overrides thresholds with a small file of its own (<see cref="WithOverrides"/>); the report names the version.
/// </summary>
public sealed partial class RuleSet
{
    private static readonly Lazy<RuleSet> DefaultRules = new(LoadEmbedded);
    private readonly FrozenDictionary<string, Threshold> _thresholds;
    private readonly FrozenDictionary<string, CriterionDefinition> _criteria;
    private readonly FrozenDictionary<string, FrozenDictionary<string, CriterionDefinition>> _variantsByOrgan;
    private readonly FrozenDictionary<string, CriterionDefinition> _common;
    private readonly FrozenDictionary<string, string> _notes;
    private readonly Templates _templates;

    /// <summary>The parts of a rule-set file that hold thresholds as placeholders (filled per threshold set).</summary>
    private sealed record Templates(
        Dictionary<string, (string Description, IReadOnlyList<string> Evidence, string? Label, Dictionary<string, string> Reasons, double Weight)> Criteria,
        Dictionary<string, string> Notes,
        Dictionary<string, IReadOnlyList<string>> PreferenceByOrgan,
        Dictionary<string, Dictionary<string, int>> EvidenceLevelByOrgan,
        IReadOnlyList<OutcomeRule> Outcomes);

    private RuleSet(string id, string version, string title, Dictionary<string, Threshold> thresholds, Templates templates, string? basedOn)
    {
        Id = id;
        Version = version;
        Title = title;
        BasedOn = basedOn;
        _templates = templates;
        _thresholds = thresholds.ToFrozenDictionary();
        PreferenceByOrgan = templates.PreferenceByOrgan;
        EvidenceLevelByOrgan = templates.EvidenceLevelByOrgan.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, int>)kv.Value);
        Outcomes = templates.Outcomes;
        CriterionEvidence = templates.Criteria.ToDictionary(kv => kv.Key, kv => kv.Value.Evidence);

        // A key "size-thermal-ablation/lung" is the lung variant of criterion "size-thermal-ablation".
        _criteria = templates.Criteria.ToFrozenDictionary(kv => kv.Key, kv =>
        {
            var slash = kv.Key.IndexOf('/', StringComparison.Ordinal);
            var baseId = slash < 0 ? kv.Key : kv.Key[..slash];
            var organ = slash < 0 ? null : kv.Key[(slash + 1)..];
            var reasons = kv.Value.Reasons.ToDictionary(r => r.Key, r => Fill(r.Value, kv.Key));
            return new CriterionDefinition(baseId, Fill(kv.Value.Description, kv.Key), kv.Value.Evidence, kv.Value.Label, reasons, kv.Value.Weight, organ);
        });
        _notes = templates.Notes.ToFrozenDictionary(kv => kv.Key, kv => Fill(kv.Value, "note " + kv.Key));

        // Organ variants by organ and base id: the engine's lookup builds no "id/organ" string.
        // Per organ, every criterion id resolved to the organ's variant or the common definition: one lookup per criterion.
        _common = _criteria.Where(kv => kv.Value.Organ is null).ToFrozenDictionary(kv => kv.Key, kv => kv.Value);
        _variantsByOrgan = _criteria.Values.Where(c => c.Organ is not null).GroupBy(c => c.Organ!)
            .ToFrozenDictionary(g => g.Key, g => _common.Select(kv => g.FirstOrDefault(v => v.Id == kv.Key) ?? kv.Value).ToFrozenDictionary(c => c.Id, c => c));

        SmallLesionMaxMm = Value("smallLesionMaxMm");
        IntermediateLesionMaxMm = Value("intermediateLesionMaxMm");
        LargeVesselMinCalibreMm = Value("largeVesselMinCalibreMm");
        PerivascularDistanceMm = Value("perivascularDistanceMm");
        AdjacencyDistanceMm = Value("adjacencyDistanceMm");
        HilumAbutmentMm = Value("hilumAbutmentMm");
        HilumCautionMm = Value("hilumCautionMm");
        IreMaxDiameterMm = Value("ireMaxDiameterMm");
        LungCryoMaxDiameterMm = Value("lungCryoMaxDiameterMm");
        LungMaxLesionsForAblation = Value("lungMaxLesionsForAblation");
        BonePainMinScore = Value("bonePainMinScore");
        BoneCurativeMaxDiameterMm = Value("boneCurativeMaxDiameterMm");
        FutureLiverRemnantRiskPercent = Value("futureLiverRemnantRiskPercent");
        EcogMaxForLocalTherapy = Value("ecogMaxForLocalTherapy");
        EcogMaxForIntraArterial = Value("ecogMaxForIntraArterial");
        OligometastaticMaxLesions = Value("oligometastaticMaxLesions");
        OligometastaticMaxLiverOnlyLesions = Value("oligometastaticMaxLiverOnlyLesions");
        OligometastaticMaxOrgans = Value("oligometastaticMaxOrgans");
        LiverDominantMaxLungNodules = Value("liverDominantMaxLungNodules");
        LiverDominantMaxLungNoduleMm = Value("liverDominantMaxLungNoduleMm");
        BilirubinMaxUmolL = Value("bilirubinMaxUmolL");
        MarginMinimumMm = Value("marginMinimumMm");
        MarginTargetMm = Value("marginTargetMm");
        TumourBurdenScoreHigh = Value("tumourBurdenScoreHigh");
        MaxLesionsPerCase = Value("maxLesionsPerCase");
    }

    /// <summary>The rule set shipped with this build.</summary>
    public static RuleSet Default => DefaultRules.Value;

    /// <summary>Rule-set id (e.g. <c>localcontrol-default</c>, or a centre's id).</summary>
    public string Id { get; }

    /// <summary>Version of this rule set.</summary>
    public string Version { get; }

    /// <summary>Title.</summary>
    public string Title { get; }

    /// <summary>For a centre's rule set: the id and version of the rule set it overrides.</summary>
    public string? BasedOn { get; }

    /// <summary>The version string a report names: <c>id version</c>, plus the base for a centre's set.</summary>
    public string DisplayVersion => BasedOn is null ? $"{Id} {Version}" : $"{Id} {Version} (on {BasedOn})";

    /// <summary>Every threshold by name.</summary>
    public IReadOnlyDictionary<string, Threshold> Thresholds => _thresholds;

    /// <summary>Every criterion by key (<c>id</c>, or <c>id/organ</c> for an organ's variant), thresholds filled in.</summary>
    public IReadOnlyDictionary<string, CriterionDefinition> Criteria => _criteria;

    /// <summary>Evidence ids per criterion key.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> CriterionEvidence { get; }

    /// <summary>Order in which equally eligible and equally supported local options are listed, per organ.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> PreferenceByOrgan { get; }

    /// <summary>Strength of the outcome evidence per organ and therapy (1 = randomised or consensus, 2 = prospective,
    /// 3 = retrospective series only, 4 = none): options are ranked by it before preference.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> EvidenceLevelByOrgan { get; }

    /// <summary>Which outcome figures to show for which therapy, organ and population.</summary>
    public IReadOnlyList<OutcomeRule> Outcomes { get; }

    /// <summary>Clinical notes by key (margin advice, HAIC regimen, IRE caveats...), thresholds filled in.</summary>
    public IReadOnlyDictionary<string, string> Notes => _notes;

#pragma warning disable CS1591 // Each threshold is documented in ruleset.json and docs/rule-set.md.
    public double SmallLesionMaxMm { get; }
    public double IntermediateLesionMaxMm { get; }
    public double LargeVesselMinCalibreMm { get; }
    public double PerivascularDistanceMm { get; }
    public double AdjacencyDistanceMm { get; }
    public double HilumAbutmentMm { get; }
    public double HilumCautionMm { get; }
    public double IreMaxDiameterMm { get; }
    public double LungCryoMaxDiameterMm { get; }
    public double LungMaxLesionsForAblation { get; }
    public double BonePainMinScore { get; }
    public double BoneCurativeMaxDiameterMm { get; }
    public double FutureLiverRemnantRiskPercent { get; }
    public double EcogMaxForLocalTherapy { get; }
    public double EcogMaxForIntraArterial { get; }
    public double OligometastaticMaxLesions { get; }
    public double OligometastaticMaxLiverOnlyLesions { get; }
    public double OligometastaticMaxOrgans { get; }
    public double LiverDominantMaxLungNodules { get; }
    public double LiverDominantMaxLungNoduleMm { get; }
    public double BilirubinMaxUmolL { get; }
    public double MarginMinimumMm { get; }
    public double MarginTargetMm { get; }
    public double TumourBurdenScoreHigh { get; }
    public double MaxLesionsPerCase { get; }
#pragma warning restore CS1591

    /// <summary>The definition of a criterion; throws for an id the rule set lacks (a programming error).</summary>
    public CriterionDefinition Criterion(string id) =>
        _criteria.TryGetValue(id, out var c) ? c : throw new InvalidOperationException($"The rule set has no criterion '{id}'.");

    /// <summary>The organ's variant of a criterion (<c>id/organ</c>) when the rule set has one, else the common one.</summary>
    public CriterionDefinition Criterion(string id, string organ) =>
        CriteriaFor(organ).TryGetValue(id, out var c) ? c : Criterion(id);

    /// <summary>Every criterion as it applies to <paramref name="organ"/> (its variants where it has them), by id.</summary>
    public IReadOnlyDictionary<string, CriterionDefinition> CriteriaFor(string organ) =>
        _variantsByOrgan.TryGetValue(organ, out var variants) ? variants : _common;

    /// <summary>A clinical note by key; throws for a key the rule set lacks (a programming error).</summary>
    public string Note(string key) =>
        _notes.TryGetValue(key, out var n) ? n : throw new InvalidOperationException($"The rule set has no note '{key}'.");

    /// <summary>
    /// A centre's rule set: this one with thresholds replaced from an override file
    /// <c>{ "id", "version", "thresholds": { "name": value, ... } }</c>. Unknown names, non-numbers and
    /// inconsistent values (e.g. a caution distance below the abutment distance) are refused with the field named.
    /// </summary>
    /// <exception cref="LocalControlInputException">The override file is not valid.</exception>
    public RuleSet WithOverrides(string overrideJson, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(overrideJson);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(overrideJson, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new LocalControlInputException($"{sourceName}: {IO.StrictJson.SyntaxError(ex)}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            IO.StrictJson.ThrowIfUnsound(root, sourceName); // duplicate keys and invalid Unicode refused (issue 8)
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new LocalControlInputException($"{sourceName}: a rule-set override must be a JSON object with id, version and thresholds");
            }

            var problems = new List<string>();
            var id = RequiredString(root, "id", sourceName, problems);
            var version = RequiredString(root, "version", sourceName, problems);
            var thresholds = new Dictionary<string, Threshold>(_thresholds);
            if (root.TryGetProperty("thresholds", out var t))
            {
                if (t.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{sourceName}: thresholds: must be an object of name: number");
                }
                else
                {
                    foreach (var p in t.EnumerateObject())
                    {
                        if (!thresholds.TryGetValue(p.Name, out var existing))
                        {
                            problems.Add($"{sourceName}: thresholds.{p.Name}: unknown threshold (known: {string.Join(", ", _thresholds.Keys.Order(StringComparer.Ordinal))})");
                        }
                        else if (p.Value.ValueKind != JsonValueKind.Number || !double.IsFinite(p.Value.GetDouble()) || p.Value.GetDouble() < 0)
                        {
                            problems.Add($"{sourceName}: thresholds.{p.Name}: must be a number ≥ 0 in {existing.Unit}");
                        }
                        else
                        {
                            thresholds[p.Name] = existing with { Value = p.Value.GetDouble() };
                        }
                    }
                }
            }

            foreach (var p in root.EnumerateObject())
            {
                if (p.Name is not ("id" or "version" or "thresholds" or "title" or "description" or "$schema"))
                {
                    problems.Add($"{sourceName}: {p.Name}: unknown field (an override holds id, version, title, description and thresholds)");
                }
            }

            CheckOrder(thresholds, "hilumAbutmentMm", "hilumCautionMm", sourceName, problems);
            CheckOrder(thresholds, "smallLesionMaxMm", "intermediateLesionMaxMm", sourceName, problems);
            if (thresholds["maxLesionsPerCase"].Value < 1)
            {
                problems.Add($"{sourceName}: thresholds.maxLesionsPerCase: must be at least 1");
            }

            if (problems.Count > 0)
            {
                throw new LocalControlInputException(string.Join(Environment.NewLine, problems));
            }

            return new RuleSet(id!, version!, Title, thresholds, _templates, $"{Id} {Version}");
        }
    }

    /// <summary>Parses a complete rule-set file and checks it against the evidence base.</summary>
    public static RuleSet Parse(string json, EvidenceBase evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var thresholds = new Dictionary<string, Threshold>();
        foreach (var p in root.GetProperty("thresholds").EnumerateObject())
        {
            thresholds[p.Name] = new Threshold(p.Name, p.Value.GetProperty("value").GetDouble(),
                p.Value.GetProperty("unit").GetString()!, p.Value.GetProperty("meaning").GetString()!, Strings(p.Value.GetProperty("evidence")),
                p.Value.TryGetProperty("convention", out var conv) && conv.GetBoolean());
        }

        var criteria = new Dictionary<string, (string, IReadOnlyList<string>, string?, Dictionary<string, string>, double)>();
        foreach (var p in root.GetProperty("criteria").EnumerateObject())
        {
            var reasons = new Dictionary<string, string>();
            if (p.Value.TryGetProperty("reasons", out var r))
            {
                foreach (var reason in r.EnumerateObject())
                {
                    reasons[reason.Name] = reason.Value.GetString()!;
                }
            }

            criteria[p.Name] = (p.Value.GetProperty("description").GetString()!, Strings(p.Value.GetProperty("evidence")),
                p.Value.TryGetProperty("label", out var label) ? label.GetString() : null, reasons,
                p.Value.TryGetProperty("weight", out var weight) ? weight.GetDouble() : 1);
        }

        var notes = new Dictionary<string, string>();
        if (root.TryGetProperty("notes", out var notesElement))
        {
            foreach (var p in notesElement.EnumerateObject())
            {
                notes[p.Name] = p.Value.GetString()!;
            }
        }

        var preference = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var p in root.GetProperty("preferenceByOrgan").EnumerateObject())
        {
            preference[p.Name] = Strings(p.Value);
        }

        var levels = new Dictionary<string, Dictionary<string, int>>();
        foreach (var p in root.GetProperty("evidenceLevelByOrgan").EnumerateObject())
        {
            levels[p.Name] = p.Value.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetInt32());
        }

        var outcomes = root.GetProperty("outcomes").EnumerateArray()
            .Select(o => new OutcomeRule(o.GetProperty("therapy").GetString()!, o.GetProperty("organ").GetString()!,
                o.TryGetProperty("conditions", out var c) ? ParseConditions(c) : new OutcomeConditions(), Strings(o.GetProperty("figures"))))
            .ToList();

        // Every evidence id and figure the rules cite must exist: a figure is never shown without its source.
        var missing = criteria.Values.SelectMany(v => v.Item2)
            .Concat(thresholds.Values.SelectMany(t => t.Evidence))
            .Where(id => evidence.Find(id) is null)
            .Concat(outcomes.SelectMany(o => o.Figures).Where(f => evidence.FindFigure(f) is null))
            .Distinct()
            .ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"The rule set cites evidence that the evidence base {evidence.Version} lacks: {string.Join(", ", missing)}");
        }

        var conventionsCited = thresholds.Values.Where(t => t.Convention && t.Evidence.Count > 0).Select(t => t.Name).ToList();
        if (conventionsCited.Count > 0)
        {
            throw new InvalidOperationException($"Conventions cite no evidence (a source would make them thresholds): {string.Join(", ", conventionsCited)}");
        }

        return new RuleSet(root.GetProperty("id").GetString()!, root.GetProperty("version").GetString()!,
            root.GetProperty("title").GetString()!, thresholds, new Templates(criteria, notes, preference, levels, outcomes), null);
    }

    /// <summary>The embedded rule-set file, as shipped.</summary>
    public static string EmbeddedJson()
    {
        using var stream = typeof(RuleSet).Assembly.GetManifestResourceStream("LocalControl.Core.ruleset.json")
            ?? throw new InvalidOperationException("The embedded rule set is missing from this build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static RuleSet LoadEmbedded() => Parse(EmbeddedJson(), EvidenceBase.Default);

    private static OutcomeConditions ParseConditions(JsonElement c)
    {
        foreach (var p in c.EnumerateObject())
        {
            if (p.Name is not ("diameterMm" or "distanceToHilumMm" or "distanceToLargeVesselMm" or "surgical" or "perfectlyVisible" or "ras"
                or "intent" or "lesionsInOrgan" or "liverLesions" or "liverOnly" or "anyLiverUnresectable" or "organPresent" or "setting" or "planTherapies"))
            {
                throw new InvalidOperationException($"Outcome conditions name an unknown condition '{p.Name}'.");
            }
        }

        return new OutcomeConditions
        {
            DiameterMm = Range(c, "diameterMm"),
            DistanceToHilumMm = Range(c, "distanceToHilumMm"),
            DistanceToLargeVesselMm = Range(c, "distanceToLargeVesselMm"),
            Surgical = c.TryGetProperty("surgical", out var s) ? Strings(s) : null,
            PerfectlyVisible = c.TryGetProperty("perfectlyVisible", out var v) ? v.GetBoolean() : null,
            Ras = c.TryGetProperty("ras", out var ras) ? ras.GetString() : null,
            Intent = c.TryGetProperty("intent", out var intent) ? intent.GetString() : null,
            LesionsInOrgan = Range(c, "lesionsInOrgan"),
            LiverLesions = Range(c, "liverLesions"),
            LiverOnly = c.TryGetProperty("liverOnly", out var lo) ? lo.GetBoolean() : null,
            AnyLiverUnresectable = c.TryGetProperty("anyLiverUnresectable", out var au) ? au.GetBoolean() : null,
            OrganPresent = c.TryGetProperty("organPresent", out var op) ? op.GetString() : null,
            Setting = c.TryGetProperty("setting", out var st) ? Strings(st) : null,
            PlanTherapies = c.TryGetProperty("planTherapies", out var pt) ? Strings(pt) : null,
        };
    }

    private static NumericRange? Range(JsonElement c, string name)
    {
        if (!c.TryGetProperty(name, out var r))
        {
            return null;
        }

        double? Edge(string edge) => r.TryGetProperty(edge, out var e) ? e.GetDouble() : null;
        foreach (var p in r.EnumerateObject())
        {
            if (p.Name is not ("atLeast" or "above" or "atMost" or "below"))
            {
                throw new InvalidOperationException($"Outcome condition {name} has an unknown edge '{p.Name}' (atLeast, above, atMost, below).");
            }
        }

        return new NumericRange(Edge("atLeast"), Edge("above"), Edge("atMost"), Edge("below"));
    }

    private double Value(string name) =>
        _thresholds.TryGetValue(name, out var t) ? t.Value : throw new InvalidOperationException($"The rule set lacks threshold '{name}'.");

    private string Fill(string template, string owner) => Placeholder().Replace(template, m =>
        _thresholds.TryGetValue(m.Groups[1].Value, out var t)
            ? t.Value.ToString("0.###", CultureInfo.InvariantCulture)
            : m.Groups[1].Value is "value" or "unit" or "text" or "count" or "lesions" ? m.Value
            : throw new InvalidOperationException($"'{owner}' names an unknown threshold '{m.Groups[1].Value}'."));

    private static IReadOnlyList<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static string? RequiredString(JsonElement root, string name, string source, List<string> problems)
    {
        if (root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Trim().Length > 0)
        {
            return v.GetString()!.Trim();
        }

        problems.Add($"{source}: {name}: is required (a non-empty string naming the centre's rule set)");
        return null;
    }

    private static void CheckOrder(Dictionary<string, Threshold> t, string lower, string upper, string source, List<string> problems)
    {
        if (t[lower].Value > t[upper].Value)
        {
            problems.Add($"{source}: thresholds.{upper}: must be ≥ {lower} ({t[lower].Value.ToString(CultureInfo.InvariantCulture)})");
        }
    }

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();
}
