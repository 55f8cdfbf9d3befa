using LocalControl.Ablation.Bioheat;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Zones;

/// <summary>The size of a zone relative to a probe: extent along the shaft, the two extents across, and where its centre sits.</summary>
/// <param name="LengthMm">Extent along the shaft (mm), voxel edges included.</param>
/// <param name="DiameterMm">Largest extent across the shaft (mm).</param>
/// <param name="SecondDiameterMm">Extent across, perpendicular to <paramref name="DiameterMm"/> (mm).</param>
/// <param name="TipOffsetMm">Distance from the tip back along the shaft to the zone's centre (mm).</param>
/// <param name="VolumeMl">Zone volume (mL).</param>
public sealed record ZoneShape(double LengthMm, double DiameterMm, double SecondDiameterMm, double TipOffsetMm, double VolumeMl)
{
    /// <summary>Mean of the two across extents (mm).</summary>
    public double MeanDiameterMm => (DiameterMm + SecondDiameterMm) / 2;

    /// <summary>Measures the zone (voxels where <paramref name="inZone"/> is true) against <paramref name="probe"/>.</summary>
    public static ZoneShape Measure(RegionOfInterest roi, Func<int, bool> inZone, ProbePose probe)
    {
        ArgumentNullException.ThrowIfNull(roi);
        ArgumentNullException.ThrowIfNull(inZone);
        ArgumentNullException.ThrowIfNull(probe);
        var u = probe.Axis;
        var (e1, e2) = Perpendiculars(u);
        const int Angles = 36;
        var min = new double[Angles];
        var max = new double[Angles];
        Array.Fill(min, double.MaxValue);
        Array.Fill(max, double.MinValue);
        double sMin = double.MaxValue, sMax = double.MinValue;
        long count = 0;
        var n = 0;
        for (var k = 0; k < roi.Nz; k++)
        {
            for (var j = 0; j < roi.Ny; j++)
            {
                for (var i = 0; i < roi.Nx; i++, n++)
                {
                    if (!inZone(n))
                    {
                        continue;
                    }

                    count++;
                    var rel = roi.PointLps(i, j, k) - probe.TipLps;
                    var s = -rel.Dot(u);
                    sMin = Math.Min(sMin, s);
                    sMax = Math.Max(sMax, s);
                    var x = rel.Dot(e1);
                    var y = rel.Dot(e2);
                    for (var a = 0; a < Angles; a++)
                    {
                        var th = Math.PI * a / Angles;
                        var p = (x * Math.Cos(th)) + (y * Math.Sin(th));
                        min[a] = Math.Min(min[a], p);
                        max[a] = Math.Max(max[a], p);
                    }
                }
            }
        }

        if (count == 0)
        {
            return new ZoneShape(0, 0, 0, 0, 0);
        }

        // Extents between outermost voxel centres plus one voxel (each centre stands for a voxel of that width).
        var h = roi.SpacingMm;
        var best = 0;
        for (var a = 1; a < Angles; a++)
        {
            if (max[a] - min[a] > max[best] - min[best])
            {
                best = a;
            }
        }

        var other = (best + (Angles / 2)) % Angles;
        return new ZoneShape(
            sMax - sMin + h,
            max[best] - min[best] + h,
            max[other] - min[other] + h,
            (sMin + sMax) / 2,
            count * h * h * h / 1000.0);
    }

    /// <summary>
    /// How far (mm) the zone reaches from <paramref name="fromLps"/> along the unit <paramref name="direction"/> before
    /// leaving it. Voxels where <paramref name="passThrough"/> is true (a vessel's lumen, which is blood, not tissue) are
    /// crossed without ending the walk, so a zone that wraps round a vessel reaches past it.
    /// </summary>
    public static double Reach(RegionOfInterest roi, Func<int, bool> inZone, Vector3D fromLps, Vector3D direction, Func<int, bool>? passThrough = null)
    {
        ArgumentNullException.ThrowIfNull(roi);
        ArgumentNullException.ThrowIfNull(inZone);
        var step = roi.SpacingMm / 4;
        var last = 0.0;
        var entered = false;
        for (var t = 0.0; t < roi.Nx * roi.SpacingMm * 2; t += step)
        {
            if (roi.Nearest(fromLps + direction * t) is not { } v)
            {
                break;
            }

            var n = ((v.K * roi.Ny) + v.J) * roi.Nx + v.I;
            if (passThrough is not null && passThrough(n))
            {
                continue;
            }

            if (!inZone(n))
            {
                // The shaft itself (a cooled electrode stays alive) may sit on the start: look past it for 3 mm.
                if (!entered && t < ShaftAllowanceMm)
                {
                    continue;
                }

                break;
            }

            entered = true;
            last = t;
        }

        return last;
    }

    /// <summary>How far from the axis a walk may start outside the zone (the probe's own radius, rounded up), in mm.</summary>
    public const double ShaftAllowanceMm = 3;

    /// <summary>Two unit vectors perpendicular to <paramref name="u"/> and to each other.</summary>
    public static (Vector3D E1, Vector3D E2) Perpendiculars(Vector3D u)
    {
        var seed = Math.Abs(u.Z) < 0.9 ? new Vector3D(0, 0, 1) : new Vector3D(1, 0, 0);
        var e1 = u.Cross(seed);
        e1 *= 1 / e1.Length;
        var e2 = u.Cross(e1);
        return (e1, e2 * (1 / e2.Length));
    }
}
