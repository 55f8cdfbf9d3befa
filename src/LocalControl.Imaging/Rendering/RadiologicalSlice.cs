using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Rendering;

/// <summary>An inclusive box of voxel indices (<c>I0..I1 × J0..J1 × K0..K1</c>); empty when any upper bound is below its lower.</summary>
public readonly record struct IndexBox(int I0, int J0, int K0, int I1, int J1, int K1)
{
    /// <summary>True when the box holds no voxel.</summary>
    public bool IsEmpty => I1 < I0 || J1 < J0 || K1 < K0;

    /// <summary>The box's size (zero when empty).</summary>
    public VolumeSize Size => IsEmpty ? new(0, 0, 0) : new(I1 - I0 + 1, J1 - J0 + 1, K1 - K0 + 1);

    /// <summary>The box that holds nothing.</summary>
    public static IndexBox Empty => new(0, 0, 0, -1, -1, -1);
}

/// <summary>
/// The display grid of a viewer for one image and one plane, in the radiological convention whatever the order in
/// which the voxels are stored: axial — patient right on screen left, anterior up; coronal — right on the left,
/// superior up; sagittal — anterior on the left, superior up (the axes of <see cref="SlicePlane"/>). The grid is laid
/// on the reference image's voxel centres: each screen axis takes the spacing of the stored axis most nearly along it,
/// so an image whose axes lie along the patient's (LPS-first, RAS-first, flipped) is shown voxel for voxel, only
/// permuted and mirrored, and an oblique one is resampled. Pixels need not be square: <see cref="PixelWidthMm"/> and
/// <see cref="PixelHeightMm"/> give the aspect. Slices are numbered along <see cref="SlicePlane.N"/> (axial: from
/// inferior to superior; coronal: anterior to posterior; sagittal: patient left to right).
/// Any other volume (a label map on another grid) is sampled at the same LPS points through its own geometry.
/// </summary>
public sealed class RadiologicalSlice
{
    /// <summary>Largest screen side and slice count (a hostile or degenerate geometry cannot ask for more).</summary>
    public const int MaxSide = 4096;

    private RadiologicalSlice(SliceOrientation orientation, SlicePlane plane, double u0, double v0, double n0, double du, double dv, double dn, int width, int height, int slices)
    {
        Orientation = orientation;
        Plane = plane;
        UFirstMm = u0;
        VFirstMm = v0;
        NFirstMm = n0;
        PixelWidthMm = du;
        PixelHeightMm = dv;
        SliceStepMm = dn;
        Width = width;
        Height = height;
        SliceCount = slices;
    }

    /// <summary>The plane shown.</summary>
    public SliceOrientation Orientation { get; }

    /// <summary>Screen axes in LPS: U to the right, V down, N the slice direction.</summary>
    public SlicePlane Plane { get; }

    /// <summary>Picture width in pixels.</summary>
    public int Width { get; }

    /// <summary>Picture height in pixels.</summary>
    public int Height { get; }

    /// <summary>Number of slices along N.</summary>
    public int SliceCount { get; }

    /// <summary>Size of a pixel along the screen's x axis (mm).</summary>
    public double PixelWidthMm { get; }

    /// <summary>Size of a pixel along the screen's y axis (mm).</summary>
    public double PixelHeightMm { get; }

    /// <summary>Distance between slices (mm).</summary>
    public double SliceStepMm { get; }

    /// <summary>Coordinate along U of the centre of pixel column 0 (mm).</summary>
    public double UFirstMm { get; }

    /// <summary>Coordinate along V of the centre of pixel row 0 (mm).</summary>
    public double VFirstMm { get; }

    /// <summary>Coordinate along N of slice 0 (mm).</summary>
    public double NFirstMm { get; }

    /// <summary>The patient directions off the left, right, top and bottom edges (R/L/A/P/S/I).</summary>
    public (char Left, char Right, char Top, char Bottom) EdgeLetters => OrientationLetters.EdgeLetters(Plane);

    /// <summary>The display grid of <paramref name="reference"/> for <paramref name="orientation"/>.</summary>
    public static RadiologicalSlice For(ImageGeometry reference, SliceOrientation orientation)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var plane = SlicePlane.For(orientation);
        // Unit direction and spacing of each stored axis in LPS.
        var origin = reference.IndexToPointLps(0, 0, 0);
        var axes = new Vector3D[3];
        for (var a = 0; a < 3; a++)
        {
            var step = reference.IndexToPointLps(new Vector3D(a == 0 ? 1 : 0, a == 1 ? 1 : 0, a == 2 ? 1 : 0)) - origin;
            axes[a] = step * (1 / step.Length);
        }

        var s = reference.SpacingMm;
        var spacing = new[] { s.X, s.Y, s.Z };
        int Along(Vector3D screen)
        {
            var best = 0;
            for (var a = 1; a < 3; a++)
            {
                if (Math.Abs(axes[a].Dot(screen)) > Math.Abs(axes[best].Dot(screen)))
                {
                    best = a;
                }
            }

            return best;
        }

        int au = Along(plane.U), av = Along(plane.V), an = Along(plane.N);
        var finest = Math.Min(s.X, Math.Min(s.Y, s.Z));
        var permutation = au != av && av != an && au != an;
        double du = permutation ? spacing[au] : finest, dv = permutation ? spacing[av] : finest, dn = permutation ? spacing[an] : finest;

        // The extent of the voxel centres along each screen axis.
        double uMin = double.PositiveInfinity, uMax = double.NegativeInfinity, vMin = double.PositiveInfinity, vMax = double.NegativeInfinity,
            nMin = double.PositiveInfinity, nMax = double.NegativeInfinity;
        var size = reference.Size;
        for (var c = 0; c < 8; c++)
        {
            var p = reference.IndexToPointLps((c & 1) == 0 ? 0 : size.I - 1, (c & 2) == 0 ? 0 : size.J - 1, (c & 4) == 0 ? 0 : size.K - 1);
            double u = p.Dot(plane.U), v = p.Dot(plane.V), n = p.Dot(plane.N);
            uMin = Math.Min(uMin, u);
            uMax = Math.Max(uMax, u);
            vMin = Math.Min(vMin, v);
            vMax = Math.Max(vMax, v);
            nMin = Math.Min(nMin, n);
            nMax = Math.Max(nMax, n);
        }

        int Count(double extent, ref double step)
        {
            // Whole voxels along an aligned axis; a count over MaxSide coarsens the step instead.
            var n = (int)Math.Round(extent / step) + 1;
            if (n > MaxSide)
            {
                step = extent / (MaxSide - 1);
                n = MaxSide;
            }

            return Math.Max(1, n);
        }

        var width = Count(uMax - uMin, ref du);
        var height = Count(vMax - vMin, ref dv);
        var slices = Count(nMax - nMin, ref dn);
        return new RadiologicalSlice(orientation, plane, uMin, vMin, nMin, du, dv, dn, width, height, slices);
    }

    /// <summary>The LPS point at the centre of pixel (x, y) of slice <paramref name="slice"/>.</summary>
    public Vector3D PixelToPointLps(double x, double y, double slice) =>
        Plane.U * (UFirstMm + x * PixelWidthMm) + Plane.V * (VFirstMm + y * PixelHeightMm) + Plane.N * (NFirstMm + slice * SliceStepMm);

    /// <summary>The continuous pixel position and slice of an LPS point (pixel centres at whole numbers).</summary>
    public (double X, double Y, double Slice) PointLpsToPixel(Vector3D pointLps) =>
        ((pointLps.Dot(Plane.U) - UFirstMm) / PixelWidthMm, (pointLps.Dot(Plane.V) - VFirstMm) / PixelHeightMm, (pointLps.Dot(Plane.N) - NFirstMm) / SliceStepMm);

    /// <summary>
    /// The voxels of a volume with geometry <paramref name="g"/> that sampling slice <paramref name="slice"/> reads
    /// (clamped to the grid; empty when the slice misses the volume). Read only these, then sample with the same box.
    /// </summary>
    public IndexBox VoxelsTouched(ImageGeometry g, int slice)
    {
        ArgumentNullException.ThrowIfNull(g);
        double lo0 = double.PositiveInfinity, lo1 = double.PositiveInfinity, lo2 = double.PositiveInfinity;
        double hi0 = double.NegativeInfinity, hi1 = double.NegativeInfinity, hi2 = double.NegativeInfinity;
        for (var c = 0; c < 4; c++)
        {
            var idx = g.PointLpsToIndex(PixelToPointLps((c & 1) == 0 ? 0 : Width - 1, (c & 2) == 0 ? 0 : Height - 1, slice));
            idx = new Vector3D(Snap(idx.X), Snap(idx.Y), Snap(idx.Z));
            lo0 = Math.Min(lo0, idx.X);
            lo1 = Math.Min(lo1, idx.Y);
            lo2 = Math.Min(lo2, idx.Z);
            hi0 = Math.Max(hi0, idx.X);
            hi1 = Math.Max(hi1, idx.Y);
            hi2 = Math.Max(hi2, idx.Z);
        }

        // A plane through voxel centres reads one layer, not two, whatever the rounding of the inverse direction matrix.
        static double Snap(double v) => Math.Abs(v - Math.Round(v)) < 1e-6 ? Math.Round(v) : v;

        static (int Lo, int Hi) Range(double lo, double hi, int n)
        {
            // Samples up to half a voxel outside the outermost centres still count (they take the edge voxel).
            if (hi < -0.5 || lo > n - 0.5 || double.IsNaN(lo) || double.IsNaN(hi))
            {
                return (0, -1);
            }

            return (Math.Clamp((int)Math.Floor(lo), 0, n - 1), Math.Clamp((int)Math.Ceiling(hi), 0, n - 1));
        }

        var (i0, i1) = Range(lo0, hi0, g.Size.I);
        var (j0, j1) = Range(lo1, hi1, g.Size.J);
        var (k0, k1) = Range(lo2, hi2, g.Size.K);
        var box = new IndexBox(i0, j0, k0, i1, j1, k1);
        return box.IsEmpty ? IndexBox.Empty : box;
    }

    /// <summary>
    /// Samples slice <paramref name="slice"/> of a grey volume trilinearly into <paramref name="pixels"/>
    /// (<see cref="Width"/> × <see cref="Height"/>, row by row); pixels outside the volume are NaN.
    /// <paramref name="block"/> holds the voxels of <paramref name="box"/> of the volume (i fastest), as from <see cref="VoxelsTouched"/>.
    /// </summary>
    public void SampleLinear(ImageGeometry g, IndexBox box, ReadOnlySpan<float> block, int slice, Span<float> pixels)
    {
        ArgumentNullException.ThrowIfNull(g);
        CheckSpans(box, block.Length, pixels.Length);
        var (o, sx, sy) = Stepper(g, slice);
        var size = g.Size;
        var bs = box.Size;
        long rowStride = bs.I, sliceStride = (long)bs.I * bs.J;
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var idx = o + sx * x + sy * y;
                if (box.IsEmpty || idx.X < -0.5 || idx.Y < -0.5 || idx.Z < -0.5 || idx.X > size.I - 0.5 || idx.Y > size.J - 0.5 || idx.Z > size.K - 0.5)
                {
                    pixels[y * Width + x] = float.NaN;
                    continue;
                }

                var fi = Math.Clamp(idx.X, box.I0, box.I1) - box.I0;
                var fj = Math.Clamp(idx.Y, box.J0, box.J1) - box.J0;
                var fk = Math.Clamp(idx.Z, box.K0, box.K1) - box.K0;
                int i0 = (int)fi, j0 = (int)fj, k0 = (int)fk;
                int i1 = Math.Min(i0 + 1, bs.I - 1), j1 = Math.Min(j0 + 1, bs.J - 1), k1 = Math.Min(k0 + 1, bs.K - 1);
                double tx = fi - i0, ty = fj - j0, tz = fk - k0;
                double At(ReadOnlySpan<float> v, int i, int j, int k) => v[(int)(i + j * rowStride + k * sliceStride)];
                var c00 = At(block, i0, j0, k0) * (1 - tx) + At(block, i1, j0, k0) * tx;
                var c10 = At(block, i0, j1, k0) * (1 - tx) + At(block, i1, j1, k0) * tx;
                var c01 = At(block, i0, j0, k1) * (1 - tx) + At(block, i1, j0, k1) * tx;
                var c11 = At(block, i0, j1, k1) * (1 - tx) + At(block, i1, j1, k1) * tx;
                var c0 = c00 * (1 - ty) + c10 * ty;
                var c1 = c01 * (1 - ty) + c11 * ty;
                pixels[y * Width + x] = (float)(c0 * (1 - tz) + c1 * tz);
            }
        }
    }

    /// <summary>
    /// Samples slice <paramref name="slice"/> of a label volume by nearest neighbour (labels are never blended) into
    /// <paramref name="pixels"/>; pixels outside the volume get <paramref name="outside"/>.
    /// </summary>
    public void SampleNearest(ImageGeometry g, IndexBox box, ReadOnlySpan<int> block, int slice, Span<int> pixels, int outside = 0)
    {
        ArgumentNullException.ThrowIfNull(g);
        CheckSpans(box, block.Length, pixels.Length);
        var (o, sx, sy) = Stepper(g, slice);
        var bs = box.Size;
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var idx = o + sx * x + sy * y;
                // Round half up, as the renderer does; an index outside the grid (or the box read) is outside.
                var i = (int)Math.Floor(idx.X + 0.5) - box.I0;
                var j = (int)Math.Floor(idx.Y + 0.5) - box.J0;
                var k = (int)Math.Floor(idx.Z + 0.5) - box.K0;
                pixels[y * Width + x] = box.IsEmpty || (uint)i >= (uint)bs.I || (uint)j >= (uint)bs.J || (uint)k >= (uint)bs.K
                    ? outside
                    : block[(int)(i + (long)bs.I * (j + (long)bs.J * k))];
            }
        }
    }

    /// <summary>
    /// Why an overlay cannot be drawn over the image, or null when it can: a different frame of reference (when both
    /// are known), or no overlap at all in patient space. An overlay is drawn only through patient space, never
    /// stretched onto the image's grid.
    /// </summary>
    public static string? WhyOverlayRefused(ImageGeometry image, string? imageFrameOfReferenceUid, ImageGeometry overlay, string? overlayFrameOfReferenceUid)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(overlay);
        if (imageFrameOfReferenceUid is { Length: > 0 } a && overlayFrameOfReferenceUid is { Length: > 0 } b && !string.Equals(a, b, StringComparison.Ordinal))
        {
            return $"The label map is in frame of reference {b} and the image in {a}: they cannot be matched without a registration, so the overlay is not drawn.";
        }

        if (!PatientBox.Of(overlay).Overlaps(PatientBox.Of(image)))
        {
            var o = PatientBox.Of(overlay);
            var i = PatientBox.Of(image);
            return FormattableString.Invariant(
                $"The label map (LPS {o.Min.X:0.#}..{o.Max.X:0.#}, {o.Min.Y:0.#}..{o.Max.Y:0.#}, {o.Min.Z:0.#}..{o.Max.Z:0.#} mm) does not overlap the image (LPS {i.Min.X:0.#}..{i.Max.X:0.#}, {i.Min.Y:0.#}..{i.Max.Y:0.#}, {i.Min.Z:0.#}..{i.Max.Z:0.#} mm) anywhere in patient space: they are not in the same frame of reference, so the overlay is not drawn.");
        }

        return null;
    }

    private (Vector3D Origin, Vector3D StepX, Vector3D StepY) Stepper(ImageGeometry g, int slice)
    {
        var o = g.PointLpsToIndex(PixelToPointLps(0, 0, slice));
        return (o, g.PointLpsToIndex(PixelToPointLps(1, 0, slice)) - o, g.PointLpsToIndex(PixelToPointLps(0, 1, slice)) - o);
    }

    private void CheckSpans(IndexBox box, int blockLength, int pixelLength)
    {
        if (blockLength != box.Size.VoxelCount)
        {
            throw new ArgumentException($"The block holds {blockLength} voxels; the box {box} holds {box.Size.VoxelCount}.", nameof(box));
        }

        if (pixelLength != Width * Height)
        {
            throw new ArgumentException($"The picture needs {Width * Height} pixels; {pixelLength} given.", nameof(pixelLength));
        }
    }
}
