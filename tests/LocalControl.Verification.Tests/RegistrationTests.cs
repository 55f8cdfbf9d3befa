using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;
using LocalControl.Verification.Registration;
using static LocalControl.Verification.Tests.Synthetic;

namespace LocalControl.Verification.Tests;

/// <summary>A known rigid motion between two anisotropic, differently oriented grids is recovered within 0.5 mm and 0.5°.</summary>
public sealed class RegistrationTests
{
    private static readonly Vector3D L = new(-30, 20, 100);
    private static readonly RigidTransform Motion = new(RigidTransform.AxisAngle(new Vector3D(1, 2, 3), 6 * Math.PI / 180), new Vector3D(8, -5, 12));

    private static ImageGeometry PreGrid() => Grid(new VolumeSize(170, 140, 64), new Vector3D(1.0, 1.0, 2.0), L + new Vector3D(-3, -12, 4));

    // Post: 1.1 × 0.9 × 1.7 mm, rotated 90° about the patient axis and stored RAS-first, placed around where the liver moved.
    private static ImageGeometry PostGrid(VolumeSize? size = null, Vector3D? centre = null)
    {
        var direction = new Matrix3D(0, 1, 0, -1, 0, 0, 0, 0, 1) * new Matrix3D(-1, 0, 0, 0, -1, 0, 0, 0, 1);
        return Grid(size ?? new VolumeSize(150, 180, 76), new Vector3D(1.1, 0.9, 1.7), centre ?? Motion.Inverse().Apply(L), direction);
    }

    private static void AssertRecovered(RegistrationResult result)
    {
        var r = result.PostToPre.Rotation * Motion.Rotation.Transpose();
        var angle = new RigidTransform(r, Vector3D.Zero).RotationDegrees;
        Assert.True(angle < 0.5, $"rotation off by {angle:0.###}°");
        // Position error where it matters: at the liver centre and 60 mm away from it along each axis.
        foreach (var p in new[] { L, L + new Vector3D(60, 0, 0), L + new Vector3D(0, 60, 0), L + new Vector3D(0, 0, 60) })
        {
            var q = Motion.Inverse().Apply(p); // the post point that shows pre point p
            var off = (result.PostToPre.Apply(q) - p).Length;
            Assert.True(off < 0.5, $"point {p} off by {off:0.###} mm");
        }
    }

    [Fact]
    public void Known_rigid_motion_between_anisotropic_oblique_grids_is_recovered()
    {
        var (pre, post) = Pair(PreGrid(), PostGrid(), Motion, p => false, p => false, L);
        var result = MaskRegistration.Register(pre, post);
        AssertRecovered(result);
        Assert.Equal("rigid-liver-surface", result.Method);
        Assert.InRange(result.ResidualMeanMm, 0, 0.5);
        Assert.InRange(result.ResidualP95Mm, result.ResidualMeanMm, 1.2);
        Assert.InRange(result.UncertaintyAt(L), 0.05, 2);
        Assert.Contains(result.Notes, n => n.Contains("deformable registration is a later step", StringComparison.Ordinal));
    }

    [Fact]
    public void Partial_liver_in_the_post_scan_is_still_registered()
    {
        // The post scan stops 25 mm above the liver centre: the upper third of the liver is cut off by its field of view.
        var full = PostGrid();
        var cut = Grid(new VolumeSize(150, 180, 44), full.SpacingMm, Motion.Inverse().Apply(L) + new Vector3D(0, 0, -12), full.Direction);
        var (pre, post) = Pair(PreGrid(), cut, Motion, p => false, p => false, L);
        AssertRecovered(MaskRegistration.Register(pre, post));
    }

    [Fact]
    public void Landmarks_alone_give_the_exact_motion()
    {
        var pre = new[] { new Vector3D(0, 0, 0), new Vector3D(50, 0, 10), new Vector3D(0, 40, -20), new Vector3D(-30, 10, 60) };
        var pairs = pre.Select(p => new LandmarkPair(p, Motion.Inverse().Apply(p))).ToArray();
        var fit = LandmarkFit.Fit(pairs);
        foreach (var pair in pairs)
        {
            Assert.Equal(0, (fit.Apply(pair.PostLps) - pair.PreLps).Length, 1e-9);
        }
    }

    [Fact]
    public void Collinear_landmarks_are_refused()
    {
        var pairs = new[] { 0.0, 10, 20 }.Select(x => new LandmarkPair(new Vector3D(x, 0, 0), new Vector3D(x, 1, 0))).ToArray();
        var ex = Assert.Throws<VerificationException>(() => LandmarkFit.Fit(pairs));
        Assert.Equal("LC-VERIFY-007", ex.Code);
    }

    [Fact]
    public void Rigid_transform_algebra_round_trips()
    {
        var p = new Vector3D(3, -7, 11);
        Assert.Equal(0, (Motion.Inverse().Apply(Motion.Apply(p)) - p).Length, 1e-12);
        Assert.Equal(0, (Motion.After(Motion.Inverse()).Apply(p) - p).Length, 1e-12);
        Assert.Equal(6, Motion.RotationDegrees, 1e-9);
        var m = Motion.ToRowMajor4x4();
        Assert.Equal(Motion.Apply(p).X, m[0] * p.X + m[1] * p.Y + m[2] * p.Z + m[3], 1e-12);
        Assert.Equal([0, 0, 0, 1], m[12..]);
        var grid = PreGrid();
        var moved = Motion.MoveGrid(grid);
        Assert.Equal(0, (moved.IndexToPointLps(5, 6, 7) - Motion.Apply(grid.IndexToPointLps(5, 6, 7))).Length, 1e-9);
    }

    [Fact]
    public void Registration_that_cannot_converge_in_its_iterations_is_refused()
    {
        var (pre, post) = Pair(PreGrid(), PostGrid(), Motion, p => false, p => false, L);
        var ex = Assert.Throws<VerificationException>(() => MaskRegistration.Register(pre, post, new RegistrationOptions { MaxIterations = 3 }));
        Assert.Equal("LC-VERIFY-004", ex.Code);
    }

    [Fact]
    public void A_post_liver_that_is_not_the_same_liver_is_refused()
    {
        var pre = Draw(PreGrid(), PreTable(), p => InLiver(p, L) ? Liver : 0);
        var post = Draw(PostGrid(), PostTable(), p => InSphere(p, L, 22) ? Liver : 0); // a small ball, not this liver
        var ex = Assert.Throws<VerificationException>(() => MaskRegistration.Register(pre, post));
        Assert.Contains(ex.Code, new[] { "LC-VERIFY-004", "LC-VERIFY-005" });
    }
}
