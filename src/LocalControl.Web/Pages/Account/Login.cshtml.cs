using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Account;

public sealed class LoginModel(
    SignInManager<RegistryUser> signIn, UserManager<RegistryUser> users, AccountSecurity security, CaseRegistry registry, SetupToken setup,
    ILogger<LoginModel> logger) : PageModel
{
    /// <summary>The one message for an unknown user name, a wrong password and a disabled account.</summary>
    public const string FailedMessage = "Wrong user name or password.";

    [BindProperty]
    public string UserName { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public bool SetupOpen => setup.IsOpen;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var name = (UserName ?? "").Trim();
        var password = Password ?? "";
        var user = name.Length is > 0 and <= 256 ? await users.FindByNameAsync(name) : null;
        // The same work on every path: a password hash is verified whether or not the account exists, and a disabled
        // account is checked only after its password. Accounts are never locked (the limiter throttles per address).
        bool passwordMatches;
        if (user is null)
        {
            security.SpendPasswordCheck(password);
            passwordMatches = false;
        }
        else
        {
            passwordMatches = await users.CheckPasswordAsync(user, password);
        }
        var from = "from " + ClientAddress.Of(HttpContext);
        if (user is null || !passwordMatches || user.Disabled)
        {
            logger.SignInFailed();
            // Who tried is unknown ("anonymous"); an existing account is named, anything else typed is kept only as a
            // keyed hash (it may be a password typed in the wrong box).
            var key = user?.UserName ?? security.UnknownName(name);
            var why = user is null ? "unknown user name" : user.Disabled ? "account disabled" : "wrong password";
            await registry.AuditAsync("anonymous", AuditActions.SignInFailed, "user", key, $"{why}; {from}", HttpContext.RequestAborted);
            ModelState.AddModelError("", FailedMessage);
            return Page();
        }
        await signIn.SignInAsync(user, isPersistent: false);
        logger.SignedIn();
        await registry.AuditAsync(user.UserName!, AuditActions.SignIn, "user", user.UserName!, from, HttpContext.RequestAborted);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/cases");
    }
}
