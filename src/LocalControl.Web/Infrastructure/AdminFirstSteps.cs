using System.Security.Claims;
using LocalControl.Registry.Entities;
using Microsoft.AspNetCore.Identity;

namespace LocalControl.Web.Infrastructure;

/// <summary>
/// When the admin's first steps are shown (<c>Pages/Shared/_AdminFirstSteps.cshtml</c>): always on the users page, and
/// on the page an admin lands on after signing in (the case list) and the home page while no enabled account holds the
/// clinician role, i.e. before the admin has created the people who use the app. A singleton (one per app).
/// </summary>
public sealed class AdminFirstSteps
{
    /// <summary>True when some enabled account holds the clinician role.</summary>
    public static async Task<bool> AnyClinicianAsync(UserManager<RegistryUser> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        return (await users.GetUsersInRoleAsync(Roles.Clinician).ConfigureAwait(false)).Any(u => !u.Disabled);
    }

    // The answer is kept for a minute (an admin reading the case list should not pay a users query on every page) and
    // forgotten at once when the users page changes an account (Forget), so the steps go as soon as a clinician exists.
    private long _knownUntil;
    private volatile bool _anyClinician;

    /// <summary>Forgets the kept answer (called by the users page after every change to an account).</summary>
    public void Forget() => Interlocked.Exchange(ref _knownUntil, 0);

    /// <summary>Whether <paramref name="user"/> is an admin and no enabled clinician account exists yet (a query for admins only, at most once a minute).</summary>
    public async Task<bool> ShowAsync(ClaimsPrincipal user, UserManager<RegistryUser> users)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!user.IsInRole(Roles.Admin))
        {
            return false;
        }
        if (Environment.TickCount64 >= Interlocked.Read(ref _knownUntil))
        {
            _anyClinician = await AnyClinicianAsync(users).ConfigureAwait(false);
            Interlocked.Exchange(ref _knownUntil, Environment.TickCount64 + 60_000);
        }
        return !_anyClinician;
    }
}
