using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Phantoms;

/// <summary>A spherical tumour: centre (LPS mm) and radius (mm).</summary>
public sealed record PhantomTumour(Vector3D CentreLps, double RadiusMm);

/// <summary>One straight vessel segment with round ends (a capsule): axis from <paramref name="StartLps"/> to <paramref name="EndLps"/>, radius in mm.</summary>
public sealed record PhantomVessel(Vector3D StartLps, Vector3D EndLps, double RadiusMm)
{
    /// <summary>Distance (mm) from a point to the vessel's axis segment.</summary>
    public double DistanceToAxisMm(Vector3D p)
    {
        var d = EndLps - StartLps;
        var len2 = d.Dot(d);
        var t = len2 == 0 ? 0 : Math.Clamp((p - StartLps).Dot(d) / len2, 0, 1);
        return (p - (StartLps + d * t)).Length;
    }
}

/// <summary>
/// A synthetic liver: an ellipsoid (centre, semi-axes along L, P, S in mm), spherical tumours, a branching tree of
/// capsule-shaped vessels and a spherical hilum, on an axis-aligned grid. Shapes are exact, so every measurement
/// has an analytic answer (<see cref="LiverPhantom.Answers"/>) that voxel measurements must approach within a voxel.
/// </summary>
public sealed record LiverPhantomSpec
{
    /// <summary>Label value of the liver.</summary>
    public const int LiverLabel = 1;

    /// <summary>Label value of the tumours.</summary>
    public const int TumourLabel = 2;

    /// <summary>Label value of the vessels.</summary>
    public const int VesselLabel = 3;

    /// <summary>Label value of the hilum.</summary>
    public const int HilumLabel = 4;

    /// <summary>Grid size.</summary>
    public required VolumeSize Size { get; init; }

    /// <summary>Voxel spacing in mm.</summary>
    public required Vector3D SpacingMm { get; init; }

    /// <summary>Liver ellipsoid centre (LPS mm).</summary>
    public required Vector3D LiverCentreLps { get; init; }

    /// <summary>Liver ellipsoid semi-axes along L, P, S (mm).</summary>
    public required Vector3D LiverSemiAxesMm { get; init; }

    /// <summary>The tumours (inside the liver).</summary>
    public required IReadOnlyList<PhantomTumour> Tumours { get; init; }

    /// <summary>The vessel tree, as capsules.</summary>
    public required IReadOnlyList<PhantomVessel> Vessels { get; init; }

    /// <summary>The hilum sphere centre (LPS mm).</summary>
    public required Vector3D HilumCentreLps { get; init; }

    /// <summary>The hilum sphere radius (mm).</summary>
    public required double HilumRadiusMm { get; init; }

    /// <summary>
    /// A default phantom on the given grid: a 150×110×100 mm liver, a portal-like tree (a 14 mm trunk from the
    /// hilum, branching to 8 mm, 5 mm and 1.6 mm vessels) and tumours of the given diameters placed away from the tree.
    /// </summary>
    public static LiverPhantomSpec Default(VolumeSize size, Vector3D spacingMm)
    {
        var extent = new Vector3D(size.I * spacingMm.X, size.J * spacingMm.Y, size.K * spacingMm.Z);
        var c = extent * 0.5;
        var axes = new Vector3D(Math.Min(75, extent.X * 0.42), Math.Min(55, extent.Y * 0.42), Math.Min(50, extent.Z * 0.42));
        Vector3D At(double fx, double fy, double fz) => new(c.X + fx * axes.X, c.Y + fy * axes.Y, c.Z + fz * axes.Z);
        var hilum = At(0, 0.55, -0.1);
        var fork = At(0, 0.1, 0);
        var hilumRadius = Math.Min(9, axes.Y * 0.12);
        // The trunk starts where its round end just touches the hilum sphere, so that no voxel is claimed by both
        // and the analytic distances to each stay exact.
        var towardFork = (fork - hilum) * (1.0 / (fork - hilum).Length);
        var trunkStart = hilum + towardFork * (hilumRadius + 6 + 0.5);
        var vessels = new List<PhantomVessel>
        {
            // Calibres 12, 8, 5 and 1.6 mm: each more than a voxel away from the 3 mm large-vessel threshold.
            new(trunkStart, fork, 6),
            new(fork, At(-0.6, -0.2, 0.2), 4),
            new(fork, At(0.6, -0.1, -0.2), 2.5),
            new(At(-0.6, -0.2, 0.2), At(-0.75, -0.5, 0.45), 0.8),
        };
        var tumours = new List<PhantomTumour>
        {
            new(At(-0.35, 0.35, -0.45), Math.Min(12, axes.Z * 0.2)),
            new(At(0.45, 0.3, 0.4), Math.Min(8, axes.Z * 0.14)),
            new(At(0.3, -0.5, 0.1), Math.Min(5, axes.Z * 0.09)),
        };
        return new LiverPhantomSpec
        {
            Size = size,
            SpacingMm = spacingMm,
            LiverCentreLps = c,
            LiverSemiAxesMm = axes,
            Tumours = tumours,
            Vessels = vessels,
            HilumCentreLps = hilum,
            HilumRadiusMm = hilumRadius,
        };
    }
}

/// <summary>The analytic answers for one tumour of a phantom.</summary>
/// <param name="Id">Lesion id (T1, T2 … in the order of the spec).</param>
/// <param name="CentroidLps">Centre (LPS mm).</param>
/// <param name="DiameterMm">Exact diameter (mm).</param>
/// <param name="VolumeMl">Exact volume (mL).</param>
/// <param name="DistanceToAnyVesselMm">Surface-to-surface distance to the nearest vessel (mm, 0 if touching).</param>
/// <param name="DistanceToLargeVesselMm">Surface-to-surface distance to the nearest vessel of calibre ≥ 3 mm.</param>
/// <param name="LargeVesselCalibreMm">Calibre of that vessel (mm).</param>
/// <param name="DistanceToHilumMm">Surface-to-surface distance to the hilum sphere.</param>
/// <param name="DepthFromCapsuleMm">Distance from the tumour surface to the liver surface.</param>
public sealed record PhantomAnswer(string Id, Vector3D CentroidLps, double DiameterMm, double VolumeMl, double DistanceToAnyVesselMm,
    double? DistanceToLargeVesselMm, double? LargeVesselCalibreMm, double DistanceToHilumMm, double DepthFromCapsuleMm);

/// <summary>Draws a <see cref="LiverPhantomSpec"/> into a label map and computes its analytic answers.</summary>
public static class LiverPhantom
{
    /// <summary>Vessel calibre from which a vessel counts as large (mm).</summary>
    public const double LargeVesselCalibreMm = 3.0;

    /// <summary>The label table of phantoms: 1 liver, 2 tumour, 3 vessel, 4 hilum.</summary>
    public static LabelTable Table() => new LabelTable()
        .Set(new LabelEntry(LiverPhantomSpec.LiverLabel, "liver", LabelRole.Liver))
        .Set(new LabelEntry(LiverPhantomSpec.TumourLabel, "tumour", LabelRole.Tumour))
        .Set(new LabelEntry(LiverPhantomSpec.VesselLabel, "vessel", LabelRole.Vessel))
        .Set(new LabelEntry(LiverPhantomSpec.HilumLabel, "hilum", LabelRole.Hilum));

    /// <summary>Voxelises the phantom: a voxel takes the label of the shape holding its centre (tumour over vessel over hilum over liver).</summary>
    public static LabelMap Draw(LiverPhantomSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var geometry = ImageGeometry.AxisAligned(spec.Size, spec.SpacingMm);
        var labels = new Volume<int>(geometry);
        var size = spec.Size;
        var buffer = labels.Buffer;
        // Only voxels inside the bounding box of all shapes can hold a label.
        var lo = spec.LiverCentreLps - spec.LiverSemiAxesMm;
        var hi = spec.LiverCentreLps + spec.LiverSemiAxesMm;
        void Grow(Vector3D c, double r)
        {
            lo = new Vector3D(Math.Min(lo.X, c.X - r), Math.Min(lo.Y, c.Y - r), Math.Min(lo.Z, c.Z - r));
            hi = new Vector3D(Math.Max(hi.X, c.X + r), Math.Max(hi.Y, c.Y + r), Math.Max(hi.Z, c.Z + r));
        }

        foreach (var t in spec.Tumours)
        {
            Grow(t.CentreLps, t.RadiusMm);
        }

        foreach (var v in spec.Vessels)
        {
            Grow(v.StartLps, v.RadiusMm);
            Grow(v.EndLps, v.RadiusMm);
        }

        Grow(spec.HilumCentreLps, spec.HilumRadiusMm);
        int Lo(double mm, double s) => Math.Max(0, (int)Math.Floor(mm / s));
        int Hi(double mm, double s, int n) => Math.Min(n, (int)Math.Ceiling(mm / s) + 1);
        int i0 = Lo(lo.X, spec.SpacingMm.X), i1 = Hi(hi.X, spec.SpacingMm.X, size.I);
        int j0 = Lo(lo.Y, spec.SpacingMm.Y), j1 = Hi(hi.Y, spec.SpacingMm.Y, size.J);
        int k0 = Lo(lo.Z, spec.SpacingMm.Z), k1 = Hi(hi.Z, spec.SpacingMm.Z, size.K);
        Parallel.For(k0, Math.Max(k0, k1), k =>
        {
            for (var j = j0; j < j1; j++)
            {
                for (var i = i0; i < i1; i++)
                {
                    var p = new Vector3D(i * spec.SpacingMm.X, j * spec.SpacingMm.Y, k * spec.SpacingMm.Z);
                    buffer[size.LinearIndex(i, j, k)] = LabelAt(spec, p);
                }
            }
        });
        return new LabelMap(labels, Table());
    }

    /// <summary>The label of the shape holding point <paramref name="p"/> (LPS mm).</summary>
    public static int LabelAt(LiverPhantomSpec spec, Vector3D p)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var t in spec.Tumours)
        {
            var dt = p - t.CentreLps;
            if (dt.Dot(dt) <= t.RadiusMm * t.RadiusMm)
            {
                return LiverPhantomSpec.TumourLabel;
            }
        }

        foreach (var v in spec.Vessels)
        {
            if (v.DistanceToAxisMm(p) <= v.RadiusMm)
            {
                return LiverPhantomSpec.VesselLabel;
            }
        }

        if ((p - spec.HilumCentreLps).Length <= spec.HilumRadiusMm)
        {
            return LiverPhantomSpec.HilumLabel;
        }

        var q = p - spec.LiverCentreLps;
        var a = spec.LiverSemiAxesMm;
        return (q.X / a.X) * (q.X / a.X) + (q.Y / a.Y) * (q.Y / a.Y) + (q.Z / a.Z) * (q.Z / a.Z) <= 1 ? LiverPhantomSpec.LiverLabel : 0;
    }

    /// <summary>The exact answers per tumour.</summary>
    public static IReadOnlyList<PhantomAnswer> Answers(LiverPhantomSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var result = new List<PhantomAnswer>();
        for (var n = 0; n < spec.Tumours.Count; n++)
        {
            var t = spec.Tumours[n];
            var any = double.PositiveInfinity;
            double? large = null;
            double? calibre = null;
            foreach (var v in spec.Vessels)
            {
                var gap = Math.Max(0, v.DistanceToAxisMm(t.CentreLps) - v.RadiusMm - t.RadiusMm);
                any = Math.Min(any, gap);
                if (2 * v.RadiusMm >= LargeVesselCalibreMm && (large is null || gap < large))
                {
                    large = gap;
                    calibre = 2 * v.RadiusMm;
                }
            }

            var hilum = Math.Max(0, (t.CentreLps - spec.HilumCentreLps).Length - spec.HilumRadiusMm - t.RadiusMm);
            var depth = DistanceToEllipsoidSurface(t.CentreLps - spec.LiverCentreLps, spec.LiverSemiAxesMm) - t.RadiusMm;
            result.Add(new PhantomAnswer($"T{n + 1}", t.CentreLps, 2 * t.RadiusMm, 4.0 / 3.0 * Math.PI * Math.Pow(t.RadiusMm, 3) / 1000.0,
                any, large, calibre, hilum, depth));
        }

        return result;
    }

    /// <summary>
    /// Distance from a point inside an axis-aligned ellipsoid (centred at 0, semi-axes <paramref name="a"/>) to its
    /// surface, by bisection on the Lagrange parameter (D. Eberly, "Distance from a point to an ellipse, an
    /// ellipsoid, or a hyperellipsoid", Geometric Tools, 2013).
    /// </summary>
    public static double DistanceToEllipsoidSurface(Vector3D p, Vector3D a)
    {
        double[] e = [a.X, a.Y, a.Z];
        // A point exactly on a symmetry plane is nudged by 1e-9 mm: the distance is continuous, and the nudge keeps
        // the root of F strictly inside its bracket (Eberly's degenerate case).
        double[] y = [Math.Max(1e-9, Math.Abs(p.X)), Math.Max(1e-9, Math.Abs(p.Y)), Math.Max(1e-9, Math.Abs(p.Z))];
        // Solve F(t) = Σ (e_i y_i / (t + e_i²))² − 1 = 0 for t in (−min e_i², ∞); inside points have t ≤ 0.
        var emin2 = Math.Min(e[0] * e[0], Math.Min(e[1] * e[1], e[2] * e[2]));
        double F(double t)
        {
            var s = 0.0;
            for (var n = 0; n < 3; n++)
            {
                var r = e[n] * y[n] / (t + e[n] * e[n]);
                s += r * r;
            }

            return s - 1;
        }

        var lo = -emin2 * (1 - 1e-15);
        var hi = 0.0;
        if (F(hi) > 0)
        {
            // Outside: grow hi until F < 0.
            hi = 1;
            while (F(hi) > 0)
            {
                hi *= 2;
            }
        }

        for (var it = 0; it < 200; it++)
        {
            var mid = 0.5 * (lo + hi);
            if (F(mid) > 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        var tStar = 0.5 * (lo + hi);
        var d2 = 0.0;
        for (var n = 0; n < 3; n++)
        {
            var x = e[n] * e[n] * y[n] / (tStar + e[n] * e[n]);
            d2 += (x - y[n]) * (x - y[n]);
        }

        return Math.Sqrt(d2);
    }
}
