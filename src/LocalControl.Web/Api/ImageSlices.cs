using System.Collections.Concurrent;
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
        string caseId, long imageId, int k, double? c, double? w, CaseRegistry registry, ImageStore store, SliceViewAudit views, HttpContext http, CancellationToken ct)
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
        if (c is { } centre && !double.IsFinite(centre) || w is { } width && !double.IsFinite(width))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The window centre (c) and width (w) must be finite numbers.");
        }
        if (views.ShouldAudit(http.User.UserName(), imageId))
        {
            await registry.ViewAsync(caseId, http.User.UserName(), $"image {imageId} slices", ct).ConfigureAwait(false);
        }
        var png = store.RenderSlice(image, k, c ?? 40, w ?? 400);
        // Patient images: never kept in a browser or proxy cache (a shared workstation, a back button after sign-out).
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(png, "image/png");
    }
}

/// <summary>
/// Slice views are audited once per user and image per <see cref="Interval"/>: scrolling through 300 slices is one
/// view of the image, not 300 lines (the audit says who looked at which image, and when).
/// </summary>
public sealed class SliceViewAudit(TimeProvider clock)
{
    /// <summary>How long one audit line covers a user's scrolling through an image.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<(string User, long Image), DateTimeOffset> _last = new();

    /// <summary>True when this view needs an audit line (and records that it got one).</summary>
    public bool ShouldAudit(string user, long imageId)
    {
        var now = clock.GetUtcNow();
        if (_last.Count > 10_000)
        {
            foreach (var (key, at) in _last)
            {
                if (now - at >= Interval)
                {
                    _last.TryRemove(key, out _);
                }
            }
        }
        var audit = false;
        _last.AddOrUpdate((user, imageId), _ => { audit = true; return now; }, (_, at) =>
        {
            if (now - at < Interval)
            {
                return at;
            }
            audit = true;
            return now;
        });
        return audit;
    }
}
