using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Account;

public sealed class LoginModel(SignInManager<RegistryUser> signIn, CaseRegistry registry, SetupToken setup, ILogger<LoginModel> logger) : PageModel
{
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
        var result = await signIn.PasswordSignInAsync(UserName, Password, isPersistent: false, lockoutOnFailure: true);
        if (!result.Succeeded)
        {
            logger.SignInFailed();
            await registry.AuditAsync(UserName.Length > 256 ? UserName[..256] : UserName, AuditActions.SignInFailed, "user", UserName.Length > 256 ? UserName[..256] : UserName,
                result.IsLockedOut ? "locked out" : "wrong user name or password", HttpContext.RequestAborted);
            ModelState.AddModelError("", result.IsLockedOut ? "Too many failed attempts; try again in 15 minutes." : "Wrong user name or password.");
            return Page();
        }
        logger.SignedIn();
        await registry.AuditAsync(UserName, AuditActions.SignIn, "user", UserName, "", HttpContext.RequestAborted);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/cases");
    }
}
