using LocalControl.Imaging.Geometry;

namespace LocalControl.Verification.Margins;

/// <summary>Area-weighted percentiles of the margin over a tumour's surface (mm).</summary>
public sealed record MarginDistribution(double P5Mm, double P25Mm, double MedianMm, double P75Mm, double P95Mm, double MaxMm);

/// <summary>
/// The verified ablative margin of one tumour: the signed distance (mm) from each point of the tumour's surface to
/// the ablation zone's boundary, positive inside the zone, summarised over the surface (all pre-scan LPS mm).
/// </summary>
public sealed record TumourMargin
{
    /// <summary>Lesion id (T1, T2 … in the order <c>measure</c> numbers them).</summary>
    public required string Id { get; init; }

    /// <summary>Centre of the tumour (voxel centroid, LPS mm).</summary>
    public required Vector3D CentroidLps { get; init; }

    /// <summary>Tumour volume in mL.</summary>
    public required double VolumeMl { get; init; }

    /// <summary>Tumour surface area (voxel faces) in mm².</summary>
    public required double SurfaceAreaMm2 { get; init; }

    /// <summary>The minimal ablative margin (MAM), mm: negative when part of the tumour lies outside the zone.</summary>
    public required double MinimalMarginMm { get; init; }

    /// <summary>Share of the tumour surface with a margin below 0 mm (tumour outside the zone), %.</summary>
    public required double SurfaceBelow0Percent { get; init; }

    /// <summary>Share of the surface below 5 mm, %.</summary>
    public required double SurfaceBelow5Percent { get; init; }

    /// <summary>Share of the surface below 10 mm, %.</summary>
    public required double SurfaceBelow10Percent { get; init; }

    /// <summary>The margin over the surface.</summary>
    public required MarginDistribution Distribution { get; init; }

    /// <summary>Where the margin is thinnest, on the tumour surface (LPS mm).</summary>
    public required Vector3D ThinnestPointLps { get; init; }

    /// <summary>Unit vector from the tumour centre towards the thinnest point (LPS).</summary>
    public required Vector3D ThinnestDirectionLps { get; init; }

    /// <summary>Couinaud segment (1–8) at the thinnest point when a segment map was given.</summary>
    public int? Segment { get; init; }

    /// <summary>A0: the whole tumour surface lies inside the zone (MAM &gt; 0).</summary>
    public bool A0 => MinimalMarginMm > 0;

    /// <summary>The MAM if the registration were 2 mm off in the least favourable direction (mm).</summary>
    public required double SensitivityMinusMm { get; init; }

    /// <summary>The MAM if the registration were 2 mm off in the most favourable direction (mm).</summary>
    public required double SensitivityPlusMm { get; init; }

    /// <summary>Margins are exact up to this distance; larger ones are reported as this value (mm).</summary>
    public required double ReachMm { get; init; }

    /// <summary>Registration uncertainty at this tumour (mm), NaN when the scans were not registered.</summary>
    public double RegistrationUncertaintyMm { get; init; } = double.NaN;

    /// <summary>Surface faces measured.</summary>
    public required int SurfacePoints { get; init; }

    /// <summary>Anatomical words for <see cref="ThinnestDirectionLps"/> (e.g. "posterior-superior").</summary>
    public string ThinnestDirectionWords => DirectionWords(ThinnestDirectionLps);

    /// <summary>Words for an LPS direction: each axis whose component is at least 40 % of the vector's length.</summary>
    public static string DirectionWords(Vector3D d)
    {
        var words = new List<string>(3);
        var len = d.Length;
        if (len == 0)
        {
            return "none";
        }

        if (Math.Abs(d.X) >= 0.4 * len)
        {
            words.Add(d.X > 0 ? "left" : "right");
        }

        if (Math.Abs(d.Y) >= 0.4 * len)
        {
            words.Add(d.Y > 0 ? "posterior" : "anterior");
        }

        if (Math.Abs(d.Z) >= 0.4 * len)
        {
            words.Add(d.Z > 0 ? "superior" : "inferior");
        }

        return string.Join('-', words);
    }
}
