using System.Globalization;
using LocalControl.Registry.Entities;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Registry;

/// <summary>A meeting with how many cases it holds and how many are still to discuss.</summary>
public sealed record MeetingSummary(long Id, DateOnly Date, string Kind, string Attendees, int Cases, int ToDiscuss);

/// <summary>One line of a meeting's worklist.</summary>
public sealed record WorklistEntry(
    int Position,
    string CaseId,
    string Status,
    CaseStatus CaseStatus,
    int LesionCount,
    string Organs,
    int Images,
    long? DecisionId,
    DateOnly? CarriedTo,
    string CaseFileJson);

/// <summary>A meeting and its worklist in order of discussion.</summary>
public sealed record MeetingWorklist(MeetingSummary Meeting, IReadOnlyList<WorklistEntry> Entries);

public sealed partial class CaseRegistry
{
    /// <summary>Longest meeting kind (characters).</summary>
    public const int MaxMeetingKindLength = 128;

    /// <summary>Longest attendee list (characters).</summary>
    public const int MaxAttendeesLength = 4000;

    /// <summary>
    /// Creates a meeting. Cases carried over ("re-discuss") from an earlier meeting that no later meeting has taken yet
    /// are put on its worklist, in the order they were carried, in the same transaction; the audit line says how many.
    /// </summary>
    public async Task<long> CreateMeetingAsync(DateOnly date, string kind, string attendees, string user, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(attendees);
        if (kind.Length > MaxMeetingKindLength || attendees.Length > MaxAttendeesLength)
        {
            throw new ArgumentException("meeting kind or attendees too long");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await AuditChain.LockWritersAsync(db, ct).ConfigureAwait(false);
        var now = Now();
        var meeting = new MeetingRecord { Date = date, Kind = kind.Trim(), Attendees = attendees.Trim(), CreatedBy = user, CreatedUtc = now };
        db.Meetings.Add(meeting);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        var waiting = await (from mc in db.MeetingCases
                             join m in db.Meetings on mc.MeetingId equals m.Id
                             where mc.Status == MeetingCaseStatus.CarriedOver && mc.CarriedToMeetingId == null && m.Date < date
                             orderby m.Date, mc.UpdatedUtc, mc.Id
                             select mc).ToListAsync(ct).ConfigureAwait(false);
        var position = 0;
        foreach (var from in waiting)
        {
            from.CarriedToMeetingId = meeting.Id;
            from.UpdatedUtc = now;
            db.MeetingCases.Add(new MeetingCaseRecord { MeetingId = meeting.Id, CaseRecordId = from.CaseRecordId, Position = ++position, Status = MeetingCaseStatus.ToDiscuss, UpdatedUtc = now });
        }
        AddAudit(user, AuditActions.Create, "meeting", meeting.Id.ToString(CultureInfo.InvariantCulture),
            string.Create(CultureInfo.InvariantCulture, $"meeting {date:yyyy-MM-dd} ({meeting.Kind}); {waiting.Count} case(s) carried over onto it"));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return meeting.Id;
    }

    // One projection for every list of meetings, translated to SQL (the counts are sub-queries).
    private System.Linq.Expressions.Expression<Func<MeetingRecord, MeetingSummary>> SummaryOf => m => new MeetingSummary(m.Id, m.Date, m.Kind, m.Attendees,
        db.MeetingCases.Count(c => c.MeetingId == m.Id),
        db.MeetingCases.Count(c => c.MeetingId == m.Id && c.Status == MeetingCaseStatus.ToDiscuss));

    /// <summary>Meetings from <paramref name="from"/> on (all when null), earliest first, at most <paramref name="take"/>.</summary>
    public async Task<IReadOnlyList<MeetingSummary>> MeetingsAsync(DateOnly? from, int take = 100, CancellationToken ct = default)
    {
        var q = db.Meetings.AsNoTracking().AsQueryable();
        if (from is { } f)
        {
            q = q.Where(m => m.Date >= f);
        }
        return await q.OrderBy(m => m.Date).ThenBy(m => m.Id).Take(Math.Clamp(take, 1, 1000))
            .Select(SummaryOf)
            .ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Past meetings (before <paramref name="before"/>), latest first.</summary>
    public async Task<IReadOnlyList<MeetingSummary>> PastMeetingsAsync(DateOnly before, int take = 20, CancellationToken ct = default) =>
        await db.Meetings.AsNoTracking().Where(m => m.Date < before).OrderByDescending(m => m.Date).ThenByDescending(m => m.Id).Take(Math.Clamp(take, 1, 1000))
            .Select(SummaryOf)
            .ToListAsync(ct).ConfigureAwait(false);

    /// <summary>The next meeting on or after <paramref name="today"/> (the earliest; the lowest id on a tie), or null.</summary>
    public async Task<MeetingWorklist?> NextMeetingAsync(DateOnly today, CancellationToken ct = default)
    {
        var id = await db.Meetings.AsNoTracking().Where(m => m.Date >= today).OrderBy(m => m.Date).ThenBy(m => m.Id).Select(m => (long?)m.Id)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return id is { } i ? await WorklistAsync(i, ct).ConfigureAwait(false) : null;
    }

    /// <summary>A meeting's worklist in order of discussion, or null when there is no such meeting.</summary>
    public async Task<MeetingWorklist?> WorklistAsync(long meetingId, CancellationToken ct = default)
    {
        var meeting = await db.Meetings.AsNoTracking().Where(m => m.Id == meetingId)
            .Select(SummaryOf)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (meeting is null)
        {
            return null;
        }
        var rows = await (from mc in db.MeetingCases.AsNoTracking()
                          join c in db.Cases.AsNoTracking() on mc.CaseRecordId equals c.Id
                          where mc.MeetingId == meetingId
                          orderby mc.Position, mc.Id
                          select new
                          {
                              mc.Position, c.CaseId, mc.Status, CaseStatus = c.Status, c.LesionCount, c.Organs, mc.DecisionId, mc.CarriedToMeetingId, c.CaseFileJson,
                              Images = db.Images.Count(i => i.CaseRecordId == c.Id),
                          }).ToListAsync(ct).ConfigureAwait(false);
        var carriedIds = rows.Where(r => r.CarriedToMeetingId is not null).Select(r => r.CarriedToMeetingId!.Value).Distinct().ToList();
        var carriedDates = carriedIds.Count == 0 ? new Dictionary<long, DateOnly>()
            : await db.Meetings.AsNoTracking().Where(m => carriedIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Date, ct).ConfigureAwait(false);
        var entries = rows.Select((r, n) => new WorklistEntry(n + 1, r.CaseId, r.Status, r.CaseStatus, r.LesionCount, r.Organs, r.Images, r.DecisionId,
            r.CarriedToMeetingId is { } to && carriedDates.TryGetValue(to, out var d) ? d : null, r.CaseFileJson)).ToList();
        return new MeetingWorklist(meeting, entries);
    }

    /// <summary>
    /// Puts a case at the end of a meeting's worklist (and sets the case's meeting date when it has none or an earlier
    /// one). NotFound: no such meeting or case; Conflict: the case is already on it.
    /// </summary>
    public async Task<WriteOutcome> AddToMeetingAsync(long meetingId, string caseId, string user, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await AuditChain.LockWritersAsync(db, ct).ConfigureAwait(false);
        var meeting = await db.Meetings.FirstOrDefaultAsync(m => m.Id == meetingId, ct).ConfigureAwait(false);
        var record = await db.Cases.FirstOrDefaultAsync(c => c.CaseId == caseId, ct).ConfigureAwait(false);
        if (meeting is null || record is null)
        {
            return WriteOutcome.NotFound;
        }
        if (await db.MeetingCases.AnyAsync(m => m.MeetingId == meetingId && m.CaseRecordId == record.Id, ct).ConfigureAwait(false))
        {
            return WriteOutcome.Conflict;
        }
        var last = await db.MeetingCases.Where(m => m.MeetingId == meetingId).MaxAsync(m => (int?)m.Position, ct).ConfigureAwait(false) ?? 0;
        var now = Now();
        db.MeetingCases.Add(new MeetingCaseRecord { MeetingId = meetingId, CaseRecordId = record.Id, Position = last + 1, Status = MeetingCaseStatus.ToDiscuss, UpdatedUtc = now });
        if (record.MeetingDate is not { } date || date < meeting.Date)
        {
            record.MeetingDate = meeting.Date;
            record.UpdatedUtc = now;
        }
        AddAudit(user, AuditActions.Schedule, "meeting", meetingId.ToString(CultureInfo.InvariantCulture),
            string.Create(CultureInfo.InvariantCulture, $"case {caseId} added to the worklist of {meeting.Date:yyyy-MM-dd} at position {last + 1}"));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return WriteOutcome.Done;
    }

    /// <summary>Moves a case one place up (<paramref name="up"/>) or down the worklist; NotFound when it is not on it; Done (unchanged) at either end.</summary>
    public async Task<WriteOutcome> MoveOnMeetingAsync(long meetingId, string caseId, bool up, string user, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await AuditChain.LockWritersAsync(db, ct).ConfigureAwait(false);
        var rows = await (from mc in db.MeetingCases
                          join c in db.Cases on mc.CaseRecordId equals c.Id
                          where mc.MeetingId == meetingId
                          orderby mc.Position, mc.Id
                          select new { Row = mc, c.CaseId }).ToListAsync(ct).ConfigureAwait(false);
        var at = rows.FindIndex(r => r.CaseId == caseId);
        if (at < 0)
        {
            return WriteOutcome.NotFound;
        }
        var to = up ? at - 1 : at + 1;
        if (to < 0 || to >= rows.Count)
        {
            return WriteOutcome.Done;
        }
        // Renumber 1..n in the new order, so that gaps and ties left by earlier edits disappear.
        var order = rows.Select(r => r.Row).ToList();
        (order[at], order[to]) = (order[to], order[at]);
        var now = Now();
        for (var n = 0; n < order.Count; n++)
        {
            if (order[n].Position != n + 1)
            {
                order[n].Position = n + 1;
                order[n].UpdatedUtc = now;
            }
        }
        AddAudit(user, AuditActions.Schedule, "meeting", meetingId.ToString(CultureInfo.InvariantCulture),
            string.Create(CultureInfo.InvariantCulture, $"case {caseId} moved {(up ? "up" : "down")} to position {to + 1}"));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return WriteOutcome.Done;
    }

    /// <summary>Takes a case off a worklist. NotFound: not on it; Conflict: already discussed there (the record stays).</summary>
    public async Task<WriteOutcome> RemoveFromMeetingAsync(long meetingId, string caseId, string user, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await AuditChain.LockWritersAsync(db, ct).ConfigureAwait(false);
        var row = await (from mc in db.MeetingCases
                         join c in db.Cases on mc.CaseRecordId equals c.Id
                         where mc.MeetingId == meetingId && c.CaseId == caseId
                         select mc).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (row is null)
        {
            return WriteOutcome.NotFound;
        }
        if (row.Status != MeetingCaseStatus.ToDiscuss)
        {
            return WriteOutcome.Conflict;
        }
        db.MeetingCases.Remove(row);
        // A case carried here from an earlier meeting goes back to waiting for the next one.
        foreach (var from in await db.MeetingCases.Where(m => m.CarriedToMeetingId == meetingId && m.CaseRecordId == row.CaseRecordId).ToListAsync(ct).ConfigureAwait(false))
        {
            from.CarriedToMeetingId = null;
        }
        AddAudit(user, AuditActions.Schedule, "meeting", meetingId.ToString(CultureInfo.InvariantCulture), $"case {caseId} taken off the worklist");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return WriteOutcome.Done;
    }

    /// <summary>
    /// After a decision: the case's line on the worklist of every meeting on the decision's date becomes "discussed"
    /// (with the decision), or "carried over" when the board asked to re-discuss — then the case goes onto the next
    /// meeting after that date, or waits for the next one created. Returns the audit note ("" when on no worklist).
    /// </summary>
    private async Task<string> MarkDiscussedAsync(CaseRecord record, NewDecision decision, long decisionId, DateTime now, CancellationToken ct)
    {
        var lines = await (from mc in db.MeetingCases
                           join m in db.Meetings on mc.MeetingId equals m.Id
                           where mc.CaseRecordId == record.Id && m.Date == decision.MeetingDate
                           select mc).ToListAsync(ct).ConfigureAwait(false);
        var note = "";
        foreach (var line in lines)
        {
            line.Status = decision.Rediscuss ? MeetingCaseStatus.CarriedOver : MeetingCaseStatus.Discussed;
            line.DecisionId = decisionId;
            line.UpdatedUtc = now;
        }
        if (lines.Count > 0)
        {
            note = string.Create(CultureInfo.InvariantCulture, $"; marked {(decision.Rediscuss ? "carried over" : "discussed")} on the worklist of {decision.MeetingDate:yyyy-MM-dd}");
        }
        if (!decision.Rediscuss)
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return note;
        }
        var next = await db.Meetings.Where(m => m.Date > decision.MeetingDate).OrderBy(m => m.Date).ThenBy(m => m.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (lines.Count == 0)
        {
            // Re-discuss from a meeting without a worklist line: keep a carried-over line on that date's meeting
            // when there is one, so that the next meeting created picks the case up.
            var here = await db.Meetings.Where(m => m.Date == decision.MeetingDate).OrderBy(m => m.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (here is not null)
            {
                var line = new MeetingCaseRecord
                {
                    MeetingId = here.Id, CaseRecordId = record.Id, Position = int.MaxValue / 2, Status = MeetingCaseStatus.CarriedOver, DecisionId = decisionId, UpdatedUtc = now,
                };
                db.MeetingCases.Add(line);
                lines.Add(line);
            }
        }
        if (next is not null && !await db.MeetingCases.AnyAsync(m => m.MeetingId == next.Id && m.CaseRecordId == record.Id, ct).ConfigureAwait(false))
        {
            var last = await db.MeetingCases.Where(m => m.MeetingId == next.Id).MaxAsync(m => (int?)m.Position, ct).ConfigureAwait(false) ?? 0;
            db.MeetingCases.Add(new MeetingCaseRecord { MeetingId = next.Id, CaseRecordId = record.Id, Position = last + 1, Status = MeetingCaseStatus.ToDiscuss, UpdatedUtc = now });
            record.MeetingDate = next.Date;
        }
        if (next is not null)
        {
            foreach (var line in lines)
            {
                line.CarriedToMeetingId = next.Id;
            }
            note += string.Create(CultureInfo.InvariantCulture, $"; re-discuss: carried to the meeting of {next.Date:yyyy-MM-dd}");
        }
        else
        {
            note += "; re-discuss: waits for the next meeting created";
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return note;
    }
}
