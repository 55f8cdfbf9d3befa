using LocalControl.Registry;
using LocalControl.Registry.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Account;

/// <summary>Any signed-in user changes their own password; every other session of the account ends, this one continues.</summary>
public sealed class PasswordModel(UserManager<RegistryUser> users, SignInManager<RegistryUser> signIn, CaseRegistry registry) : PageModel
{
    [BindProperty]
    public string CurrentPassword { get; set; } = "";

    [BindProperty]
    public string NewPassword { get; set; } = "";

    [BindProperty]
    public string ConfirmPassword { get; set; } = "";

    public bool Done { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        if (!string.Equals(NewPassword, ConfirmPassword, StringComparison.Ordinal))
        {
            ModelState.AddModelError(nameof(ConfirmPassword), "The two new passwords differ.");
            return Page();
        }
        var result = await users.ChangePasswordAsync(user, CurrentPassword ?? "", NewPassword ?? "");
        if (!result.Succeeded)
        {
            foreach (var e in result.Errors)
            {
                ModelState.AddModelError("", e.Code == "PasswordMismatch" ? "The current password is wrong." : e.Description);
            }
            return Page();
        }
        // ChangePasswordAsync renewed the security stamp: re-issue this session's cookie with the new one.
        await signIn.RefreshSignInAsync(user);
        await registry.AuditAsync(user.UserName!, AuditActions.UserChange, "user", user.UserName!, "changed own password", HttpContext.RequestAborted);
        Done = true;
        return Page();
    }
}
