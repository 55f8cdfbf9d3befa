using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LocalControl.Core.Evidence;

namespace LocalControl.Core.Rules;

/// <summary>A threshold of the rule set, with its unit, meaning and evidence.</summary>
public sealed record Threshold(string Name, double Value, string Unit, string Meaning, IReadOnlyList<string> Evidence);

/// <summary>A criterion's text and evidence, with thresholds already filled in.</summary>
/// <param name="id">Criterion id (e.g. <c>heat-sink</c>).</param>
/// <param name="description">Text with thresholds filled in.</param>
/// <param name="evidence">Evidence ids it rests on.</param>
public sealed class CriterionDefinition(string id, string description, IReadOnlyList<string> evidence)
{
    /// <summary>Criterion id (e.g. <c>heat-sink</c>).</summary>
    public string Id { get; } = id;

    /// <summary>Text with thresholds filled in.</summary>
    public string Description { get; } = description;

    /// <summary>Evidence ids it rests on.</summary>
    public IReadOnlyList<string> Evidence { get; } = evidence;

    // Shared results without an observed number, keyed by status, severity and the (usually literal) text.
    private (Engine.CriterionStatus Status, Engine.CriterionSeverity Severity, string? Text, Engine.CriterionResult Result)[] _shared = [];

    /// <summary>The one shared result for this status, severity and text (created on first use; thread-safe).</summary>
    internal Engine.CriterionResult Shared(Engine.CriterionStatus status, Engine.CriterionSeverity severity, string? text)
    {
        var shared = Volatile.Read(ref _shared);
        foreach (var s in shared)
        {
            if (s.Status == status && s.Severity == severity && (ReferenceEquals(s.Text, text) || s.Text == text))
            {
                return s.Result;
            }
        }

        var result = new Engine.CriterionResult(this, status, severity, null, text, []);
        if (shared.Length < 16)
        {
            // A lost race only costs a duplicate entry; texts built at run time stop being cached after 16 entries.
            Volatile.Write(ref _shared, [.. shared, (status, severity, text, result)]);
        }

        return result;
    }
}

/// <summary>Which evidence figures to show as expected outcomes of a therapy in an organ and situation.</summary>
/// <param name="Therapy">Therapy id (e.g. <c>rfa</c>).</param>
/// <param name="Organ">Organ (<c>liver</c>, <c>lung</c>, <c>bone</c>) or <c>any</c>.</param>
/// <param name="When">Situation flag (e.g. <c>small</c>, <c>perivascular</c>, <c>first-line</c>, <c>always</c>).</param>
/// <param name="Figures">Figure references <c>ITEM/FIGURE</c>.</param>
public sealed record OutcomeRule(string Therapy, string Organ, string When, IReadOnlyList<string> Figures);

/// <summary>
/// The versioned rule set of the engine (Rules/ruleset.json, docs/rule-set.md): every threshold and criterion
/// text lives here as data, with the evidence it rests on. A centre overrides thresholds with a small file of its
/// own (<see cref="WithOverrides"/>); the report names the resulting version.
/// </summary>
public sealed partial class RuleSet
{
    private static readonly Lazy<RuleSet> DefaultRules = new(LoadEmbedded);
    private readonly FrozenDictionary<string, Threshold> _thresholds;
    private readonly FrozenDictionary<string, CriterionDefinition> _criteria;
    private readonly Dictionary<string, CriterionDefinition> _criteriaByIdentity;
    private readonly Dictionary<string, string> _criterionTemplates;

    private RuleSet(string id, string version, string title, Dictionary<string, Threshold> thresholds,
        Dictionary<string, string> criterionTemplates, Dictionary<string, IReadOnlyList<string>> criterionEvidence,
        Dictionary<string, IReadOnlyList<string>> preferenceByOrgan, IReadOnlyList<OutcomeRule> outcomes, string? basedOn)
    {
        Id = id;
        Version = version;
        Title = title;
        BasedOn = basedOn;
        _thresholds = thresholds.ToFrozenDictionary();
        _criterionTemplates = criterionTemplates;
        CriterionEvidence = criterionEvidence;
        PreferenceByOrgan = preferenceByOrgan;
        Outcomes = outcomes;
        _criteria = criterionTemplates.ToFrozenDictionary(
            kv => kv.Key,
            kv => new CriterionDefinition(kv.Key, Fill(kv.Value, kv.Key), criterionEvidence[kv.Key]));

        // The engine names criteria with string literals, which the runtime interns: keyed by the interned
        // instance, a lookup hashes an object reference instead of the characters (the engine's hottest lookup).
        _criteriaByIdentity = _criteria.ToDictionary(kv => string.Intern(kv.Key), kv => kv.Value, IdentityComparer.Instance);

        SmallLesionMaxMm = Value("smallLesionMaxMm");
        IntermediateLesionMaxMm = Value("intermediateLesionMaxMm");
        LargeVesselMinCalibreMm = Value("largeVesselMinCalibreMm");
        PerivascularDistanceMm = Value("perivascularDistanceMm");
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

    /// <summary>Every criterion by id, with thresholds filled in.</summary>
    public IReadOnlyDictionary<string, CriterionDefinition> Criteria => _criteria;

    /// <summary>Evidence ids per criterion.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> CriterionEvidence { get; }

    /// <summary>Order in which equally eligible local options are listed, per organ.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> PreferenceByOrgan { get; }

    /// <summary>Which outcome figures to show for which therapy, organ and situation.</summary>
    public IReadOnlyList<OutcomeRule> Outcomes { get; }

#pragma warning disable CS1591 // Each threshold is documented in ruleset.json and docs/rule-set.md.
    public double SmallLesionMaxMm { get; }
    public double IntermediateLesionMaxMm { get; }
    public double LargeVesselMinCalibreMm { get; }
    public double PerivascularDistanceMm { get; }
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
#pragma warning restore CS1591

    /// <summary>The definition of a criterion; throws for an id the rule set lacks (a programming error).</summary>
    public CriterionDefinition Criterion(string id) =>
        _criteriaByIdentity.TryGetValue(id, out var fast) ? fast
        : _criteria.TryGetValue(id, out var c) ? c
        : throw new InvalidOperationException($"The rule set has no criterion '{id}'.");

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
                            problems.Add($"{sourceName}: thresholds.{p.Name}: unknown threshold (known: {string.Join(", ", _thresholds.Keys.Order())})");
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
            if (problems.Count > 0)
            {
                throw new LocalControlInputException(string.Join(Environment.NewLine, problems));
            }

            return new RuleSet(id!, version!, Title, thresholds, _criterionTemplates, new(CriterionEvidence),
                new(PreferenceByOrgan), Outcomes, $"{Id} {Version}");
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
                p.Value.GetProperty("unit").GetString()!, p.Value.GetProperty("meaning").GetString()!, Strings(p.Value.GetProperty("evidence")));
        }

        var templates = new Dictionary<string, string>();
        var criterionEvidence = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var p in root.GetProperty("criteria").EnumerateObject())
        {
            templates[p.Name] = p.Value.GetProperty("description").GetString()!;
            criterionEvidence[p.Name] = Strings(p.Value.GetProperty("evidence"));
        }

        var preference = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var p in root.GetProperty("preferenceByOrgan").EnumerateObject())
        {
            preference[p.Name] = Strings(p.Value);
        }

        var outcomes = root.GetProperty("outcomes").EnumerateArray()
            .Select(o => new OutcomeRule(o.GetProperty("therapy").GetString()!, o.GetProperty("organ").GetString()!,
                o.GetProperty("when").GetString()!, Strings(o.GetProperty("figures"))))
            .ToList();

        // Every evidence id and figure the rules cite must exist: a figure is never shown without its source.
        var missing = criterionEvidence.Values.SelectMany(v => v)
            .Concat(thresholds.Values.SelectMany(t => t.Evidence))
            .Where(id => evidence.Find(id) is null)
            .Concat(outcomes.SelectMany(o => o.Figures).Where(f => evidence.FindFigure(f) is null))
            .Distinct()
            .ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"The rule set cites evidence that the evidence base {evidence.Version} lacks: {string.Join(", ", missing)}");
        }

        return new RuleSet(root.GetProperty("id").GetString()!, root.GetProperty("version").GetString()!,
            root.GetProperty("title").GetString()!, thresholds, templates, criterionEvidence, preference, outcomes, null);
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

    private double Value(string name) =>
        _thresholds.TryGetValue(name, out var t) ? t.Value : throw new InvalidOperationException($"The rule set lacks threshold '{name}'.");

    private string Fill(string template, string criterionId) => Placeholder().Replace(template, m =>
        _thresholds.TryGetValue(m.Groups[1].Value, out var t)
            ? t.Value.ToString("0.###", CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"Criterion '{criterionId}' names an unknown threshold '{m.Groups[1].Value}'."));

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

    /// <summary>Compares strings by reference: a hit means the very same (interned) instance.</summary>
    private sealed class IdentityComparer : IEqualityComparer<string>
    {
        public static readonly IdentityComparer Instance = new();

        public bool Equals(string? x, string? y) => ReferenceEquals(x, y);

        public int GetHashCode(string obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();
}
