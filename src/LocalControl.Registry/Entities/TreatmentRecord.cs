namespace LocalControl.Registry.Entities;

/// <summary>
/// One treatment of the case file's <c>treatments[]</c> for one lesion it treated (one row per treatment × lesion; a
/// patient-level therapy such as systemic chemotherapy has one row with no lesion). A copy of the case file, rewritten
/// whenever the case file is saved, so that cohorts can be selected in SQL; the case-file JSON stays the truth.
/// </summary>
public sealed class TreatmentRecord
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The case record.</summary>
    public long CaseRecordId { get; set; }

    /// <summary><c>treatments[].id</c>.</summary>
    public required string TreatmentId { get; set; }

    /// <summary>The lesion this row is for (<c>treatments[].lesionIds[k]</c>); null for a patient-level therapy.</summary>
    public string? LesionId { get; set; }

    /// <summary>Date of the treatment.</summary>
    public DateOnly Date { get; set; }

    /// <summary>resection, rfa, mwa, cryoablation, ire, sbrt, haic, sirt or systemic.</summary>
    public required string Therapy { get; set; }

    /// <summary>percutaneous, laparoscopic, open or endovascular; null when not recorded.</summary>
    public string? Approach { get; set; }

    /// <summary>curative or palliative; null when not recorded.</summary>
    public string? Intent { get; set; }

    /// <summary>Device, free text.</summary>
    public string? Device { get; set; }

    /// <summary>Generator setting, free text.</summary>
    public string? Setting { get; set; }

    /// <summary>Regimen (systemic therapy, HAIC), free text.</summary>
    public string? Regimen { get; set; }

    /// <summary>Technical success as recorded.</summary>
    public bool? TechnicalSuccess { get; set; }

    /// <summary>CIRSE complication grade 1–6.</summary>
    public int? ComplicationGrade { get; set; }

    /// <summary>Minimal ablative margin in mm (from <c>verify</c>).</summary>
    public double? MinimalAblativeMarginMm { get; set; }
}
