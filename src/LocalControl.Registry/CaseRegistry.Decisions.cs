using System.Globalization;
using System.Text.Json;
using LocalControl.Registry.Entities;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Registry;

/// <summary>
/// A user who may be listed as a decision's attendee and then sign it off: enabled, holding a role of
/// <see cref="CaseRegistry.SignOffRoles"/> (a viewer-only account reads and is not one).
/// </summary>
/// <param name="UserName">Account name.</param>
/// <param name="DisplayName">Name shown (the user name when none is set).</param>
/// <param name="Role">The sign-off role held (clinician before coordinator).</param>
public sealed record AttendeeCandidate(string UserName, string DisplayName, string Role);

/// <summary>How a sign-off ended.</summary>
public enum SignOffOutcome
{
    /// <summary>Written with its audit line.</summary>
    Done,
    /// <summary>No such decision on this case.</summary>
    NotFound,
    /// <summary>The user is not listed among the decision's attendees (guests and others cannot sign).</summary>
    NotAttendee,
    /// <summary>
    /// The user is listed but does not now hold a role of <see cref="CaseRegistry.SignOffRoles"/> (a viewer listed on a
    /// decision recorded while viewers could be picked, or an account whose roles changed since): nothing written.
    /// </summary>
    NoSignOffRole,
    /// <summary>The user signed this decision already; nothing written.</summary>
    AlreadySigned,
}

public sealed partial class CaseRegistry
{
    /// <summary>
    /// The roles whose holders may be picked as a decision's attendees and sign it off, in the order a candidate's role
    /// is named: the clinician and the coordinator (the clinical roles of the issue, who see the patient in clear). A
    /// viewer-only account is read-only and is neither offered nor accepted; an account that also holds one of these is.
    /// </summary>
    public static readonly IReadOnlyList<string> SignOffRoles = [Roles.Clinician, Roles.Coordinator];

    /// <summary>Enabled users holding a role of <see cref="SignOffRoles"/>, by display name.</summary>
    public async Task<IReadOnlyList<AttendeeCandidate>> AttendeeCandidatesAsync(CancellationToken ct = default)
    {
        var rows = await SignOffHolders().Select(h => new { h.User.UserName, h.User.DisplayName, h.Role })
            .ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.GroupBy(r => r.UserName!, StringComparer.Ordinal)
            .Select(g => new AttendeeCandidate(g.Key, string.IsNullOrWhiteSpace(g.First().DisplayName) ? g.Key : g.First().DisplayName,
                SignOffRoles.First(role => g.Any(x => x.Role == role))))
            .OrderBy(c => c.DisplayName, StringComparer.CurrentCultureIgnoreCase).ThenBy(c => c.UserName, StringComparer.Ordinal)];
    }

    /// <summary>Whether <paramref name="user"/> is an enabled account holding a role of <see cref="SignOffRoles"/> now.</summary>
    public Task<bool> MaySignOffAsync(string user, CancellationToken ct = default) =>
        SignOffHolders().AnyAsync(h => h.User.UserName == user, ct);

    /// <summary>Each (enabled user, role of <see cref="SignOffRoles"/> they hold) pair: the one definition both questions use.</summary>
    private IQueryable<SignOffHolder> SignOffHolders() =>
        from u in db.Users.AsNoTracking()
        join ur in db.UserRoles on u.Id equals ur.UserId
        join r in db.Roles on ur.RoleId equals r.Id
        where !u.Disabled && SignOffRoles.Contains(r.Name!)
        select new SignOffHolder { User = u, Role = r.Name! };

    // Member-initialised (not a constructor) so that EF Core can translate queries composed on top of it.
    private sealed class SignOffHolder
    {
        public required RegistryUser User { get; init; }

        public required string Role { get; init; }
    }

    /// <summary>The sign-offs of the given decisions, oldest first.</summary>
    public async Task<IReadOnlyList<DecisionSignOff>> SignOffsAsync(IReadOnlyCollection<long> decisionIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(decisionIds);
        if (decisionIds.Count == 0)
        {
            return [];
        }
        return await db.DecisionSignOffs.AsNoTracking().Where(s => decisionIds.Contains(s.DecisionId))
            .OrderBy(s => s.SignedUtc).ThenBy(s => s.Id).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The sign-offs of every decision of a case, oldest first (one query for a page that shows them all).</summary>
    public async Task<IReadOnlyList<DecisionSignOff>> SignOffsOfCaseAsync(string caseId, CancellationToken ct = default) =>
        await (from s in db.DecisionSignOffs.AsNoTracking()
               join d in db.Decisions on s.DecisionId equals d.Id
               where d.Case!.CaseId == caseId
               orderby s.SignedUtc, s.Id
               select s).ToListAsync(ct).ConfigureAwait(false);

    /// <summary>
    /// <paramref name="user"/> signs off decision <paramref name="decisionId"/> of case <paramref name="caseId"/>: only
    /// when listed among its attendees picked from the users (a version-1 decision lists none), only while holding a role
    /// of <see cref="SignOffRoles"/> (checked now, not at the decision: a viewer listed on an older decision stays listed
    /// and shown but cannot sign, nor can an account that has since lost its clinical role), only once. The sign-off
    /// and its audit line are written in one transaction; a second sign-off racing the first is refused by the unique
    /// index (decision, user).
    /// </summary>
    public async Task<(SignOffOutcome Outcome, DecisionSignOff? SignOff)> SignOffAsync(string caseId, long decisionId, string user, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await AuditChain.LockWritersAsync(db, ct).ConfigureAwait(false);
        var decision = await db.Decisions.AsNoTracking().Where(d => d.Id == decisionId && d.Case!.CaseId == caseId)
            .Select(d => new { d.Id, d.ChoicesJson }).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (decision is null)
        {
            return (SignOffOutcome.NotFound, null);
        }
        DecisionContent content;
        try
        {
            content = DecisionContent.Parse(decision.ChoicesJson);
        }
        catch (JsonException)
        {
            return (SignOffOutcome.NotAttendee, null);
        }
        if (!content.Attendees.Any(a => string.Equals(a.UserName, user, StringComparison.Ordinal)))
        {
            return (SignOffOutcome.NotAttendee, null);
        }
        if (!await MaySignOffAsync(user, ct).ConfigureAwait(false))
        {
            return (SignOffOutcome.NoSignOffRole, null);
        }
        if (await db.DecisionSignOffs.AnyAsync(s => s.DecisionId == decisionId && s.UserName == user, ct).ConfigureAwait(false))
        {
            return (SignOffOutcome.AlreadySigned, null);
        }
        var signOff = new DecisionSignOff { DecisionId = decisionId, UserName = user, SignedUtc = AuditChain.ToStoredPrecision(Now()) };
        db.DecisionSignOffs.Add(signOff);
        AddAudit(user, AuditActions.SignOff, "decision", caseId, string.Create(CultureInfo.InvariantCulture, $"decision {decisionId} signed off by attendee {user}"));
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return (SignOffOutcome.AlreadySigned, null);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return (SignOffOutcome.Done, signOff);
    }
}
