using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Measurements;

/// <summary>A centreline voxel of a vessel with its local radius (mm): the distance from its centre to the nearest voxel outside the vessel.</summary>
/// <param name="I">Voxel index i.</param>
/// <param name="J">Voxel index j.</param>
/// <param name="K">Voxel index k.</param>
/// <param name="RadiusMm">Local radius in mm.</param>
public readonly record struct CentrelinePoint(int I, int J, int K, double RadiusMm)
{
    /// <summary>Calibre = 2 × local radius (mm).</summary>
    public double CalibreMm => 2 * RadiusMm;
}

/// <summary>
/// The centreline of a vessel mask as the local maxima (26-neighbourhood, non-strict) of the vessel's own inside
/// distance map, each with its local radius. Every vessel voxel lies in (or within a voxel of) the maximal ball of some
/// centreline voxel, so the union of those balls stands for the vessel and each ball carries a calibre.
/// </summary>
public static class VesselCentreline
{
    /// <summary>Centreline points of the non-zero voxels of <paramref name="vesselMask"/> with calibre ≥ <paramref name="minCalibreMm"/>.</summary>
    public static IReadOnlyList<CentrelinePoint> Find(Volume<byte> vesselMask, double minCalibreMm = 0, EdtOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vesselMask);
        var size = vesselMask.Size;
        return Find(vesselMask.Buffer, size, VolumeBox.Whole(size), vesselMask.Geometry.SpacingMm, minCalibreMm / 2, options);
    }

    /// <summary>As above on a box-local mask (<paramref name="boxMask"/> covers <paramref name="box"/>); indices are returned in the full volume.</summary>
    internal static List<CentrelinePoint> Find(byte[] boxMask, VolumeSize boxSize, VolumeBox box, Vector3D spacingMm, double minRadiusMm, EdtOptions? options)
    {
        var b = boxSize;
        var d2 = EuclideanDistance.SquaredDistance(boxMask, b, VolumeBox.Whole(b), spacingMm, sitesAreForeground: false, options);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options?.MaxDegreeOfParallelism ?? Environment.ProcessorCount };
        var perSlice = new List<CentrelinePoint>[b.K];
        Parallel.For(0, b.K, parallel, k =>
        {
            var found = new List<CentrelinePoint>();
            for (var j = 0; j < b.J; j++)
            {
                for (var i = 0; i < b.I; i++)
                {
                    var v = d2[b.LinearIndex(i, j, k)];
                    if (v == 0 || float.IsPositiveInfinity(v))
                    {
                        continue;
                    }

                    var radius = Math.Sqrt(v);
                    if (radius < minRadiusMm || !IsLocalMaximum(d2, b, i, j, k, v))
                    {
                        continue;
                    }

                    found.Add(new CentrelinePoint(box.I0 + i, box.J0 + j, box.K0 + k, radius));
                }
            }

            perSlice[k] = found;
        });
        var result = new List<CentrelinePoint>();
        foreach (var list in perSlice)
        {
            result.AddRange(list);
        }

        return result;
    }

    private static bool IsLocalMaximum(float[] d2, VolumeSize b, int i, int j, int k, float v)
    {
        for (var dk = -1; dk <= 1; dk++)
        {
            var kk = k + dk;
            if ((uint)kk >= (uint)b.K)
            {
                continue;
            }

            for (var dj = -1; dj <= 1; dj++)
            {
                var jj = j + dj;
                if ((uint)jj >= (uint)b.J)
                {
                    continue;
                }

                for (var di = -1; di <= 1; di++)
                {
                    var ii = i + di;
                    if ((uint)ii >= (uint)b.I)
                    {
                        continue;
                    }

                    if (d2[b.LinearIndex(ii, jj, kk)] > v)
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }
}
