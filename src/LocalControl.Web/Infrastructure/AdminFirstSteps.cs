using System.Security.Claims;
using LocalControl.Registry.Entities;
using Microsoft.AspNetCore.Identity;

namespace LocalControl.Web.Infrastructure;

/// <summary>
/// When the admin's first steps are shown (<c>Pages/Shared/_AdminFirstSteps.cshtml</c>): always on the users page, and
/// on the page an admin lands on after signing in (the case list) and the home page while no enabled account holds the
/// clinician role, i.e. before the admin has created the people who use the app.
/// </summary>
public static class AdminFirstSteps
{
    /// <summary>True when some enabled account holds the clinician role.</summary>
    public static async Task<bool> AnyClinicianAsync(UserManager<RegistryUser> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        return (await users.GetUsersInRoleAsync(Roles.Clinician).ConfigureAwait(false)).Any(u => !u.Disabled);
    }

    /// <summary>Whether <paramref name="user"/> is an admin and no enabled clinician account exists yet (one query, only for admins).</summary>
    public static async Task<bool> ShowAsync(ClaimsPrincipal user, UserManager<RegistryUser> users)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(Roles.Admin) && !await AnyClinicianAsync(users).ConfigureAwait(false);
    }
}
