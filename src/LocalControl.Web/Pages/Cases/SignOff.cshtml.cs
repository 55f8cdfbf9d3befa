using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

/// <summary>
/// An attendee signs off a decision (the button in the decision's block posts here). Only an attendee picked from the
/// users who holds the clinician or coordinator role now, only for themselves (the signed-in user), once; a refusal shows the decision with the reason.
/// </summary>
public sealed class SignOffModel(CaseRegistry registry) : PageModel
{
    [FromRoute]
    public string CaseId { get; set; } = "";

    [FromRoute]
    public long DecisionId { get; set; }

    public DecisionRecord? Decision { get; private set; }

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Decision = (await registry.DecisionsAsync(CaseId, ct)).FirstOrDefault(d => d.Id == DecisionId);
        return Decision is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var (outcome, _) = await registry.SignOffAsync(CaseId, DecisionId, User.UserName(), ct);
        if (outcome == SignOffOutcome.Done)
        {
            return Redirect($"/cases/{Uri.EscapeDataString(CaseId)}#decision-{DecisionId}");
        }
        if (outcome == SignOffOutcome.NotFound)
        {
            return NotFound();
        }
        Decision = (await registry.DecisionsAsync(CaseId, ct)).FirstOrDefault(d => d.Id == DecisionId);
        (Response.StatusCode, Message) = outcome switch
        {
            SignOffOutcome.NotAttendee => (StatusCodes.Status403Forbidden, "Only an attendee picked from the users signs off a decision, for themselves: you are not listed among its attendees."),
            SignOffOutcome.NoSignOffRole => (StatusCodes.Status403Forbidden, "Only an attendee holding the clinician or coordinator role signs off a decision: you are listed, but your account does not hold either role now."),
            _ => (StatusCodes.Status409Conflict, "You signed off this decision already."),
        };
        return Page();
    }
}
