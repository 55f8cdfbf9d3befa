using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Account;

public sealed class LogoutModel(SignInManager<RegistryUser> signIn, UserManager<RegistryUser> users, CaseRegistry registry) : PageModel
{
    public IActionResult OnGet() => Redirect("/cases");

    public async Task<IActionResult> OnPostAsync()
    {
        // A new security stamp ends this session everywhere: a copy of the cookie (another tab, another device,
        // a stolen one) is refused on its next request.
        var user = await users.GetUserAsync(User);
        if (user is not null)
        {
            await users.UpdateSecurityStampAsync(user);
            await registry.AuditAsync(user.UserName!, AuditActions.SignOut, "user", user.UserName!, "sessions ended", HttpContext.RequestAborted);
        }
        await signIn.SignOutAsync();
        return Redirect("/account/login");
    }
}
