using LocalControl.Registry;
using System.Security.Claims;

namespace LocalControl.Web.Infrastructure;

/// <summary>One line of a worklist as shown: the registry's line, the patient (in clear or masked by role) and what the engine says is missing.</summary>
/// <param name="Entry">The registry's line.</param>
/// <param name="Patient">MRN and name as the user may see them.</param>
/// <param name="MissingThatMatters">Missing fields that can change an eligibility (labels).</param>
/// <param name="MissingOther">How many other fields are missing.</param>
/// <param name="Unreadable">The stored file does not pass this version's reader (why).</param>
public sealed record WorklistLine(WorklistEntry Entry, IdentityView Patient, IReadOnlyList<string> MissingThatMatters, int MissingOther, string? Unreadable);

/// <summary>A meeting's worklist as a page shows it.</summary>
public sealed record WorklistView(MeetingSummary Meeting, IReadOnlyList<WorklistLine> Lines, string? IdentityError);

/// <summary>
/// Builds a worklist for a user: each case's missing data from the engine (the same assessment as the case page), the
/// patient's identity in clear for clinical roles and masked for the others.
/// </summary>
public sealed class WorklistService(CaseService cases, IdentityReader identities)
{
    /// <summary>The view of <paramref name="worklist"/> for <paramref name="user"/>.</summary>
    public async Task<WorklistView> ViewAsync(MeetingWorklist worklist, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(worklist);
        var full = await identities.MaySeeAsync(user).ConfigureAwait(false);
        IReadOnlyDictionary<string, PatientIdentity> found = new Dictionary<string, PatientIdentity>();
        string? error = null;
        try
        {
            found = await identities.ReadAsync(worklist.Entries.Select(e => e.CaseId).ToList(), ct).ConfigureAwait(false);
        }
        catch (IdentityKeyRingException e)
        {
            error = e.Message;
        }
        var lines = new List<WorklistLine>(worklist.Entries.Count);
        foreach (var e in worklist.Entries)
        {
            var assessed = cases.Assess(e.CaseFileJson);
            var identity = IdentityView.For(found.GetValueOrDefault(e.CaseId), full);
            if (assessed is null)
            {
                lines.Add(new WorklistLine(e, identity, [], 0, "the stored case file does not pass this version's reader; open the case"));
                continue;
            }
            var missing = assessed.Assessment.MissingData;
            var matters = missing.Where(m => m.ChangesEligibility).Select(m => m.Label).ToList();
            lines.Add(new WorklistLine(e, identity, matters, missing.Count - matters.Count, null));
        }
        return new WorklistView(worklist.Meeting, lines, error);
    }
}
