using System.Security.Claims;
using System.Text;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using Microsoft.AspNetCore.Authorization;

namespace LocalControl.Web.Infrastructure;

/// <summary>Reads a case's patient identity and shows it as the user's role allows (the summary, the PDF, the case list).</summary>
public sealed class IdentityReader(CaseRegistry registry, PatientIdentityProtector protector, IAuthorizationService authorization)
{
    /// <summary>Whether <paramref name="user"/> sees identities in clear (clinician, coordinator).</summary>
    public async Task<bool> MaySeeAsync(ClaimsPrincipal user) => (await authorization.AuthorizeAsync(user, Policies.Identity).ConfigureAwait(false)).Succeeded;

    /// <summary>The identity of <paramref name="caseId"/> in clear (null: none recorded).</summary>
    /// <exception cref="IdentityKeyRingException">The key ring cannot decrypt it.</exception>
    public async Task<PatientIdentity?> ReadAsync(string caseId, CancellationToken ct)
    {
        var row = await registry.IdentityAsync(caseId, ct).ConfigureAwait(false);
        return row is null ? null : protector.Unprotect(row);
    }

    /// <summary>The identities of several cases in clear, by case id.</summary>
    public async Task<IReadOnlyDictionary<string, PatientIdentity>> ReadAsync(IReadOnlyCollection<string> caseIds, CancellationToken ct)
    {
        var rows = await registry.IdentitiesAsync(caseIds, ct).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Key, r => protector.Unprotect(r.Value), StringComparer.Ordinal);
    }

    /// <summary>The identities of the cases of a list page in clear, by case id (read by record id: see
    /// <see cref="CaseRegistry.IdentitiesByRecordAsync"/>).</summary>
    public async Task<IReadOnlyDictionary<string, PatientIdentity>> ReadAsync(IReadOnlyList<CaseListItem> items, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        var rows = await registry.IdentitiesByRecordAsync(items.Select(i => i.RecordId).ToList(), ct).ConfigureAwait(false);
        var found = new Dictionary<string, PatientIdentity>(rows.Count, StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (rows.TryGetValue(item.RecordId, out var row))
            {
                found[item.CaseId] = protector.Unprotect(row);
            }
        }
        return found;
    }

    /// <summary>
    /// The PDF's download name: <c>summary_MRN-{mrn}_{meeting}.pdf</c> when the user sees the identity in clear and an
    /// MRN is recorded, else <c>summary_case-{case id}_{meeting}.pdf</c>; the meeting date as yyyy-MM-dd or
    /// <c>unscheduled</c>. Every character outside A–Z, a–z, 0–9 and '-' becomes '_', the id is cut to 64 characters.
    /// </summary>
    public static string PdfFileName(CaseRecord record, PatientIdentity? identity, bool full)
    {
        ArgumentNullException.ThrowIfNull(record);
        var who = full && identity?.Mrn is { } mrn ? "MRN-" + Sanitise(mrn) : "case-" + Sanitise(record.CaseId);
        return $"summary_{who}_{Display.Date(record.MeetingDate).Replace("—", "unscheduled", StringComparison.Ordinal)}.pdf";
    }

    private static string Sanitise(string s)
    {
        var sb = new StringBuilder(Math.Min(s.Length, 64));
        foreach (var ch in s)
        {
            if (sb.Length == 64)
            {
                break;
            }
            sb.Append(ch is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' ? ch : '_');
        }
        return sb.ToString();
    }
}

/// <summary>The identity line of the printed summary and the PDF.</summary>
public static class SummaryIdentity
{
    /// <summary>The line shown when the key ring cannot decrypt the identity.</summary>
    public const string Unreadable = "Patient identity cannot be decrypted with this server's key ring (see the case page).";

    /// <summary>The line for <paramref name="user"/>: the identity in clear or masked, "not recorded", or the key-ring error.</summary>
    public static async Task<string> LineAsync(IdentityReader identities, ClaimsPrincipal user, string caseId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(identities);
        try
        {
            return IdentityView.For(await identities.ReadAsync(caseId, ct).ConfigureAwait(false), await identities.MaySeeAsync(user).ConfigureAwait(false)).Line;
        }
        catch (IdentityKeyRingException)
        {
            return Unreadable;
        }
    }
}
