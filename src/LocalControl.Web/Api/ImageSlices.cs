using LocalControl.Registry;
using LocalControl.Web.Imaging;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalControl.Web.Api;

/// <summary>GET /cases/{caseId}/images/{imageId}/slices/{k}.png: one axial slice as PNG, for the viewer.</summary>
public static class ImageSlices
{
    /// <summary>Maps the slice endpoint (any role).</summary>
    public static IEndpointRouteBuilder MapImageSlices(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cases/{caseId}/images/{imageId:long}/slices/{k:int}.png", Render).RequireAuthorization(Policies.Read).WithTags("Images")
            .WithName("ImageSlice")
            .WithSummary("Axial slice k of an uploaded image as PNG: intensities through the window (c = centre, w = width), labels as a coloured overlay.");
        return app;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Render(
        string caseId, long imageId, int k, double? c, double? w, CaseRegistry registry, ImageStore store, HttpContext http, CancellationToken ct)
    {
        var image = await registry.FindImageAsync(caseId, imageId, ct).ConfigureAwait(false);
        if (image is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such image for this case.");
        }
        if (k < 0 || k >= image.SizeK)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Slice {k} is outside 0..{image.SizeK - 1}.");
        }
        var png = store.RenderSlice(image, k, c ?? 40, w ?? 400);
        http.Response.Headers.CacheControl = "private, max-age=3600";
        return TypedResults.File(png, "image/png");
    }
}
