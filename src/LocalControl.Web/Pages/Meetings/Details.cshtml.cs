using LocalControl.Registry;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Meetings;

/// <summary>A meeting's worklist; coordinators and clinicians add cases, reorder them and take them off.</summary>
public sealed class DetailsModel(CaseRegistry registry, WorklistService worklists, IAuthorizationService authorization) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public long Id { get; set; }

    [BindProperty]
    public string? CaseId { get; set; }

    [BindProperty]
    public bool Up { get; set; }

    public WorklistView? View { get; private set; }

    public bool CanSchedule { get; private set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAddAsync(CancellationToken ct)
    {
        if (!await MaySchedule())
        {
            return Forbid();
        }
        var id = CaseId?.Trim() ?? "";
        if (id.Length == 0)
        {
            return await Refused("Case id: enter the id of the case to add.", ct);
        }
        return await registry.AddToMeetingAsync(Id, id, User.UserName(), ct) switch
        {
            WriteOutcome.Done => Redirect($"/meetings/{Id}"),
            WriteOutcome.Conflict => await Refused($"Case id: {id} is already on this meeting's worklist.", ct),
            _ => await registry.WorklistAsync(Id, ct) is null ? NotFound() : await Refused($"Case id: no case '{id}' in the registry.", ct),
        };
    }

    public async Task<IActionResult> OnPostMoveAsync(CancellationToken ct)
    {
        if (!await MaySchedule())
        {
            return Forbid();
        }
        return await registry.MoveOnMeetingAsync(Id, CaseId ?? "", Up, User.UserName(), ct) == WriteOutcome.Done
            ? Redirect($"/meetings/{Id}")
            : await Refused($"Case id: '{CaseId}' is not on this meeting's worklist.", ct);
    }

    public async Task<IActionResult> OnPostRemoveAsync(CancellationToken ct)
    {
        if (!await MaySchedule())
        {
            return Forbid();
        }
        return await registry.RemoveFromMeetingAsync(Id, CaseId ?? "", User.UserName(), ct) switch
        {
            WriteOutcome.Done => Redirect($"/meetings/{Id}"),
            WriteOutcome.Conflict => await Refused($"{CaseId} was discussed at this meeting: its line stays, with the decision.", ct),
            _ => await Refused($"Case id: '{CaseId}' is not on this meeting's worklist.", ct),
        };
    }

    private async Task<bool> MaySchedule() => (await authorization.AuthorizeAsync(User, Policies.Schedule)).Succeeded;

    private async Task<IActionResult> Refused(string message, CancellationToken ct)
    {
        Error = message;
        if (!await LoadAsync(ct))
        {
            return NotFound();
        }
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        CanSchedule = await MaySchedule();
        var worklist = await registry.WorklistAsync(Id, ct);
        if (worklist is null)
        {
            return false;
        }
        View = await worklists.ViewAsync(worklist, User, ct);
        return true;
    }
}
