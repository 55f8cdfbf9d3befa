using LocalControl.Registry;
using LocalControl.Registry.Entities;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

public sealed class IndexModel(CaseRegistry registry) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public CaseListPage Result { get; private set; } = new([], 0, 1, 50);

    public int Pages => Math.Max(1, (Result.Total + Result.PageSize - 1) / Result.PageSize);

    public async Task OnGetAsync(CancellationToken ct)
    {
        CaseStatus? status = CaseStatusNames.TryParse(Status, out var s) ? s : null;
        Result = await registry.ListAsync(new CaseQuery(Search, status, PageNumber, 50), ct);
    }

    public string PageLink(int page) =>
        $"/cases?search={Uri.EscapeDataString(Search ?? "")}&status={Uri.EscapeDataString(Status ?? "")}&page={page}";
}
