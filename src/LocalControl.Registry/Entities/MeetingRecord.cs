namespace LocalControl.Registry.Entities;

/// <summary>
/// A tumour-board meeting (table <c>meetings</c>): its date, kind (e.g. "liver MDT") and attendees, and the cases to
/// discuss at it in order (<see cref="MeetingCaseRecord"/>).
/// </summary>
public sealed class MeetingRecord
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The day the board meets.</summary>
    public DateOnly Date { get; set; }

    /// <summary>What kind of board (free text, e.g. "liver MDT", "colorectal MDT").</summary>
    public required string Kind { get; set; }

    /// <summary>Who is expected (free text, one name per line or comma separated); the decision records who signed.</summary>
    public required string Attendees { get; set; }

    /// <summary>Who created it (user name).</summary>
    public required string CreatedBy { get; set; }

    /// <summary>When it was created (UTC).</summary>
    public DateTime CreatedUtc { get; set; }
}

/// <summary>A case on a meeting's worklist (table <c>meeting_cases</c>), at a position, with what became of it there.</summary>
public sealed class MeetingCaseRecord
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The meeting.</summary>
    public long MeetingId { get; set; }

    /// <summary>The case (a case is on a meeting at most once).</summary>
    public long CaseRecordId { get; set; }

    /// <summary>Order of discussion (1 = first); gaps are allowed, order is by position then id.</summary>
    public int Position { get; set; }

    /// <summary>to-discuss, discussed or carried-over (<see cref="MeetingCaseStatus"/>).</summary>
    public required string Status { get; set; }

    /// <summary>The decision recorded for this case at this meeting, when one was.</summary>
    public long? DecisionId { get; set; }

    /// <summary>Carried over: the meeting it was carried to (null while no later meeting exists).</summary>
    public long? CarriedToMeetingId { get; set; }

    /// <summary>When the row last changed (UTC).</summary>
    public DateTime UpdatedUtc { get; set; }
}

/// <summary>The spellings of <see cref="MeetingCaseRecord.Status"/>.</summary>
public static class MeetingCaseStatus
{
    /// <summary>On the worklist, not yet discussed.</summary>
    public const string ToDiscuss = "to-discuss";

    /// <summary>A decision was recorded for it at this meeting.</summary>
    public const string Discussed = "discussed";

    /// <summary>Discussed and to be discussed again: moved to the next meeting.</summary>
    public const string CarriedOver = "carried-over";
}
