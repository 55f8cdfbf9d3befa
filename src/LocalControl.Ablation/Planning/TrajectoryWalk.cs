using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Planning;

/// <summary>How a walk along a straight needle path ended.</summary>
public enum WalkEnd
{
    /// <summary>The path left the body (a background voxel): the skin entry was found.</summary>
    LeftBody,
    /// <summary>A forbidden structure lies on the path.</summary>
    Blocked,
    /// <summary>The path reached the edge of the image before the skin (the body is cut off there).</summary>
    LeftImage,
    /// <summary>The path is longer than the maximal insertion depth.</summary>
    TooDeep,
    /// <summary>The whole segment was walked without meeting anything (a walk with an end point).</summary>
    Clear,
}

/// <summary>What a walk met.</summary>
/// <param name="End">How it ended.</param>
/// <param name="DistanceMm">Distance from the start (mm) where it ended: where the path leaves the last body voxel, or enters the blocking voxel.</param>
/// <param name="Class">The access class of the voxel it stopped on (see <see cref="AccessMap"/>).</param>
/// <param name="Voxel">Linear index of that voxel, or -1.</param>
public readonly record struct WalkResult(WalkEnd End, double DistanceMm, byte Class, long Voxel);

/// <summary>
/// Visits every voxel a straight segment passes through, in order — the 3-D digital differential analyser of
/// Amanatides and Woo ("A Fast Voxel Traversal Algorithm for Ray Tracing", Eurographics 1987) — on the label grid in
/// continuous index coordinates (voxel (i, j, k) spans i ± ½ …), so an oblique grid is walked exactly too.
/// </summary>
public static class TrajectoryWalk
{
    /// <summary>
    /// Walks from <paramref name="startLps"/> along the unit LPS direction <paramref name="directionLps"/> for at most
    /// <paramref name="maxMm"/>: stops at the first voxel whose class is forbidden (1…254), or when the path steps into a
    /// background voxel (<see cref="AccessMap.Outside"/>: the skin was crossed), or leaves the image.
    /// </summary>
    public static WalkResult Walk(ReadOnlySpan<byte> classes, ImageGeometry geometry, Vector3D startLps, Vector3D directionLps, double maxMm)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var size = geometry.Size;
        var p = geometry.PointLpsToIndex(startLps);
        var d = geometry.PointLpsToIndex(startLps + directionLps) - p; // index units per mm
        int ci = (int)Math.Floor(p.X + 0.5), cj = (int)Math.Floor(p.Y + 0.5), ck = (int)Math.Floor(p.Z + 0.5);
        if (ci < 0 || cj < 0 || ck < 0 || ci >= size.I || cj >= size.J || ck >= size.K)
        {
            return new WalkResult(WalkEnd.LeftImage, 0, AccessMap.Outside, -1);
        }

        var (si, ti, di) = Axis(p.X, d.X, ci);
        var (sj, tj, dj) = Axis(p.Y, d.Y, cj);
        var (sk, tk, dk) = Axis(p.Z, d.Z, ck);
        var t = 0.0;
        while (true)
        {
            var n = size.LinearIndex(ci, cj, ck);
            var c = classes[(int)n];
            if (c == AccessMap.Outside)
            {
                return new WalkResult(WalkEnd.LeftBody, t, c, n);
            }

            if (c != AccessMap.Passable)
            {
                return new WalkResult(WalkEnd.Blocked, t, c, n);
            }

            // Next cell boundary along the axis reached first.
            if (ti <= tj && ti <= tk)
            {
                t = ti;
                ci += si;
                ti += di;
            }
            else if (tj <= tk)
            {
                t = tj;
                cj += sj;
                tj += dj;
            }
            else
            {
                t = tk;
                ck += sk;
                tk += dk;
            }

            if (t > maxMm)
            {
                return new WalkResult(WalkEnd.TooDeep, maxMm, AccessMap.Passable, -1);
            }

            if (ci < 0 || cj < 0 || ck < 0 || ci >= size.I || cj >= size.J || ck >= size.K)
            {
                return new WalkResult(WalkEnd.LeftImage, t, AccessMap.Outside, -1);
            }
        }
    }

    /// <summary>Walks the closed segment from <paramref name="fromLps"/> to <paramref name="toLps"/>; <see cref="WalkEnd.Clear"/> when nothing forbidden or outside lies on it.</summary>
    public static WalkResult Segment(ReadOnlySpan<byte> classes, ImageGeometry geometry, Vector3D fromLps, Vector3D toLps)
    {
        var length = (toLps - fromLps).Length;
        if (length < 1e-9)
        {
            var idx = geometry.PointLpsToIndex(fromLps);
            int i = (int)Math.Floor(idx.X + 0.5), j = (int)Math.Floor(idx.Y + 0.5), k = (int)Math.Floor(idx.Z + 0.5);
            var s = geometry.Size;
            if (i < 0 || j < 0 || k < 0 || i >= s.I || j >= s.J || k >= s.K)
            {
                return new WalkResult(WalkEnd.LeftImage, 0, AccessMap.Outside, -1);
            }

            var n = s.LinearIndex(i, j, k);
            var c = classes[(int)n];
            return c == AccessMap.Passable ? new WalkResult(WalkEnd.Clear, 0, c, n)
                : new WalkResult(c == AccessMap.Outside ? WalkEnd.LeftBody : WalkEnd.Blocked, 0, c, n);
        }

        var r = Walk(classes, geometry, fromLps, (toLps - fromLps) * (1 / length), length);
        return r.End == WalkEnd.TooDeep ? r with { End = WalkEnd.Clear, DistanceMm = length } : r;
    }

    // Step direction, parameter (mm) of the first boundary crossing, parameter between crossings.
    private static (int Step, double TMax, double TDelta) Axis(double x, double dx, int cell)
    {
        if (Math.Abs(dx) < 1e-12)
        {
            return (0, double.PositiveInfinity, double.PositiveInfinity);
        }

        var step = dx > 0 ? 1 : -1;
        var boundary = cell + (0.5 * step);
        return (step, (boundary - x) / dx, 1 / Math.Abs(dx));
    }
}
