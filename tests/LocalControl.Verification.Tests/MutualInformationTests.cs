using LocalControl.Imaging.Geometry;
using Xunit.Abstractions;
using LocalControl.Imaging.Volumes;
using LocalControl.Verification.Registration;
using static LocalControl.Verification.Tests.Synthetic;

namespace LocalControl.Verification.Tests;

/// <summary>
/// The intensity refinement: a known rigid motion between two synthetic CTs (liver with enhancing and hypodense
/// structures in a body, the post scan with another intensity mapping) is recovered within 0.5 mm and 0.5°, and on
/// top of a good liver-mask registration it does not make the alignment worse.
/// </summary>
public sealed class MutualInformationTests(ITestOutputHelper output)
{
    private static readonly Vector3D L = new(-30, 20, 100);
    private static readonly RigidTransform Motion = new(RigidTransform.AxisAngle(new Vector3D(1, 2, 3), 6 * Math.PI / 180), new Vector3D(8, -5, 12));

    private static ImageGeometry PreGrid() => Grid(new VolumeSize(150, 120, 60), new Vector3D(1.2, 1.2, 2.0), L + new Vector3D(-3, -12, 4));

    private static ImageGeometry PostGrid()
    {
        var direction = new Matrix3D(0, 1, 0, -1, 0, 0, 0, 0, 1) * new Matrix3D(-1, 0, 0, 0, -1, 0, 0, 0, 1);
        return Grid(new VolumeSize(130, 160, 70), new Vector3D(1.3, 1.0, 1.8), Motion.Inverse().Apply(L), direction);
    }

    // Soft-tissue CT values (HU) at a pre-scan point: a body, the liver, and inside it vessels and lesions of other
    // densities at fixed places (smooth Gaussian blobs), so that every rotation changes what overlaps what.
    private static readonly (Vector3D Offset, double SigmaMm, double Hu)[] Blobs =
    [
        (new(20, 10, 5), 7, 90), (new(-35, -5, 15), 9, -45), (new(5, -25, -10), 6, 70), (new(40, 20, -15), 8, -35),
        (new(-15, 25, -5), 5, 110), (new(-50, -15, 25), 7, 60), (new(25, -10, 20), 10, -30),
    ];

    private static double Hu(Vector3D p, (Vector3D Offset, double SigmaMm, double Hu)[] blobs)
    {
        if (!InEllipsoid(p, L + new Vector3D(0, 10, 0), new Vector3D(150, 120, 110)))
        {
            return -1000;
        }

        if (!InLiver(p, L))
        {
            return 40 + 20 * Math.Sin(p.X / 17) * Math.Cos(p.Z / 23); // other soft tissue
        }

        var v = 100.0;
        foreach (var (offset, sigma, hu) in blobs)
        {
            var d = p - (L + offset);
            var d2 = d.Dot(d);
            v += hu * Math.Exp(-0.5 * d2 / (sigma * sigma));
        }

        return v;
    }

    private static Volume<float> Image(ImageGeometry g, Func<Vector3D, double> value)
    {
        var v = new Volume<float>(g);
        Parallel.For(0, g.Size.K, k =>
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    v[i, j, k] = (float)value(g.IndexToPointLps(i, j, k));
                }
            }
        });
        return v;
    }

    // Pre CT, and the post CT of the same tissue after the motion, shown with another (inverted, compressed) mapping:
    // a relation that mutual information handles and a squared-difference metric would not.
    private static (Volume<float> Pre, Volume<float> Post) Images((Vector3D Offset, double SigmaMm, double Hu)[]? postBlobs = null)
    {
        var pre = Image(PreGrid(), p => Hu(p, Blobs));
        var post = Image(PostGrid(), q => 400 - 0.6 * Hu(Motion.Apply(q), postBlobs ?? Blobs));
        return (pre, post);
    }

    private static (double Degrees, double Mm) Error(RigidTransform postToPre)
    {
        var angle = new RigidTransform(postToPre.Rotation * Motion.Rotation.Transpose(), Vector3D.Zero).RotationDegrees;
        var worst = 0.0;
        foreach (var p in new[] { L, L + new Vector3D(60, 0, 0), L + new Vector3D(0, 60, 0), L + new Vector3D(0, 0, 60) })
        {
            worst = Math.Max(worst, (postToPre.Apply(Motion.Inverse().Apply(p)) - p).Length);
        }

        return (angle, worst);
    }

    [Fact]
    public void Known_rigid_motion_is_recovered_from_a_start_3_mm_and_3_degrees_off()
    {
        var (pre, post) = Images();
        var off = new RigidTransform(RigidTransform.AxisAngle(new Vector3D(-2, 1, 1), 3 * Math.PI / 180), new Vector3D(2, -1.5, 1.5));
        var start = off.After(Motion);
        var startError = Error(start);
        Assert.True(startError.Mm > 3, $"the start is {startError.Mm:0.0} mm off"); // a real test: the start is far from the answer

        var result = MutualInformationRegistration.Refine(pre, post, start);
        var (degrees, mm) = Error(result.PostToPre);
        output.WriteLine($"start {startError.Degrees:0.###}°, {startError.Mm:0.###} mm → {degrees:0.###}°, {mm:0.###} mm; MI {result.MutualInformationStart:0.0000} → {result.MutualInformationEnd:0.0000}, {result.Evaluations} evaluations");
        Assert.True(result.Converged);
        Assert.True(result.MutualInformationEnd > result.MutualInformationStart);
        Assert.True(degrees < 0.5, $"rotation off by {degrees:0.###}°");
        Assert.True(mm < 0.5, $"position off by {mm:0.###} mm");
    }

    [Fact]
    public void Refinement_on_a_good_mask_registration_keeps_it_good_and_is_reported()
    {
        var (preLabels, postLabels) = Pair(PreGrid(), PostGrid(), Motion, _ => false, _ => false, L);
        var maskOnly = MaskRegistration.Register(preLabels, postLabels);
        var (pre, post) = Images();
        var refined = MaskRegistration.Register(preLabels, postLabels, new RegistrationOptions { PreImage = pre, PostImage = post });
        Assert.Equal("rigid-liver-surface+mutual-information", refined.Method);
        Assert.Contains(refined.Notes, n => n.StartsWith("Refined on intensities", StringComparison.Ordinal));
        var before = Error(maskOnly.PostToPre);
        var after = Error(refined.PostToPre);
        output.WriteLine($"masks {before.Degrees:0.###}°, {before.Mm:0.###} mm → with MI {after.Degrees:0.###}°, {after.Mm:0.###} mm; {string.Join(" ", refined.Notes)}");
        Assert.True(after.Degrees < 0.5 && after.Mm < 0.5, $"after refinement {after.Degrees:0.###}°, {after.Mm:0.###} mm (masks alone {before.Degrees:0.###}°, {before.Mm:0.###} mm)");
        Assert.True(after.Mm <= before.Mm + 0.25, $"refinement made it worse: {before.Mm:0.###} → {after.Mm:0.###} mm");
        Assert.True(refined.ResidualMeanMm <= maskOnly.ResidualMeanMm + 0.5);
    }

    [Fact]
    public void Images_that_disagree_with_the_masks_do_not_pull_a_good_registration_away()
    {
        // The post image shows other structures inside the liver (as if another patient's scan had been given).
        var (preLabels, postLabels) = Pair(PreGrid(), PostGrid(), Motion, _ => false, _ => false, L);
        var wrong = Blobs.Select(b => (new Vector3D(-b.Offset.Y, b.Offset.X, -b.Offset.Z), b.SigmaMm, -b.Hu)).ToArray();
        var (pre, post) = Images(wrong);
        var refined = MaskRegistration.Register(preLabels, postLabels, new RegistrationOptions { PreImage = pre, PostImage = post });
        var (degrees, mm) = Error(refined.PostToPre);
        output.WriteLine($"{refined.Method}: {degrees:0.###}°, {mm:0.###} mm; {string.Join(" ", refined.Notes)}");
        Assert.True(degrees < 0.5 && mm < 0.5, $"{refined.Method}: {degrees:0.###}°, {mm:0.###} mm; {string.Join(" ", refined.Notes)}");
    }

    [Fact]
    public void Nelder_Mead_finds_the_minimum_of_a_quadratic_and_says_when_it_ran_out()
    {
        double F(double[] x) => Math.Pow(x[0] - 1, 2) + 3 * Math.Pow(x[1] + 2, 2) + Math.Pow(x[0] + x[1] + 1, 2) * 0.5;
        var (best, _, _, converged) = MutualInformationRegistration.NelderMead(F, [0, 0], 1, 1e-7, 2000);
        Assert.True(converged);
        // Every term vanishes at (1, −2): that is the minimum.
        Assert.Equal(1, best[0], 1e-5);
        Assert.Equal(-2, best[1], 1e-5);
        var (_, _, evaluations, stopped) = MutualInformationRegistration.NelderMead(F, [0, 0], 1, 1e-12, 10);
        Assert.False(stopped);
        Assert.InRange(evaluations, 10, 14);
    }
}
