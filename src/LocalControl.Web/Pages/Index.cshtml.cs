using LocalControl.Registry;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages;

/// <summary>The home page: the next meeting's worklist (the earliest meeting today or later).</summary>
public sealed class IndexModel(CaseRegistry registry, WorklistService worklists, IAuthorizationService authorization, TimeProvider clock,
    Microsoft.AspNetCore.Identity.UserManager<LocalControl.Registry.Entities.RegistryUser> users, AdminFirstSteps firstSteps) : PageModel
{
    /// <summary>An admin signed in on a registry without a clinician account yet: the first steps are shown.</summary>
    public bool ShowFirstSteps { get; private set; }

    public WorklistView? View { get; private set; }

    public bool CanSchedule { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        CanSchedule = (await authorization.AuthorizeAsync(User, Policies.Schedule)).Succeeded;
        ShowFirstSteps = await firstSteps.ShowAsync(User, users);
        var next = await registry.NextMeetingAsync(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct);
        View = next is null ? null : await worklists.ViewAsync(next, User, ct);
    }
}
