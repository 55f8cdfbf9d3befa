using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Web.Pages.Admin;

/// <summary>
/// Accounts: add, change the role (demote or promote), disable or enable, reset the password. Every change renews the
/// account's security stamp, so its sessions end at once; every change is audited. An account is disabled rather than
/// deleted (the audit and decisions name it). The last enabled admin cannot be disabled or demoted.
/// </summary>
public sealed class UsersModel(UserManager<RegistryUser> users, CaseRegistry registry, ILogger<UsersModel> logger, AdminFirstSteps firstSteps) : PageModel
{
    public sealed record UserRow(string UserName, string DisplayName, IList<string> Roles, bool Disabled);

    public List<UserRow> Users { get; private set; } = [];

    [BindProperty]
    public string NewUserName { get; set; } = "";

    [BindProperty]
    public string NewDisplayName { get; set; } = "";

    /// <summary>One role for the new account (the form posts <see cref="NewRoles"/>; a client may post this alone).</summary>
    [BindProperty]
    public string NewRole { get; set; } = "";

    /// <summary>The new account's roles (one or more: an admin may also be a clinician).</summary>
    [BindProperty]
    public List<string> NewRoles { get; set; } = [];

    /// <summary>The roles an account is to hold (set-roles): one or more.</summary>
    [BindProperty]
    public List<string> RoleSet { get; set; } = [];

    /// <summary>No enabled account holds the clinician role yet: the first steps are shown open.</summary>
    public bool NoClinicianYet { get; private set; }

    [BindProperty]
    public string NewPassword { get; set; } = "";

    /// <summary>The account a change is for.</summary>
    [BindProperty]
    public string Target { get; set; } = "";

    /// <summary>The new role (set-role).</summary>
    [BindProperty]
    public string Role { get; set; } = "";

    /// <summary>The new password (reset).</summary>
    [BindProperty]
    public string ResetPassword { get; set; } = "";

    public string? Message { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        var roles = NewRoles.Append(NewRole).Where(r => !string.IsNullOrWhiteSpace(r)).Distinct(StringComparer.Ordinal).ToList();
        if (roles.Count == 0)
        {
            ModelState.AddModelError(nameof(NewRoles), "Roles: tick at least one role.");
        }
        else if (roles.FirstOrDefault(r => !Roles.All.Contains(r)) is { } unknown)
        {
            ModelState.AddModelError(nameof(NewRoles), "Unknown role.");
        }
        else
        {
            roles = [.. Roles.All.Where(roles.Contains)];
            var user = new RegistryUser { UserName = NewUserName.Trim(), DisplayName = NewDisplayName.Trim() };
            var result = await users.CreateAsync(user, NewPassword);
            if (result.Succeeded)
            {
                Check(await users.AddToRolesAsync(user, roles));
                var named = string.Join(", ", roles);
                await registry.AuditAsync(User.UserName(), AuditActions.Create, "user", user.UserName, $"role{(roles.Count == 1 ? "" : "s")} {string.Join(",", roles)}", HttpContext.RequestAborted);
                logger.UserCreated(string.Join(",", roles));
                Message = $"User {user.UserName} added as {named}.";
                firstSteps.Forget();
                NewRoles = [];
            }
            foreach (var e in result.Errors)
            {
                ModelState.AddModelError("", e.Description);
            }
        }
        await LoadAsync();
        return Page();
    }

    /// <summary>Sets the roles of an account to exactly <see cref="RoleSet"/> (one or more; an admin may also be a clinician).</summary>
    public Task<IActionResult> OnPostRolesAsync() => ChangeAsync(async user =>
    {
        var wanted = RoleSet.Where(r => !string.IsNullOrWhiteSpace(r)).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            return "Roles: tick at least one role (to stop someone signing in, disable the account).";
        }
        if (wanted.Any(r => !Roles.All.Contains(r)))
        {
            return "Unknown role.";
        }
        wanted = [.. Roles.All.Where(wanted.Contains)];
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && !wanted.Contains(Roles.Admin) && await IsLastEnabledAdminAsync(user))
        {
            return "This is the last enabled admin: add another admin first.";
        }
        var before = Roles.All.Where(current.Contains).ToList();
        if (before.SequenceEqual(wanted))
        {
            return $"{user.UserName} already holds {string.Join(", ", wanted)}: nothing changed.";
        }
        var removed = before.Except(wanted).ToList();
        var added = wanted.Except(before).ToList();
        if (removed.Count > 0)
        {
            Check(await users.RemoveFromRolesAsync(user, removed));
        }
        if (added.Count > 0)
        {
            Check(await users.AddToRolesAsync(user, added));
        }
        return (null, $"roles {string.Join(",", before)} -> {string.Join(",", wanted)}", $"{user.UserName} now holds {string.Join(", ", wanted)}.");
    });

    public Task<IActionResult> OnPostRoleAsync() => ChangeAsync(async user =>
    {
        if (!Roles.All.Contains(Role))
        {
            return "Unknown role.";
        }
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && Role != Roles.Admin && await IsLastEnabledAdminAsync(user))
        {
            return "This is the last enabled admin: add another admin first.";
        }
        Check(await users.RemoveFromRolesAsync(user, current));
        Check(await users.AddToRoleAsync(user, Role));
        return (null, $"role {string.Join(",", current)} -> {Role}", $"{user.UserName} is now {Role}.");
    });

    public Task<IActionResult> OnPostDisableAsync() => ChangeAsync(async user =>
    {
        if (await users.IsInRoleAsync(user, Roles.Admin) && await IsLastEnabledAdminAsync(user))
        {
            return "This is the last enabled admin: add another admin first.";
        }
        user.Disabled = true;
        Check(await users.UpdateAsync(user));
        return (null, "disabled", $"{user.UserName} is disabled and signed out.");
    });

    public Task<IActionResult> OnPostEnableAsync() => ChangeAsync(async user =>
    {
        user.Disabled = false;
        Check(await users.UpdateAsync(user));
        return (null, "enabled", $"{user.UserName} is enabled.");
    });

    public Task<IActionResult> OnPostResetAsync() => ChangeAsync(async user =>
    {
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var result = await users.ResetPasswordAsync(user, token, ResetPassword ?? "");
        if (!result.Succeeded)
        {
            return string.Join(" ", result.Errors.Select(e => e.Description));
        }
        return (null, "password reset by an admin", $"{user.UserName}'s password is reset; give it to them and ask them to change it.");
    });

    // One shape for every change: find the account, apply, renew the stamp (ends its sessions), audit, reload.
    private async Task<IActionResult> ChangeAsync(Func<RegistryUser, Task<ChangeResult>> change)
    {
        var user = await users.FindByNameAsync(Target ?? "");
        if (user is null)
        {
            ModelState.AddModelError("", "No such user.");
        }
        else
        {
            var outcome = await change(user);
            if (outcome.Error is not null)
            {
                ModelState.AddModelError("", outcome.Error);
            }
            else
            {
                Check(await users.UpdateSecurityStampAsync(user));
                firstSteps.Forget();
                await registry.AuditAsync(User.UserName(), AuditActions.UserChange, "user", user.UserName!, outcome.Detail!, HttpContext.RequestAborted);
                Message = outcome.Message;
            }
        }
        await LoadAsync();
        return Page();
    }

    private async Task<bool> IsLastEnabledAdminAsync(RegistryUser user)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        return !admins.Any(a => a.Id != user.Id && !a.Disabled);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }

    private async Task LoadAsync()
    {
        NoClinicianYet = !await AdminFirstSteps.AnyClinicianAsync(users);
        Users = [];
        foreach (var u in await users.Users.OrderBy(u => u.UserName).ToListAsync())
        {
            Users.Add(new UserRow(u.UserName ?? "", u.DisplayName, await users.GetRolesAsync(u), u.Disabled));
        }
    }

    /// <summary>An error to show, or the audit detail and the message of a change that was made.</summary>
    private readonly record struct ChangeResult(string? Error, string? Detail, string? Message)
    {
        public static implicit operator ChangeResult(string error) => new(error, null, null);

        public static implicit operator ChangeResult((string? Error, string Detail, string Message) t) => new(t.Error, t.Detail, t.Message);
    }
}
