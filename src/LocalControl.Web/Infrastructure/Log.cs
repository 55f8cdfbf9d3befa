namespace LocalControl.Web.Infrastructure;

/// <summary>
/// Every log line the app writes, source-generated. Patient data never appears: cases are named by the registry's
/// surrogate record id, never by case id, lesion, free text or case-file content (a test proves it).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Registry ready: provider {Provider}, {CaseCount} cases")]
    public static partial void RegistryReady(this ILogger logger, string provider, int caseCount);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Treatment and follow-up rows filled for {Filled} case(s) saved before those tables existed; {Unreadable} stored file(s) do not pass the reader and were left for their next edit")]
    public static partial void CaseRowsBackfilled(this ILogger logger, int filled, int unreadable);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Cohort warm-up did not finish ({ErrorType}); the first cohort request will parse the case files")]
    public static partial void CohortWarmUpFailed(this ILogger logger, string errorType);

    [LoggerMessage(EventId = 1045, Level = LogLevel.Information, Message = "Patient identities decrypted into memory at start-up: {Count} in {Milliseconds} ms")]
    public static partial void IdentitiesWarmed(this ILogger logger, int count, long milliseconds);

    [LoggerMessage(EventId = 1046, Level = LogLevel.Warning, Message = "Patient-identity warm-up stopped ({ErrorType}); identities are decrypted on first view")]
    public static partial void IdentitiesWarmUpFailed(this ILogger logger, string errorType);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Seeded {Count} sample cases from the samples folder")]
    public static partial void SamplesSeeded(this ILogger logger, int count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Sample case file {FileName} is invalid and was not seeded ({ErrorCount} errors)")]
    public static partial void SampleInvalid(this ILogger logger, string fileName, int errorCount);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "No samples folder found; the registry starts empty")]
    public static partial void NoSamples(this ILogger logger);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "First admin account created from the environment")]
    public static partial void FirstAdminFromEnvironment(this ILogger logger);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "No admin account exists: a one-time setup token has been printed on the console")]
    public static partial void SetupTokenIssued(this ILogger logger);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "First admin account created with the one-time setup token")]
    public static partial void FirstAdminFromToken(this ILogger logger);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Case record {RecordId} created")]
    public static partial void CaseCreated(this ILogger logger, long recordId);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "Case record {RecordId} updated to version {Version}")]
    public static partial void CaseUpdated(this ILogger logger, long recordId, int version);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "Case record {RecordId} scheduled")]
    public static partial void CaseScheduled(this ILogger logger, long recordId);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Information, Message = "Decision {DecisionId} recorded for case record {RecordId}")]
    public static partial void DecisionRecorded(this ILogger logger, long decisionId, long recordId);

    [LoggerMessage(EventId = 1024, Level = LogLevel.Information, Message = "Write refused for case record {RecordId}: {Outcome}")]
    public static partial void WriteRefused(this ILogger logger, long recordId, string outcome);

    [LoggerMessage(EventId = 1025, Level = LogLevel.Information, Message = "Patient identity of case record {RecordId} changed (identity version {Version})")]
    public static partial void IdentityChanged(this ILogger logger, long recordId, int version);

    [LoggerMessage(EventId = 1026, Level = LogLevel.Error, Message = "Patient identity of case record {RecordId} cannot be decrypted with this server's key ring")]
    public static partial void IdentityUnreadable(this ILogger logger, long recordId);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Information, Message = "User signed in")]
    public static partial void SignedIn(this ILogger logger);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "A sign-in attempt failed")]
    public static partial void SignInFailed(this ILogger logger);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Information, Message = "User account created with role {Role}")]
    public static partial void UserCreated(this ILogger logger, string role);

    [LoggerMessage(EventId = 1040, Level = LogLevel.Warning, Message = "Writing {Count} view audit lines failed (attempt {Attempt}, {ErrorType}); retrying")]
    public static partial void ViewAuditRetry(this ILogger logger, int count, int attempt, string errorType);
}
