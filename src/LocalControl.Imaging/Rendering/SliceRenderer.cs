using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;
using SkiaSharp;

namespace LocalControl.Imaging.Rendering;

/// <summary>
/// The one slice renderer of LocalControl (plan, verify and the web viewer draw with it). A slice is a plane of
/// patient space, not of the voxel array: every screen pixel centre is a point in LPS millimetres, mapped into each
/// volume through that volume's own geometry. So a volume stored RAS-first, LPS-first or obliquely gives the same
/// picture, label maps on other grids line up, and the picture is always in the radiological convention:
/// axial — patient right on screen left, anterior up; coronal — right on the left, superior up; sagittal — anterior
/// on the left, superior up. Grey values are sampled trilinearly, labels and scalar maps by nearest neighbour.
/// </summary>
public static class SliceRenderer
{
    /// <summary>Draws one slice.</summary>
    /// <exception cref="ImagingException">LC-RENDER-001 when an overlay cannot be put in the image's frame
    /// (a different frame of reference, or no overlap in patient space); LC-RENDER-002 for an empty request.</exception>
    public static RenderedSlice Render(SliceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reference = request.Image?.Geometry ?? request.Labels.FirstOrDefault()?.Map.Labels.Geometry ?? request.Scalar?.Values.Geometry
            ?? throw new ImagingException("LC-RENDER-002", "nothing to draw: give an image, a label map or a scalar map.");
        CheckFrames(request, reference);

        var plane = SlicePlane.For(request.Orientation);
        var layout = Layout(request, reference, plane);
        var w = layout.Width;
        var h = layout.Height;
        var rgb = new int[w * h];

        if (request.Image is { } image)
        {
            DrawImage(image, request.Window, layout, rgb);
        }

        foreach (var overlay in request.Labels)
        {
            DrawLabels(overlay, layout, rgb);
        }

        if (request.Scalar is { } scalar)
        {
            DrawScalar(scalar, layout, rgb);
        }

        var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        for (var n = 0; n < rgb.Length; n++)
        {
            var c = rgb[n];
            pixels[4 * n] = (byte)(c >> 16);
            pixels[4 * n + 1] = (byte)(c >> 8);
            pixels[4 * n + 2] = (byte)c;
            pixels[4 * n + 3] = 255;
        }

        var slice = new RenderedSlice(bitmap, layout);
        using (var canvas = new SKCanvas(bitmap))
        {
            DrawLines(canvas, request, slice);
            DrawMarkers(canvas, request, slice);
            if (request.OrientationMarkers)
            {
                OrientationLetters.Draw(canvas, plane, w, h);
            }

            DrawCaption(canvas, request.Caption);
        }

        return slice;
    }

    /// <summary>The default display colour (0xRRGGBB) of a label role.</summary>
    public static int RoleColour(LabelRole role) => role switch
    {
        LabelRole.Liver => 0xB07A4A,
        LabelRole.Tumour => 0xFF2A2A,
        LabelRole.AblationZone => 0x2FA8FF,
        LabelRole.Vessel => 0x3A5BFF,
        LabelRole.PortalVein => 0xB05CFF,
        LabelRole.HepaticVein => 0x00D0D0,
        LabelRole.Hilum => 0xFF66CC,
        LabelRole.BileDuct => 0x7CFC00,
        LabelRole.Lung => 0x9AC8FF,
        LabelRole.Bone => 0xF0F0D0,
        _ when role.IsCriticalStructure() => 0xFFA500,
        _ => 0xC0C0C0,
    };

    private static void CheckFrames(SliceRequest request, ImageGeometry reference)
    {
        var frames = request.Labels.Select(l => (l.FrameOfReferenceUid, l.Map.Labels.Geometry, What: "label map"))
            .Concat(request.Scalar is { } s ? [(s.FrameOfReferenceUid, s.Values.Geometry, What: "scalar map")] : []);
        var referenceBox = PatientBox.Of(reference);
        foreach (var (uid, geometry, what) in frames)
        {
            if (uid is not null && request.FrameOfReferenceUid is not null && !string.Equals(uid, request.FrameOfReferenceUid, StringComparison.Ordinal))
            {
                throw new ImagingException("LC-RENDER-001",
                    $"the {what} is in frame of reference {uid}, the image in {request.FrameOfReferenceUid}: register them before drawing one over the other.", field: "FrameOfReferenceUID");
            }

            if (!PatientBox.Of(geometry).Overlaps(referenceBox))
            {
                throw new ImagingException("LC-RENDER-001",
                    $"the {what} does not overlap the image anywhere in patient space: they cannot be in the same frame of reference (register them first).", field: "geometry");
            }
        }
    }

    private static SliceLayout Layout(SliceRequest request, ImageGeometry reference, SlicePlane plane)
    {
        var box = PatientBox.Of(reference);
        double uMin = double.PositiveInfinity, uMax = double.NegativeInfinity, vMin = double.PositiveInfinity, vMax = double.NegativeInfinity;
        foreach (var corner in box.Corners)
        {
            var u = corner.Dot(plane.U);
            var v = corner.Dot(plane.V);
            uMin = Math.Min(uMin, u);
            uMax = Math.Max(uMax, u);
            vMin = Math.Min(vMin, v);
            vMax = Math.Max(vMax, v);
        }

        if (request.FieldOfViewHalfWidthMm is { } half && half > 0)
        {
            var cu = request.ThroughLps.Dot(plane.U);
            var cv = request.ThroughLps.Dot(plane.V);
            uMin = cu - half;
            uMax = cu + half;
            vMin = cv - half;
            vMax = cv + half;
        }

        var s = reference.SpacingMm;
        var pixel = request.PixelSizeMm ?? Math.Min(s.X, Math.Min(s.Y, s.Z));
        if (!(pixel > 0) || !double.IsFinite(pixel))
        {
            throw new ArgumentException("PixelSizeMm must be a positive number.", nameof(request));
        }

        var maxSide = Math.Max(16, request.MaxSidePx);
        pixel = Math.Max(pixel, Math.Max(uMax - uMin, vMax - vMin) / maxSide);
        var width = Math.Max(1, (int)Math.Round((uMax - uMin) / pixel));
        var height = Math.Max(1, (int)Math.Round((vMax - vMin) / pixel));
        var depth = request.ThroughLps.Dot(plane.N);
        return new SliceLayout(plane, uMin, vMin, pixel, width, height, depth, request.Orientation, request.SlabMm);
    }

    // Screen pixel (x, y) ↦ continuous voxel index of a volume: an affine map, evaluated incrementally per row.
    private readonly record struct IndexStepper(Vector3D Origin, Vector3D StepX, Vector3D StepY)
    {
        public static IndexStepper For(ImageGeometry g, SliceLayout layout)
        {
            var p00 = layout.PixelToPointLps(0, 0);
            var o = g.PointLpsToIndex(p00);
            return new(o, g.PointLpsToIndex(layout.PixelToPointLps(1, 0)) - o, g.PointLpsToIndex(layout.PixelToPointLps(0, 1)) - o);
        }
    }

    private static void DrawImage(Volume<float> image, WindowLevel window, SliceLayout layout, int[] rgb)
    {
        var step = IndexStepper.For(image.Geometry, layout);
        var size = image.Size;
        var voxels = image.Buffer;
        var lut = window.Width > 0 ? window : new WindowLevel(window.Centre, 1);
        Parallel.For(0, layout.Height, y =>
        {
            var row = step.Origin + step.StepY * y;
            for (var x = 0; x < layout.Width; x++)
            {
                var idx = row + step.StepX * x;
                var value = SampleLinear(voxels, size, idx);
                if (float.IsNaN(value))
                {
                    continue;
                }

                var g = lut.Grey(value);
                rgb[y * layout.Width + x] = (g << 16) | (g << 8) | g;
            }
        });
    }

    // Trilinear inside the grid (with clamping to the outermost voxel centres within half a voxel); NaN outside.
    private static float SampleLinear(float[] v, VolumeSize size, Vector3D idx)
    {
        if (idx.X < -0.5 || idx.Y < -0.5 || idx.Z < -0.5 || idx.X > size.I - 0.5 || idx.Y > size.J - 0.5 || idx.Z > size.K - 0.5)
        {
            return float.NaN;
        }

        var x = Math.Clamp(idx.X, 0, size.I - 1);
        var y = Math.Clamp(idx.Y, 0, size.J - 1);
        var z = Math.Clamp(idx.Z, 0, size.K - 1);
        int i0 = (int)x, j0 = (int)y, k0 = (int)z;
        int i1 = Math.Min(i0 + 1, size.I - 1), j1 = Math.Min(j0 + 1, size.J - 1), k1 = Math.Min(k0 + 1, size.K - 1);
        double fx = x - i0, fy = y - j0, fz = z - k0;
        long sj = size.I, sk = (long)size.I * size.J;
        double At(int i, int j, int k) => v[i + j * sj + k * sk];
        var c00 = At(i0, j0, k0) * (1 - fx) + At(i1, j0, k0) * fx;
        var c10 = At(i0, j1, k0) * (1 - fx) + At(i1, j1, k0) * fx;
        var c01 = At(i0, j0, k1) * (1 - fx) + At(i1, j0, k1) * fx;
        var c11 = At(i0, j1, k1) * (1 - fx) + At(i1, j1, k1) * fx;
        var c0 = c00 * (1 - fy) + c10 * fy;
        var c1 = c01 * (1 - fy) + c11 * fy;
        return (float)(c0 * (1 - fz) + c1 * fz);
    }

    private static bool NearestIndex(VolumeSize size, Vector3D idx, out long linear)
    {
        var i = (int)Math.Floor(idx.X + 0.5);
        var j = (int)Math.Floor(idx.Y + 0.5);
        var k = (int)Math.Floor(idx.Z + 0.5);
        if ((uint)i >= (uint)size.I || (uint)j >= (uint)size.J || (uint)k >= (uint)size.K)
        {
            linear = -1;
            return false;
        }

        linear = i + (long)size.I * (j + (long)size.J * k);
        return true;
    }

    private static void DrawLabels(LabelOverlay overlay, SliceLayout layout, int[] rgb)
    {
        var labels = overlay.Map.Labels;
        var step = IndexStepper.For(labels.Geometry, layout);
        var w = layout.Width;
        var h = layout.Height;
        var sampled = new int[w * h];
        var voxels = labels.Buffer;
        var hidden = overlay.Hidden is { Count: > 0 } hs ? new HashSet<int>(hs) : null;
        Parallel.For(0, h, y =>
        {
            var row = step.Origin + step.StepY * y;
            for (var x = 0; x < w; x++)
            {
                if (NearestIndex(labels.Size, row + step.StepX * x, out var at))
                {
                    var value = voxels[at];
                    sampled[y * w + x] = hidden is not null && hidden.Contains(value) ? 0 : value;
                }
            }
        });

        var colours = new Dictionary<int, int>();
        int ColourOf(int value)
        {
            if (!colours.TryGetValue(value, out var c))
            {
                var entry = overlay.Map.Table.Find(value);
                c = overlay.Colours?.GetValueOrDefault(value) is { } given and not 0 ? given
                    : entry?.ColourRgb ?? RoleColour(entry?.Role ?? LabelRole.Other);
                colours[value] = c;
            }

            return c;
        }

        var alpha = Math.Clamp(overlay.FillOpacity, 0f, 1f);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var n = y * w + x;
                var value = sampled[n];
                if (value == 0)
                {
                    continue;
                }

                // Outline: a pixel whose 4-neighbour (or the picture edge) holds another label.
                var edge = x == 0 || y == 0 || x == w - 1 || y == h - 1
                    || sampled[n - 1] != value || sampled[n + 1] != value || sampled[n - w] != value || sampled[n + w] != value;
                rgb[n] = edge ? ColourOf(value) : Blend(rgb[n], ColourOf(value), alpha);
            }
        }
    }

    private static void DrawScalar(ScalarOverlay overlay, SliceLayout layout, int[] rgb)
    {
        var values = overlay.Values;
        var step = IndexStepper.For(values.Geometry, layout);
        var voxels = values.Buffer;
        var alpha = Math.Clamp(overlay.Opacity, 0f, 1f);
        Parallel.For(0, layout.Height, y =>
        {
            var row = step.Origin + step.StepY * y;
            for (var x = 0; x < layout.Width; x++)
            {
                if (NearestIndex(values.Size, row + step.StepX * x, out var at) && voxels[at] is var v && float.IsFinite(v))
                {
                    var n = y * layout.Width + x;
                    rgb[n] = Blend(rgb[n], overlay.ColourMap.ColourOf(v), alpha);
                }
            }
        });
    }

    private static int Blend(int under, int over, float alpha)
    {
        int Channel(int shift) => (int)Math.Round(((under >> shift) & 0xFF) * (1 - alpha) + ((over >> shift) & 0xFF) * alpha);
        return (Channel(16) << 16) | (Channel(8) << 8) | Channel(0);
    }

    private static SKColor Colour(int rgb) => new((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);

    private static void DrawLines(SKCanvas canvas, SliceRequest request, RenderedSlice slice)
    {
        foreach (var line in request.Lines)
        {
            using var paint = new SKPaint { Color = Colour(line.ColourRgb), StrokeWidth = line.WidthPx, IsAntialias = true, Style = SKPaintStyle.Stroke };
            var (x0, y0) = slice.PointToPixel(line.FromLps);
            var (x1, y1) = slice.PointToPixel(line.ToLps);
            canvas.DrawLine((float)x0, (float)y0, (float)x1, (float)y1, paint);
        }
    }

    private static void DrawMarkers(SKCanvas canvas, SliceRequest request, RenderedSlice slice)
    {
        foreach (var marker in request.Markers)
        {
            if (Math.Abs(slice.DistanceFromPlaneMm(marker.PointLps)) > request.SlabMm)
            {
                continue;
            }

            var (x, y) = slice.PointToPixel(marker.PointLps);
            using var dark = new SKPaint { Color = SKColors.Black, StrokeWidth = 3.5f, IsAntialias = true, Style = SKPaintStyle.Stroke };
            using var paint = new SKPaint { Color = Colour(marker.ColourRgb), StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
            canvas.DrawCircle((float)x, (float)y, marker.RadiusPx, dark);
            canvas.DrawCircle((float)x, (float)y, marker.RadiusPx, paint);
        }
    }

    private static void DrawCaption(SKCanvas canvas, IReadOnlyList<string> caption)
    {
        if (caption.Count == 0)
        {
            return;
        }

        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 13);
        using var shadow = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var paint = new SKPaint { Color = new SKColor(255, 240, 120), IsAntialias = true };
        var y = 36f; // below the top orientation letter
        foreach (var line in caption)
        {
            canvas.DrawText(line, 7, y + 1, SKTextAlign.Left, font, shadow);
            canvas.DrawText(line, 6, y, SKTextAlign.Left, font, paint);
            y += 16;
        }
    }
}

/// <summary>The screen axes of a slice in LPS: U to the right, V downwards, N the plane normal (U × V).</summary>
public readonly record struct SlicePlane(Vector3D U, Vector3D V, Vector3D N)
{
    /// <summary>The radiological axes of an orientation.</summary>
    public static SlicePlane For(SliceOrientation orientation) => orientation switch
    {
        // LPS: +x = patient left, +y = posterior, +z = superior.
        SliceOrientation.Axial => new(new(1, 0, 0), new(0, 1, 0), new(0, 0, 1)),
        SliceOrientation.Coronal => new(new(1, 0, 0), new(0, 0, -1), new(0, 1, 0)),
        SliceOrientation.Sagittal => new(new(0, 1, 0), new(0, 0, -1), new(-1, 0, 0)),
        _ => throw new ArgumentOutOfRangeException(nameof(orientation)),
    };
}

/// <summary>Where the pixels of a slice lie in patient space.</summary>
internal sealed record SliceLayout(SlicePlane Plane, double UMin, double VMin, double PixelSizeMm, int Width, int Height, double DepthMm, SliceOrientation Orientation, double SlabMm)
{
    /// <summary>LPS point at the centre of pixel (x, y).</summary>
    public Vector3D PixelToPointLps(double x, double y) =>
        Plane.U * (UMin + (x + 0.5) * PixelSizeMm) + Plane.V * (VMin + (y + 0.5) * PixelSizeMm) + Plane.N * DepthMm;
}

/// <summary>The box of patient space a grid covers (voxel edges), as eight LPS corners and their bounds.</summary>
internal readonly record struct PatientBox(Vector3D Min, Vector3D Max, Vector3D[] Corners)
{
    public static PatientBox Of(ImageGeometry g)
    {
        var corners = new Vector3D[8];
        var min = new Vector3D(double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity);
        var max = new Vector3D(double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity);
        for (var c = 0; c < 8; c++)
        {
            var p = g.IndexToPointLps(new Vector3D((c & 1) == 0 ? -0.5 : g.Size.I - 0.5, (c & 2) == 0 ? -0.5 : g.Size.J - 0.5, (c & 4) == 0 ? -0.5 : g.Size.K - 0.5));
            corners[c] = p;
            min = new(Math.Min(min.X, p.X), Math.Min(min.Y, p.Y), Math.Min(min.Z, p.Z));
            max = new(Math.Max(max.X, p.X), Math.Max(max.Y, p.Y), Math.Max(max.Z, p.Z));
        }

        return new(min, max, corners);
    }

    public bool Overlaps(PatientBox o) =>
        Min.X < o.Max.X && o.Min.X < Max.X && Min.Y < o.Max.Y && o.Min.Y < Max.Y && Min.Z < o.Max.Z && o.Min.Z < Max.Z;
}
