namespace LocalControl.Registry.Entities;

/// <summary>
/// An MDT decision, kept forever: what was chosen per lesion, the intent, the rationale and who was there,
/// together with the exact case file, rule-set version and engine output it was based on.
/// Append-only: a changed decision is a new record; the database refuses updates and deletes.
/// </summary>
public sealed class DecisionRecord
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The case this decision belongs to.</summary>
    public long CaseRecordId { get; set; }

    /// <summary>Navigation to the case.</summary>
    public CaseRecord? Case { get; set; }

    /// <summary>Date of the tumour-board meeting.</summary>
    public DateOnly MeetingDate { get; set; }

    /// <summary>curative or palliative.</summary>
    public required string Intent { get; set; }

    /// <summary>Chosen option per lesion and for the patient, as JSON: [{"lesionId":"L1","therapy":"mwa"}, {"lesionId":null,"therapy":"systemic"}].</summary>
    public required string ChoicesJson { get; set; }

    /// <summary>Free-text rationale.</summary>
    public required string Rationale { get; set; }

    /// <summary>Attendees, free text (names and disciplines).</summary>
    public required string Attendees { get; set; }

    /// <summary>The rule-set version of the engine output below.</summary>
    public required string RuleSetVersion { get; set; }

    /// <summary>The engine output (assessment JSON, machine contract) the board saw.</summary>
    public required string AssessmentJson { get; set; }

    /// <summary>The case file the assessment was computed from.</summary>
    public required string CaseFileJson { get; set; }

    /// <summary>Version of the case record the decision was taken on.</summary>
    public int CaseVersion { get; set; }

    /// <summary>User name of the clinician who recorded it.</summary>
    public required string RecordedBy { get; set; }

    /// <summary>When it was recorded (UTC).</summary>
    public DateTime RecordedUtc { get; set; }

    /// <summary>Position in the decisions' hash chain; null only for decisions recorded before the chain existed.</summary>
    public long? ChainSeq { get; set; }

    /// <summary>SHA-256 (hex) of the previous decision of the chain.</summary>
    public string? PrevHash { get; set; }

    /// <summary>SHA-256 (hex) of <see cref="PrevHash"/> and this decision's fields.</summary>
    public string? RowHash { get; set; }
}
