using System.Security.Claims;
using LocalControl.Registry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LocalControl.Web.Infrastructure;

/// <summary>
/// Checks the session cookie against the account on every request: the cookie's security stamp must still be the
/// account's and the account must not be disabled. Signing out, changing or resetting the password, a role change and
/// disabling all renew the stamp, so every copy of an earlier cookie stops working at once, on every device.
/// One indexed read of two columns per request (Identity's own validator re-reads the user and its roles and
/// re-issues the cookie, which is too much to do on every request).
/// </summary>
internal static class SessionValidator
{
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var id = principal?.FindFirstValue(options.UserIdClaimType);
        var stamp = principal?.FindFirstValue(options.SecurityStampClaimType);
        var valid = false;
        if (id is not null && stamp is not null)
        {
            var db = context.HttpContext.RequestServices.GetRequiredService<RegistryDbContext>();
            var account = await db.Users.AsNoTracking().Where(u => u.Id == id)
                .Select(u => new { u.SecurityStamp, u.Disabled }).FirstOrDefaultAsync(context.HttpContext.RequestAborted).ConfigureAwait(false);
            valid = account is { Disabled: false } && string.Equals(account.SecurityStamp, stamp, StringComparison.Ordinal);
        }
        if (!valid)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme).ConfigureAwait(false);
        }
    }
}
