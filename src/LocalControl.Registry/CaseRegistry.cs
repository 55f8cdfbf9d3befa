using LocalControl.Registry.Entities;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Registry;

/// <summary>
/// What the caller extracted from a valid case file: the JSON, the columns the list needs and the treatment and
/// follow-up rows (<see cref="CaseFileRows"/>). Build it with <see cref="From"/> so that the rows are always those of
/// the JSON; the registry rewrites a case's rows from this on every save.
/// </summary>
/// <param name="CaseId">The case file's caseId.</param>
/// <param name="CaseFileJson">The case file as JSON text.</param>
/// <param name="LesionCount">Number of lesions.</param>
/// <param name="Organs">Organs with lesions, comma separated.</param>
public sealed record CaseFileContent(string CaseId, string CaseFileJson, int LesionCount, string Organs)
{
    /// <summary>One row per treatment × lesion (<c>treatments[]</c>); empty when the case file has none.</summary>
    public IReadOnlyList<TreatmentRecord> Treatments { get; init; } = [];

    /// <summary>One row per follow-up lesion observation (<c>followUps[].lesions[]</c>).</summary>
    public IReadOnlyList<FollowUpFindingRecord> FollowUpFindings { get; init; } = [];

    /// <summary>The content of a case file that <paramref name="case"/> was read from.</summary>
    /// <param name="case">The case as read from <paramref name="caseFileJson"/> (valid).</param>
    /// <param name="caseFileJson">The case-file JSON, stored exactly as given.</param>
    public static CaseFileContent From(LocalControl.Core.Cases.MetastaticCase @case, string caseFileJson)
    {
        ArgumentNullException.ThrowIfNull(@case);
        ArgumentNullException.ThrowIfNull(caseFileJson);
        var organs = @case.Lesions.Select(l => l.Organ).Distinct().Order().Select(LocalControl.Core.Cases.CaseVocabulary.ToJson);
        return new CaseFileContent(@case.CaseId, caseFileJson, @case.Lesions.Count, string.Join(",", organs))
        {
            Treatments = CaseFileRows.Treatments(@case),
            FollowUpFindings = CaseFileRows.FollowUpFindings(@case),
        };
    }
}

/// <summary>A row of the case list.</summary>
public sealed record CaseListItem(string CaseId, CaseStatus Status, int LesionCount, string Organs, DateOnly? MeetingDate, DateTime UpdatedUtc)
{
    /// <summary>The case's record id (the list's identities are read by it, on the unique <c>CaseRecordId</c> index).</summary>
    public long RecordId { get; init; }
}

/// <summary>One page of the case list.</summary>
public sealed record CaseListPage(IReadOnlyList<CaseListItem> Items, int Total, int Page, int PageSize);

/// <summary>A case-list query: free-text search on the case id and organs, optional status filter, 1-based page.</summary>
public sealed record CaseQuery(string? Search = null, CaseStatus? Status = null, int Page = 1, int PageSize = 50)
{
    /// <summary>Only the cases whose patient identity has this MRN search key (<see cref="PatientIdentityRecord.MrnSearchKey"/>); null for all.</summary>
    public string? MrnSearchKey { get; init; }
}

/// <summary>
/// A patient identity as the registry stores it: every field already encrypted by the caller (null = not recorded),
/// and the keyed hash of the normalised MRN.
/// </summary>
public sealed record ProtectedIdentity(string? Mrn, string? FamilyName, string? GivenNames, string? BirthDate, string? Sex, string? MrnSearchKey);

/// <summary>The fields of an MDT decision as the board enters them.</summary>
public sealed record NewDecision(
    DateOnly MeetingDate,
    string Intent,
    string ChoicesJson,
    string Rationale,
    string Attendees,
    string RuleSetVersion,
    string AssessmentJson,
    string CaseFileJson,
    int CaseVersion)
{
    /// <summary>
    /// "Re-discuss": the case is to come back to the board. It is marked carried over at the meeting of
    /// <see cref="MeetingDate"/> and put on the next meeting's worklist (or on the next one created).
    /// </summary>
    public bool Rediscuss { get; init; }
}

/// <summary>How a write ended.</summary>
public enum WriteOutcome
{
    /// <summary>Written and committed.</summary>
    Done,
    /// <summary>No such case.</summary>
    NotFound,
    /// <summary>A case with this id already exists (create) or the id would collide (rename).</summary>
    Conflict,
    /// <summary>The case changed since the caller read it (optimistic concurrency); nothing written.</summary>
    Stale,
}

/// <summary>
/// Reads and writes the registry. Every write runs in one transaction together with its audit entry:
/// either the change and its audit line are both committed, or neither is.
/// </summary>
public sealed partial class CaseRegistry(RegistryDbContext db, TimeProvider clock, ViewAuditQueue? views = null)
{
    /// <summary>Largest page the list returns.</summary>
    public const int MaxPageSize = 200;

    /// <summary>Lists cases, newest change first.</summary>
    public async Task<CaseListPage> ListAsync(CaseQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var page = Math.Clamp(query.Page, 1, MaxPage); // (page - 1) * pageSize stays far below int.MaxValue
        IQueryable<CaseRecord> q = db.Cases.AsNoTracking();
        if (query.Status is { } status)
        {
            q = q.Where(c => c.Status == status);
        }
        if (query.MrnSearchKey is { } mrnKey)
        {
            // An equality lookup on the indexed keyed hash: no row is decrypted to search.
            q = q.Where(c => db.PatientIdentities.Any(p => p.CaseRecordId == c.Id && p.MrnSearchKey == mrnKey));
        }
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // Parameterised, case-insensitive LIKE; the wildcard characters of the search text itself are escaped.
            // SQLite's LIKE ignores ASCII case already; PostgreSQL needs ILIKE. Neither lower-cases every row.
            var pattern = "%" + EscapeLike(query.Search.Trim()) + "%";
            q = db.Database.IsNpgsql()
                ? q.Where(c => EF.Functions.ILike(c.CaseId, pattern, "\\") || EF.Functions.ILike(c.Organs, pattern, "\\"))
                : q.Where(c => EF.Functions.Like(c.CaseId, pattern, "\\") || EF.Functions.Like(c.Organs, pattern, "\\"));
        }
        var total = await q.CountAsync(ct).ConfigureAwait(false);
        // Both keys descending, matching the (UpdatedUtc, Id) index: the database walks the index backwards and
        // stops after one page instead of sorting every row (a mixed direction forced a full sort).
        var items = await q.OrderByDescending(c => c.UpdatedUtc).ThenByDescending(c => c.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(c => new CaseListItem(c.CaseId, c.Status, c.LesionCount, c.Organs, c.MeetingDate, c.UpdatedUtc) { RecordId = c.Id })
            .ToListAsync(ct).ConfigureAwait(false);
        return new CaseListPage(items, total, page, pageSize);
    }

    /// <summary>Reads a case without auditing (for internal use, e.g. before a write).</summary>
    public Task<CaseRecord?> FindAsync(string caseId, CancellationToken ct = default) =>
        db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.CaseId == caseId, ct);

    /// <summary>Reads a case and audits the view for <paramref name="user"/> (through the <see cref="ViewAuditQueue"/> when one is registered).</summary>
    public async Task<CaseRecord?> ViewAsync(string caseId, string user, string what, CancellationToken ct = default)
    {
        var record = await FindAsync(caseId, ct).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }
        if (views is null)
        {
            await AuditAsync(user, AuditActions.View, "case", caseId, what, ct).ConfigureAwait(false);
        }
        else
        {
            await views.EnqueueAsync(new AuditEntry
            {
                AtUtc = Now(), UserName = user, Action = AuditActions.View, EntityType = "case", EntityKey = caseId, Detail = what,
            }, ct).ConfigureAwait(false);
        }
        return record;
    }

    /// <summary>Creates a case with status to-discuss.</summary>
    public async Task<WriteOutcome> CreateAsync(CaseFileContent content, string user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        if (await db.Cases.AnyAsync(c => c.CaseId == content.CaseId, ct).ConfigureAwait(false))
        {
            return WriteOutcome.Conflict;
        }
        var now = Now();
        var created = new CaseRecord
        {
            CaseId = content.CaseId,
            CaseFileJson = content.CaseFileJson,
            LesionCount = content.LesionCount,
            Organs = content.Organs,
            Status = CaseStatus.ToDiscuss,
            CreatedUtc = now,
            UpdatedUtc = now,
            Version = 1,
        };
        db.Cases.Add(created);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Lost a race with a concurrent create of the same id? The unique index decided.
            await tx.RollbackAsync(ct).ConfigureAwait(false);
            if (await ExistsElsewhereAsync(content.CaseId).ConfigureAwait(false))
            {
                return WriteOutcome.Conflict;
            }
            throw;
        }
        AddRows(created.Id, content);
        var sha = AddVersion(created, user, now);
        AddAudit(user, AuditActions.Create, "case", content.CaseId, $"version 1; case file sha256 {sha}");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return WriteOutcome.Done;
    }

    /// <summary>Replaces the case file of <paramref name="caseId"/> if it is still at <paramref name="expectedVersion"/>;
    /// <paramref name="note"/> (e.g. "treatment T2 added on the case page") is added to the audit line.</summary>
    public async Task<(WriteOutcome Outcome, int Version)> UpdateAsync(string caseId, int expectedVersion, CaseFileContent content, string user, CancellationToken ct = default, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        // The rows below are replaced from what this transaction reads: hold the writers' lock from the first read.
        await AuditChain.LockWritersAsync(db, ct).ConfigureAwait(false);
        var record = await db.Cases.FirstOrDefaultAsync(c => c.CaseId == caseId, ct).ConfigureAwait(false);
        if (record is null)
        {
            return (WriteOutcome.NotFound, 0);
        }
        if (record.Version != expectedVersion)
        {
            return (WriteOutcome.Stale, record.Version);
        }
        if (content.CaseId != caseId && await db.Cases.AnyAsync(c => c.CaseId == content.CaseId, ct).ConfigureAwait(false))
        {
            return (WriteOutcome.Conflict, record.Version);
        }
        var now = Now();
        if (!await db.CaseVersions.AnyAsync(v => v.CaseRecordId == record.Id, ct).ConfigureAwait(false))
        {
            // A case created before versions were kept: keep the file being replaced as its first known version.
            AddVersion(record, "unknown (before versions were kept)", record.UpdatedUtc);
        }
        var detail = content.CaseId == caseId
            ? $"version {record.Version} -> {record.Version + 1}"
            : $"version {record.Version} -> {record.Version + 1}; renamed from {caseId}";
        record.CaseId = content.CaseId;
        record.CaseFileJson = content.CaseFileJson;
        record.LesionCount = content.LesionCount;
        record.Organs = content.Organs;
        record.UpdatedUtc = now;
        record.Version++;
        // The rows are a copy of the case file: replace them in the same transaction as the JSON they come from.
        db.Treatments.RemoveRange(await db.Treatments.Where(t => t.CaseRecordId == record.Id).ToListAsync(ct).ConfigureAwait(false));
        db.FollowUpFindings.RemoveRange(await db.FollowUpFindings.Where(f => f.CaseRecordId == record.Id).ToListAsync(ct).ConfigureAwait(false));
        AddRows(record.Id, content);
        var sha = AddVersion(record, user, now);
        AddAudit(user, AuditActions.Update, "case", content.CaseId, note is null ? $"{detail}; case file sha256 {sha}" : $"{detail}; {note}; case file sha256 {sha}");
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return (WriteOutcome.Stale, expectedVersion);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return (WriteOutcome.Done, record.Version);
    }

    /// <summary>Sets the status and meeting date (scheduling).</summary>
    public async Task<WriteOutcome> ScheduleAsync(string caseId, CaseStatus status, DateOnly? meetingDate, string user, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var record = await db.Cases.FirstOrDefaultAsync(c => c.CaseId == caseId, ct).ConfigureAwait(false);
        if (record is null)
        {
            return WriteOutcome.NotFound;
        }
        var detail = $"status {record.Status.ToName()} -> {status.ToName()}; meeting {Format(record.MeetingDate)} -> {Format(meetingDate)}";
        record.Status = status;
        record.MeetingDate = meetingDate;
        record.UpdatedUtc = Now();
        record.Version++;
        AddAudit(user, AuditActions.Schedule, "case", caseId, detail);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return WriteOutcome.Stale;
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return WriteOutcome.Done;
    }

    /// <summary>
    /// Records an MDT decision taken on version <see cref="NewDecision.CaseVersion"/> of the case; refused as stale
    /// if the case has changed since (the board must decide on what it saw). A case still "to discuss" becomes "discussed".
    /// </summary>
    public async Task<(WriteOutcome Outcome, long DecisionId)> RecordDecisionAsync(string caseId, NewDecision decision, string user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var record = await db.Cases.FirstOrDefaultAsync(c => c.CaseId == caseId, ct).ConfigureAwait(false);
        if (record is null)
        {
            return (WriteOutcome.NotFound, 0);
        }
        if (record.Version != decision.CaseVersion)
        {
            return (WriteOutcome.Stale, 0);
        }
        var now = Now();
        var entity = new DecisionRecord
        {
            CaseRecordId = record.Id,
            MeetingDate = decision.MeetingDate,
            Intent = decision.Intent,
            ChoicesJson = decision.ChoicesJson,
            Rationale = decision.Rationale,
            Attendees = decision.Attendees,
            RuleSetVersion = decision.RuleSetVersion,
            AssessmentJson = decision.AssessmentJson,
            CaseFileJson = decision.CaseFileJson,
            CaseVersion = decision.CaseVersion,
            RecordedBy = user,
            RecordedUtc = now,
        };
        db.Decisions.Add(entity);
        if (decision.Rediscuss)
        {
            record.Status = CaseStatus.ToDiscuss;
        }
        else if (record.Status == CaseStatus.ToDiscuss)
        {
            record.Status = CaseStatus.Discussed;
        }
        record.UpdatedUtc = now;
        record.Version++;
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return (WriteOutcome.Stale, 0);
        }
        var worklist = await MarkDiscussedAsync(record, decision, entity.Id, now, ct).ConfigureAwait(false);
        AddAudit(user, AuditActions.Decide, "decision", caseId, $"decision {entity.Id}; intent {decision.Intent}; rule set {decision.RuleSetVersion}{worklist}");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return (WriteOutcome.Done, entity.Id);
    }

    /// <summary>Decisions of a case, newest first.</summary>
    public async Task<IReadOnlyList<DecisionRecord>> DecisionsAsync(string caseId, CancellationToken ct = default) =>
        await db.Decisions.AsNoTracking().Where(d => d.Case!.CaseId == caseId)
            .OrderByDescending(d => d.RecordedUtc).ThenByDescending(d => d.Id)
            .ToListAsync(ct).ConfigureAwait(false);

    /// <summary>Records an uploaded image (already stored and checked by the caller) with its audit line.</summary>
    public async Task<(WriteOutcome Outcome, long ImageId)> AddImageAsync(string caseId, CaseImage image, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var record = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.CaseId == caseId, ct).ConfigureAwait(false);
        if (record is null)
        {
            return (WriteOutcome.NotFound, 0);
        }
        image.CaseRecordId = record.Id;
        image.UploadedUtc = Now();
        db.Images.Add(image);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        AddAudit(image.UploadedBy, AuditActions.Create, "image", caseId, $"image {image.Id}: {image.Kind} {image.SizeI}x{image.SizeJ}x{image.SizeK}");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return (WriteOutcome.Done, image.Id);
    }

    /// <summary>Images of a case, oldest first.</summary>
    public async Task<IReadOnlyList<CaseImage>> ImagesAsync(string caseId, CancellationToken ct = default)
    {
        var record = await FindAsync(caseId, ct).ConfigureAwait(false);
        if (record is null)
        {
            return [];
        }
        return await db.Images.AsNoTracking().Where(i => i.CaseRecordId == record.Id).OrderBy(i => i.Id).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>One image of a case; null if it is not that case's.</summary>
    public async Task<CaseImage?> FindImageAsync(string caseId, long imageId, CancellationToken ct = default)
    {
        var record = await FindAsync(caseId, ct).ConfigureAwait(false);
        return record is null ? null
            : await db.Images.AsNoTracking().FirstOrDefaultAsync(i => i.Id == imageId && i.CaseRecordId == record.Id, ct).ConfigureAwait(false);
    }

    /// <summary>Every kept version of a case file, oldest first (the JSON included).</summary>
    public async Task<IReadOnlyList<CaseFileVersion>> VersionsAsync(string caseId, CancellationToken ct = default)
    {
        var record = await FindAsync(caseId, ct).ConfigureAwait(false);
        return record is null ? []
            : await db.CaseVersions.AsNoTracking().Where(v => v.CaseRecordId == record.Id).OrderBy(v => v.Version).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes an image record (the caller removes the file) with its audit line, which keeps the file's SHA-256 and
    /// size so the audit still says what was removed.
    /// </summary>
    public async Task<WriteOutcome> DeleteImageAsync(string caseId, long imageId, string user, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var record = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.CaseId == caseId, ct).ConfigureAwait(false);
        var image = record is null ? null
            : await db.Images.FirstOrDefaultAsync(i => i.Id == imageId && i.CaseRecordId == record.Id, ct).ConfigureAwait(false);
        if (image is null)
        {
            return WriteOutcome.NotFound;
        }
        db.Images.Remove(image);
        AddAudit(user, AuditActions.Delete, "image", caseId,
            $"image {image.Id}: {image.Kind} {image.SizeI}x{image.SizeJ}x{image.SizeK} uploaded by {image.UploadedBy}; sha256 {image.Sha256}");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return WriteOutcome.Done;
    }

    /// <summary>The patient identity of a case (ciphertext), or null when none is recorded or there is no such case.</summary>
    public Task<PatientIdentityRecord?> IdentityAsync(string caseId, CancellationToken ct = default) =>
        // A join from the case (unique case_id) to its identity (unique case_record_id): two index lookups. The former
        // "identity where some case matches" form made SQLite scan every identity row with a subquery each (≈ 3 ms a case
        // page at 10,000 identities, the web benchmark's case page p95 205 ms instead of 60).
        (from c in db.Cases.AsNoTracking()
         where c.CaseId == caseId
         join p in db.PatientIdentities.AsNoTracking() on c.Id equals p.CaseRecordId
         select p).FirstOrDefaultAsync(ct);

    /// <summary>The patient identities of several cases (ciphertext), by case id; cases without one are absent.</summary>
    public async Task<IReadOnlyDictionary<string, PatientIdentityRecord>> IdentitiesAsync(IReadOnlyCollection<string> caseIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caseIds);
        if (caseIds.Count == 0)
        {
            return new Dictionary<string, PatientIdentityRecord>();
        }
        var rows = await (from c in db.Cases.AsNoTracking()
                          join p in db.PatientIdentities.AsNoTracking() on c.Id equals p.CaseRecordId
                          where caseIds.Contains(c.CaseId)
                          select new { c.CaseId, Identity = p }).ToListAsync(ct).ConfigureAwait(false);
        return rows.ToDictionary(r => r.CaseId, r => r.Identity, StringComparer.Ordinal);
    }

    /// <summary>The patient identities (ciphertext) of the cases with these record ids, by record id: one lookup on the
    /// unique <c>CaseRecordId</c> index, no join with the cases (whose rows hold the case files).</summary>
    public async Task<IReadOnlyDictionary<long, PatientIdentityRecord>> IdentitiesByRecordAsync(IReadOnlyCollection<long> recordIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(recordIds);
        if (recordIds.Count == 0)
        {
            return new Dictionary<long, PatientIdentityRecord>();
        }
        var rows = await db.PatientIdentities.AsNoTracking().Where(p => recordIds.Contains(p.CaseRecordId)).ToListAsync(ct).ConfigureAwait(false);
        return rows.ToDictionary(r => r.CaseRecordId);
    }

    /// <summary>One stored identity with at least one encrypted field (the start-up check that the key ring can read them), or null.</summary>
    public Task<PatientIdentityRecord?> AnyIdentityAsync(CancellationToken ct = default) =>
        db.PatientIdentities.AsNoTracking()
            .Where(p => p.MrnProtected != null || p.FamilyNameProtected != null || p.GivenNamesProtected != null || p.BirthDateProtected != null || p.SexProtected != null)
            .OrderBy(p => p.Id).FirstOrDefaultAsync(ct);

    /// <summary>
    /// Enters or replaces the patient identity of a case if it is still at <paramref name="expectedVersion"/> (0: none
    /// recorded yet). The audit line names the fields that changed (<paramref name="changedFields"/>, e.g. "mrn",
    /// "family name"), never a value. Nothing is written when no field changed.
    /// </summary>
    public async Task<(WriteOutcome Outcome, int Version)> SetIdentityAsync(string caseId, int expectedVersion, ProtectedIdentity identity,
        IReadOnlyList<string> changedFields, string user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(changedFields);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        // The version check reads before it writes: hold the writers' lock from the first read (as an edit does).
        await AuditChain.LockWritersAsync(db, ct).ConfigureAwait(false);
        var record = await db.Cases.AsNoTracking().Where(c => c.CaseId == caseId).Select(c => new { c.Id }).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (record is null)
        {
            return (WriteOutcome.NotFound, 0);
        }
        var row = await db.PatientIdentities.FirstOrDefaultAsync(p => p.CaseRecordId == record.Id, ct).ConfigureAwait(false);
        var current = row?.Version ?? 0;
        if (current != expectedVersion)
        {
            return (WriteOutcome.Stale, current);
        }
        if (changedFields.Count == 0)
        {
            return (WriteOutcome.Done, current);
        }
        if (row is null)
        {
            row = new PatientIdentityRecord { CaseRecordId = record.Id };
            db.PatientIdentities.Add(row);
        }
        row.MrnProtected = identity.Mrn;
        row.FamilyNameProtected = identity.FamilyName;
        row.GivenNamesProtected = identity.GivenNames;
        row.BirthDateProtected = identity.BirthDate;
        row.SexProtected = identity.Sex;
        row.MrnSearchKey = identity.MrnSearchKey;
        row.UpdatedUtc = Now();
        row.UpdatedBy = user;
        row.Version = current + 1;
        AddAudit(user, AuditActions.Identity, "case", caseId,
            $"identity changed ({string.Join(", ", changedFields)}); identity version {current} -> {current + 1}; values not recorded");
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return (WriteOutcome.Stale, current);
        }
        catch (DbUpdateException) when (current == 0)
        {
            // Lost a race with a concurrent first entry: the unique index on the case decided.
            db.ChangeTracker.Clear();
            return (WriteOutcome.Stale, current);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return (WriteOutcome.Done, row.Version);
    }

    /// <summary>Writes one audit line in its own transaction.</summary>
    public async Task AuditAsync(string user, string action, string entityType, string entityKey, string detail, CancellationToken ct = default)
    {
        AddAudit(user, action, entityType, entityKey, detail);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
    }

    /// <summary>Largest page of the audit trail.</summary>
    public const int MaxAuditPageSize = 500;

    /// <summary>Highest page number any list accepts (a larger one would overflow the row offset).</summary>
    public const int MaxPage = 1_000_000;

    /// <summary>
    /// The audit trail, newest first, optionally for one key: the rows about it (a case id, a user name as the thing
    /// acted on) and the rows by it (a user name as who did it).
    /// </summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(string? key, int page, int pageSize, CancellationToken ct = default)
    {
        IQueryable<AuditEntry> q = db.Audit.AsNoTracking();
        if (!string.IsNullOrEmpty(key))
        {
            q = q.Where(a => a.EntityKey == key || a.UserName == key);
        }
        var size = Math.Clamp(pageSize, 1, MaxAuditPageSize);
        var skip = (long)(Math.Clamp(page, 1, MaxPage) - 1) * size;
        return await q.OrderByDescending(a => a.Id)
            .Skip((int)Math.Min(skip, int.MaxValue)).Take(size)
            .ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The treatment rows of a case (one per treatment × lesion), in the order of the case file.</summary>
    public async Task<IReadOnlyList<TreatmentRecord>> TreatmentsAsync(string caseId, CancellationToken ct = default)
    {
        var record = await FindAsync(caseId, ct).ConfigureAwait(false);
        return record is null ? []
            : await db.Treatments.AsNoTracking().Where(t => t.CaseRecordId == record.Id).OrderBy(t => t.Id).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The follow-up lesion observations of a case, in the order of the case file.</summary>
    public async Task<IReadOnlyList<FollowUpFindingRecord>> FollowUpFindingsAsync(string caseId, CancellationToken ct = default)
    {
        var record = await FindAsync(caseId, ct).ConfigureAwait(false);
        return record is null ? []
            : await db.FollowUpFindings.AsNoTracking().Where(f => f.CaseRecordId == record.Id).OrderBy(f => f.Id).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Fills the <c>treatments</c> and <c>follow_up_lesions</c> rows of cases saved before those tables existed (they
    /// get rows on their next edit otherwise): every case whose file mentions <c>treatments</c> or <c>followUps</c> and
    /// has no row in either table is read with the case-file reader and its rows inserted, all in one transaction with
    /// one audit line. Idempotent: a case with rows is never touched, so a second run finds nothing to do. A stored file
    /// that no longer passes the reader is left alone (counted in <c>Unreadable</c>; its next valid edit writes the rows).
    /// Safe when several instances start at once and while edits are saved: it holds the writers' lock from its first read.
    /// </summary>
    public async Task<(int Filled, int Unreadable)> BackfillCaseRowsAsync(CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        // Several app instances may start at once, and another may already be saving edits: decide which cases lack
        // rows only while holding the writers' lock, so a second backfill (or an edit) sees the first one's rows.
        await AuditChain.LockWritersAsync(db, ct).ConfigureAwait(false);
        var candidates = await db.Cases.AsNoTracking()
            .Where(c => !db.Treatments.Any(t => t.CaseRecordId == c.Id) && !db.FollowUpFindings.Any(f => f.CaseRecordId == c.Id))
            .Where(c => c.CaseFileJson.Contains("\"treatments\"") || c.CaseFileJson.Contains("\"followUps\""))
            .Select(c => c.Id).ToListAsync(ct).ConfigureAwait(false);
        var filled = 0;
        var unreadable = 0;
        for (var i = 0; i < candidates.Count; i += 200)
        {
            var chunk = candidates.GetRange(i, Math.Min(200, candidates.Count - i));
            var files = await db.Cases.AsNoTracking().Where(c => chunk.Contains(c.Id)).Select(c => new { c.Id, c.CaseFileJson }).ToListAsync(ct).ConfigureAwait(false);
            foreach (var file in files)
            {
                var read = LocalControl.Core.Cases.CaseFileReader.Read(file.CaseFileJson);
                if (!read.IsValid || read.Case is null)
                {
                    unreadable++;
                    continue;
                }
                var content = CaseFileContent.From(read.Case, file.CaseFileJson);
                if (content.Treatments.Count + content.FollowUpFindings.Count > 0)
                {
                    AddRows(file.Id, content);
                    filled++;
                }
            }
        }
        if (filled > 0)
        {
            AddAudit("system", AuditActions.Update, "case", "treatments+follow_up_lesions",
                $"rows filled for {filled} case(s) saved before the tables existed (case files unchanged)");
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return (filled, unreadable);
    }

    // Fresh copies: the content's rows are templates and may be saved again for another case or version.
    private void AddRows(long caseRecordId, CaseFileContent content)
    {
        foreach (var t in content.Treatments)
        {
            db.Treatments.Add(new TreatmentRecord
            {
                CaseRecordId = caseRecordId, TreatmentId = t.TreatmentId, LesionId = t.LesionId, Date = t.Date, Therapy = t.Therapy,
                Approach = t.Approach, Intent = t.Intent, Device = t.Device, Setting = t.Setting, Regimen = t.Regimen,
                TechnicalSuccess = t.TechnicalSuccess, ComplicationGrade = t.ComplicationGrade, MinimalAblativeMarginMm = t.MinimalAblativeMarginMm,
            });
        }
        foreach (var f in content.FollowUpFindings)
        {
            db.FollowUpFindings.Add(new FollowUpFindingRecord
            {
                CaseRecordId = caseRecordId, StudyDate = f.StudyDate, Modality = f.Modality, LesionId = f.LesionId, Status = f.Status,
                LongestDiameterMm = f.LongestDiameterMm, ShortAxisMm = f.ShortAxisMm, UnequivocalProgression = f.UnequivocalProgression,
                HasAblationZone = f.HasAblationZone, EnhancingTissue = f.EnhancingTissue, AdjacentToZone = f.AdjacentToZone, ZoneDiameterMm = f.ZoneDiameterMm,
            });
        }
    }

    private string AddVersion(CaseRecord record, string user, DateTime at)
    {
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(record.CaseFileJson)));
        var version = new CaseFileVersion
        {
            CaseId = record.CaseId, CaseFileJson = record.CaseFileJson, Sha256 = sha, ChangedBy = user, ChangedUtc = at, Version = record.Version,
        };
        version.CaseRecordId = record.Id;
        db.CaseVersions.Add(version);
        return sha;
    }

    private void AddAudit(string user, string action, string entityType, string entityKey, string detail) =>
        db.Audit.Add(new AuditEntry
        {
            AtUtc = Now(),
            UserName = user,
            Action = action,
            EntityType = entityType,
            EntityKey = entityKey,
            Detail = detail.Length > 1024 ? detail[..1024] : detail,
        });

    private async Task<bool> ExistsElsewhereAsync(string caseId)
    {
        db.ChangeTracker.Clear();
        return await db.Cases.AsNoTracking().AnyAsync(c => c.CaseId == caseId).ConfigureAwait(false);
    }

    // Stored as UTC DateTime (SQLite cannot order DateTimeOffset); truncated to microseconds so both providers agree.
    private DateTime Now()
    {
        var t = clock.GetUtcNow().UtcDateTime;
        return new DateTime(t.Ticks - (t.Ticks % 10), DateTimeKind.Utc);
    }

    private static string Format(DateOnly? d) => d?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "none";

    private static string EscapeLike(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
