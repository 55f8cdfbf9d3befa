namespace LocalControl.Core.Cases;

/// <summary>Organ that holds a lesion.</summary>
public enum Organ
{
    /// <summary>Liver (colorectal liver metastasis, CRLM).</summary>
    Liver,
    /// <summary>Lung.</summary>
    Lung,
    /// <summary>Bone.</summary>
    Bone,
    /// <summary>Lymph node.</summary>
    LymphNode,
    /// <summary>Peritoneum.</summary>
    Peritoneum,
    /// <summary>Any other organ.</summary>
    Other,
}

/// <summary>Result of a mutation test (RAS, BRAF). <see cref="Unknown"/> when not tested or not reported.</summary>
public enum MutationStatus
{
    /// <summary>Not tested, not reported, or not given.</summary>
    Unknown,
    /// <summary>Mutation present.</summary>
    Mutant,
    /// <summary>No mutation found.</summary>
    WildType,
}

/// <summary>Microsatellite status.</summary>
public enum MsiStatus
{
    /// <summary>Not tested, not reported, or not given.</summary>
    Unknown,
    /// <summary>Microsatellite instability high (dMMR).</summary>
    MsiHigh,
    /// <summary>Microsatellite instability low.</summary>
    MsiLow,
    /// <summary>Microsatellite stable (pMMR).</summary>
    Mss,
}

/// <summary>Site of the primary tumour.</summary>
public enum PrimarySite
{
    /// <summary>Colon.</summary>
    Colon,
    /// <summary>Rectum.</summary>
    Rectum,
}

/// <summary>How well a lesion is seen on one guidance modality.</summary>
public enum Visibility
{
    /// <summary>Not assessed on this modality (unknown).</summary>
    NotAssessed,
    /// <summary>Clearly seen: a probe can be targeted at it.</summary>
    Conspicuous,
    /// <summary>Seen, but poorly.</summary>
    Poor,
    /// <summary>Not seen.</summary>
    Invisible,
}

/// <summary>The surgeon's view of whether a lesion can be resected.</summary>
public enum SurgicalAssessment
{
    /// <summary>Not assessed by a surgeon (unknown).</summary>
    NotAssessed,
    /// <summary>Resectable.</summary>
    Resectable,
    /// <summary>Resectable, but with difficulty (major or complex resection).</summary>
    ResectableWithDifficulty,
    /// <summary>Not resectable.</summary>
    Unresectable,
}

/// <summary>Goal of treating a bone lesion, set by the MDT (CIRSE bone standards).</summary>
public enum BoneLesionIntent
{
    /// <summary>Not assessed (unknown).</summary>
    NotAssessed,
    /// <summary>Palliation of pain.</summary>
    PalliativePain,
    /// <summary>Curative (local control of oligometastatic disease).</summary>
    Curative,
}

/// <summary>Treatment intent the patient or referring team prefers.</summary>
public enum TreatmentIntent
{
    /// <summary>No preference stated.</summary>
    NoPreference,
    /// <summary>Curative intent.</summary>
    Curative,
    /// <summary>Disease control without curative intent.</summary>
    DiseaseControl,
    /// <summary>Palliation.</summary>
    Palliative,
}

/// <summary>Best response to a line of systemic therapy (RECIST 1.1 categories).</summary>
public enum BestResponse
{
    /// <summary>Not given.</summary>
    Unknown,
    /// <summary>Complete response.</summary>
    CompleteResponse,
    /// <summary>Partial response.</summary>
    PartialResponse,
    /// <summary>Stable disease.</summary>
    StableDisease,
    /// <summary>Progressive disease.</summary>
    ProgressiveDisease,
    /// <summary>Not evaluable.</summary>
    NotEvaluable,
}

/// <summary>
/// The JSON spellings of every enumerated case-file value, in one place. Parsing is case-insensitive and
/// accepts a few common aliases (e.g. <c>dMMR</c>); writing always uses the first (canonical) spelling.
/// </summary>
public static class CaseVocabulary
{
    /// <summary>Critical structures a lesion may abut, as spelled in <c>adjacentStructures</c>.</summary>
    public static readonly IReadOnlyList<string> AdjacentStructures =
    [
        "bowel", "gallbladder", "stomach", "diaphragm", "heart", "large-bronchus", "pleura", "spinal-cord",
        "nerve-root", "skin", "bile-duct", "large-vessel", "kidney", "pancreas", "oesophagus", "trachea",
        "brachial-plexus", "joint", "other",
    ];

    /// <summary>Structures whose thermal injury is a recognised hazard of ablation (hollow viscera, neural tissue, heart, airways, skin).</summary>
    public static readonly IReadOnlyList<string> ThermallyVulnerableStructures =
    [
        "bowel", "gallbladder", "stomach", "heart", "large-bronchus", "spinal-cord", "nerve-root", "skin",
        "bile-duct", "oesophagus", "trachea", "brachial-plexus",
    ];

    /// <summary>Structures that are neural: they make bone ablation curative intent less favourable (Deschamps 2014).</summary>
    public static readonly IReadOnlyList<string> NeuralStructures = ["spinal-cord", "nerve-root", "brachial-plexus"];

    /// <summary>Hollow viscera: dose-limiting for SBRT and hazardous for thermal ablation.</summary>
    public static readonly IReadOnlyList<string> HollowViscera = ["bowel", "stomach", "oesophagus", "gallbladder"];

    internal static readonly VocabularyMap<Organ> Organs = new(
        (Organ.Liver, ["liver"]), (Organ.Lung, ["lung"]), (Organ.Bone, ["bone"]),
        (Organ.LymphNode, ["lymph-node", "lymph_node", "node"]), (Organ.Peritoneum, ["peritoneum"]), (Organ.Other, ["other"]));

    internal static readonly VocabularyMap<MutationStatus> Mutations = new(
        (MutationStatus.Mutant, ["mutant", "mutated"]), (MutationStatus.WildType, ["wild-type", "wildtype", "wt"]),
        (MutationStatus.Unknown, ["unknown"]));

    internal static readonly VocabularyMap<MsiStatus> Msi = new(
        (MsiStatus.MsiHigh, ["msi-high", "msi-h", "dmmr"]), (MsiStatus.MsiLow, ["msi-low", "msi-l"]),
        (MsiStatus.Mss, ["mss", "pmmr"]), (MsiStatus.Unknown, ["unknown"]));

    internal static readonly VocabularyMap<PrimarySite> PrimarySites = new(
        (PrimarySite.Colon, ["colon"]), (PrimarySite.Rectum, ["rectum"]));

    internal static readonly VocabularyMap<Visibility> Visibilities = new(
        (Visibility.Conspicuous, ["conspicuous"]), (Visibility.Poor, ["poor"]), (Visibility.Invisible, ["invisible"]),
        (Visibility.NotAssessed, ["not-assessed"]));

    internal static readonly VocabularyMap<SurgicalAssessment> SurgicalAssessments = new(
        (SurgicalAssessment.Resectable, ["resectable"]),
        (SurgicalAssessment.ResectableWithDifficulty, ["resectable-with-difficulty"]),
        (SurgicalAssessment.Unresectable, ["unresectable"]),
        (SurgicalAssessment.NotAssessed, ["not-assessed"]));

    internal static readonly VocabularyMap<BoneLesionIntent> BoneIntents = new(
        (BoneLesionIntent.PalliativePain, ["palliative-pain"]), (BoneLesionIntent.Curative, ["curative"]),
        (BoneLesionIntent.NotAssessed, ["not-assessed"]));

    internal static readonly VocabularyMap<TreatmentIntent> Intents = new(
        (TreatmentIntent.Curative, ["curative"]), (TreatmentIntent.DiseaseControl, ["disease-control"]),
        (TreatmentIntent.Palliative, ["palliative"]), (TreatmentIntent.NoPreference, ["no-preference"]));

    internal static readonly VocabularyMap<BestResponse> Responses = new(
        (BestResponse.CompleteResponse, ["complete-response", "cr"]), (BestResponse.PartialResponse, ["partial-response", "pr"]),
        (BestResponse.StableDisease, ["stable-disease", "sd"]), (BestResponse.ProgressiveDisease, ["progressive-disease", "pd"]),
        (BestResponse.NotEvaluable, ["not-evaluable", "ne"]), (BestResponse.Unknown, ["unknown"]));

    /// <summary>The canonical JSON spelling of an enum value of the case file.</summary>
    public static string ToJson(Organ value) => Organs.ToJson(value);

    /// <summary>Parses an organ name as the case file spells it (case-insensitive).</summary>
    public static bool TryParseOrgan(string text, out Organ organ)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Organs.TryParse(text, out organ);
    }

    /// <inheritdoc cref="ToJson(Organ)"/>
    public static string ToJson(MutationStatus value) => Mutations.ToJson(value);

    /// <inheritdoc cref="ToJson(Organ)"/>
    public static string ToJson(MsiStatus value) => Msi.ToJson(value);

    /// <summary>The MSI status in clinicians' words for reports and pages (<c>MSS</c>, <c>MSI-high</c>, <c>MSI-low</c>,
    /// <c>unknown</c>); the case file keeps its own spelling (<see cref="ToJson(MsiStatus)"/>).</summary>
    public static string DisplayName(MsiStatus value) => value switch
    {
        MsiStatus.Mss => "MSS",
        MsiStatus.MsiHigh => "MSI-high",
        MsiStatus.MsiLow => "MSI-low",
        _ => "unknown",
    };

    /// <inheritdoc cref="ToJson(Organ)"/>
    public static string ToJson(PrimarySite value) => PrimarySites.ToJson(value);

    /// <inheritdoc cref="ToJson(Organ)"/>
    public static string ToJson(Visibility value) => Visibilities.ToJson(value);

    /// <inheritdoc cref="ToJson(Organ)"/>
    public static string ToJson(SurgicalAssessment value) => SurgicalAssessments.ToJson(value);

    /// <inheritdoc cref="ToJson(Organ)"/>
    public static string ToJson(BoneLesionIntent value) => BoneIntents.ToJson(value);

    /// <inheritdoc cref="ToJson(Organ)"/>
    public static string ToJson(TreatmentIntent value) => Intents.ToJson(value);

    /// <inheritdoc cref="ToJson(Organ)"/>
    public static string ToJson(BestResponse value) => Responses.ToJson(value);
}

/// <summary>A two-way map between enum values and their JSON spellings (first spelling canonical).</summary>
internal sealed class VocabularyMap<T> where T : struct, Enum
{
    private readonly Dictionary<string, T> _parse = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<T, string> _write = [];

    public VocabularyMap(params (T Value, string[] Spellings)[] entries)
    {
        foreach (var (value, spellings) in entries)
        {
            _write[value] = spellings[0];
            foreach (var s in spellings)
            {
                _parse[s] = value;
            }
        }

        Canonical = [.. entries.Select(e => e.Spellings[0])];
    }

    /// <summary>The canonical spellings, for error messages and the JSON Schema.</summary>
    public IReadOnlyList<string> Canonical { get; }

    public bool TryParse(string text, out T value) => _parse.TryGetValue(text.Trim(), out value);

    public string ToJson(T value) => _write[value];
}
