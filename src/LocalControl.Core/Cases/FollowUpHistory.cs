namespace LocalControl.Core.Cases;

/// <summary>
/// What was done and what was seen after the tumour board (docs/follow.md): treatments, follow-up imaging, the RECIST
/// baseline and the patient's vital status. Null lists mean "not recorded"; dates are calendar dates (ISO 8601).
/// </summary>
public sealed record FollowUpHistory
{
    /// <summary>Treatments given, in the order of the file.</summary>
    public IReadOnlyList<Treatment> Treatments { get; init; } = [];

    /// <summary>Follow-up imaging studies, in the order of the file.</summary>
    public IReadOnlyList<FollowUpStudy> FollowUps { get; init; } = [];

    /// <summary>The RECIST 1.1 baseline; null when not chosen (targets are then proposed by the rules, and said so).</summary>
    public RecistBaseline? RecistBaseline { get; init; }

    /// <summary>Vital status; null when not recorded.</summary>
    public SurvivalStatus? Survival { get; init; }

    /// <summary>True when nothing at all is recorded.</summary>
    public bool IsEmpty => Treatments.Count == 0 && FollowUps.Count == 0 && RecistBaseline is null && Survival is null;
}

/// <summary>Therapy of one treatment (case-file spelling in brackets).</summary>
public enum TreatmentKind
{
    /// <summary>Surgical resection (<c>resection</c>).</summary>
    Resection,
    /// <summary>Radiofrequency ablation (<c>rfa</c>).</summary>
    Rfa,
    /// <summary>Microwave ablation (<c>mwa</c>).</summary>
    Mwa,
    /// <summary>Cryoablation (<c>cryoablation</c>).</summary>
    Cryoablation,
    /// <summary>Irreversible electroporation (<c>ire</c>).</summary>
    Ire,
    /// <summary>Stereotactic body radiotherapy (<c>sbrt</c>).</summary>
    Sbrt,
    /// <summary>Hepatic arterial infusion chemotherapy (<c>haic</c>).</summary>
    Haic,
    /// <summary>Selective internal radiation therapy (<c>sirt</c>).</summary>
    Sirt,
    /// <summary>Systemic therapy (<c>systemic</c>).</summary>
    Systemic,
}

/// <summary>Access route of a treatment.</summary>
public enum TreatmentApproach
{
    /// <summary>Not recorded.</summary>
    Unknown,
    /// <summary>Percutaneous (image-guided).</summary>
    Percutaneous,
    /// <summary>Laparoscopic.</summary>
    Laparoscopic,
    /// <summary>Open surgery.</summary>
    Open,
    /// <summary>Endovascular (intra-arterial).</summary>
    Endovascular,
}

/// <summary>Intent of a treatment.</summary>
public enum TreatmentGoal
{
    /// <summary>Not recorded.</summary>
    Unknown,
    /// <summary>Curative intent.</summary>
    Curative,
    /// <summary>Palliative intent.</summary>
    Palliative,
}

/// <summary>One treatment session or course.</summary>
public sealed record Treatment
{
    /// <summary>Identifier, unique within the case.</summary>
    public required string Id { get; init; }

    /// <summary>Date of the treatment (first day of a course).</summary>
    public required DateOnly Date { get; init; }

    /// <summary>The therapy.</summary>
    public required TreatmentKind Therapy { get; init; }

    /// <summary>Lesions treated; empty for a patient-level therapy (systemic, whole-liver HAIC).</summary>
    public IReadOnlyList<string> LesionIds { get; init; } = [];

    /// <summary>Access route.</summary>
    public TreatmentApproach Approach { get; init; }

    /// <summary>Intent.</summary>
    public TreatmentGoal Intent { get; init; }

    /// <summary>Device (ablation system, applicator), free text.</summary>
    public string? Device { get; init; }

    /// <summary>Setting (power and time, energy protocol), free text.</summary>
    public string? Setting { get; init; }

    /// <summary>Regimen (systemic therapy or HAIC), free text.</summary>
    public string? Regimen { get; init; }

    /// <summary>Technical success (Ahmed 2014): treated per protocol and fully covered by the ablation zone; null = not recorded.</summary>
    public bool? TechnicalSuccess { get; init; }

    /// <summary>Complication grade, CIRSE classification 1–6; null = not recorded.</summary>
    public int? ComplicationGrade { get; init; }

    /// <summary>Minimal ablative margin in mm (from <c>localcontrol verify</c> when it ran); negative = tumour outside the zone.</summary>
    public double? MinimalAblativeMarginMm { get; init; }

    /// <summary>True for image-guided ablation, the therapies judged by the ablation terminology (Ahmed 2014).</summary>
    public bool IsAblation => Therapy is TreatmentKind.Rfa or TreatmentKind.Mwa or TreatmentKind.Cryoablation or TreatmentKind.Ire;

    /// <summary>True for a local therapy of named lesions (ablation, resection, SBRT): RECIST no longer measures them.</summary>
    public bool IsLocal => IsAblation || Therapy is TreatmentKind.Resection or TreatmentKind.Sbrt;
}

/// <summary>Imaging modality of a follow-up study.</summary>
public enum ImagingModality
{
    /// <summary>Not recorded.</summary>
    Unknown,
    /// <summary>Computed tomography.</summary>
    Ct,
    /// <summary>Magnetic resonance imaging.</summary>
    Mri,
    /// <summary>PET-CT.</summary>
    PetCt,
    /// <summary>Ultrasound (contrast-enhanced).</summary>
    Us,
}

/// <summary>Whether a lesion is seen on a follow-up study.</summary>
public enum LesionPresence
{
    /// <summary>Seen (measure it).</summary>
    Present,
    /// <summary>Gone.</summary>
    Absent,
    /// <summary>Not evaluable on this study.</summary>
    NotEvaluable,
}

/// <summary>One follow-up imaging study.</summary>
public sealed record FollowUpStudy
{
    /// <summary>Date of the study.</summary>
    public required DateOnly Date { get; init; }

    /// <summary>Modality.</summary>
    public ImagingModality Modality { get; init; }

    /// <summary>Findings per known lesion.</summary>
    public IReadOnlyList<LesionFinding> Lesions { get; init; } = [];

    /// <summary>New lesions seen on this study.</summary>
    public IReadOnlyList<NewLesion> NewLesions { get; init; } = [];
}

/// <summary>What one follow-up study shows of one known lesion.</summary>
public sealed record LesionFinding
{
    /// <summary>Id of the lesion (one of the case's <c>lesions[].id</c>).</summary>
    public required string LesionId { get; init; }

    /// <summary>Longest diameter in mm (0 when gone).</summary>
    public double? LongestDiameterMm { get; init; }

    /// <summary>Short axis in mm (lymph nodes).</summary>
    public double? ShortAxisMm { get; init; }

    /// <summary>Present, absent or not evaluable.</summary>
    public required LesionPresence Status { get; init; }

    /// <summary>Unequivocal progression of a non-target lesion (RECIST 1.1), the reader's judgement; null = not stated.</summary>
    public bool? UnequivocalProgression { get; init; }

    /// <summary>The ablation zone of an ablated lesion; null when not assessed.</summary>
    public AblationZoneFinding? AblationZone { get; init; }
}

/// <summary>The ablation zone on a follow-up study (contrast-enhanced).</summary>
public sealed record AblationZoneFinding
{
    /// <summary>Enhancing (viable-looking) tissue seen; null = not assessed.</summary>
    public bool? EnhancingTissue { get; init; }

    /// <summary>That enhancing tissue lies at the edge of (adjacent to) the ablation zone; null = not stated.</summary>
    public bool? AdjacentToZone { get; init; }

    /// <summary>Longest diameter of the ablation zone in mm.</summary>
    public double? DiameterMm { get; init; }
}

/// <summary>A lesion not known at baseline.</summary>
public sealed record NewLesion
{
    /// <summary>Organ, when stated.</summary>
    public Organ? Organ { get; init; }

    /// <summary>Location, free text.</summary>
    public string? Location { get; init; }

    /// <summary>Size (longest diameter) in mm.</summary>
    public double? SizeMm { get; init; }
}

/// <summary>The RECIST 1.1 baseline: its date and the chosen target and non-target lesions.</summary>
public sealed record RecistBaseline
{
    /// <summary>Date of the baseline study.</summary>
    public DateOnly? Date { get; init; }

    /// <summary>Target lesions (≤ 5, ≤ 2 per organ, measurable).</summary>
    public IReadOnlyList<string> TargetLesionIds { get; init; } = [];

    /// <summary>Non-target lesions.</summary>
    public IReadOnlyList<string> NonTargetLesionIds { get; init; } = [];
}

/// <summary>Vital status of a patient.</summary>
public enum VitalStatus
{
    /// <summary>Not recorded.</summary>
    Unknown,
    /// <summary>Alive at last contact.</summary>
    Alive,
    /// <summary>Dead.</summary>
    Dead,
}

/// <summary>Last contact and vital status, for overall survival.</summary>
public sealed record SurvivalStatus
{
    /// <summary>Date of last contact.</summary>
    public DateOnly? LastContactDate { get; init; }

    /// <summary>Alive or dead.</summary>
    public VitalStatus VitalStatus { get; init; }

    /// <summary>Date of death.</summary>
    public DateOnly? DeathDate { get; init; }
}

/// <summary>The case-file spellings of the follow-up vocabulary.</summary>
public static class FollowUpVocabulary
{
    internal static readonly VocabularyMap<TreatmentKind> Therapies = new(
        (TreatmentKind.Resection, ["resection"]), (TreatmentKind.Rfa, ["rfa"]), (TreatmentKind.Mwa, ["mwa"]), (TreatmentKind.Cryoablation, ["cryoablation"]),
        (TreatmentKind.Ire, ["ire"]), (TreatmentKind.Sbrt, ["sbrt"]), (TreatmentKind.Haic, ["haic"]), (TreatmentKind.Sirt, ["sirt"]), (TreatmentKind.Systemic, ["systemic"]));

    internal static readonly VocabularyMap<TreatmentApproach> Approaches = new(
        (TreatmentApproach.Percutaneous, ["percutaneous"]), (TreatmentApproach.Laparoscopic, ["laparoscopic"]),
        (TreatmentApproach.Open, ["open"]), (TreatmentApproach.Endovascular, ["endovascular"]));

    internal static readonly VocabularyMap<TreatmentGoal> Goals = new(
        (TreatmentGoal.Curative, ["curative"]), (TreatmentGoal.Palliative, ["palliative"]));

    internal static readonly VocabularyMap<ImagingModality> Modalities = new(
        (ImagingModality.Ct, ["ct"]), (ImagingModality.Mri, ["mri"]), (ImagingModality.PetCt, ["pet-ct"]), (ImagingModality.Us, ["us"]));

    internal static readonly VocabularyMap<LesionPresence> Presences = new(
        (LesionPresence.Present, ["present"]), (LesionPresence.Absent, ["absent"]), (LesionPresence.NotEvaluable, ["not-evaluable"]));

    internal static readonly VocabularyMap<VitalStatus> VitalStatuses = new(
        (VitalStatus.Alive, ["alive"]), (VitalStatus.Dead, ["dead"]));

    /// <summary>Case-file spelling of a therapy.</summary>
    public static string ToJson(TreatmentKind value) => Therapies.ToJson(value);

    /// <summary>Case-file spelling of an approach (not for <see cref="TreatmentApproach.Unknown"/>).</summary>
    public static string ToJson(TreatmentApproach value) => Approaches.ToJson(value);

    /// <summary>Case-file spelling of an intent (not for <see cref="TreatmentGoal.Unknown"/>).</summary>
    public static string ToJson(TreatmentGoal value) => Goals.ToJson(value);

    /// <summary>Case-file spelling of a modality (not for <see cref="ImagingModality.Unknown"/>).</summary>
    public static string ToJson(ImagingModality value) => Modalities.ToJson(value);

    /// <summary>Case-file spelling of a lesion status.</summary>
    public static string ToJson(LesionPresence value) => Presences.ToJson(value);

    /// <summary>Case-file spelling of a vital status (not for <see cref="VitalStatus.Unknown"/>).</summary>
    public static string ToJson(VitalStatus value) => VitalStatuses.ToJson(value);

    /// <summary>Parses a therapy spelling.</summary>
    public static bool TryParseTherapy(string text, out TreatmentKind value) => Therapies.TryParse(text, out value);
}
