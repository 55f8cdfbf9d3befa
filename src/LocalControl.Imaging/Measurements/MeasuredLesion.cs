using System.Globalization;
using System.Text.Json.Nodes;
using LocalControl.Core.Cases;
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

    /// <summary>
    /// The measured values in case-file names and units: the one conversion from imaging to the case model
    /// (docs/case-format.md, "Measured lesions"). Lengths are rounded to 0.01 mm and volumes to 0.001 mL; the organ
    /// and the critical structures keep only names the case file knows; the segment becomes <c>location</c>.
    /// </summary>
    /// <param name="sourceJson">Provenance of the measurement as a JSON object (label file, thresholds), or null.</param>
    public LesionMeasurement ToLesionMeasurement(string? sourceJson = null) => new()
    {
        Id = Id,
        Organ = Organ is { } organ && CaseVocabulary.TryParseOrgan(organ, out var o) ? o : null,
        Location = Segment is { } s ? "segment " + s.ToString(CultureInfo.InvariantCulture) : null,
        LongestDiameterMm = Round(LongestDiameterMm),
        LongestAxialDiameterMm = Round(LongestAxialDiameterMm),
        VolumeMl = Math.Round(VolumeMl, 3),
        CentroidMm = [Round(CentroidLps.X), Round(CentroidLps.Y), Round(CentroidLps.Z)],
        DistanceToLargeVesselMm = Round(DistanceToLargeVesselMm),
        LargeVesselCalibreMm = Round(LargeVesselCalibreMm),
        DistanceToHilumMm = Round(DistanceToHilumMm),
        DepthFromCapsuleMm = Round(DepthFromCapsuleMm),
        AdjacentStructures = AdjacentStructures?.Where(CaseVocabulary.AdjacentStructures.Contains).ToList(),
        AdjacencyNotAssessed = NotSegmentedStructures.Where(CaseVocabulary.AdjacentStructures.Contains).ToList(),
        DistanceToAnyVesselMm = Round(DistanceToAnyVesselMm),
        DistancesMm = DistancesMm.Count == 0 ? null : DistancesMm.ToDictionary(kv => kv.Key, kv => Round(kv.Value), StringComparer.Ordinal),
        MeasurementSourceJson = sourceJson,
    };

    /// <summary>
    /// The lesion as a case-file entry: <see cref="ToLesionMeasurement"/> made a case lesion by
    /// <see cref="MeasurementMerge.ToLesion"/> and written by <see cref="CaseFileWriter.WriteLesion(Lesion)"/>, so that
    /// <c>measure</c>'s list and a case written after <c>assess --labels</c> carry the same fields. What was not
    /// measured is left out, the organ too when the segmentation does not say (the case reader then asks for it).
    /// </summary>
    /// <param name="sourceJson">Provenance of the measurement as a JSON object, written as the lesion's <c>source</c>.</param>
    public JsonObject ToCaseLesionJson(string? sourceJson = null)
    {
        var measurement = ToLesionMeasurement(sourceJson);
        var o = JsonNode.Parse(CaseFileWriter.WriteLesion(MeasurementMerge.ToLesion(measurement)))!.AsObject();
        if (measurement.Organ is null)
        {
            o.Remove("organ");
        }

        return o;
    }

    private static double Round(double v) => Math.Round(v, 2);

    private static double? Round(double? v) => v is { } x ? Math.Round(x, 2) : null;
}
