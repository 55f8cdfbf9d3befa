using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

public sealed class IndexModel(CaseRegistry registry, IdentityReader identities, PatientIdentityProtector protector,
    Microsoft.AspNetCore.Identity.UserManager<RegistryUser> users, AdminFirstSteps firstSteps) : PageModel
{
    /// <summary>An admin signed in on a registry without a clinician account yet: the first steps are shown.</summary>
    public bool ShowFirstSteps { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    /// <summary>The MRN searched for (posted, never in the address: an address ends up in proxy logs and browser history).</summary>
    [BindProperty]
    public string? Mrn { get; set; }

    public CaseListPage Result { get; private set; } = new([], 0, 1, 50);

    /// <summary>Clinicians and coordinators may search by MRN and see the identities found.</summary>
    public bool CanSearchMrn { get; private set; }

    /// <summary>True when the list shows the result of an MRN search.</summary>
    public bool SearchedByMrn { get; private set; }

    /// <summary>Why the MRN search did not run, or why an identity cannot be shown.</summary>
    public string? MrnError { get; private set; }

    /// <summary>The identities of the cases listed (this page, or those found by MRN), by case id; a case without one is absent.</summary>
    public IReadOnlyDictionary<string, PatientIdentity> Identities { get; private set; } = new Dictionary<string, PatientIdentity>();

    /// <summary>Why the identities of this page cannot be shown (the key ring cannot decrypt them); null when they can.</summary>
    public string? IdentityError { get; private set; }

    /// <summary>The identity of a listed case as this user may see it: in clear for clinicians and coordinators, masked otherwise.</summary>
    public IdentityView IdentityOf(string caseId) => IdentityView.For(Identities.GetValueOrDefault(caseId), CanSearchMrn);

    public int Pages => Math.Max(1, (Result.Total + Result.PageSize - 1) / Result.PageSize);

    public async Task OnGetAsync(CancellationToken ct)
    {
        CanSearchMrn = await identities.MaySeeAsync(User);
        ShowFirstSteps = await firstSteps.ShowAsync(User, users);
        CaseStatus? status = CaseStatusNames.TryParse(Status, out var s) ? s : null;
        Result = await registry.ListAsync(new CaseQuery(Search, status, PageNumber, 50), ct);
        await ReadIdentitiesAsync(ct);
    }

    // Every row shows its patient (the identities of this page's cases: one indexed query, decrypted in memory through
    // the reader's cache); masked for viewers and the admin by IdentityOf.
    private async Task ReadIdentitiesAsync(CancellationToken ct)
    {
        try
        {
            Identities = await identities.ReadAsync(Result.Items, ct);
        }
        catch (IdentityKeyRingException e)
        {
            IdentityError = e.Message;
        }
    }

    /// <summary>The cases whose patient has this MRN (normalised, looked up by its keyed hash); clinical roles only.</summary>
    public async Task<IActionResult> OnPostMrnAsync(CancellationToken ct)
    {
        CanSearchMrn = await identities.MaySeeAsync(User);
        if (!CanSearchMrn)
        {
            return Forbid();
        }
        SearchedByMrn = true;
        string? mrn = null;
        try
        {
            mrn = PatientIdentityProtector.NormaliseMrn(Mrn);
            if (mrn is null)
            {
                MrnError = "MRN: enter the medical record number to search for.";
            }
        }
        catch (ArgumentException e)
        {
            MrnError = "MRN " + e.Message + ".";
        }
        if (mrn is null)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        Result = await registry.ListAsync(new CaseQuery(null, null, 1, CaseRegistry.MaxPageSize) { MrnSearchKey = protector.SearchKey(mrn) }, ct);
        await ReadIdentitiesAsync(ct);
        // Who looked for a patient is audited; the MRN is not written (only how many cases matched).
        await registry.AuditAsync(User.UserName(), AuditActions.View, "case-list", "mrn search", $"{Result.Total} case(s) found by MRN", ct);
        return Page();
    }

    public string PageLink(int page) =>
        $"/cases?search={Uri.EscapeDataString(Search ?? "")}&status={Uri.EscapeDataString(Status ?? "")}&page={page}";
}
