namespace LocalControl.Registry.Entities;

/// <summary>
/// One case in the registry: the case file exactly as written (JSON text, the contract of the engine issue)
/// plus a few columns copied out of it for listing and searching. The JSON is the truth; the columns are an index.
/// </summary>
public sealed class CaseRecord
{
    /// <summary>Surrogate key. This, not the case id, is what logs name.</summary>
    public long Id { get; set; }

    /// <summary>The case file's <c>caseId</c> (pseudonymous; unique).</summary>
    public required string CaseId { get; set; }

    /// <summary>Workflow status.</summary>
    public CaseStatus Status { get; set; }

    /// <summary>The case file as JSON text.</summary>
    public required string CaseFileJson { get; set; }

    /// <summary>Number of lesions in the case file.</summary>
    public int LesionCount { get; set; }

    /// <summary>Organs with lesions, comma separated in a stable order (liver,lung,...), for the list.</summary>
    public string Organs { get; set; } = "";

    /// <summary>Date of the tumour-board meeting the case is scheduled for, when scheduled.</summary>
    public DateOnly? MeetingDate { get; set; }

    /// <summary>When the record was created (UTC).</summary>
    public DateTime CreatedUtc { get; set; }

    /// <summary>When the case file or status last changed (UTC).</summary>
    public DateTime UpdatedUtc { get; set; }

    /// <summary>Optimistic-concurrency version, incremented on every change; an edit based on an older version is refused.</summary>
    public int Version { get; set; }

    /// <summary>Decisions recorded for this case (never updated, never deleted).</summary>
    public List<DecisionRecord> Decisions { get; } = [];
}
