using LocalControl.Imaging.Geometry;

namespace LocalControl.Verification;

/// <summary>
/// A mask's surface as the voxel faces between an inside voxel and an outside 6-neighbour: each face gives its centre
/// (LPS mm; half-way between the two voxel centres, which is where the true boundary lies to first order), its area
/// (mm²) and the two voxels. Faces on the edge of the grid are kept only when asked: where an organ is cut by the
/// scan's field of view, the grid edge is not its surface.
/// </summary>
internal sealed class SurfaceFaces
{
    private SurfaceFaces(Vector3D[] centresLps, double[] areasMm2, long[] insideVoxel, long[] outsideVoxel)
    {
        CentresLps = centresLps;
        AreasMm2 = areasMm2;
        InsideVoxel = insideVoxel;
        OutsideVoxel = outsideVoxel;
    }

    /// <summary>Face centres in LPS mm.</summary>
    public Vector3D[] CentresLps { get; }

    /// <summary>Face areas in mm².</summary>
    public double[] AreasMm2 { get; }

    /// <summary>Grid linear index of the inside voxel of each face.</summary>
    public long[] InsideVoxel { get; }

    /// <summary>Grid linear index of the outside voxel (−1 beyond the grid edge).</summary>
    public long[] OutsideVoxel { get; }

    /// <summary>Number of faces.</summary>
    public int Count => CentresLps.Length;

    /// <summary>Extracts the faces of <paramref name="region"/>.</summary>
    public static SurfaceFaces Of(MaskRegion region, bool includeGridEdge)
    {
        var g = region.Grid;
        var size = g.Size;
        var box = region.Box;
        var s = box.Size;
        var sp = g.SpacingMm;
        var areas = new[] { sp.Y * sp.Z, sp.X * sp.Z, sp.X * sp.Y };
        var centres = new List<Vector3D>();
        var area = new List<double>();
        var inside = new List<long>();
        var outside = new List<long>();
        ReadOnlySpan<(int Di, int Dj, int Dk, int Axis)> steps = [(-1, 0, 0, 0), (1, 0, 0, 0), (0, -1, 0, 1), (0, 1, 0, 1), (0, 0, -1, 2), (0, 0, 1, 2)];
        for (var k = 0; k < s.K; k++)
        {
            for (var j = 0; j < s.J; j++)
            {
                for (var i = 0; i < s.I; i++)
                {
                    if (region.Mask[i + s.I * (j + (long)s.J * k)] == 0)
                    {
                        continue;
                    }

                    int gi = box.I0 + i, gj = box.J0 + j, gk = box.K0 + k;
                    foreach (var (di, dj, dk, axis) in steps)
                    {
                        int ni = gi + di, nj = gj + dj, nk = gk + dk;
                        var beyond = ni < 0 || nj < 0 || nk < 0 || ni >= size.I || nj >= size.J || nk >= size.K;
                        if (beyond ? !includeGridEdge : region.At(ni, nj, nk) != 0)
                        {
                            continue;
                        }

                        centres.Add(g.IndexToPointLps(new Vector3D(gi + di * 0.5, gj + dj * 0.5, gk + dk * 0.5)));
                        area.Add(areas[axis]);
                        inside.Add(size.LinearIndex(gi, gj, gk));
                        outside.Add(beyond ? -1 : size.LinearIndex(ni, nj, nk));
                    }
                }
            }
        }

        return new SurfaceFaces([.. centres], [.. area], [.. inside], [.. outside]);
    }

    /// <summary>The area-weighted centre of the faces (LPS mm).</summary>
    public Vector3D Centroid()
    {
        var sum = Vector3D.Zero;
        var total = 0.0;
        for (var n = 0; n < Count; n++)
        {
            sum += CentresLps[n] * AreasMm2[n];
            total += AreasMm2[n];
        }

        return total > 0 ? sum * (1 / total) : Vector3D.Zero;
    }
}
