using LocalControl.Registry;
using LocalControl.Web.Infrastructure;
using LocalControl.Web.Reporting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalControl.Web.Api;

/// <summary>GET /cases/{caseId}/summary.pdf: the printable summary as a PDF.</summary>
public static class SummaryPdf
{
    /// <summary>Maps the PDF endpoint (readable by every role; audited as a view).</summary>
    public static IEndpointRouteBuilder MapSummaryPdf(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cases/{caseId}/summary.pdf", Render).RequireAuthorization(Policies.Read).WithTags("Cases")
            .WithName("SummaryPdf").WithSummary("The tumour-board summary of a case as a PDF.");
        return app;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Render(
        string caseId, CaseRegistry registry, CaseService cases, IdentityReader identities, IConfiguration config, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var record = await registry.ViewAsync(caseId, http.User.UserName(), "summary pdf", ct).ConfigureAwait(false);
        if (record is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No case with this id.");
        }
        var folder = config["Pdf:FontFolder"] ?? DejaVuFontResolver.DefaultFolder;
        if (!PdfSummary.EnsureFonts(folder))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "PDF fonts missing.", detail: $"Install Debian's fonts-dejavu-core or set Pdf:FontFolder (looked in {folder}). The HTML print view works without them.");
        }
        var latest = (await registry.DecisionsAsync(caseId, ct).ConfigureAwait(false)).FirstOrDefault();
        var full = await identities.MaySeeAsync(http.User).ConfigureAwait(false);
        PatientIdentity? identity;
        try
        {
            identity = await identities.ReadAsync(caseId, ct).ConfigureAwait(false);
        }
        catch (IdentityKeyRingException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Patient identity unreadable.", detail: e.Message);
        }
        var bytes = PdfSummary.Render(record, cases.Assess(record.CaseFileJson), latest, http.User.UserName(), clock.GetUtcNow().UtcDateTime,
            IdentityView.For(identity, full), latest is null ? null : await registry.SignOffsAsync([latest.Id], ct).ConfigureAwait(false));
        // Named by MRN (clinical roles, when recorded) or case id, and the meeting date: the file on a desktop says whose it is.
        return TypedResults.File(bytes, "application/pdf", IdentityReader.PdfFileName(record, identity, full));
    }
}
