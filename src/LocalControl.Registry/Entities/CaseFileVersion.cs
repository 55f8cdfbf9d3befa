namespace LocalControl.Registry.Entities;

/// <summary>
/// One version of a case file, kept forever: every create and every edit adds a row (append-only, like the audit),
/// so the case page can show who changed what between any two versions.
/// </summary>
public sealed class CaseFileVersion
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The case record.</summary>
    public long CaseRecordId { get; set; }

    /// <summary>The record's <see cref="CaseRecord.Version"/> this case file was written as.</summary>
    public int Version { get; set; }

    /// <summary>The case id at that version (a case can be renamed).</summary>
    public required string CaseId { get; set; }

    /// <summary>The case file as JSON text, exactly as stored.</summary>
    public required string CaseFileJson { get; set; }

    /// <summary>SHA-256 (hex) of the UTF-8 case file; the audit line of the change names it.</summary>
    public required string Sha256 { get; set; }

    /// <summary>Who wrote it.</summary>
    public required string ChangedBy { get; set; }

    /// <summary>When (UTC).</summary>
    public DateTime ChangedUtc { get; set; }
}
