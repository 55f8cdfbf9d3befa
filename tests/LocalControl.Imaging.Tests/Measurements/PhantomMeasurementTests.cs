using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Measurements;
using LocalControl.Imaging.Phantoms;
using LocalControl.Imaging.Volumes;
using Xunit.Abstractions;

namespace LocalControl.Imaging.Tests.Measurements;

/// <summary>Measure the synthetic liver and compare with its exact analytic answers, within one voxel.</summary>
public class PhantomMeasurementTests(ITestOutputHelper output)
{
    internal static LiverPhantomSpec Spec(Vector3D spacing) => LiverPhantomSpec.Default(new VolumeSize(200, 160, 80), spacing);

    [Theory]
    [InlineData(0.8, 0.8, 1.6)]
    [InlineData(1.0, 1.0, 1.0)]
    public void Measured_phantom_matches_the_analytic_answers_within_a_voxel(double sx, double sy, double sz)
    {
        var spacing = new Vector3D(sx, sy, sz);
        var spec = Spec(spacing);
        var map = LiverPhantom.Draw(spec);
        var answers = LiverPhantom.Answers(spec);
        var lesions = LesionMeasurer.Measure(map);
        Assert.Equal(answers.Count, lesions.Count);
        var voxel = spacing.Length; // the voxel diagonal
        foreach (var a in answers)
        {
            var m = lesions.MinBy(l => (l.CentroidLps - a.CentroidLps).Length)!;
            output.WriteLine($"{a.Id}: diam {m.LongestDiameterMm:F2}/{a.DiameterMm:F2} axial {m.LongestAxialDiameterMm:F2} vol {m.VolumeMl:F3}/{a.VolumeMl:F3} " +
                $"any {m.DistanceToAnyVesselMm:F2}/{a.DistanceToAnyVesselMm:F2} large {m.DistanceToLargeVesselMm:F2}/{a.DistanceToLargeVesselMm:F2} " +
                $"cal {m.LargeVesselCalibreMm:F2}/{a.LargeVesselCalibreMm:F2} hilum {m.DistanceToHilumMm:F2}/{a.DistanceToHilumMm:F2} depth {m.DepthFromCapsuleMm:F2}/{a.DepthFromCapsuleMm:F2}");
            Assert.True((m.CentroidLps - a.CentroidLps).Length < 0.5 * voxel, "centroid");
            Assert.InRange(m.LongestDiameterMm, a.DiameterMm - voxel, a.DiameterMm + 1e-9);
            Assert.InRange(m.LongestAxialDiameterMm, a.DiameterMm - voxel, a.DiameterMm + 1e-9);
            Assert.InRange(m.VolumeMl, a.VolumeMl * 0.9, a.VolumeMl * 1.1);
            Assert.Equal("liver", m.Organ);
            Assert.InRange(m.DistanceToAnyVesselMm!.Value, a.DistanceToAnyVesselMm - voxel, a.DistanceToAnyVesselMm + voxel);
            Assert.InRange(m.DistanceToLargeVesselMm!.Value, a.DistanceToLargeVesselMm!.Value - voxel, a.DistanceToLargeVesselMm.Value + voxel);
            Assert.InRange(m.LargeVesselCalibreMm!.Value, a.LargeVesselCalibreMm!.Value - voxel, a.LargeVesselCalibreMm.Value + voxel);
            Assert.InRange(m.DistanceToHilumMm!.Value, a.DistanceToHilumMm - voxel, a.DistanceToHilumMm + voxel);
            Assert.InRange(m.DepthFromCapsuleMm!.Value, a.DepthFromCapsuleMm - voxel, a.DepthFromCapsuleMm + voxel);
            Assert.Null(m.AdjacentStructures); // no critical structure is labelled: unknown, not "none"
        }
    }
}
