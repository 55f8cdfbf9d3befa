using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

public sealed class PrintModel(CaseRegistry registry, CaseService cases, IdentityReader identities, TimeProvider clock) : PageModel
{
    /// <summary>The patient identity line (in clear for clinicians and coordinators, masked otherwise), or why it cannot be read.</summary>
    public string IdentityLine { get; private set; } = "";

    public CaseRecord Record { get; private set; } = null!;

    public AssessedCase? Assessed { get; private set; }

    public DecisionRecord? Latest { get; private set; }

    public DateTime PrintedUtc { get; private set; }

    public async Task<IActionResult> OnGetAsync(string caseId, CancellationToken ct)
    {
        var record = await registry.ViewAsync(caseId, User.UserName(), "print summary", ct);
        if (record is null)
        {
            return NotFound();
        }
        Record = record;
        IdentityLine = await SummaryIdentity.LineAsync(identities, User, caseId, ct);
        Assessed = cases.Assess(record.CaseFileJson);
        Latest = (await registry.DecisionsAsync(caseId, ct)).FirstOrDefault();
        PrintedUtc = clock.GetUtcNow().UtcDateTime;
        return Page();
    }
}
