using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

public sealed class DetailsModel(CaseRegistry registry, CaseService cases, IAuthorizationService authorization, ILogger<DetailsModel> logger) : PageModel
{
    public CaseRecord Record { get; private set; } = null!;

    public AssessedCase? Assessed { get; private set; }

    public IReadOnlyList<DecisionRecord> Decisions { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public bool CanDecide { get; private set; }

    public bool CanSchedule { get; private set; }

    public async Task<IActionResult> OnGetAsync(string caseId, CancellationToken ct)
    {
        var record = await registry.ViewAsync(caseId, User.UserName(), "case page", ct);
        if (record is null)
        {
            return NotFound();
        }
        Record = record;
        Assessed = cases.Assess(record.CaseFileJson);
        Decisions = await registry.DecisionsAsync(caseId, ct);
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.Edit)).Succeeded;
        CanDecide = (await authorization.AuthorizeAsync(User, Policies.Decide)).Succeeded;
        CanSchedule = (await authorization.AuthorizeAsync(User, Policies.Schedule)).Succeeded;
        return Page();
    }

    public async Task<IActionResult> OnPostScheduleAsync(string caseId, string? status, DateOnly? meetingDate, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Schedule)).Succeeded)
        {
            return Forbid();
        }
        if (!CaseStatusNames.TryParse(status, out var s))
        {
            return BadRequest();
        }
        var outcome = await registry.ScheduleAsync(caseId, s, meetingDate, User.UserName(), ct);
        if (outcome == WriteOutcome.NotFound)
        {
            return NotFound();
        }
        var record = await registry.FindAsync(caseId, ct);
        if (record is not null)
        {
            logger.CaseScheduled(record.Id);
        }
        return Redirect($"/cases/{Uri.EscapeDataString(caseId)}");
    }
}
