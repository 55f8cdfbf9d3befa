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

/// <summary>
/// The reported registration uncertainty must cover the true registration error at each tumour: large where the liver
/// surface leaves a rotation free (a near-spheroid), small where it pins the pose (an asymmetric liver).
/// </summary>
public sealed class RegistrationUncertaintyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly Vector3D C = new(10, -20, 60);
    private static readonly RigidTransform Motion = new(RigidTransform.AxisAngle(new Vector3D(1, -1, 2), 3 * Math.PI / 180), new Vector3D(4, -3, 5));

    // Tumour centres as offsets from the liver centre (mm), as in the liver phantom (far from its axis).
    private static readonly Vector3D[] Tumours = [new(-16, 16, -22), new(21, 14, 20), new(14, -23, 5)];

    private (RegistrationResult Result, double[] TrueErrorMm) Register(Func<Vector3D, bool> inLiver, VolumeSize size)
    {
        var grid = Grid(size, new Vector3D(1.2, 1.2, 2.0), C);
        var postGrid = Grid(size, new Vector3D(1.2, 1.2, 2.0), Motion.Inverse().Apply(C));
        var pre = Draw(grid, PreTable(), p => inLiver(p) ? Liver : 0);
        var post = Draw(postGrid, PostTable(), q => inLiver(Motion.Apply(q)) ? Liver : 0);
        var result = MaskRegistration.Register(pre, post);
        output.WriteLine($"liver surface residual mean at the found pose {SurfaceResidualMeanMm(pre, post, result.PostToPre):0.000} mm, at the true pose {SurfaceResidualMeanMm(pre, post, Motion):0.000} mm");
        var errors = Tumours.Select(o => C + o).Select(t => (result.PostToPre.Apply(Motion.Inverse().Apply(t)) - t).Length).ToArray();
        output.WriteLine(string.Join("; ", Tumours.Select((o, n) => $"tumour {n + 1}: true error {errors[n]:0.00} mm, uncertainty ±{result.UncertaintyAt(C + o):0.00} mm")) + $"; rotation {result.PostToPre.RotationDegrees:0.00}°, residual mean {result.ResidualMeanMm:0.00} mm");
        return (result, errors);
    }

    // Mean |distance| of the post liver surface (voxel-face centres) from the pre liver surface (exact map) under a pose.
    private static double SurfaceResidualMeanMm(LabelMap pre, LabelMap post, RigidTransform postToPre)
    {
        var preValues = MaskRegistration.OrganValues(pre.Table);
        var postValues = MaskRegistration.OrganValues(post.Table);
        var preBox = MaskRegion.BoundingBox(pre.Labels, preValues);
        var g = pre.Labels.Geometry;
        var field = DistanceField.Build(pre.Labels, preValues, preBox.Grow(30, g.SpacingMm, g.Size), g);
        var faces = SurfaceFaces.Of(MaskRegion.FromLabels(post.Labels, postValues, MaskRegion.BoundingBox(post.Labels, postValues)), includeGridEdge: false);
        return faces.CentresLps.Select(q => field.Sample(postToPre.Apply(q))).Where(double.IsFinite).Select(Math.Abs).Average();
    }

    [Fact]
    public void A_near_symmetric_liver_reports_an_uncertainty_that_covers_the_true_error()
    {
        // Semi-axes 47, 47, 50 mm: a spheroid, free to turn about its long axis and nearly free about the others.
        var (result, errors) = Register(p => InEllipsoid(p, C, new Vector3D(47, 47, 50)), new VolumeSize(96, 96, 60));
        var worst = 0.0;
        for (var n = 0; n < Tumours.Length; n++)
        {
            var u = result.UncertaintyAt(C + Tumours[n]);
            Assert.True(u >= errors[n], $"tumour {n + 1}: uncertainty ±{u:0.00} mm below the true error {errors[n]:0.00} mm");
            worst = Math.Max(worst, u);
        }

        // A rotation about the spheroid's axis is unconstrained: 25-30 mm from that axis the uncertainty must say so.
        Assert.True(worst > RegistrationResult.PoorlyConstrainedMm, $"largest uncertainty ±{worst:0.00} mm: the free rotation is not seen");
    }

    [Fact]
    public void An_asymmetric_liver_pins_the_pose_and_the_uncertainty_stays_small()
    {
        var (result, errors) = Register(p => InLiver(p, C), new VolumeSize(140, 110, 60));
        for (var n = 0; n < Tumours.Length; n++)
        {
            var u = result.UncertaintyAt(C + Tumours[n]);
            Assert.True(u >= errors[n], $"tumour {n + 1}: uncertainty ±{u:0.00} mm below the true error {errors[n]:0.00} mm");
            Assert.True(u <= 1, $"tumour {n + 1}: uncertainty ±{u:0.00} mm on a liver that pins the pose");
        }
    }
}

/// <summary>A verification on a near-spheroid liver says that the registration is poorly constrained and claims no confident margin.</summary>
public sealed class PoorlyConstrainedReportTests
{
    private static readonly Vector3D C = new(10, -20, 60);
    private static readonly RigidTransform Motion = new(RigidTransform.AxisAngle(new Vector3D(1, -1, 2), 3 * Math.PI / 180), new Vector3D(4, -3, 5));
    private static readonly Vector3D Tumour = C + new Vector3D(14, -23, 5);

    private static VerificationReport Verify(Func<Vector3D, bool> inLiver, VolumeSize size)
    {
        var spacing = new Vector3D(1.2, 1.2, 2.0);
        var pre = Draw(Grid(size, spacing, C), PreTable(), p => InSphere(p, Tumour, 5) ? Synthetic.Tumour : inLiver(p) ? Liver : 0);
        var post = Draw(Grid(size, spacing, Motion.Inverse().Apply(C)), PostTable(), q =>
        {
            var p = Motion.Apply(q);
            return InSphere(p, Tumour + new Vector3D(1, 0, 0), 9) ? Zone : inLiver(p) ? Liver : 0;
        });
        return MarginVerification.Verify(new VerificationInput { Pre = pre, Post = post, Registration = new RegistrationOptions() });
    }

    [Fact]
    public void A_near_spheroid_liver_gives_a_poorly_constrained_note_and_a_provisional_recommendation()
    {
        var report = Verify(p => InEllipsoid(p, C, new Vector3D(47, 47, 50)), new VolumeSize(96, 96, 60));
        Assert.True(report.Worst.RegistrationUncertaintyMm > RegistrationResult.PoorlyConstrainedMm, $"uncertainty ±{report.Worst.RegistrationUncertaintyMm:0.00} mm");
        Assert.Contains(report.Registration.Notes, n => n.StartsWith("Registration poorly constrained", StringComparison.Ordinal));
        Assert.StartsWith("Registration poorly constrained: the margin of T1 is uncertain by ±", report.Assessment.Recommendation, StringComparison.Ordinal);
        Assert.Contains("not a confident measurement", report.Assessment.Recommendation, StringComparison.Ordinal);
        Assert.Contains("--pre-image/--post-image", report.Assessment.Recommendation, StringComparison.Ordinal);
    }

    [Fact]
    public void An_asymmetric_liver_gives_a_plain_recommendation()
    {
        var report = Verify(p => InLiver(p, C), new VolumeSize(140, 110, 60));
        Assert.InRange(report.Worst.RegistrationUncertaintyMm, 0, 1);
        Assert.DoesNotContain(report.Registration.Notes, n => n.Contains("poorly constrained", StringComparison.Ordinal));
        Assert.DoesNotContain("poorly constrained", report.Assessment.Recommendation, StringComparison.Ordinal);
    }
}
