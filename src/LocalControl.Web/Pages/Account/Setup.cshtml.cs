using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Account;

public sealed class SetupModel(SetupToken setup, UserManager<RegistryUser> users, CaseRegistry registry, ILogger<SetupModel> logger) : PageModel
{
    [BindProperty]
    public string Token { get; set; } = "";

    [BindProperty]
    public string UserName { get; set; } = "admin";

    [BindProperty]
    public string Password { get; set; } = "";

    public bool Open => setup.IsOpen;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!setup.IsOpen)
        {
            return Page();
        }
        // Check the password first so that a typo there does not spend the token.
        var user = new RegistryUser { UserName = UserName.Trim(), DisplayName = "Administrator" };
        foreach (var validator in users.PasswordValidators)
        {
            var r = await validator.ValidateAsync(users, user, Password);
            foreach (var e in r.Errors)
            {
                ModelState.AddModelError(nameof(Password), e.Description);
            }
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        if (!setup.TrySpend(Token))
        {
            ModelState.AddModelError(nameof(Token), "Wrong token.");
            return Page();
        }
        var created = await users.CreateAsync(user, Password);
        if (!created.Succeeded)
        {
            // Spent on a failed creation: issue a new one (printed on the console again) rather than lock everyone out.
            await Console.Error.WriteLineAsync($"New one-time setup token: {setup.Issue()}");
            foreach (var e in created.Errors)
            {
                ModelState.AddModelError("", e.Description);
            }
            ModelState.AddModelError("", "A new token has been printed on the server console.");
            return Page();
        }
        await users.AddToRoleAsync(user, Roles.Admin);
        await registry.AuditAsync("system", AuditActions.Create, "user", user.UserName, "first admin with the one-time token", HttpContext.RequestAborted);
        logger.FirstAdminFromToken();
        return Redirect("/account/login");
    }
}
