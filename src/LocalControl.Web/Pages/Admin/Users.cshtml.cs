using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Web.Pages.Admin;

public sealed class UsersModel(UserManager<RegistryUser> users, CaseRegistry registry, ILogger<UsersModel> logger) : PageModel
{
    public sealed record UserRow(string UserName, string DisplayName, IList<string> Roles);

    public List<UserRow> Users { get; private set; } = [];

    [BindProperty]
    public string NewUserName { get; set; } = "";

    [BindProperty]
    public string NewDisplayName { get; set; } = "";

    [BindProperty]
    public string NewRole { get; set; } = Roles.Viewer;

    [BindProperty]
    public string NewPassword { get; set; } = "";

    public string? Message { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!Roles.All.Contains(NewRole))
        {
            ModelState.AddModelError(nameof(NewRole), "Unknown role.");
        }
        else
        {
            var user = new RegistryUser { UserName = NewUserName.Trim(), DisplayName = NewDisplayName.Trim() };
            var result = await users.CreateAsync(user, NewPassword);
            if (result.Succeeded)
            {
                await users.AddToRoleAsync(user, NewRole);
                await registry.AuditAsync(User.UserName(), AuditActions.Create, "user", user.UserName, $"role {NewRole}", HttpContext.RequestAborted);
                logger.UserCreated(NewRole);
                Message = $"User {user.UserName} added as {NewRole}.";
            }
            foreach (var e in result.Errors)
            {
                ModelState.AddModelError("", e.Description);
            }
        }
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        Users = [];
        foreach (var u in await users.Users.OrderBy(u => u.UserName).ToListAsync())
        {
            Users.Add(new UserRow(u.UserName ?? "", u.DisplayName, await users.GetRolesAsync(u)));
        }
    }
}
