namespace LocalControl.Registry.Entities;

/// <summary>
/// An attendee's sign-off of an MDT decision: this user agrees that the record is what the board decided. Only a user
/// listed among the decision's attendees signs, only for themselves, once. Append-only like the decision itself (the
/// context and database triggers refuse updates and deletes); each sign-off has its audit line.
/// </summary>
public sealed class DecisionSignOff
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The decision signed.</summary>
    public long DecisionId { get; set; }

    /// <summary>User name of the attendee who signed (the signed-in user).</summary>
    public required string UserName { get; set; }

    /// <summary>When (UTC).</summary>
    public DateTime SignedUtc { get; set; }
}
