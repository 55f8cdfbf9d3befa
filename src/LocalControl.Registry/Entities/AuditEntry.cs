namespace LocalControl.Registry.Entities;

/// <summary>
/// One line of the audit trail: who viewed, changed or decided what, and when. Append-only:
/// the context refuses to change or delete an entry and the database triggers refuse it too.
/// </summary>
public sealed class AuditEntry
{
    /// <summary>Monotonic key.</summary>
    public long Id { get; set; }

    /// <summary>When (UTC).</summary>
    public DateTime AtUtc { get; set; }

    /// <summary>User name of who did it (or "system" for seeding and start-up).</summary>
    public required string UserName { get; set; }

    /// <summary>What was done, one of <see cref="AuditActions"/>.</summary>
    public required string Action { get; set; }

    /// <summary>Kind of thing acted on: case, decision, user, assessment.</summary>
    public required string EntityType { get; set; }

    /// <summary>Which one (case id, decision id, user name).</summary>
    public required string EntityKey { get; set; }

    /// <summary>Short detail, e.g. "version 3 → 4" or "status to-discuss → discussed".</summary>
    public string Detail { get; set; } = "";

    /// <summary>Position in the hash chain (1, 2, 3, ...; unique); null only for rows written before the chain existed.</summary>
    public long? ChainSeq { get; set; }

    /// <summary>SHA-256 (hex) of the previous row of the chain; see <see cref="AuditChain"/>.</summary>
    public string? PrevHash { get; set; }

    /// <summary>SHA-256 (hex) of <see cref="PrevHash"/> and this row's fields; see <see cref="AuditChain"/>.</summary>
    public string? RowHash { get; set; }
}

/// <summary>The audit actions.</summary>
public static class AuditActions
{
    /// <summary>Read a case, its assessment, decisions or summary.</summary>
    public const string View = "view";
    /// <summary>Created a case or a user.</summary>
    public const string Create = "create";
    /// <summary>Changed a case file.</summary>
    public const string Update = "update";
    /// <summary>Changed status or meeting date.</summary>
    public const string Schedule = "schedule";
    /// <summary>Recorded an MDT decision.</summary>
    public const string Decide = "decide";
    /// <summary>An attendee signed off an MDT decision.</summary>
    public const string SignOff = "sign-off";
    /// <summary>Signed in.</summary>
    public const string SignIn = "sign-in";
    /// <summary>A sign-in attempt failed.</summary>
    public const string SignInFailed = "sign-in-failed";
    /// <summary>Seeded sample data.</summary>
    public const string Seed = "seed";
    /// <summary>Signed out.</summary>
    public const string SignOut = "sign-out";
    /// <summary>Changed a password, a role or whether an account is enabled.</summary>
    public const string UserChange = "user-change";
    /// <summary>Entered or changed a patient's identity (the audit names the fields, never their values).</summary>
    public const string Identity = "identity";
    /// <summary>Deleted something (an image).</summary>
    public const string Delete = "delete";
}
