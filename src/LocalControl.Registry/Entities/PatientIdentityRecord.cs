namespace LocalControl.Registry.Entities;

/// <summary>
/// Who the patient of a case is: medical record number, name, date of birth and sex, kept apart from the clinical data
/// (table <c>patient_identities</c>, one row per case at most) and only as ciphertext. The registry never sees the
/// values: the web app encrypts each field with ASP.NET Core data protection (a key ring kept outside the database)
/// before it reaches this row, and computes <see cref="MrnSearchKey"/> with a key kept beside that key ring.
/// </summary>
public sealed class PatientIdentityRecord
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The case record (unique: a case has one identity).</summary>
    public long CaseRecordId { get; set; }

    /// <summary>The medical record number, encrypted (data-protection payload, base64url); null when not recorded.</summary>
    public string? MrnProtected { get; set; }

    /// <summary>Family name, encrypted; null when not recorded.</summary>
    public string? FamilyNameProtected { get; set; }

    /// <summary>Given name(s), encrypted; null when not recorded.</summary>
    public string? GivenNamesProtected { get; set; }

    /// <summary>Date of birth (ISO yyyy-MM-dd), encrypted; null when not recorded.</summary>
    public string? BirthDateProtected { get; set; }

    /// <summary>Administrative sex (male, female, other, unknown), encrypted; null when not recorded.</summary>
    public string? SexProtected { get; set; }

    /// <summary>
    /// HMAC-SHA256 (64 lower-case hex digits) of the normalised MRN under a key that is not in the database: the MRN
    /// search looks rows up by it without decrypting any. Null when no MRN is recorded.
    /// </summary>
    public string? MrnSearchKey { get; set; }

    /// <summary>Incremented on every change; an edit based on an older version is refused.</summary>
    public int Version { get; set; }

    /// <summary>When the identity last changed (UTC).</summary>
    public DateTime UpdatedUtc { get; set; }

    /// <summary>Who changed it last (user name).</summary>
    public string UpdatedBy { get; set; } = "";
}
