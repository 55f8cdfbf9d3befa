using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

public sealed class PrintModel(CaseRegistry registry, CaseService cases, IdentityReader identities, TimeProvider clock) : PageModel
{
    /// <summary>The patient identity as this user may see it (in clear for clinicians and coordinators, masked otherwise).</summary>
    public IdentityView Identity { get; private set; } = IdentityView.For(null, false);

    /// <summary>Why the identity cannot be shown (the key ring cannot decrypt it); null when it can.</summary>
    public string? IdentityError { get; private set; }

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
        try
        {
            Identity = IdentityView.For(await identities.ReadAsync(caseId, ct), await identities.MaySeeAsync(User));
        }
        catch (IdentityKeyRingException)
        {
            IdentityError = SummaryIdentity.Unreadable;
        }
        Assessed = cases.Assess(record.CaseFileJson);
        Latest = (await registry.DecisionsAsync(caseId, ct)).FirstOrDefault();
        PrintedUtc = clock.GetUtcNow().UtcDateTime;
        return Page();
    }
}
