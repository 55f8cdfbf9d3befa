using System.Text.Json.Nodes;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Measurements;

/// <summary>
/// What was measured for one lesion (one 26-connected component of the tumour labels). A null value was not
/// measurable (the structure is not labelled, or the lesion is not in the liver for the capsule depth) and is left
/// out of the case-file JSON: absent means unknown to the decision engine. Distances are surface to surface, taken
/// between the centres of the closest voxels of the two structures (0 when they overlap), in mm.
/// </summary>
public sealed class MeasuredLesion
{
    /// <summary>Lesion id, T1, T2 … in scan order (first voxel met scanning i fastest, then j, then k).</summary>
    public required string Id { get; init; }

    /// <summary>Number of voxels.</summary>
    public required long VoxelCount { get; init; }

    /// <summary>Volume in millilitres (voxel count × voxel volume).</summary>
    public required double VolumeMl { get; init; }

    /// <summary>Centroid of the voxel centres, LPS mm.</summary>
    public required Vector3D CentroidLps { get; init; }

    /// <summary>Longest 3D diameter (mm): the farthest pair of surface-voxel centres.</summary>
    public required double LongestDiameterMm { get; init; }

    /// <summary>Longest diameter within one axial slice (mm), RECIST-style.</summary>
    public required double LongestAxialDiameterMm { get; init; }

    /// <summary>The organ holding or touching the lesion (liver, lung, bone, lymph-node, peritoneum), if labelled.</summary>
    public string? Organ { get; init; }

    /// <summary>Liver segment number holding the centroid, when a segment map was given.</summary>
    public int? Segment { get; init; }

    /// <summary>Distance to the nearest vessel of any calibre (mm).</summary>
    public double? DistanceToAnyVesselMm { get; init; }

    /// <summary>Distance to the nearest vessel of calibre ≥ the large-vessel threshold (3 mm by default), to the vessel wall.</summary>
    public double? DistanceToLargeVesselMm { get; init; }

    /// <summary>Calibre (2 × local radius on the centreline) of that nearest large vessel (mm).</summary>
    public double? LargeVesselCalibreMm { get; init; }

    /// <summary>Distance to the hilum (mm).</summary>
    public double? DistanceToHilumMm { get; init; }

    /// <summary>Depth from the liver capsule (mm): distance from the lesion to the nearest voxel outside the liver.</summary>
    public double? DepthFromCapsuleMm { get; init; }

    /// <summary>Distance (mm) to every labelled structure, by role name (kebab-case).</summary>
    public required IReadOnlyDictionary<string, double> DistancesMm { get; init; }

    /// <summary>Critical structures within the contact distance, by role name; null when no critical structure is labelled.</summary>
    public IReadOnlyList<string>? AdjacentStructures { get; init; }

    /// <summary>Critical structures (case-file names) absent from the label table: their adjacency is unknown.</summary>
    public IReadOnlyList<string> NotSegmentedStructures { get; init; } = [];

    /// <summary>The lesion in the case-file format (camelCase, units in names), leaving out what was not measured.</summary>
    public JsonObject ToCaseLesionJson()
    {
        var o = new JsonObject { ["id"] = Id };
        if (Organ is not null)
        {
            o["organ"] = Organ;
        }

        if (Segment is { } segment)
        {
            o["location"] = $"segment {segment.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        }

        o["longestDiameterMm"] = Round(LongestDiameterMm);
        o["longestAxialDiameterMm"] = Round(LongestAxialDiameterMm);
        o["volumeMl"] = Math.Round(VolumeMl, 3);
        o["centroidMm"] = new JsonArray(Round(CentroidLps.X), Round(CentroidLps.Y), Round(CentroidLps.Z));
        Add(o, "distanceToLargeVesselMm", DistanceToLargeVesselMm);
        Add(o, "largeVesselCalibreMm", LargeVesselCalibreMm);
        Add(o, "distanceToAnyVesselMm", DistanceToAnyVesselMm);
        Add(o, "distanceToHilumMm", DistanceToHilumMm);
        Add(o, "depthFromCapsuleMm", DepthFromCapsuleMm);
        if (AdjacentStructures is not null)
        {
            var a = new JsonArray();
            foreach (var s in AdjacentStructures)
            {
                a.Add(s);
            }

            o["adjacentStructures"] = a;
        }

        if (NotSegmentedStructures.Count > 0)
        {
            var n = new JsonArray();
            foreach (var s in NotSegmentedStructures)
            {
                n.Add(s);
            }

            o["adjacencyNotAssessed"] = n;
        }

        if (DistancesMm.Count > 0)
        {
            var d = new JsonObject();
            foreach (var (key, value) in DistancesMm.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                d[key] = Round(value);
            }

            o["distancesMm"] = d;
        }

        return o;
    }

    private static double Round(double v) => Math.Round(v, 2);

    private static void Add(JsonObject o, string name, double? value)
    {
        if (value is { } v)
        {
            o[name] = Round(v);
        }
    }
}
