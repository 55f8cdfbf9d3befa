using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Rendering;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Rendering;

/// <summary>
/// The radiological convention checked by pixel positions: a bright block at the patient's right, anterior and
/// superior must appear on screen left (axial, coronal), top (axial: anterior; coronal/sagittal: superior) and left
/// in sagittal (anterior), whether the volume is stored LPS-first or RAS-first.
/// </summary>
public sealed class SliceRendererTests
{
    private static readonly VolumeSize Size = new(40, 30, 20);
    private static readonly Vector3D Spacing = new(1, 1, 2);

    // The block: right (x < 0), anterior (y < 0), superior (z > 0) in LPS.
    private static bool InBlock(Vector3D p) => p.X is >= -15 and <= -10 && p.Y is >= -12 and <= -8 && p.Z is >= 4 and <= 12;

    private static readonly Vector3D BlockCentre = new(-12.5, -10, 8);

    private static Volume<float> LpsFirst() => Fill(new ImageGeometry(Size, Spacing, new Vector3D(-20, -15, -20), Matrix3D.Identity));

    // Same patient, stored with i towards the right and j towards anterior (RAS-first, as many NIfTI files are).
    private static Volume<float> RasFirst() => Fill(new ImageGeometry(Size, Spacing, new Vector3D(19, 14, -20), new Matrix3D(-1, 0, 0, 0, -1, 0, 0, 0, 1)));

    private static Volume<float> Fill(ImageGeometry g)
    {
        var v = new Volume<float>(g);
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    v[i, j, k] = InBlock(g.IndexToPointLps(i, j, k)) ? 1000 : 0;
                }
            }
        }

        return v;
    }

    private static RenderedSlice Draw(Volume<float> image, SliceOrientation o, Action<SliceRequest>? _ = null) =>
        SliceRenderer.Render(new SliceRequest { Image = image, Orientation = o, ThroughLps = BlockCentre, Window = new WindowLevel(500, 1000), OrientationMarkers = false });

    private static int Grey(RenderedSlice s, Vector3D p)
    {
        var (x, y) = s.PointToPixel(p);
        return s.PixelRgb((int)Math.Round(x), (int)Math.Round(y)) & 0xFF;
    }

    [Theory]
    [InlineData(SliceOrientation.Axial)]
    [InlineData(SliceOrientation.Coronal)]
    [InlineData(SliceOrientation.Sagittal)]
    public void Lps_first_and_ras_first_storage_give_the_same_picture(SliceOrientation o)
    {
        using var a = Draw(LpsFirst(), o);
        using var b = Draw(RasFirst(), o);
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        Assert.Equal(a.Bitmap.GetPixelSpan().ToArray(), b.Bitmap.GetPixelSpan().ToArray());
    }

    [Fact]
    public void Axial_puts_patient_right_on_screen_left_and_anterior_up()
    {
        foreach (var volume in new[] { LpsFirst(), RasFirst() })
        {
            using var s = Draw(volume, SliceOrientation.Axial);
            Assert.Equal((40, 30), (s.Width, s.Height)); // 40 mm × 30 mm at 1 mm pixels
            // Block spans x −15..−10 (LPS) → columns 5..10 of a field from x = −20.5; y −12..−8 → rows 3..7.
            Assert.Equal(255, s.PixelRgb(7, 5) & 0xFF);
            Assert.Equal(0, s.PixelRgb(s.Width - 1 - 7, 5) & 0xFF); // mirrored left–right: dark
            Assert.Equal(0, s.PixelRgb(7, s.Height - 1 - 5) & 0xFF); // mirrored front–back: dark
            Assert.Equal(255, Grey(s, BlockCentre));
            var (x, y) = s.PointToPixel(BlockCentre);
            Assert.True(x < s.Width / 2.0 && y < s.Height / 2.0, "right-anterior block must be top-left");
        }
    }

    [Fact]
    public void Coronal_puts_patient_right_on_screen_left_and_superior_up()
    {
        using var s = Draw(RasFirst(), SliceOrientation.Coronal);
        Assert.Equal((40, 40), (s.Width, s.Height)); // 40 mm wide, 20 slices × 2 mm high at 1 mm pixels
        // z 4..12 mm → rows from the top edge z = 19: 19 − 12 = 7 .. 19 − 4 = 15; x → columns 5..10.
        Assert.Equal(255, s.PixelRgb(7, 10) & 0xFF);
        Assert.Equal(0, s.PixelRgb(7, 40 - 1 - 10) & 0xFF);
        Assert.Equal(0, s.PixelRgb(40 - 1 - 7, 10) & 0xFF);
    }

    [Fact]
    public void Sagittal_puts_anterior_on_screen_left_and_superior_up()
    {
        using var s = Draw(RasFirst(), SliceOrientation.Sagittal);
        Assert.Equal((30, 40), (s.Width, s.Height));
        // y −12..−8 → columns from the anterior edge y = −15.5: 3.5..7.5; z → rows 7..15.
        Assert.Equal(255, s.PixelRgb(5, 10) & 0xFF);
        Assert.Equal(0, s.PixelRgb(30 - 1 - 5, 10) & 0xFF);
        Assert.Equal(0, s.PixelRgb(5, 40 - 1 - 10) & 0xFF);
    }

    [Theory]
    [InlineData(SliceOrientation.Axial, 'R', 'L', 'A', 'P')]
    [InlineData(SliceOrientation.Coronal, 'R', 'L', 'S', 'I')]
    [InlineData(SliceOrientation.Sagittal, 'A', 'P', 'S', 'I')]
    public void Edge_letters_follow_the_radiological_convention(SliceOrientation o, char left, char right, char top, char bottom) =>
        Assert.Equal((left, right, top, bottom), OrientationLetters.EdgeLetters(SlicePlane.For(o)));

    [Fact]
    public void Orientation_letters_are_drawn_at_the_edges()
    {
        var blank = new Volume<float>(ImageGeometry.AxisAligned(new VolumeSize(120, 120, 3), new Vector3D(1, 1, 1)));
        using var s = SliceRenderer.Render(new SliceRequest { Image = blank, ThroughLps = new Vector3D(60, 60, 1), Window = new WindowLevel(500, 1000) });
        foreach (var edge in "lrtb")
        {
            var (x0, y0) = OrientationLetters.LetterOrigin(edge, s.Width, s.Height);
            var inked = 0;
            for (var y = (int)y0; y < y0 + 14; y++)
            {
                for (var x = (int)x0; x < x0 + 8; x++)
                {
                    inked += (s.PixelRgb(x, y) >> 16) > 200 ? 1 : 0;
                }
            }

            Assert.True(inked >= 6, $"edge {edge}: only {inked} inked pixels");
        }

        Assert.Equal(0, s.PixelRgb(60, 60)); // the middle stays black
    }

    [Fact]
    public void Label_map_on_another_grid_lines_up_through_patient_space()
    {
        // Labels at 0.5 mm, rotated 90° about the patient axis (i → posterior, j → right), covering the same block.
        var g = new ImageGeometry(new VolumeSize(80, 100, 60), new Vector3D(0.5, 0.5, 0.5), new Vector3D(-10, -20, -5), new Matrix3D(0, -1, 0, 1, 0, 0, 0, 0, 1));
        var labels = new Volume<int>(g);
        for (var k = 0; k < 60; k++)
        {
            for (var j = 0; j < 100; j++)
            {
                for (var i = 0; i < 80; i++)
                {
                    labels[i, j, k] = InBlock(g.IndexToPointLps(i, j, k)) ? 2 : 0;
                }
            }
        }

        var map = new LabelMap(labels, new LabelTable().Set(new LabelEntry(2, "tumour", LabelRole.Tumour)));
        using var s = SliceRenderer.Render(new SliceRequest
        {
            Image = LpsFirst(), ThroughLps = BlockCentre, Window = new WindowLevel(500, 1000), OrientationMarkers = false,
            Labels = [new LabelOverlay(map, FillOpacity: 1f)],
        });
        Assert.Equal(SliceRenderer.RoleColour(LabelRole.Tumour), s.PixelRgb(7, 5));
        Assert.Equal(0, s.PixelRgb(20, 20)); // outside the block: the image's black
    }

    [Fact]
    public void Label_map_that_does_not_overlap_the_image_is_refused()
    {
        var far = new Volume<int>(ImageGeometry.AxisAligned(new VolumeSize(10, 10, 10), new Vector3D(1, 1, 1), new Vector3D(500, 500, 500)));
        var map = new LabelMap(far, new LabelTable());
        var ex = Assert.Throws<ImagingException>(() => SliceRenderer.Render(new SliceRequest { Image = LpsFirst(), Labels = [new LabelOverlay(map)] }));
        Assert.Equal("LC-RENDER-001", ex.Code);
        Assert.Contains("does not overlap", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_map_in_another_frame_of_reference_is_refused()
    {
        var map = new LabelMap(new Volume<int>(LpsFirst().Geometry), new LabelTable());
        var ex = Assert.Throws<ImagingException>(() => SliceRenderer.Render(new SliceRequest
        {
            Image = LpsFirst(), FrameOfReferenceUid = "1.2.3", Labels = [new LabelOverlay(map, FrameOfReferenceUid: "1.2.4")],
        }));
        Assert.Equal("LC-RENDER-001", ex.Code);
        Assert.Contains("frame of reference", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Margin_map_colours_follow_the_bands()
    {
        var g = LpsFirst().Geometry;
        var margins = new Volume<float>(g);
        margins.Voxels.Fill(float.NaN);
        margins[7, 5, 14] = -1f;  // LPS (−13, −10, 8)
        margins[8, 5, 14] = 3f;
        margins[9, 5, 14] = 7f;
        margins[10, 5, 14] = 12f;
        using var s = SliceRenderer.Render(new SliceRequest
        {
            Image = LpsFirst(), ThroughLps = BlockCentre, Window = new WindowLevel(500, 1000), OrientationMarkers = false,
            Scalar = new ScalarOverlay(margins, ColourMap.AblativeMargin, Opacity: 1f),
        });
        Assert.Equal(0xE0201B, s.PixelRgb(7, 5));
        Assert.Equal(0xFF8C00, s.PixelRgb(8, 5));
        Assert.Equal(0xFFE135, s.PixelRgb(9, 5));
        Assert.Equal(0x2EB82E, s.PixelRgb(10, 5));
        Assert.Equal(0xFFFFFF, s.PixelRgb(7, 6)); // NaN: the image shows through
    }

    [Fact]
    public void Continuous_colour_map_interpolates_between_stops()
    {
        var map = ColourMap.Continuous(0, 3);
        Assert.Equal(0x1F3FFF, map.ColourOf(-5));
        Assert.Equal(0xE0201B, map.ColourOf(3));
        Assert.Equal(0xE0201B, map.ColourOf(30));
        var mid = map.ColourOf(0.5); // halfway from 0x1F3FFF to 0x00D8FF
        Assert.InRange(mid >> 16, 0x0F, 0x10);
        Assert.InRange((mid >> 8) & 0xFF, 0x8B, 0x8C);
    }

    [Fact]
    public void Lines_and_markers_are_placed_by_their_lps_points()
    {
        var blank = new Volume<float>(LpsFirst().Geometry);
        using var s = SliceRenderer.Render(new SliceRequest
        {
            Image = blank, ThroughLps = new Vector3D(0, 0, 0), Window = new WindowLevel(500, 1000), OrientationMarkers = false,
            Lines = [new LpsLine(new Vector3D(-10, 0, -10), new Vector3D(10, 0, 10), 0x00FF00, 3)],
            Markers = [new LpsMarker(new Vector3D(-10, -10, 1), 0xFF0000, 4), new LpsMarker(new Vector3D(10, 10, 9), 0xFF0000, 4)],
        });
        var (x, y) = s.PointToPixel(new Vector3D(0, 0, 0));
        Assert.Equal(0x00FF00, s.PixelRgb((int)Math.Round(x), (int)Math.Round(y)) & 0x00FF00);
        var (mx, my) = s.PointToPixel(new Vector3D(-10, -10, 1));
        Assert.True((s.PixelRgb((int)Math.Round(mx + 4), (int)Math.Round(my)) >> 16) > 150, "ring of the marker within the slab");
        var (fx, fy) = s.PointToPixel(new Vector3D(10, 10, 9));
        Assert.Equal(0, s.PixelRgb((int)Math.Round(fx + 4), (int)Math.Round(fy))); // 9 mm off the plane: not drawn
    }

    [Fact]
    public void Png_round_trip_keeps_the_pixels()
    {
        using var s = Draw(RasFirst(), SliceOrientation.Axial);
        var dir = Directory.CreateTempSubdirectory("lc-render-");
        try
        {
            var path = Path.Combine(dir.FullName, "axial.png");
            s.SavePng(path);
            using var back = SkiaSharp.SKBitmap.Decode(path);
            Assert.Equal((s.Width, s.Height), (back.Width, back.Height));
            Assert.Equal(255, back.GetPixel(7, 5).Red);
            Assert.Single(Directory.GetFiles(dir.FullName)); // no temp file left
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
