using LocalControl.Registry;
using LocalControl.Web.Api;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

public sealed class EditModel(CaseService cases, CaseRegistry registry, IdentityReader identities, ILogger<EditModel> logger) : PageModel
{
    /// <summary>Whose case file this is: the patient identity line (by role).</summary>
    public string IdentityLine { get; private set; } = "";

    [FromRoute]
    public string CaseId { get; set; } = "";

    [BindProperty]
    public string CaseFileJson { get; set; } = "";

    [BindProperty]
    public int Version { get; set; }

    public ValidationDto? Validation { get; private set; }

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var record = await registry.ViewAsync(CaseId, User.UserName(), "editor", ct);
        if (record is null)
        {
            return NotFound();
        }
        CaseFileJson = record.CaseFileJson;
        Version = record.Version;
        IdentityLine = await SummaryIdentity.LineAsync(identities, User, CaseId, ct);
        Validation = CasesApi.ToValidation(cases.Check(record.CaseFileJson));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        IdentityLine = await SummaryIdentity.LineAsync(identities, User, CaseId, ct);
        var check = cases.Check(CaseFileJson ?? "");
        Validation = CasesApi.ToValidation(check);
        if (check.Content is null)
        {
            return Page();
        }
        var (outcome, version) = await registry.UpdateAsync(CaseId, Version, check.Content, User.UserName(), ct);
        switch (outcome)
        {
            case WriteOutcome.NotFound:
                return NotFound();
            case WriteOutcome.Stale:
                Message = $"Someone changed this case while you edited it (now version {version}). Your text is below; reload the page to see theirs, then re-apply your change.";
                return Page();
            case WriteOutcome.Conflict:
                Message = "Another case already has this caseId.";
                return Page();
        }
        var record = (await registry.FindAsync(check.Content.CaseId, ct))!;
        logger.CaseUpdated(record.Id, version);
        return Redirect($"/cases/{Uri.EscapeDataString(record.CaseId)}");
    }
}
