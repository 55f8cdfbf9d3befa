using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;
using LocalControl.Verification.Registration;
using static LocalControl.Verification.Tests.Synthetic;

namespace LocalControl.Verification.Tests;

/// <summary>The whole verification (registration, then margins) on moved, anisotropic, differently oriented scans.</summary>
public sealed class EndToEndTests
{
    private static readonly Vector3D L = new(-30, 20, 100);
    private static readonly RigidTransform Motion = new(RigidTransform.AxisAngle(new Vector3D(-1, 2, 1), 5 * Math.PI / 180), new Vector3D(-6, 7, 9));
    private static readonly Vector3D TumourCentre = L + new Vector3D(20, 5, -5);

    private static ImageGeometry PreGrid() => Grid(new VolumeSize(200, 160, 60), new Vector3D(0.8, 0.8, 1.6), L + new Vector3D(-3, -12, 4));

    // Post: stored RAS-first and turned 90° in plane, 1.0 × 0.7 × 2.0 mm, around where the liver moved.
    private static ImageGeometry PostGrid()
    {
        var direction = new Matrix3D(0, 1, 0, -1, 0, 0, 0, 0, 1) * new Matrix3D(-1, 0, 0, 0, -1, 0, 0, 0, 1);
        return Grid(new VolumeSize(160, 230, 50), new Vector3D(1.0, 0.7, 2.0), Motion.Inverse().Apply(L), direction);
    }

    private static VerificationInput Input(Func<Vector3D, bool> zone, RegistrationOptions? registration = null)
    {
        var (pre, post) = Pair(PreGrid(), PostGrid(), Motion, p => InSphere(p, TumourCentre, 10), zone, L);
        return new VerificationInput { Pre = pre, Post = post, Registration = registration ?? new RegistrationOptions() };
    }

    [Fact]
    public void Moved_anisotropic_oblique_scans_give_the_analytic_margin()
    {
        // A 15 mm zone 2 mm to the left of the 10 mm tumour: 3 mm on the right, 7 mm on the left.
        var report = MarginVerification.Verify(Input(p => InSphere(p, TumourCentre + new Vector3D(2, 0, 0), 15)));
        var rotationError = new RigidTransform(report.Registration.PostToPre.Rotation * Motion.Rotation.Transpose(), Vector3D.Zero).RotationDegrees;
        Assert.True(rotationError < 0.5, $"rotation off by {rotationError:0.###}°");
        var at = (report.Registration.PostToPre.Apply(Motion.Inverse().Apply(TumourCentre)) - TumourCentre).Length;
        Assert.True(at < 0.5, $"off by {at:0.###} mm at the tumour");
        var t = Assert.Single(report.Margins.Tumours);
        Assert.Equal(3, t.MinimalMarginMm, 0.6); // within about a third of the largest voxel side (2 mm)
        Assert.True(t.ThinnestDirectionLps.X < -0.9, $"direction {t.ThinnestDirectionLps}");
        Assert.Equal(7, t.Distribution.MaxMm, 1.2);
        Assert.True(t.A0);
    }

    [Fact]
    public void Zone_that_misses_the_tumour_after_registration_gives_a_negative_margin()
    {
        // A 7 mm zone 19 mm anterior of the tumour centre: 2 mm short of the facing pole, 22 mm short of the far one.
        var report = MarginVerification.Verify(Input(p => InSphere(p, TumourCentre + new Vector3D(0, -19, 0), 7)));
        var t = Assert.Single(report.Margins.Tumours);
        Assert.Equal(-22, t.MinimalMarginMm, 1.2);
        Assert.Equal(-2, t.Distribution.MaxMm, 1.2);
        Assert.Equal(100, t.SurfaceBelow0Percent);
        Assert.False(t.A0);
        Assert.True(report.Assessment.AdditionalAblationAdvised);
        Assert.Contains("not A0", report.Assessment.Recommendation, StringComparison.Ordinal);
    }

    [Fact]
    public void Registration_that_does_not_converge_stops_the_verification_before_any_margin()
    {
        var input = Input(p => InSphere(p, TumourCentre, 15), new RegistrationOptions { MaxIterations = 2 });
        var ex = Assert.Throws<VerificationException>(() => MarginVerification.Verify(input));
        Assert.Equal("LC-VERIFY-004", ex.Code);
        Assert.Contains("did not converge", ex.Message, StringComparison.Ordinal);
    }
}
