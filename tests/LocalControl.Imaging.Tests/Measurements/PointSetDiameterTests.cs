using System.Diagnostics;
using FsCheck;
using FsCheck.Xunit;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Measurements;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Measurements;

/// <summary>The exact point-set diameter against the all-pairs search, and the single-voxel lesion.</summary>
public sealed class PointSetDiameterTests
{
    private static double BruteForce(double[] x, double[] y, double[] z)
    {
        var best = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            for (var j = i + 1; j < x.Length; j++)
            {
                best = Math.Max(best, (x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j]) + (z[i] - z[j]) * (z[i] - z[j]));
            }
        }

        return Math.Sqrt(best);
    }

    /// <summary>Random sets, and voxel-centre sets (many equal coordinates, coplanar faces: the hard case for hull codes).</summary>
    [Property(MaxTest = 200, Replay = "(20261202,7)")]
    public bool Equals_the_all_pairs_search(int seed, PositiveInt count, bool onGrid)
    {
        var random = new Random(seed);
        var n = 1 + count.Get % 600;
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        for (var i = 0; i < n; i++)
        {
            if (onGrid)
            {
                x[i] = random.Next(12) * 0.7;
                y[i] = random.Next(12) * 0.7;
                z[i] = random.Next(6) * 2.5;
            }
            else
            {
                x[i] = random.NextDouble() * 100 - 50;
                y[i] = random.NextDouble() * 30;
                z[i] = random.NextDouble() * 5;
            }
        }

        return PointSetDiameter.Compute(x, y, z) == BruteForce(x, y, z);
    }

    [Fact]
    public void A_whole_organ_surface_takes_milliseconds_and_is_exact()
    {
        // Voxel centres on the surface of an ellipsoid of 120 x 90 x 70 mm semi-axes at 0.7 x 0.7 x 1.5 mm: ~10^5 points.
        var xs = new List<double>();
        var ys = new List<double>();
        var zs = new List<double>();
        static bool Inside(int i, int j, int k)
        {
            double a = i * 0.7 / 120, b = j * 0.7 / 90, c = k * 1.5 / 70;
            return a * a + b * b + c * c <= 1;
        }
        for (var k = -50; k <= 50; k++)
        {
            for (var j = -130; j <= 130; j++)
            {
                for (var i = -175; i <= 175; i++)
                {
                    if (Inside(i, j, k) && !(Inside(i - 1, j, k) && Inside(i + 1, j, k) && Inside(i, j - 1, k) && Inside(i, j + 1, k) && Inside(i, j, k - 1) && Inside(i, j, k + 1)))
                    {
                        xs.Add(i * 0.7);
                        ys.Add(j * 0.7);
                        zs.Add(k * 1.5);
                    }
                }
            }
        }

        Assert.True(xs.Count > 50_000, $"{xs.Count} points");
        var watch = Stopwatch.StartNew();
        var d = PointSetDiameter.Compute([.. xs], [.. ys], [.. zs]);
        watch.Stop();

        // Oracle: Qhull's convex hull (scipy.spatial.ConvexHull), then all pairs of its vertices (scipy pdist).
        using var dir = new Support.TempDir();
        var raw = dir.File("points.raw");
        var bytes = new byte[xs.Count * 24];
        for (var i = 0; i < xs.Count; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(24 * i), xs[i]);
            BitConverter.TryWriteBytes(bytes.AsSpan(24 * i + 8), ys[i]);
            BitConverter.TryWriteBytes(bytes.AsSpan(24 * i + 16), zs[i]);
        }

        File.WriteAllBytes(raw, bytes);
        var expected = double.Parse(Support.PythonOracle.Run("""
import sys, numpy as np
from scipy.spatial import ConvexHull
from scipy.spatial.distance import pdist
p = np.fromfile(sys.argv[1], '<f8').reshape(-1, 3)
print(repr(float(pdist(p[ConvexHull(p).vertices]).max())))
""", raw).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, d, 9);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void A_single_voxel_lesion_measures_its_voxel_extent()
    {
        var table = new LabelTable().Set(new LabelEntry(2, "tumour", LabelRole.Tumour));
        var v = new Volume<int>(ImageGeometry.AxisAligned(new VolumeSize(9, 9, 5), new Vector3D(0.7, 0.8, 2.5)));
        v[4, 4, 2] = 2;
        var lesion = Assert.Single(LesionMeasurer.Measure(new LabelMap(v, table)));
        Assert.Equal(2.5, lesion.LongestDiameterMm);
        Assert.Equal(0.8, lesion.LongestAxialDiameterMm);
    }
}

/// <summary>distanceToAnyVesselMm is the smallest of the vessel-role distances, each the brute-force voxel-centre distance.</summary>
public sealed class VesselDistanceDefinitionTests
{
    [Fact]
    public void Any_vessel_distance_is_the_smallest_vessel_role_distance_each_equal_to_brute_force()
    {
        var table = new LabelTable()
            .Set(new LabelEntry(1, "liver", LabelRole.Liver))
            .Set(new LabelEntry(2, "tumour", LabelRole.Tumour))
            .Set(new LabelEntry(3, "portal vein", LabelRole.PortalVein))
            .Set(new LabelEntry(4, "hepatic vein", LabelRole.HepaticVein))
            .Set(new LabelEntry(5, "vessel", LabelRole.Vessel));
        var spacing = new Vector3D(0.8, 0.8, 1.6);
        var v = new Volume<int>(ImageGeometry.AxisAligned(new VolumeSize(60, 50, 24), spacing));
        for (var k = 0; k < 24; k++)
        {
            for (var j = 0; j < 50; j++)
            {
                for (var i = 0; i < 60; i++)
                {
                    v[i, j, k] = 1;
                    // A large portal vein (radius 5 voxels) along k, a thin hepatic vein and a thin "vessel" along i.
                    if ((i - 40) * (i - 40) + (j - 25) * (j - 25) <= 25)
                    {
                        v[i, j, k] = 3;
                    }
                    else if (j == 5 && k == 12)
                    {
                        v[i, j, k] = 4;
                    }
                    else if (j == 45 && k == 3)
                    {
                        v[i, j, k] = 5;
                    }
                }
            }
        }

        for (var k = 9; k < 15; k++)
        {
            for (var j = 20; j < 30; j++)
            {
                for (var i = 20; i < 28; i++)
                {
                    v[i, j, k] = 2;
                }
            }
        }

        var lesion = Assert.Single(LesionMeasurer.Measure(new LabelMap(v, table)));
        double Brute(int label)
        {
            var best = double.MaxValue;
            var tumour = new List<(int, int, int)>();
            var other = new List<(int, int, int)>();
            for (var k = 0; k < 24; k++)
            {
                for (var j = 0; j < 50; j++)
                {
                    for (var i = 0; i < 60; i++)
                    {
                        if (v[i, j, k] == 2)
                        {
                            tumour.Add((i, j, k));
                        }
                        else if (v[i, j, k] == label)
                        {
                            other.Add((i, j, k));
                        }
                    }
                }
            }

            foreach (var (a, b, c) in tumour)
            {
                foreach (var (x, y, z) in other)
                {
                    var d = Math.Pow((a - x) * spacing.X, 2) + Math.Pow((b - y) * spacing.Y, 2) + Math.Pow((c - z) * spacing.Z, 2);
                    best = Math.Min(best, d);
                }
            }

            return Math.Sqrt(best);
        }

        Assert.Equal(Brute(3), lesion.DistancesMm["portal-vein"], 5); // the EDT is float32
        Assert.Equal(Brute(4), lesion.DistancesMm["hepatic-vein"], 5);
        Assert.Equal(Brute(5), lesion.DistancesMm["vessel"], 5);
        Assert.Equal(new[] { Brute(3), Brute(4), Brute(5) }.Min(), lesion.DistanceToAnyVesselMm!.Value, 5);
        Assert.Equal(lesion.DistancesMm.Where(kv => kv.Key is "vessel" or "portal-vein" or "hepatic-vein").Min(kv => kv.Value), lesion.DistanceToAnyVesselMm.Value);
        Assert.NotNull(lesion.DistanceToLargeVesselMm); // the 8 mm portal vein is a large vessel
    }
}
