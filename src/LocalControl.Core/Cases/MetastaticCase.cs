namespace LocalControl.Core.Cases;

/// <summary>
/// One patient's case as brought to the tumour board: the patient and every known metastasis.
/// Every optional value is nullable: <c>null</c> means <b>unknown</b> and is never replaced by a default.
/// </summary>
/// <param name="CaseId">The case identifier (not a patient identifier).</param>
/// <param name="Patient">Patient-level data.</param>
/// <param name="Lesions">Every known metastasis, each with a unique <see cref="Lesion.Id"/>.</param>
public sealed partial record MetastaticCase(string CaseId, Patient Patient, IReadOnlyList<Lesion> Lesions);

/// <summary>Patient-level data of a case. Null means unknown.</summary>
public sealed record Patient
{
    /// <summary>Age in years.</summary>
    public int? AgeYears { get; init; }

    /// <summary>ECOG performance status, 0 (fully active) to 4 (bedbound).</summary>
    public int? Ecog { get; init; }

    /// <summary>RAS (KRAS/NRAS) mutation status.</summary>
    public MutationStatus RasStatus { get; init; }

    /// <summary>BRAF (V600E) mutation status.</summary>
    public MutationStatus BrafStatus { get; init; }

    /// <summary>Microsatellite status.</summary>
    public MsiStatus MsiStatus { get; init; }

    /// <summary>The primary tumour; null when nothing is known of it.</summary>
    public PrimaryTumour? Primary { get; init; }

    /// <summary>Serum carcinoembryonic antigen in ng/mL.</summary>
    public double? CeaNgPerMl { get; init; }

    /// <summary>Months from the primary diagnosis to the detection of metastases (0 = synchronous).</summary>
    public double? DiseaseFreeIntervalMonths { get; init; }

    /// <summary>Prior lines of systemic therapy; null = unknown, empty = none (treatment-naive).</summary>
    public IReadOnlyList<SystemicTherapyLine>? PriorSystemicTherapy { get; init; }

    /// <summary>Liver function and volume; null when nothing is known.</summary>
    public LiverStatus? Liver { get; init; }

    /// <summary>Treatment intent preferred by the patient or referring team, if stated.</summary>
    public TreatmentIntent? TreatmentIntentPreference { get; init; }

    /// <summary>A patient about whom nothing is known.</summary>
    public static Patient Unknown { get; } = new();
}

/// <summary>The primary colorectal tumour.</summary>
public sealed record PrimaryTumour
{
    /// <summary>Colon or rectum.</summary>
    public PrimarySite? Site { get; init; }

    /// <summary>True when the primary had lymph-node metastases (N+).</summary>
    public bool? NodePositive { get; init; }

    /// <summary>True when the primary has been resected.</summary>
    public bool? Resected { get; init; }
}

/// <summary>One line of systemic therapy given before this assessment.</summary>
public sealed record SystemicTherapyLine
{
    /// <summary>Line number (1 = first line).</summary>
    public int? Line { get; init; }

    /// <summary>Regimen as written (e.g. FOLFOX + bevacizumab).</summary>
    public string? Regimen { get; init; }

    /// <summary>True when the regimen contains oxaliplatin.</summary>
    public bool? ContainsOxaliplatin { get; init; }

    /// <summary>Best response on this line.</summary>
    public BestResponse BestResponse { get; init; }

    /// <summary>True when disease progressed on or after this line.</summary>
    public bool? Progressed { get; init; }
}

/// <summary>Liver reserve and function.</summary>
public sealed record LiverStatus
{
    /// <summary>Future liver remnant after the planned resection, percent of total liver volume.</summary>
    public double? FutureLiverRemnantPercent { get; init; }

    /// <summary>True when the liver is cirrhotic.</summary>
    public bool? Cirrhosis { get; init; }

    /// <summary>Serum bilirubin in µmol/L.</summary>
    public double? BilirubinUmolPerL { get; init; }
}

/// <summary>
/// One metastasis. Distances are surface to surface in millimetres; null means unknown.
/// </summary>
public sealed partial record Lesion
{
    /// <summary>Identifier, unique within the case (e.g. "L1").</summary>
    public required string Id { get; init; }

    /// <summary>Organ holding the lesion.</summary>
    public required Organ Organ { get; init; }

    /// <summary>Free-text location (liver segment, lung lobe, bone).</summary>
    public string? Location { get; init; }

    /// <summary>Longest diameter in mm.</summary>
    public double? LongestDiameterMm { get; init; }

    /// <summary>Distance from the lesion to the nearest vessel of calibre ≥ 3 mm, in mm (0 = abutting).</summary>
    public double? DistanceToLargeVesselMm { get; init; }

    /// <summary>Calibre of that nearest large vessel in mm.</summary>
    public double? LargeVesselCalibreMm { get; init; }

    /// <summary>Distance to the hilum in mm (liver: portal triad / main bile duct; lung: hilum).</summary>
    public double? DistanceToHilumMm { get; init; }

    /// <summary>Critical structures the lesion abuts (see <see cref="CaseVocabulary.AdjacentStructures"/>);
    /// null = unknown, empty = none.</summary>
    public IReadOnlyList<string>? AdjacentStructures { get; init; }

    /// <summary>Visibility per guidance modality.</summary>
    public GuidanceVisibility Visibility { get; init; } = GuidanceVisibility.Unknown;

    /// <summary>Depth below the liver capsule in mm (liver lesions).</summary>
    public double? DepthFromCapsuleMm { get; init; }

    /// <summary>The surgeon's assessment of resectability.</summary>
    public SurgicalAssessment SurgicalAssessment { get; init; }

    /// <summary>Prior local treatment of this lesion, free text.</summary>
    public string? PriorLocalTreatment { get; init; }

    /// <summary>Goal of treatment (bone lesions).</summary>
    public BoneLesionIntent Intent { get; init; }

    /// <summary>Worst pain on a 0–10 numeric rating scale (bone lesions).</summary>
    public double? WorstPainScore { get; init; }

    /// <summary>True when a bone lesion erodes the cortex.</summary>
    public bool? CorticalErosion { get; init; }

    /// <summary>Measured volume in mL (from images).</summary>
    public double? VolumeMl { get; init; }

    /// <summary>Longest axial (RECIST-style) diameter in mm (from images).</summary>
    public double? LongestAxialDiameterMm { get; init; }

    /// <summary>Centroid in LPS millimetres (from images).</summary>
    public IReadOnlyList<double>? CentroidMm { get; init; }

    /// <summary>Names of the fields whose values were measured from images rather than typed.</summary>
    public IReadOnlyList<string>? MeasuredFields { get; init; }
}

/// <summary>Visibility of a lesion on each guidance modality.</summary>
public sealed record GuidanceVisibility
{
    /// <summary>Ultrasound.</summary>
    public Visibility Ultrasound { get; init; }

    /// <summary>CT.</summary>
    public Visibility Ct { get; init; }

    /// <summary>MRI.</summary>
    public Visibility Mri { get; init; }

    /// <summary>Cone-beam CT.</summary>
    public Visibility Cbct { get; init; }

    /// <summary>Nothing assessed on any modality.</summary>
    public static GuidanceVisibility Unknown { get; } = new();

    /// <summary>The four modalities in a fixed order.</summary>
    public (string Modality, Visibility Value)[] All() =>
        [("ultrasound", Ultrasound), ("ct", Ct), ("mri", Mri), ("cbct", Cbct)];
}
