using System.Globalization;
using LocalControl.Imaging.Rendering;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Verification;

/// <summary>
/// The worst axial, coronal and sagittal slices through the thinnest margin of the worst tumour, drawn by the shared
/// slice renderer: pre image (if any), tumour and registered zone outlined, the margin colour bands on the tumour
/// surface, a ring at the thinnest point.
/// </summary>
public static class VerificationPictures
{
    /// <summary>Writes <c>{id}-axial.png</c>, <c>-coronal.png</c>, <c>-sagittal.png</c> into <paramref name="folder"/>; returns the paths.</summary>
    public static IReadOnlyList<string> Save(VerificationReport report, VerificationInput input, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(input);
        Directory.CreateDirectory(folder);
        var worst = report.Worst;
        // The post labels on their own buffer, with the grid moved by the registration: exact, nothing resampled.
        var moved = new Volume<int>(report.Registration.PostToPre.MoveGrid(input.Post.Labels.Geometry), input.Post.Labels.Buffer);
        var zone = new LabelMap(moved, input.Post.Table);
        var hiddenPost = input.Post.Table.Entries.Where(e => e.Role != LabelRole.AblationZone).Select(e => e.Value).ToArray();
        var hiddenPre = input.Pre.Table.Entries.Where(e => e.Role != LabelRole.Tumour).Select(e => e.Value).ToArray();
        var radius = Math.Cbrt(worst.VolumeMl * 1000 * 3 / (4 * Math.PI));
        var half = Math.Max(25, radius + 25);
        var inv = CultureInfo.InvariantCulture;
        var caption = new[]
        {
            string.Create(inv, $"{worst.Id}: MAM {worst.MinimalMarginMm:0.0} mm ({worst.ThinnestDirectionWords}{(worst.Segment is { } s ? $", segment {s}" : "")})"),
            string.Create(inv, $"surface < 0 / 5 / 10 mm: {worst.SurfaceBelow0Percent:0} / {worst.SurfaceBelow5Percent:0} / {worst.SurfaceBelow10Percent:0} %"),
            "margin: red < 0, orange 0-5, yellow 5-10, green >= 10 mm",
            "outline: red tumour, blue zone (rigid registration)",
        };
        var paths = new List<string>(3);
        foreach (var orientation in new[] { SliceOrientation.Axial, SliceOrientation.Coronal, SliceOrientation.Sagittal })
        {
            using var slice = SliceRenderer.Render(new SliceRequest
            {
                Orientation = orientation,
                ThroughLps = worst.ThinnestPointLps,
                Image = input.PreImage,
                Labels = [new LabelOverlay(input.Pre, FillOpacity: 0.15f) { Hidden = hiddenPre }, new LabelOverlay(zone, FillOpacity: 0.12f) { Hidden = hiddenPost }],
                Scalar = new ScalarOverlay(report.Margins.MarginMap, ColourMap.AblativeMargin, Opacity: 1f),
                Markers = [new LpsMarker(worst.ThinnestPointLps, 0xFFFFFF, 6)],
                FieldOfViewHalfWidthMm = half,
                PixelSizeMm = 2 * half / 512,
                Caption = caption,
            });
            var path = Path.Combine(folder, $"{worst.Id}-{orientation.ToString().ToLowerInvariant()}.png");
            slice.SavePng(path);
            paths.Add(path);
        }

        return paths;
    }
}
