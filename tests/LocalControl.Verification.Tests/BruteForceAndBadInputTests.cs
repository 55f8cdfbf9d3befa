using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;
using LocalControl.Verification.Margins;
using LocalControl.Verification.Registration;
using static LocalControl.Verification.Tests.Synthetic;

namespace LocalControl.Verification.Tests;

/// <summary>Margins against a brute-force point-to-surface computation, and inputs that must be refused.</summary>
public sealed class BruteForceAndBadInputTests
{
    private static readonly Vector3D C = new(-5, 12, -40);

    // An irregular tumour (two spheres) and a concave zone (an ellipsoid with a bite taken out, as a vessel's heat sink does).
    private static bool Tumour(Vector3D p) => InSphere(p, C, 8) || InSphere(p, C + new Vector3D(6, 3, 2), 5);

    private static bool Zone(Vector3D p) => InEllipsoid(p, C + new Vector3D(2, 1, 0), new Vector3D(16, 13, 12)) && !InSphere(p, C + new Vector3D(-13, -2, 0), 6);

    private static Vector3D[] Directions(int count)
    {
        var golden = Math.PI * (3 - Math.Sqrt(5));
        return [.. Enumerable.Range(0, count).Select(n =>
        {
            var z = 1 - (2 * n + 1.0) / count;
            var r = Math.Sqrt(1 - z * z);
            return new Vector3D(r * Math.Cos(golden * n), r * Math.Sin(golden * n), z);
        })];
    }

    // Dense points on the analytic surfaces: the tumour's (two spheres, each outside the other) and the zone's
    // (the ellipsoid outside the bite, the bite's sphere inside the ellipsoid).
    private static Vector3D[] TumourSurface() =>
    [
        .. Directions(3000).Select(u => C + u * 8).Where(p => !InSphere(p, C + new Vector3D(6, 3, 2), 5 - 1e-9)),
        .. Directions(1200).Select(u => C + new Vector3D(6, 3, 2) + u * 5).Where(p => !InSphere(p, C, 8 - 1e-9)),
    ];

    private static Vector3D[] ZoneSurface() =>
    [
        .. Directions(60000).Select(u => C + new Vector3D(2, 1, 0) + new Vector3D(16 * u.X, 13 * u.Y, 12 * u.Z)).Where(p => !InSphere(p, C + new Vector3D(-13, -2, 0), 6)),
        .. Directions(12000).Select(u => C + new Vector3D(-13, -2, 0) + u * 6).Where(p => InEllipsoid(p, C + new Vector3D(2, 1, 0), new Vector3D(16, 13, 12))),
    ];

    [Fact]
    public void Margins_equal_a_brute_force_point_to_surface_computation()
    {
        // An oblique, anisotropic grid so that no surface lines up with the voxels.
        var direction = RigidTransform.AxisAngle(new Vector3D(1, 1, 0), 0.4);
        var grid = Grid(new VolumeSize(56, 60, 36), new Vector3D(0.9, 0.8, 1.3), C, direction);
        var pre = Draw(grid, PreTable(), p => Tumour(p) ? Synthetic.Tumour : 0);
        var post = Draw(grid, PostTable(), p => Zone(p) ? Synthetic.Zone : 0);
        var t = Assert.Single(MarginAnalysis.Compute(pre, post, RigidTransform.Identity).Tumours);

        // Brute force: every tumour surface point against every zone surface point, signed by the analytic zone.
        var tumour = TumourSurface();
        var zone = ZoneSurface();
        var brute = new double[tumour.Length];
        Parallel.For(0, tumour.Length, n =>
        {
            var p = tumour[n];
            var d2 = double.PositiveInfinity;
            foreach (var z in zone)
            {
                var e = p - z;
                d2 = Math.Min(d2, e.Dot(e));
            }

            brute[n] = Zone(p) ? Math.Sqrt(d2) : -Math.Sqrt(d2);
        });
        var thinnest = tumour[Array.IndexOf(brute, brute.Min())];
        Array.Sort(brute);
        Assert.Equal(brute[0], t.MinimalMarginMm, 0.6); // half the largest voxel side
        Assert.Equal(brute[brute.Length / 2], t.Distribution.MedianMm, 0.35);
        Assert.True((thinnest - t.ThinnestPointLps).Length < 3, $"thinnest point {t.ThinnestPointLps} against {thinnest}");
        Assert.Equal(t.MinimalMarginMm < 0, brute[0] < 0);
    }

    private static readonly ImageGeometry SmallGrid = Grid(new VolumeSize(50, 50, 40), new Vector3D(1, 1, 1), C);

    private static VerificationInput Input(Func<Vector3D, int> pre, Func<Vector3D, int> post, ImageGeometry? postGrid = null) => new()
    {
        Pre = Draw(SmallGrid, PreTable(), pre),
        Post = Draw(postGrid ?? SmallGrid, PostTable(), post),
    };

    [Fact]
    public void Empty_tumour_is_refused()
    {
        var ex = Assert.Throws<VerificationException>(() => MarginVerification.Verify(Input(_ => 0, p => InSphere(p, C, 12) ? Synthetic.Zone : 0)));
        Assert.Equal("LC-VERIFY-002", ex.Code);
    }

    [Fact]
    public void Empty_zone_is_refused()
    {
        var ex = Assert.Throws<VerificationException>(() => MarginVerification.Verify(Input(p => InSphere(p, C, 6) ? Synthetic.Tumour : 0, _ => 0)));
        Assert.Equal("LC-VERIFY-003", ex.Code);
    }

    [Fact]
    public void Zone_far_from_the_tumour_is_refused_not_measured()
    {
        var ex = Assert.Throws<VerificationException>(() => MarginVerification.Verify(Input(
            p => InSphere(p, C + new Vector3D(-18, 0, 0), 5) ? Synthetic.Tumour : 0,
            p => InSphere(p, C + new Vector3D(18, 0, 0), 5) ? Synthetic.Zone : 0)));
        Assert.Equal("LC-VERIFY-006", ex.Code);
    }

    [Fact]
    public void Grids_that_cannot_be_registered_are_refused()
    {
        var other = Grid(new VolumeSize(40, 40, 30), new Vector3D(1.2, 1.2, 1.5), C);
        var ex = Assert.Throws<VerificationException>(() => MarginVerification.Verify(Input(
            p => InSphere(p, C, 6) ? Synthetic.Tumour : 0, p => InSphere(p, C, 12) ? Synthetic.Zone : 0, other)));
        Assert.Equal("LC-VERIFY-001", ex.Code);
    }

    [Fact]
    public void Segment_map_on_another_grid_is_refused()
    {
        var input = Input(p => InSphere(p, C, 6) ? Synthetic.Tumour : 0, p => InSphere(p, C, 12) ? Synthetic.Zone : 0) with
        {
            Margins = new MarginOptions { SegmentMap = new Volume<int>(Grid(new VolumeSize(10, 10, 10), new Vector3D(1, 1, 1), C)) },
        };
        var ex = Assert.Throws<VerificationException>(() => MarginVerification.Verify(input));
        Assert.Equal("LC-VERIFY-007", ex.Code);
    }

    [Fact]
    public void Same_grid_without_livers_is_measured_as_co_registered_and_says_so()
    {
        var report = MarginVerification.Verify(Input(p => InSphere(p, C, 6) ? Synthetic.Tumour : 0, p => InSphere(p, C, 12) ? Synthetic.Zone : 0));
        Assert.Equal("identity-same-grid", report.Registration.Method);
        Assert.Equal(6, report.Worst.MinimalMarginMm, 0.5);
        Assert.True(double.IsNaN(report.Registration.UncertaintyAt(C)));
    }
}
