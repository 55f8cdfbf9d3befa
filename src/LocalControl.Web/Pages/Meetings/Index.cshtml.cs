using LocalControl.Registry;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Meetings;

/// <summary>The meetings: the coming ones, the last 20, and (coordinators and clinicians) a form to create one.</summary>
public sealed class IndexModel(CaseRegistry registry, IAuthorizationService authorization, TimeProvider clock) : PageModel
{
    public IReadOnlyList<MeetingSummary> Coming { get; private set; } = [];

    public IReadOnlyList<MeetingSummary> Past { get; private set; } = [];

    public bool CanSchedule { get; private set; }

    [BindProperty]
    public DateOnly? Date { get; set; }

    [BindProperty]
    public string? Kind { get; set; }

    [BindProperty]
    public string? Attendees { get; set; }

    public Dictionary<string, string> Errors { get; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Schedule)).Succeeded)
        {
            return Forbid();
        }
        // A date that does not parse reaches here as null with a model-state error: say which field.
        if (Date is null)
        {
            Errors["Date"] = ModelState.TryGetValue(nameof(Date), out var entry) && entry.AttemptedValue is { Length: > 0 } typed
                ? $"Date: '{typed}' is not a date (yyyy-MM-dd)."
                : "Date: enter the day the board meets.";
        }
        if (string.IsNullOrWhiteSpace(Kind))
        {
            Errors["Kind"] = "Type: say which board meets (e.g. liver MDT).";
        }
        else if (Kind.Trim().Length > CaseRegistry.MaxMeetingKindLength)
        {
            Errors["Kind"] = $"Type: at most {CaseRegistry.MaxMeetingKindLength} characters.";
        }
        if ((Attendees ?? "").Trim().Length > CaseRegistry.MaxAttendeesLength)
        {
            Errors["Attendees"] = $"Attendees: at most {CaseRegistry.MaxAttendeesLength} characters.";
        }
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            await LoadAsync(ct);
            return Page();
        }
        var id = await registry.CreateMeetingAsync(Date!.Value, Kind!, Attendees ?? "", User.UserName(), ct);
        return Redirect($"/meetings/{id}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        CanSchedule = (await authorization.AuthorizeAsync(User, Policies.Schedule)).Succeeded;
        Coming = await registry.MeetingsAsync(today, 100, ct);
        Past = await registry.PastMeetingsAsync(today, 20, ct);
    }
}
