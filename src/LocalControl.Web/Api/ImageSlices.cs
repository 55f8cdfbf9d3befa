using System.Collections.Concurrent;
using LocalControl.Imaging.Rendering;
using LocalControl.Registry;
using LocalControl.Web.Imaging;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalControl.Web.Api;

/// <summary>
/// The viewer's endpoints. GET /cases/{caseId}/images/{imageId}/slices/{k}.png: slice k of an uploaded image in the
/// radiological convention (plane = axial, coronal or sagittal; from the image's geometry, whatever its storage
/// order); with <c>on={baseImageId}</c> the image (a label map) is resampled onto that image's display grid through
/// patient space, or refused (422) when the two cannot be matched. GET /cases/{caseId}/images/{imageId}/view: the
/// display grid (size, pixel aspect, slice count, edge letters) and whether an overlay can be drawn on it.
/// </summary>
public static class ImageSlices
{
    /// <summary>Maps the slice and view endpoints (any role).</summary>
    public static IEndpointRouteBuilder MapImageSlices(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cases/{caseId}/images/{imageId:long}/slices/{k:int}.png", Render).RequireAuthorization(Policies.Read).WithTags("Images")
            .WithName("ImageSlice")
            .WithSummary("Slice k of an uploaded image as PNG in the radiological convention (plane = axial | coronal | sagittal): intensities through the window (c = centre, w = width), labels as colours; on = the image whose grid a label map is drawn on.");
        app.MapGet("/cases/{caseId}/images/{imageId:long}/view", View).RequireAuthorization(Policies.Read).WithTags("Images")
            .WithName("ImageView")
            .WithSummary("The display grid of an image for a plane (size, pixel aspect, slices, R/L/A/P/S/I at the edges) and, with overlay, whether that label map can be drawn on it.");
        app.MapGet("/cases/{caseId}/images/{imageId:long}/value", Value).RequireAuthorization(Policies.Read).WithTags("Images")
            .WithName("ImageValue")
            .WithSummary("The value (HU for CT, the label for a label map) under pixel (x, y) of slice k of the display grid (plane; with on = the image whose grid is displayed), with its LPS point and voxel; one voxel is read.");
        app.MapGet("/cases/{caseId}/images/{imageId:long}/distance", Distance).RequireAuthorization(Policies.Read).WithTags("Images")
            .WithName("ImageDistance")
            .WithSummary("The ruler: the distance in mm between two points (x1, y1) and (x2, y2) of slice k of the display grid (plane), measured in patient space, with both LPS points.");
        return app;
    }

    /// <summary>Parses the plane; null when it is not one of axial, coronal, sagittal.</summary>
    public static SliceOrientation? ParsePlane(string? plane) => plane?.ToLowerInvariant() switch
    {
        null or "" or "axial" => SliceOrientation.Axial,
        "coronal" => SliceOrientation.Coronal,
        "sagittal" => SliceOrientation.Sagittal,
        _ => null,
    };

    private static string Name(SliceOrientation o) => o.ToString().ToLowerInvariant();

    private static ProblemHttpResult PlaneProblem() =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The plane must be axial, coronal or sagittal.");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Render(
        string caseId, long imageId, int k, double? c, double? w, string? plane, long? on, CaseRegistry registry, ImageStore store, SliceViewAudit views, HttpContext http, CancellationToken ct)
    {
        var image = await registry.FindImageAsync(caseId, imageId, ct).ConfigureAwait(false);
        if (image is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such image for this case.");
        }
        if (ParsePlane(plane) is not { } orientation)
        {
            return PlaneProblem();
        }
        if (c is { } centre && !double.IsFinite(centre) || w is { } width && !double.IsFinite(width))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The window centre (c) and width (w) must be finite numbers.");
        }
        var reference = image;
        if (on is { } baseId && baseId != imageId)
        {
            reference = await registry.FindImageAsync(caseId, baseId, ct).ConfigureAwait(false);
            if (reference is null)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such image (on) for this case.");
            }
            if (store.WhyOverlayRefused(reference, image) is { } refused)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Overlay refused.", detail: refused);
            }
        }
        var view = store.ViewOf(reference, orientation);
        if (k < 0 || k >= view.SliceCount)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Slice {k} is outside 0..{view.SliceCount - 1} ({Name(orientation)}).");
        }
        if (views.ShouldAudit(http.User.UserName(), imageId))
        {
            await registry.ViewAsync(caseId, http.User.UserName(), $"image {imageId} slices", ct).ConfigureAwait(false);
        }
        var png = store.RenderSlice(image, view, k, c ?? 40, w ?? 400);
        // Patient images: never kept in a browser or proxy cache (a shared workstation, a back button after sign-out).
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(png, "image/png");
    }

    private static async Task<Results<Ok<ImageValueResponse>, ProblemHttpResult>> Value(
        string caseId, long imageId, int k, double x, double y, string? plane, long? on, CaseRegistry registry, ImageStore store, HttpContext http, CancellationToken ct)
    {
        var image = await registry.FindImageAsync(caseId, imageId, ct).ConfigureAwait(false);
        if (image is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such image for this case.");
        }
        if (ParsePlane(plane) is not { } orientation)
        {
            return PlaneProblem();
        }
        var reference = image;
        if (on is { } baseId && baseId != imageId)
        {
            reference = await registry.FindImageAsync(caseId, baseId, ct).ConfigureAwait(false);
            if (reference is null)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such image (on) for this case.");
            }
            if (store.WhyOverlayRefused(reference, image) is { } refused)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Overlay refused.", detail: refused);
            }
        }
        var view = store.ViewOf(reference, orientation);
        if (k < 0 || k >= view.SliceCount)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Slice {k} is outside 0..{view.SliceCount - 1} ({Name(orientation)}).");
        }
        if (!double.IsFinite(x) || !double.IsFinite(y) || x < -0.5 || y < -0.5 || x > view.Width - 0.5 || y > view.Height - 0.5)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
                title: FormattableString.Invariant($"The pixel (x, y) must lie in the picture: x -0.5..{view.Width - 0.5}, y -0.5..{view.Height - 0.5}."));
        }
        var v = store.ValueAt(image, view, x, y, k)!;
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new ImageValueResponse(imageId, image.Kind, v.PointLps.X, v.PointLps.Y, v.PointLps.Z,
            v.Voxel is { } a ? [a.I, a.J, a.K] : null, v.Value));
    }

    private static async Task<Results<Ok<RulerResponse>, ProblemHttpResult>> Distance(
        string caseId, long imageId, int k, double x1, double y1, double x2, double y2, string? plane, CaseRegistry registry, ImageStore store, HttpContext http, CancellationToken ct)
    {
        var image = await registry.FindImageAsync(caseId, imageId, ct).ConfigureAwait(false);
        if (image is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such image for this case.");
        }
        if (ParsePlane(plane) is not { } orientation)
        {
            return PlaneProblem();
        }
        var view = store.ViewOf(image, orientation);
        if (Ruler.WhyRefused(view, k, x1, y1, x2, y2) is { } refused)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: refused);
        }
        var m = Ruler.Measure(view, k, x1, y1, x2, y2);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new RulerResponse(imageId, Name(orientation), k, [m.ALps.X, m.ALps.Y, m.ALps.Z], [m.BLps.X, m.BLps.Y, m.BLps.Z], m.DistanceMm, Ruler.Saved(m.DistanceMm)));
    }

    private static async Task<Results<Ok<ImageViewResponse>, ProblemHttpResult>> View(
        string caseId, long imageId, string? plane, long? overlay, CaseRegistry registry, ImageStore store, HttpContext http, CancellationToken ct)
    {
        var image = await registry.FindImageAsync(caseId, imageId, ct).ConfigureAwait(false);
        if (image is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such image for this case.");
        }
        if (ParsePlane(plane) is not { } orientation)
        {
            return PlaneProblem();
        }
        OverlayStatus? status = null;
        if (overlay is { } overlayId)
        {
            var labels = await registry.FindImageAsync(caseId, overlayId, ct).ConfigureAwait(false);
            if (labels is null)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such overlay image for this case.");
            }
            var refused = overlayId == imageId ? null : store.WhyOverlayRefused(image, labels);
            status = new OverlayStatus(overlayId, refused is null, refused);
        }
        var view = store.ViewOf(image, orientation);
        var (left, right, top, bottom) = view.EdgeLetters;
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new ImageViewResponse(imageId, Name(orientation), view.Width, view.Height, view.SliceCount,
            view.PixelWidthMm, view.PixelHeightMm, view.SliceStepMm, left.ToString(), right.ToString(), top.ToString(), bottom.ToString(), status));
    }
}

/// <summary>The display grid of an image for one plane (radiological convention).</summary>
/// <param name="ImageId">The image.</param>
/// <param name="Plane">axial, coronal or sagittal.</param>
/// <param name="Width">Picture width, pixels.</param>
/// <param name="Height">Picture height, pixels.</param>
/// <param name="Slices">Number of slices (axial: inferior → superior; coronal: anterior → posterior; sagittal: left → right).</param>
/// <param name="PixelWidthMm">Pixel size along the screen's x axis.</param>
/// <param name="PixelHeightMm">Pixel size along the screen's y axis (the picture is shown with this aspect).</param>
/// <param name="SliceStepMm">Distance between slices.</param>
/// <param name="Left">Patient direction off the left edge (R/L/A/P/S/I).</param>
/// <param name="Right">Off the right edge.</param>
/// <param name="Top">Off the top edge.</param>
/// <param name="Bottom">Off the bottom edge.</param>
/// <param name="Overlay">Whether the overlay asked for can be drawn, or null when none was asked for.</param>
public sealed record ImageViewResponse(long ImageId, string Plane, int Width, int Height, int Slices, double PixelWidthMm, double PixelHeightMm, double SliceStepMm,
    string Left, string Right, string Top, string Bottom, OverlayStatus? Overlay);

/// <summary>The value under a displayed pixel.</summary>
/// <param name="ImageId">The image.</param>
/// <param name="Kind">image (the value is HU for CT) or labels (the label).</param>
/// <param name="XLps">The pixel centre's LPS x (mm).</param>
/// <param name="YLps">LPS y (mm).</param>
/// <param name="ZLps">LPS z (mm).</param>
/// <param name="Voxel">The nearest voxel (i, j, k), or null outside the image.</param>
/// <param name="Value">That voxel's value, or null outside the image.</param>
public sealed record ImageValueResponse(long ImageId, string Kind, double XLps, double YLps, double ZLps, int[]? Voxel, double? Value);

/// <summary>A ruler measurement on one displayed slice.</summary>
/// <param name="ImageId">The image.</param>
/// <param name="Plane">axial, coronal or sagittal.</param>
/// <param name="Slice">The slice both points lie on.</param>
/// <param name="ALps">The first point, LPS mm.</param>
/// <param name="BLps">The second point, LPS mm.</param>
/// <param name="DistanceMm">Their distance, mm.</param>
/// <param name="SavedMm">What saving it to a lesion field writes (mm to 0.1).</param>
public sealed record RulerResponse(long ImageId, string Plane, int Slice, double[] ALps, double[] BLps, double DistanceMm, double SavedMm);

/// <summary>An overlay's fate: drawn through patient space, or refused with the reason shown to the user.</summary>
/// <param name="ImageId">The label map.</param>
/// <param name="Drawn">True when it can be drawn over the image.</param>
/// <param name="Refused">Why not, when not.</param>
public sealed record OverlayStatus(long ImageId, bool Drawn, string? Refused);

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
