using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Rendering;

namespace LocalControl.Web.Imaging;

/// <summary>A ruler's two points in patient space (LPS, mm) and the distance between them.</summary>
public sealed record RulerMeasurement(Vector3D ALps, Vector3D BLps, double DistanceMm);

/// <summary>A case file with one lesion field set from a ruler measurement, and what the field held before.</summary>
public sealed record RulerEdit(string Json, JsonNode? Previous, double SavedMm);

/// <summary>
/// The viewer's ruler: two points on one displayed slice (continuous display-pixel positions, pixel centres at whole
/// numbers), mapped to LPS through the display grid (<see cref="RadiologicalSlice.PixelToPointLps"/>) and measured
/// there, so a grid with non-square pixels (a coronal view of 2.5 mm slices) is measured in millimetres, not pixels.
/// </summary>
public static class Ruler
{
    /// <summary>The lesion fields (case format) a ruler measurement may be saved to: sizes and distances, mm.</summary>
    public static readonly IReadOnlyList<string> LesionFields =
        ["longestDiameterMm", "shortAxisMm", "distanceToLargeVesselMm", "largeVesselCalibreMm", "distanceToHilumMm", "depthFromCapsuleMm"];

    /// <summary>Why two points cannot be measured on slice <paramref name="slice"/> of <paramref name="view"/>, or null.</summary>
    public static string? WhyRefused(RadiologicalSlice view, int slice, double x1, double y1, double x2, double y2)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (slice < 0 || slice >= view.SliceCount)
        {
            return FormattableString.Invariant($"Slice {slice} is outside 0..{view.SliceCount - 1}.");
        }
        foreach (var (x, y, name) in new[] { (x1, y1, "first"), (x2, y2, "second") })
        {
            if (!double.IsFinite(x) || !double.IsFinite(y) || x < -0.5 || y < -0.5 || x > view.Width - 0.5 || y > view.Height - 0.5)
            {
                return FormattableString.Invariant($"The {name} point ({x}, {y}) must lie in the picture: x -0.5..{view.Width - 0.5}, y -0.5..{view.Height - 0.5}.");
            }
        }
        return null;
    }

    /// <summary>The two points in LPS and their distance (mm). Check <see cref="WhyRefused"/> first.</summary>
    public static RulerMeasurement Measure(RadiologicalSlice view, int slice, double x1, double y1, double x2, double y2)
    {
        ArgumentNullException.ThrowIfNull(view);
        var a = view.PixelToPointLps(x1, y1, slice);
        var b = view.PixelToPointLps(x2, y2, slice);
        return new RulerMeasurement(a, b, (b - a).Length);
    }

    /// <summary>An LPS point as the audit writes it: (x, y, z), mm to 0.01.</summary>
    public static string Describe(Vector3D p) => string.Create(CultureInfo.InvariantCulture, $"({p.X:0.00}, {p.Y:0.00}, {p.Z:0.00})");

    /// <summary>What a measurement is saved as: mm to 0.1 (a ruler is placed to a fraction of a pixel, not better).</summary>
    public static double Saved(double distanceMm) => Math.Round(distanceMm, 1, MidpointRounding.AwayFromZero);

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Sets <c>lesions[id = <paramref name="lesionId"/>].<paramref name="field"/></c> of a stored case file to the
    /// saved distance, keeping the rest of the file as stored; null with a message when the file has no such lesion or
    /// the field is not one of <see cref="LesionFields"/>. The caller runs the result through the case-file reader.
    /// </summary>
    public static (RulerEdit? Edit, string? Error) SetLesionField(string caseFileJson, string? lesionId, string? field, double distanceMm)
    {
        ArgumentNullException.ThrowIfNull(caseFileJson);
        if (field is null || !LesionFields.Contains(field, StringComparer.Ordinal))
        {
            return (null, $"Field '{field}' cannot take a ruler measurement; choose one of {string.Join(", ", LesionFields)}.");
        }
        if (JsonNode.Parse(caseFileJson, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }) is not JsonObject root
            || root["lesions"] is not JsonArray lesions)
        {
            return (null, "The stored case file lists no lesions; add the lesion first.");
        }
        var lesion = lesions.OfType<JsonObject>().FirstOrDefault(l => l["id"] is JsonValue v && v.TryGetValue<string>(out var id) && id == lesionId);
        if (lesion is null)
        {
            return (null, $"Lesion '{lesionId}' is not in the case.");
        }
        var previous = lesion[field]?.DeepClone();
        var saved = Saved(distanceMm);
        lesion[field] = saved;
        return (new RulerEdit(root.ToJsonString(WriteOptions), previous, saved), null);
    }
}
