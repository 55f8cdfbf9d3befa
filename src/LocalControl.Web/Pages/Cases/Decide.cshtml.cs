using LocalControl.Registry;
using LocalControl.Web.Api;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

public sealed class DecideModel(CaseService cases, CaseRegistry registry, IdentityReader identities, TimeProvider clock, ILogger<DecideModel> logger) : PageModel
{
    /// <summary>Whose decision this is: the patient identity line (the decision form is where a wrong patient costs most).</summary>
    public string IdentityLine { get; private set; } = "";

    [FromRoute]
    public string CaseId { get; set; } = "";

    public int Version { get; private set; }

    public AssessedCase Assessed { get; private set; } = null!;

    [BindProperty]
    public DateOnly? MeetingDate { get; set; }

    [BindProperty]
    public string? Intent { get; set; }

    [BindProperty(Name = "Choice")]
    public Dictionary<string, string> Chosen { get; set; } = [];

    [BindProperty]
    public string? PatientChoice { get; set; }

    [BindProperty]
    public string? Rationale { get; set; }

    [BindProperty]
    public string? Attendees { get; set; }

    [BindProperty]
    public int? CaseVersion { get; set; }

    /// <summary>"Re-discuss at the next meeting": carried over to the next meeting's worklist.</summary>
    [BindProperty]
    public bool Rediscuss { get; set; }

    public Dictionary<string, string[]> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var record = await registry.ViewAsync(CaseId, User.UserName(), "decision form", ct);
        if (record is null)
        {
            return NotFound();
        }
        var assessed = cases.Assess(record.CaseFileJson);
        if (assessed is null)
        {
            return Redirect($"/cases/{Uri.EscapeDataString(CaseId)}");
        }
        Assessed = assessed;
        Version = record.Version;
        IdentityLine = await SummaryIdentity.LineAsync(identities, User, CaseId, ct);
        MeetingDate = record.MeetingDate ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var record = await registry.FindAsync(CaseId, ct);
        if (record is null)
        {
            return NotFound();
        }
        var choices = Chosen.Where(kv => !string.IsNullOrEmpty(kv.Value)).Select(kv => new DecisionChoice(kv.Key, kv.Value)).ToList();
        if (!string.IsNullOrEmpty(PatientChoice))
        {
            choices.Add(new DecisionChoice(null, PatientChoice));
        }
        var request = new DecisionRequest(MeetingDate, Intent, choices, Rationale, Attendees, CaseVersion, Rediscuss);
        var prepared = cases.PrepareDecision(record, request);
        if (prepared.Errors.Count == 0)
        {
            var (outcome, id) = await registry.RecordDecisionAsync(CaseId, prepared.Decision!, User.UserName(), ct);
            if (outcome == WriteOutcome.Done)
            {
                logger.DecisionRecorded(id, record.Id);
                return Redirect($"/cases/{Uri.EscapeDataString(CaseId)}#h-decisions");
            }
            logger.WriteRefused(record.Id, outcome.ToString());
            prepared.Errors["case"] = ["The case changed after you opened this form. Review the current assessment below and decide again."];
            record = (await registry.FindAsync(CaseId, ct))!;
        }
        Errors = prepared.Errors;
        var assessed = cases.Assess(record.CaseFileJson);
        if (assessed is null)
        {
            return Redirect($"/cases/{Uri.EscapeDataString(CaseId)}");
        }
        Assessed = assessed;
        Version = record.Version;
        IdentityLine = await SummaryIdentity.LineAsync(identities, User, CaseId, ct);
        return Page();
    }
}
