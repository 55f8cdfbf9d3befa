using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Rendering;

namespace LocalControl.Imaging.Tests.Rendering;

/// <summary>
/// The viewer's display grid, checked against an analytic asymmetric phantom stored four ways (LPS-first, RAS-first,
/// k flipped, axes permuted): a block in the patient's right-anterior-superior and a "spine" posterior in the midline
/// must land on the pixels the radiological convention says, identically in every copy; a label map on a coarser,
/// differently stored grid must land on the pixels its LPS box covers; a mismatched frame is refused.
/// </summary>
public sealed class RadiologicalSliceTests
{
    // Patient space covered by the phantom's voxel centres: x −20..19 (1 mm), y −22.5..21 (1.5 mm), z −25..22.5 (2.5 mm).
    private static readonly Vector3D Spacing = new(1, 1.5, 2.5);
    private const int Nx = 40, Ny = 30, Nz = 20;

    // Right (x < 0), anterior (y < 0), superior (z > 0).
    private static bool InMarker(Vector3D p) => p.X is >= -15 and <= -10 && p.Y is >= -15 and <= -9 && p.Z is >= 5 and <= 15;

    // Midline, posterior, all heights.
    private static bool InSpine(Vector3D p) => p.X is >= -3 and <= 3 && p.Y is >= 12 and <= 18;

    private static float Value(Vector3D p) => InMarker(p) ? 1000 : InSpine(p) ? 500 : 0;

    private static ImageGeometry LpsFirst() => new(new VolumeSize(Nx, Ny, Nz), Spacing, new Vector3D(-20, -22.5, -25), Matrix3D.Identity);

    private static ImageGeometry RasFirst() => new(new VolumeSize(Nx, Ny, Nz), Spacing, new Vector3D(19, 21, -25), new Matrix3D(-1, 0, 0, 0, -1, 0, 0, 0, 1));

    private static ImageGeometry FlippedK() => new(new VolumeSize(Nx, Ny, Nz), Spacing, new Vector3D(-20, -22.5, 22.5), new Matrix3D(1, 0, 0, 0, 1, 0, 0, 0, -1));

    // i along +z (2.5 mm), j along −x (1 mm, towards the right), k along +y (1.5 mm).
    private static ImageGeometry Permuted() => new(new VolumeSize(Nz, Nx, Ny), new Vector3D(2.5, 1, 1.5), new Vector3D(19, -22.5, -25),
        Matrix3D.FromColumns(new Vector3D(0, 0, 1), new Vector3D(-1, 0, 0), new Vector3D(0, 1, 0)));

    public static TheoryData<string> Storages => ["lps", "ras", "flipped-k", "permuted"];

    private static ImageGeometry Storage(string name) => name switch
    {
        "lps" => LpsFirst(),
        "ras" => RasFirst(),
        "flipped-k" => FlippedK(),
        _ => Permuted(),
    };

    private static float[] Fill(ImageGeometry g)
    {
        var v = new float[g.Size.VoxelCount];
        var n = 0;
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    v[n++] = Value(g.IndexToPointLps(i, j, k));
                }
            }
        }

        return v;
    }

    private static IndexBox Whole(ImageGeometry g) => new(0, 0, 0, g.Size.I - 1, g.Size.J - 1, g.Size.K - 1);

    // Reads only the voxels the slice touches, as the web viewer does from its voxel file.
    private static float[] Draw(ImageGeometry g, float[] voxels, SliceOrientation o, int slice, out RadiologicalSlice view)
    {
        view = RadiologicalSlice.For(g, o);
        var box = view.VoxelsTouched(g, slice);
        var block = new float[box.Size.VoxelCount];
        var n = 0;
        for (var k = box.K0; k <= box.K1 && !box.IsEmpty; k++)
        {
            for (var j = box.J0; j <= box.J1; j++)
            {
                for (var i = box.I0; i <= box.I1; i++)
                {
                    block[n++] = voxels[g.Size.LinearIndex(i, j, k)];
                }
            }
        }

        var pixels = new float[view.Width * view.Height];
        view.SampleLinear(g, box, block, slice, pixels);
        return pixels;
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void Axial_shows_patient_right_on_screen_left_and_anterior_up(string storage)
    {
        var g = Storage(storage);
        // Slice 14 is z = −25 + 14 × 2.5 = 10 mm (slices run inferior → superior).
        var pixels = Draw(g, Fill(g), SliceOrientation.Axial, 14, out var view);
        Assert.Equal((40, 30, 20), (view.Width, view.Height, view.SliceCount));
        Assert.Equal((1.0, 1.5, 2.5), (view.PixelWidthMm, view.PixelHeightMm, view.SliceStepMm));
        Assert.Equal(('R', 'L', 'A', 'P'), view.EdgeLetters);
        // Marker x −15..−10 → columns 5..10 (column = x + 20); y −15..−9 → rows 5..9 (row = (y + 22.5) / 1.5).
        Assert.Equal(1000, pixels[7 * 40 + 8]);
        Assert.Equal(0, pixels[7 * 40 + (39 - 8)]); // mirrored left–right: empty
        Assert.Equal(0, pixels[(29 - 7) * 40 + 8]); // mirrored front–back: empty
        // Spine y 12..18 → rows 23..27, x −3..3 → columns 17..23: bottom centre.
        Assert.Equal(500, pixels[25 * 40 + 20]);
        for (var row = 0; row < 30; row++)
        {
            for (var col = 0; col < 40; col++)
            {
                Assert.Equal(Value(new Vector3D(col - 20, row * 1.5 - 22.5, 10)), pixels[row * 40 + col]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void Coronal_shows_right_on_the_left_and_superior_up(string storage)
    {
        var g = Storage(storage);
        // Coronal slices run anterior → posterior: slice 7 is y = −22.5 + 7 × 1.5 = −12 (through the marker).
        var pixels = Draw(g, Fill(g), SliceOrientation.Coronal, 7, out var view);
        Assert.Equal((40, 20, 30), (view.Width, view.Height, view.SliceCount));
        Assert.Equal((1.0, 2.5), (view.PixelWidthMm, view.PixelHeightMm));
        Assert.Equal(('R', 'L', 'S', 'I'), view.EdgeLetters);
        // Row 0 is the most superior centre, z = 22.5; row r is z = 22.5 − 2.5 r. Marker z 5..15 → rows 3..7.
        Assert.Equal(1000, pixels[5 * 40 + 8]);
        Assert.Equal(0, pixels[(19 - 5) * 40 + 8]); // mirrored head–feet: empty
        for (var row = 0; row < 20; row++)
        {
            for (var col = 0; col < 40; col++)
            {
                Assert.Equal(Value(new Vector3D(col - 20, -12, 22.5 - row * 2.5)), pixels[row * 40 + col]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void Sagittal_shows_anterior_on_the_left_and_superior_up(string storage)
    {
        var g = Storage(storage);
        // Sagittal slices run from the patient's left to right: slice n is x = 19 − n; slice 31 is x = −12.
        var pixels = Draw(g, Fill(g), SliceOrientation.Sagittal, 31, out var view);
        Assert.Equal((30, 20, 40), (view.Width, view.Height, view.SliceCount));
        Assert.Equal(('A', 'P', 'S', 'I'), view.EdgeLetters);
        // Column c is y = −22.5 + 1.5 c (anterior first): marker y −15..−9 → columns 5..9, z 5..15 → rows 3..7.
        Assert.Equal(1000, pixels[5 * 30 + 7]);
        Assert.Equal(0, pixels[5 * 30 + (29 - 7)]);
        for (var row = 0; row < 20; row++)
        {
            for (var col = 0; col < 30; col++)
            {
                Assert.Equal(Value(new Vector3D(-12, col * 1.5 - 22.5, 22.5 - row * 2.5)), pixels[row * 30 + col]);
            }
        }
    }

    [Fact]
    public void An_axial_slice_of_an_axially_stored_volume_reads_one_stored_slice()
    {
        foreach (var g in new[] { LpsFirst(), RasFirst(), FlippedK() })
        {
            var view = RadiologicalSlice.For(g, SliceOrientation.Axial);
            var box = view.VoxelsTouched(g, 14);
            Assert.Equal(new VolumeSize(40, 30, 1), box.Size);
            Assert.True(view.VoxelsTouched(g, 40).IsEmpty, "a slice beyond the volume touches nothing");
        }
    }

    [Fact]
    public void A_slightly_oblique_copy_is_resampled_in_the_same_frame()
    {
        // The LPS-first phantom turned 2° about the z axis around (0, 0, 0): the marker centre stays close to where it was.
        var a = 2 * Math.PI / 180;
        var d = Matrix3D.FromColumns(new Vector3D(Math.Cos(a), Math.Sin(a), 0), new Vector3D(-Math.Sin(a), Math.Cos(a), 0), new Vector3D(0, 0, 1));
        var origin = new Vector3D(-20 * Math.Cos(a) + 22.5 * Math.Sin(a), -20 * Math.Sin(a) - 22.5 * Math.Cos(a), -25);
        var g = new ImageGeometry(new VolumeSize(Nx, Ny, Nz), Spacing, origin, d);
        var pixels = Draw(g, Fill(g), SliceOrientation.Axial, 14, out var view);
        Assert.Equal(('R', 'L', 'A', 'P'), view.EdgeLetters);
        var (x, y, s) = view.PointLpsToPixel(new Vector3D(-12.5, -12, 10));
        Assert.Equal(14, s, 1e-9);
        Assert.Equal(1000, pixels[(int)Math.Round(y) * view.Width + (int)Math.Round(x)]);
        Assert.True(x < view.Width / 2.0 && y < view.Height / 2.0, "right-anterior marker top-left");
    }

    [Fact]
    public void A_label_map_on_another_grid_lands_on_the_pixels_of_its_patient_box()
    {
        // A CT of 64 × 64 × 3 (0.8 × 0.8 × 5 mm, LPS-first) and a label map of 15 × 12 × 6 (3 × 3 × 2 mm) stored
        // RAS-first, covering only part of it — as a 120 × 100 × 50 map over a 512 × 512 × 3 CT.
        var ct = new ImageGeometry(new VolumeSize(64, 64, 3), new Vector3D(0.8, 0.8, 5), new Vector3D(-25.2, -25.2, -5), Matrix3D.Identity);
        var lg = new ImageGeometry(new VolumeSize(15, 12, 6), new Vector3D(3, 3, 2), new Vector3D(20, 10, -5), new Matrix3D(-1, 0, 0, 0, -1, 0, 0, 0, 1));
        // Label 7 in voxels i 2..4, j 3..5, all k.
        var labels = new int[lg.Size.VoxelCount];
        for (var k = 0; k < 6; k++)
        {
            for (var j = 3; j <= 5; j++)
            {
                for (var i = 2; i <= 4; i++)
                {
                    labels[lg.Size.LinearIndex(i, j, k)] = 7;
                }
            }
        }

        // Cells of i 2..4 along −x: x from 20 − 4.5·3 … i.e. centres 14, 11, 8 → cells 6.5..15.5; j 3..5: centres 1, −2, −5 → y −6.5..2.5.
        static bool Labelled(Vector3D p) => p.X is > 6.5 and < 15.5 && p.Y is > -6.5 and < 2.5 && p.Z is > -6 and < 6;

        var view = RadiologicalSlice.For(ct, SliceOrientation.Axial);
        Assert.Null(RadiologicalSlice.WhyOverlayRefused(ct, null, lg, null));
        var box = view.VoxelsTouched(lg, 1);
        var block = new int[box.Size.VoxelCount];
        var n = 0;
        for (var k = box.K0; k <= box.K1; k++)
        {
            for (var j = box.J0; j <= box.J1; j++)
            {
                for (var i = box.I0; i <= box.I1; i++)
                {
                    block[n++] = labels[lg.Size.LinearIndex(i, j, k)];
                }
            }
        }

        var pixels = new int[view.Width * view.Height];
        view.SampleNearest(lg, box, block, 1, pixels);
        var count = 0;
        for (var row = 0; row < view.Height; row++)
        {
            for (var col = 0; col < view.Width; col++)
            {
                // CT pixel centres (x = −25.2 + 0.8 col) never fall on a label cell edge, so the expectation is exact.
                var p = view.PixelToPointLps(col, row, 1);
                Assert.Equal(Labelled(p) ? 7 : 0, pixels[row * view.Width + col]);
                count += pixels[row * view.Width + col] == 7 ? 1 : 0;
            }
        }

        // 9 mm × 9 mm at 0.8 mm pixels: 11 × 11 or 12 × 12 pixels, on the patient's left (screen right) and anterior-ish.
        Assert.InRange(count, 121, 144);
        var (mx, my, _) = view.PointLpsToPixel(new Vector3D(11, -2, 0));
        Assert.Equal(7, pixels[(int)Math.Round(my) * view.Width + (int)Math.Round(mx)]);
        Assert.True(mx > view.Width / 2.0, "patient left is screen right");

        // Sampling the whole map gives the same picture as sampling the block the slice touches.
        var whole = new int[view.Width * view.Height];
        view.SampleNearest(lg, Whole(lg), labels, 1, whole);
        Assert.Equal(whole, pixels);
    }

    [Fact]
    public void A_mismatched_frame_is_refused_with_a_message()
    {
        var ct = LpsFirst();
        var elsewhere = new ImageGeometry(new VolumeSize(10, 10, 10), new Vector3D(1, 1, 1), new Vector3D(500, 500, 500), Matrix3D.Identity);
        var far = RadiologicalSlice.WhyOverlayRefused(ct, null, elsewhere, null);
        Assert.NotNull(far);
        Assert.Contains("does not overlap", far, StringComparison.Ordinal);

        var uid = RadiologicalSlice.WhyOverlayRefused(ct, "1.2.3.4", RasFirst(), "1.2.3.5");
        Assert.NotNull(uid);
        Assert.Contains("1.2.3.5", uid, StringComparison.Ordinal);
        Assert.Contains("frame of reference", uid, StringComparison.Ordinal);

        Assert.Null(RadiologicalSlice.WhyOverlayRefused(ct, "1.2.3.4", RasFirst(), "1.2.3.4"));
        Assert.Null(RadiologicalSlice.WhyOverlayRefused(ct, "1.2.3.4", RasFirst(), null)); // one unknown: matched by patient space
    }
}
