using LocalControl.Follow.Survival;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Api;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cohort;

public sealed class IndexModel(RegistryDbContext db, CohortService cohorts, CaseRegistry registry) : PageModel
{
    [FromQuery(Name = "endpoint")]
    public string? EndpointName { get; set; }

    [FromQuery(Name = "by")]
    public string? ByName { get; set; }

    public CohortEndpoint Endpoint { get; private set; }

    public CohortGrouping By { get; private set; }

    public CohortSnapshot Snapshot { get; private set; } = null!;

    public string PlotQuery => $"endpoint={CohortView.Name(Endpoint)}&by={CohortView.Name(By)}";

    public static IReadOnlyList<(string Value, string Label)> Endpoints { get; } =
    [
        ("ltp", "Local-tumour-progression-free survival per ablated lesion"),
        ("os", "Overall survival per patient"),
    ];

    public static IReadOnlyList<(string Value, string Label)> Groupings { get; } =
    [
        ("tool", "Tool (therapy)"), ("size", "Size band (< 30 / ≥ 30 mm)"), ("margin", "Margin band (< 5, 5–10, ≥ 10 mm)"),
        ("organ", "Organ"), ("ras", "RAS status"),
    ];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!CohortPlots.TryParse(EndpointName, ByName, out var e, out var g, out var problem))
        {
            return BadRequest(problem ?? "bad cohort choice");
        }
        Endpoint = e;
        By = g;
        Snapshot = await cohorts.GetAsync(db, e, g, ct);
        // Pooled outcomes of every patient: a read of the registry, audited as one.
        await registry.AuditAsync(User.UserName(), AuditActions.View, "cohort", PlotQuery, $"cohort page; {Snapshot.View.Cohort.Subjects.Count} subjects", ct);
        return Page();
    }
}
