using LocalControl.Registry.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Account;

public sealed class LogoutModel(SignInManager<RegistryUser> signIn) : PageModel
{
    public IActionResult OnGet() => Redirect("/cases");

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        return Redirect("/account/login");
    }
}
