namespace LocalControl.Registry.Entities;

/// <summary>
/// One lesion observation of one follow-up study (<c>followUps[i].lesions[j]</c>), with the ablation-zone finding when
/// there is one. A copy of the case file, rewritten whenever the case file is saved; the case-file JSON stays the truth.
/// </summary>
public sealed class FollowUpFindingRecord
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The case record.</summary>
    public long CaseRecordId { get; set; }

    /// <summary>Date of the study (<c>followUps[i].date</c>).</summary>
    public DateOnly StudyDate { get; set; }

    /// <summary>ct, mri, pet-ct or us; null when not recorded.</summary>
    public string? Modality { get; set; }

    /// <summary>The lesion observed.</summary>
    public required string LesionId { get; set; }

    /// <summary>present, absent or not-evaluable.</summary>
    public required string Status { get; set; }

    /// <summary>Longest diameter in mm.</summary>
    public double? LongestDiameterMm { get; set; }

    /// <summary>Short axis in mm (lymph nodes).</summary>
    public double? ShortAxisMm { get; set; }

    /// <summary>The reader's RECIST judgement of unequivocal progression (non-target lesions).</summary>
    public bool? UnequivocalProgression { get; set; }

    /// <summary>True when the study has an <c>ablationZone</c> finding for the lesion.</summary>
    public bool HasAblationZone { get; set; }

    /// <summary><c>ablationZone.enhancingTissue</c>.</summary>
    public bool? EnhancingTissue { get; set; }

    /// <summary><c>ablationZone.adjacentToZone</c>.</summary>
    public bool? AdjacentToZone { get; set; }

    /// <summary><c>ablationZone.diameterMm</c>.</summary>
    public double? ZoneDiameterMm { get; set; }
}
