using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

/// <summary>Every kept version of the case file, who wrote it and when, and the line diff between any two.</summary>
public sealed class HistoryModel(CaseRegistry registry) : PageModel
{
    [FromRoute]
    public string CaseId { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public int? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public int? To { get; set; }

    public IReadOnlyList<CaseFileVersion> Versions { get; private set; } = [];

    public CaseFileVersion? Before { get; private set; }

    public CaseFileVersion? After { get; private set; }

    public IReadOnlyList<DiffLine> Diff { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var record = await registry.ViewAsync(CaseId, User.UserName(), "case history", ct);
        if (record is null)
        {
            return NotFound();
        }
        Versions = await registry.VersionsAsync(CaseId, ct);
        if (Versions.Count == 0)
        {
            return Page();
        }
        After = To is { } t ? Versions.FirstOrDefault(v => v.Version == t) : Versions[^1];
        Before = From is { } f ? Versions.FirstOrDefault(v => v.Version == f)
            : After is null ? null : Versions.LastOrDefault(v => v.Version < After.Version);
        if ((From is not null && Before is null) || (To is not null && After is null))
        {
            return NotFound();
        }
        if (After is not null)
        {
            Diff = LineDiff.Compute(Before is null ? [] : LineDiff.JsonLines(Before.CaseFileJson), LineDiff.JsonLines(After.CaseFileJson));
        }
        return Page();
    }
}
