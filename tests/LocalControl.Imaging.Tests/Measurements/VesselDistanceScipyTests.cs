using System.Globalization;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Measurements;
using LocalControl.Imaging.Tests.Support;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Measurements;

/// <summary>
/// Each vessel distance against scipy on IRCADb-like anatomy: a liver with a thick portal vein and its branch, an
/// oblique hepatic vein, a thin unnamed vessel (IRCADb's "artery"/"venoussystem" style label), three tumours at
/// different places, anisotropic CT spacing (0.74 × 0.74 × 1.8 mm). The oracle for <c>distancesMm.{role}</c> is
/// scipy's <c>distance_transform_edt(labels != role, sampling=spacing)</c> minimised over the tumour's voxels;
/// <c>distanceToAnyVesselMm</c> must be exactly the smallest of the three vessel-role distances.
/// </summary>
public sealed class VesselDistanceScipyTests
{
    private const int I = 110, J = 90, K = 36;
    private static readonly Vector3D Spacing = new(0.74, 0.74, 1.8);

    private const string Oracle = """
import sys, json, numpy as np
from scipy import ndimage
path, ni, nj, nk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sx, sy, sz = (float(v) for v in sys.argv[5:8])
v = np.fromfile(path, '<i4').reshape(nk, nj, ni)
lesions, n = ndimage.label(v == 2, structure=np.ones((3, 3, 3)))
edt = {name: ndimage.distance_transform_edt(v != value, sampling=(sz, sy, sx)) for name, value in
       (("portal-vein", 3), ("hepatic-vein", 4), ("vessel", 5))}
out = []
for c in range(1, n + 1):
    m = lesions == c
    out.append({"voxels": int(m.sum()), **{name: float(d[m].min()) for name, d in edt.items()}})
print(json.dumps(out))
""";

    [Fact]
    public void Each_vessel_distance_equals_scipy_and_any_vessel_is_their_minimum()
    {
        var v = Phantom();
        var table = new LabelTable()
            .Set(new LabelEntry(1, "liver", LabelRole.Liver))
            .Set(new LabelEntry(2, "tumour", LabelRole.Tumour))
            .Set(new LabelEntry(3, "portal vein", LabelRole.PortalVein))
            .Set(new LabelEntry(4, "hepatic vein", LabelRole.HepaticVein))
            .Set(new LabelEntry(5, "venous system", LabelRole.Vessel));
        using var dir = new TempDir();
        var raw = dir.File("labels.i4");
        File.WriteAllBytes(raw, [.. v.Buffer.SelectMany(BitConverter.GetBytes)]);
        string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        var expected = PythonOracle.RunJson(Oracle, raw, $"{I}", $"{J}", $"{K}", F(Spacing.X), F(Spacing.Y), F(Spacing.Z)).AsArray();

        var measured = LesionMeasurer.Measure(new LabelMap(v, table));
        Assert.Equal(3, expected.Count);
        Assert.Equal(3, measured.Count);
        foreach (var e in expected)
        {
            var voxels = (long)e!["voxels"]!;
            var lesion = Assert.Single(measured, m => m.VoxelCount == voxels);
            var vesselRoles = new[] { "portal-vein", "hepatic-vein", "vessel" };
            foreach (var role in vesselRoles)
            {
                Assert.True(lesion.DistancesMm.ContainsKey(role), $"{lesion.Id}: no distancesMm.{role}");
                Assert.Equal((double)e[role]!, lesion.DistancesMm[role], 4); // our EDT holds float32 squares
            }

            Assert.Equal(vesselRoles.Min(r => (double)e[r]!), lesion.DistanceToAnyVesselMm!.Value, 4);
            Assert.Equal(vesselRoles.Min(r => lesion.DistancesMm[r]), lesion.DistanceToAnyVesselMm.Value); // exactly, not approximately
        }

        // The anatomy really spreads the answers: each vessel role is the nearest one for some tumour.
        Assert.Equal(3, expected.Select(e => new[] { "portal-vein", "hepatic-vein", "vessel" }.MinBy(r => (double)e![r]!)).Distinct().Count());
    }

    private static Volume<int> Phantom()
    {
        var v = new Volume<int>(ImageGeometry.AxisAligned(new VolumeSize(I, J, K), Spacing));
        for (var k = 0; k < K; k++)
        {
            for (var j = 0; j < J; j++)
            {
                for (var i = 0; i < I; i++)
                {
                    // Liver: an ellipsoid filling most of the field.
                    double x = (i - 55) / 50.0, y = (j - 45) / 40.0, z = (k - 18) / 16.0;
                    if (x * x + y * y + z * z > 1)
                    {
                        continue;
                    }

                    v[i, j, k] = 1;
                    // Portal vein: a trunk of radius 4 voxels along k with a branch along i at k = 12.
                    var trunk = (i - 40) * (i - 40) + (j - 50) * (j - 50) <= 16;
                    var branch = i >= 40 && i <= 85 && (j - 50) * (j - 50) + (k - 12) * (k - 12) * 5.9 <= 6;
                    // Hepatic vein: an oblique tube (direction (1, -1, 1)) of radius about 2 voxels.
                    var t = ((i - 60) - (j - 30) + (k - 6)) / 3.0;
                    var hx = i - (60 + t);
                    var hy = j - (30 - t);
                    var hz = (k - (6 + t)) * (Spacing.Z / Spacing.X);
                    var hepatic = t is > -10 and < 30 && hx * hx + hy * hy + hz * hz <= 4.5;
                    // A thin unnamed vessel along j at (i, k) = (75, 28).
                    var thin = (i - 75) * (i - 75) + (k - 28) * (k - 28) * 5.9 <= 2.5 && j is > 20 and < 75;
                    if (trunk || branch)
                    {
                        v[i, j, k] = 3;
                    }
                    else if (hepatic)
                    {
                        v[i, j, k] = 4;
                    }
                    else if (thin)
                    {
                        v[i, j, k] = 5;
                    }
                }
            }
        }

        // Three tumours (balls in mm): next to the portal trunk, near the hepatic vein, under the thin vessel.
        Ball(v, 26, 52, 18, 5.5);
        Ball(v, 70, 18, 14, 4.0);
        Ball(v, 80, 50, 24, 3.2);
        return v;
    }

    private static void Ball(Volume<int> v, int ci, int cj, int ck, double radiusMm)
    {
        for (var k = 0; k < K; k++)
        {
            for (var j = 0; j < J; j++)
            {
                for (var i = 0; i < I; i++)
                {
                    var dx = (i - ci) * Spacing.X;
                    var dy = (j - cj) * Spacing.Y;
                    var dz = (k - ck) * Spacing.Z;
                    if (dx * dx + dy * dy + dz * dz <= radiusMm * radiusMm && v[i, j, k] is 1)
                    {
                        v[i, j, k] = 2;
                    }
                }
            }
        }
    }
}
