using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;
using LocalControl.Verification.Margins;
using LocalControl.Verification.Registration;
using static LocalControl.Verification.Tests.Synthetic;

namespace LocalControl.Verification.Tests;

/// <summary>Margins of analytic spheres and ellipsoids against their exact values (tolerance: about half the largest voxel side).</summary>
public sealed class MarginAnalysisTests
{
    private static readonly Vector3D C = new(12, -30, 55);
    private static readonly Vector3D Spacing = new(0.8, 0.8, 1.2);
    private const double Tolerance = 0.5;

    // A margin read where the surfaces meet the 1.2 mm axis: each voxelised surface lies within half a voxel of the
    // analytic one, so the voxelised margin itself may differ from the analytic one by up to one voxel there.
    private const double VoxelisedTolerance = 1.2;

    private static ImageGeometry Grid(Vector3D? spacing = null, Matrix3D? direction = null)
    {
        var s = spacing ?? Spacing;
        return Synthetic.Grid(new VolumeSize((int)(64 / s.X), (int)(64 / s.Y), (int)(64 / s.Z)), s, C, direction);
    }

    private static MarginResult Margins(Func<Vector3D, bool> tumour, Func<Vector3D, bool> zone, ImageGeometry? preGrid = null, ImageGeometry? postGrid = null, MarginOptions? options = null)
    {
        var pre = Draw(preGrid ?? Grid(), PreTable(), p => tumour(p) ? Tumour : 0);
        var post = Draw(postGrid ?? Grid(), PostTable(), p => zone(p) ? Zone : 0);
        return MarginAnalysis.Compute(pre, post, RigidTransform.Identity, options);
    }

    [Fact]
    public void Concentric_spheres_give_the_radius_difference_everywhere()
    {
        var t = Assert.Single(Margins(p => InSphere(p, C, 10), p => InSphere(p, C, 15)).Tumours);
        Assert.Equal(5, t.MinimalMarginMm, Tolerance);
        Assert.Equal(5, t.Distribution.MaxMm, VoxelisedTolerance);
        Assert.Equal(5, t.Distribution.MedianMm, 0.25);
        Assert.Equal(0, t.SurfaceBelow0Percent);
        Assert.Equal(100, t.SurfaceBelow10Percent);
        Assert.True(t.A0);
        Assert.Equal(4 * Math.PI * 100, t.SurfaceAreaMm2, 4 * Math.PI * 100 * 0.05); // area within 5 % of 4πr²
        Assert.Equal(4.0 / 3 * Math.PI * 1000 / 1000, t.VolumeMl, 0.05);
    }

    [Fact]
    public void Offset_zone_is_thinnest_on_the_far_side_with_the_exact_margin()
    {
        // Zone shifted 3 mm to the patient's left (+x): thinnest on the right (−x), 15 − 3 − 10 = 2 mm; thickest 8 mm.
        var t = Assert.Single(Margins(p => InSphere(p, C, 10), p => InSphere(p, C + new Vector3D(3, 0, 0), 15)).Tumours);
        Assert.Equal(2, t.MinimalMarginMm, Tolerance);
        Assert.Equal(8, t.Distribution.MaxMm, VoxelisedTolerance);
        Assert.True(t.ThinnestDirectionLps.X < -0.9, $"direction {t.ThinnestDirectionLps}");
        Assert.Equal("right", t.ThinnestDirectionWords);
        Assert.Equal(C.X - 10, t.ThinnestPointLps.X, 1.0);
        Assert.Equal(100, t.SurfaceBelow10Percent);
        // Share of the sphere with margin < 5 mm: |p − z| > 10 ⇔ cos θ < (100 + 9 − 100) / 60 = 0.15 → (1 + 0.15) / 2 = 57.5 %.
        Assert.Equal(57.5, t.SurfaceBelow5Percent, 5.0); // ±5 % ⇔ a ±0.3 mm shift of the margins here
    }

    [Fact]
    public void Partial_coverage_gives_a_negative_margin_and_the_uncovered_share()
    {
        // Zone of 8 mm centred 6 mm to the left: the right pole is 16 mm from the zone centre → −8 mm.
        // Uncovered where |p − z| > 8 ⇔ cos θ < (100 + 36 − 64) / 120 = 0.6 → 80 % of the surface.
        var t = Assert.Single(Margins(p => InSphere(p, C, 10), p => InSphere(p, C + new Vector3D(6, 0, 0), 8)).Tumours);
        Assert.Equal(-8, t.MinimalMarginMm, Tolerance);
        Assert.False(t.A0);
        Assert.Equal(80, t.SurfaceBelow0Percent, 3.0);
        Assert.Equal(100, t.SurfaceBelow5Percent);
    }

    [Fact]
    public void Zone_that_misses_the_tumour_entirely_gives_a_negative_margin()
    {
        // Zone of 8 mm radius 22 mm above: the facing pole is 22 − 10 − 8 = 4 mm outside it, the far pole 32 − 8 = 24 mm.
        var t = Assert.Single(Margins(p => InSphere(p, C, 10), p => InSphere(p, C + new Vector3D(0, 0, 22), 8)).Tumours);
        Assert.Equal(-24, t.MinimalMarginMm, VoxelisedTolerance);
        Assert.Equal(100, t.SurfaceBelow0Percent);
        Assert.False(t.A0);
        Assert.Equal(-4, t.Distribution.MaxMm, VoxelisedTolerance);
    }

    [Fact]
    public void Ellipsoid_tumour_in_a_sphere_is_thinnest_at_its_long_axis_tips()
    {
        // Semi-axes 12, 8, 6 mm in a 16 mm sphere: 4 mm at the x tips, 8 mm at the y tips, 10 mm at the z tips.
        var t = Assert.Single(Margins(p => InEllipsoid(p, C, new Vector3D(12, 8, 6)), p => InSphere(p, C, 16)).Tumours);
        Assert.Equal(4, t.MinimalMarginMm, Tolerance);
        Assert.Equal(10, t.Distribution.MaxMm, VoxelisedTolerance);
        Assert.True(Math.Abs(t.ThinnestDirectionLps.X) > 0.9, $"direction {t.ThinnestDirectionLps}");
        Assert.Equal(12, Math.Abs(t.ThinnestPointLps.X - C.X), 1.0);
    }

    [Fact]
    public void Ellipsoid_zone_around_a_sphere_gives_the_short_semi_axis_margin()
    {
        // Zone semi-axes 20, 16, 13 around a 9 mm sphere: 13 − 9 = 4 mm towards ±z.
        var t = Assert.Single(Margins(p => InSphere(p, C, 9), p => InEllipsoid(p, C, new Vector3D(20, 16, 13))).Tumours);
        Assert.Equal(4, t.MinimalMarginMm, Tolerance);
        Assert.True(Math.Abs(t.ThinnestDirectionLps.Z) > 0.9, $"direction {t.ThinnestDirectionLps}");
    }

    [Fact]
    public void Different_grids_and_orientations_give_the_same_margin()
    {
        // Pre stored RAS-first at 0.8 × 0.8 × 1.2 mm; post rotated 30° about the patient's z axis at 1.0 × 0.7 × 1.5 mm.
        var ras = new Matrix3D(-1, 0, 0, 0, -1, 0, 0, 0, 1);
        var rotated = RigidTransform.AxisAngle(new Vector3D(0, 0, 1), Math.PI / 6);
        var t = Assert.Single(Margins(p => InSphere(p, C, 10), p => InSphere(p, C + new Vector3D(0, 3, 0), 15),
            preGrid: Grid(direction: ras), postGrid: Grid(new Vector3D(1.0, 0.7, 1.5), rotated)).Tumours);
        Assert.Equal(2, t.MinimalMarginMm, 0.6);
        Assert.True(t.ThinnestDirectionLps.Y < -0.9, $"direction {t.ThinnestDirectionLps}"); // zone shifted posterior: thinnest anterior
        Assert.Equal("anterior", t.ThinnestDirectionWords);
    }

    [Fact]
    public void Two_tumours_are_numbered_in_scan_order_and_measured_apart()
    {
        var a = C + new Vector3D(0, 0, -15);
        var b = C + new Vector3D(0, 0, 15);
        var result = Margins(p => InSphere(p, a, 6) || InSphere(p, b, 5), p => InSphere(p, a, 12) || InSphere(p, b + new Vector3D(2, 0, 0), 12));
        Assert.Equal(2, result.Tumours.Count);
        Assert.Equal("T1", result.Tumours[0].Id);
        Assert.True(result.Tumours[0].CentroidLps.Z < result.Tumours[1].CentroidLps.Z); // k grows with z here
        Assert.Equal(6, result.Tumours[0].MinimalMarginMm, Tolerance);
        Assert.Equal(5, result.Tumours[1].MinimalMarginMm, Tolerance);
    }

    [Fact]
    public void Sensitivity_to_a_2_mm_error_spans_the_margin_either_way()
    {
        // Offset 3 mm: moving the tumour 2 mm towards the zone centre raises the MAM to 4 mm, the other way lowers it to 0.
        var t = Assert.Single(Margins(p => InSphere(p, C, 10), p => InSphere(p, C + new Vector3D(3, 0, 0), 15)).Tumours);
        Assert.Equal(0, t.SensitivityMinusMm, Tolerance);
        Assert.Equal(4, t.SensitivityPlusMm, Tolerance);
    }

    [Fact]
    public void Segment_at_the_thinnest_point_comes_from_the_segment_map()
    {
        var grid = Grid();
        var segments = Draw(grid, new LabelTable(), p => p.X < C.X ? 7 : 8).Labels;
        var pre = Draw(grid, PreTable(), p => InSphere(p, C, 10) ? Tumour : 0);
        var post = Draw(grid, PostTable(), p => InSphere(p, C + new Vector3D(3, 0, 0), 15) ? Zone : 0);
        var t = Assert.Single(MarginAnalysis.Compute(pre, post, RigidTransform.Identity, new MarginOptions { SegmentMap = segments }).Tumours);
        Assert.Equal(7, t.Segment);
    }

    [Fact]
    public void Margin_map_holds_the_margin_on_the_tumour_surface_and_nan_elsewhere()
    {
        var result = Margins(p => InSphere(p, C, 10), p => InSphere(p, C, 15));
        var map = result.MarginMap;
        var centreIndex = map.Geometry.PointLpsToIndex(C);
        Assert.True(float.IsNaN(map[(int)Math.Round(centreIndex.X), (int)Math.Round(centreIndex.Y), (int)Math.Round(centreIndex.Z)]));
        var values = map.Buffer.Where(float.IsFinite).ToArray();
        Assert.NotEmpty(values);
        Assert.All(values, v => Assert.InRange(v, 5 - VoxelisedTolerance, 5 + VoxelisedTolerance));
        // Every finite voxel lies on the tumour surface: within one voxel of radius 10.
        for (var n = 0; n < map.Buffer.Length; n++)
        {
            if (float.IsFinite(map.Buffer[n]))
            {
                var size = map.Size;
                var p = map.Geometry.IndexToPointLps(n % size.I, n / size.I % size.J, n / (size.I * size.J));
                Assert.InRange((p - C).Length, 10 - 1.3, 10);
            }
        }
    }
}
