using LocalControl.Follow.Survival;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalControl.Web.Api;

/// <summary>GET /cohort/plot.png and /cohort/plot.svg: the cohort page's Kaplan–Meier curves as pictures.</summary>
public static class CohortPlots
{
    /// <summary>Maps the two plot endpoints (clinical roles, <see cref="Policies.Cohort"/>).</summary>
    public static IEndpointRouteBuilder MapCohortPlots(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cohort/plot.png", (string? endpoint, string? by, RegistryDbContext db, CohortService cohorts, CancellationToken ct) => RenderAsync("png", endpoint, by, db, cohorts, ct))
            .RequireAuthorization(Policies.Cohort).WithTags("Cohort").WithName("CohortPlotPng")
            .WithSummary("Kaplan–Meier curves of the registry (endpoint=ltp|os, by=tool|size|margin|organ|ras) as a PNG.");
        app.MapGet("/cohort/plot.svg", (string? endpoint, string? by, RegistryDbContext db, CohortService cohorts, CancellationToken ct) => RenderAsync("svg", endpoint, by, db, cohorts, ct))
            .RequireAuthorization(Policies.Cohort).WithTags("Cohort").WithName("CohortPlotSvg")
            .WithSummary("The same curves as SVG.");
        return app;
    }

    /// <summary>Parses the page's two choices; the defaults are ltp and tool.</summary>
    public static bool TryParse(string? endpoint, string? by, out CohortEndpoint e, out CohortGrouping g, out string? problem)
    {
        problem = null;
        g = CohortGrouping.Tool;
        if (!CohortOutcomes.TryParseEndpoint(string.IsNullOrEmpty(endpoint) ? "ltp" : endpoint, out e))
        {
            problem = "endpoint must be ltp (local-tumour-progression-free survival per lesion) or os (overall survival per patient)";
            return false;
        }
        if (!CohortOutcomes.TryParseGrouping(string.IsNullOrEmpty(by) ? "tool" : by, out g))
        {
            problem = "by must be tool, size, margin, organ or ras";
            return false;
        }
        return true;
    }

    private static async Task<IResult> RenderAsync(string format, string? endpoint, string? by, RegistryDbContext db, CohortService cohorts, CancellationToken ct)
    {
        if (!TryParse(endpoint, by, out var e, out var g, out var problem))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad cohort choice.", detail: problem);
        }
        var snapshot = await cohorts.GetAsync(db, e, g, ct).ConfigureAwait(false);
        if (snapshot.View.Cohort.Subjects.Count == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "The cohort is empty.",
                detail: $"{snapshot.Cases} case(s), no subject with a known outcome for this end point.");
        }
        return format == "png"
            ? TypedResults.File(snapshot.Png, "image/png")
            : TypedResults.Text(snapshot.Svg, "image/svg+xml; charset=utf-8");
    }
}
