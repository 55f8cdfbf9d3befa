using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

public sealed class PrintModel(CaseRegistry registry, CaseService cases, TimeProvider clock) : PageModel
{
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
        Assessed = cases.Assess(record.CaseFileJson);
        Latest = (await registry.DecisionsAsync(caseId, ct)).FirstOrDefault();
        PrintedUtc = clock.GetUtcNow().UtcDateTime;
        return Page();
    }
}
