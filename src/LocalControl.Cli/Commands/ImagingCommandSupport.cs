using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalControl.Imaging;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Measurements;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Cli.Commands;

/// <summary>Shared pieces of the imaging commands: label tables, geometry JSON, number parsing.</summary>
internal static class ImagingCommandSupport
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Reads a label table file: a JSON object mapping label values to role names, e.g. <c>{"1": "liver", "2": "tumour"}</c>.
    /// A value may also be an object <c>{"role": "vessel", "name": "portal vein"}</c>.</summary>
    public static LabelTable ReadLabelTable(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new UserInputException($"{path}: not valid JSON ({ex.Message}).", ex);
        }

        if (root is not JsonObject obj)
        {
            throw new UserInputException($"{path}: the label table must be a JSON object mapping label values to roles, e.g. {{\"1\": \"liver\", \"2\": \"tumour\"}}.");
        }

        var table = new LabelTable();
        foreach (var (key, value) in obj)
        {
            if (!int.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var label) || label <= 0)
            {
                throw new UserInputException($"{path}: \"{key}\" is not a label value (a positive integer; 0 is background).");
            }

            string? roleName = null;
            string? name = null;
            if (value is JsonValue v && v.TryGetValue<string>(out var s))
            {
                roleName = s;
            }
            else if (value is JsonObject o)
            {
                roleName = o["role"]?.GetValue<string>();
                name = o["name"]?.GetValue<string>();
            }

            if (roleName is null || LabelRoles.Parse(roleName) is not { } role)
            {
                var known = string.Join(", ", Enum.GetValues<LabelRole>().Select(r => r.Name()));
                throw new UserInputException($"{path}: label {key} has an unknown role \"{roleName}\" (known: {known}).");
            }

            table.Set(new LabelEntry(label, name ?? roleName, role));
        }

        return table;
    }

    /// <summary>
    /// Loads any supported image; for DICOM, <paramref name="series"/> picks a series in a folder (UID or index) and
    /// <paramref name="reference"/> is the image a SEG or RTSTRUCT is put on. Both are ignored by the other formats.
    /// </summary>
    public static LoadedImage LoadImage(string path, string? series = null, string? reference = null) =>
        VolumeFormats.Detect(path) is DicomFormat dicom ? dicom.Load(path, new DicomLoadOptions(series, reference))
        : series is not null ? throw new UserInputException($"{path}: --series applies to DICOM folders only.")
        : VolumeFormats.Load(path);

    /// <summary>Reads only the header; see <see cref="LoadImage"/> for <paramref name="series"/> and <paramref name="reference"/>.</summary>
    public static ImageInfo IdentifyImage(string path, string? series = null, string? reference = null) =>
        VolumeFormats.Detect(path) is DicomFormat dicom ? dicom.Identify(path, new DicomLoadOptions(series, reference))
        : series is not null ? throw new UserInputException($"{path}: --series applies to DICOM folders only.")
        : VolumeFormats.Identify(path);

    /// <summary>The <c>--series</c> option of the imaging commands.</summary>
    public static Option<string?> SeriesOption() =>
        new("--series") { Description = "DICOM folder with several series: the SeriesInstanceUID or the index that 'info FOLDER' lists." };

    /// <summary>Loads any supported image as a label map (integer voxels).</summary>
    public static Volume<int> LoadLabels(string path)
    {
        var image = VolumeFormats.Load(path);
        return image.ToLabelVolume();
    }

    /// <summary>
    /// Loads a segmentation for measuring: its label table from <paramref name="tablePath"/> or the file itself, and,
    /// with <paramref name="imagePath"/>, a DICOM SEG or RTSTRUCT put on that image's grid (any other map must already
    /// be on it).
    /// </summary>
    public static (LabelMap Map, LoadedImage Loaded) LoadLabelMap(string labelPath, string? tablePath, string? imagePath, string? series, string tableOption = "--label-table")
    {
        var loaded = LoadImage(labelPath, reference: imagePath, series: VolumeFormats.Detect(labelPath) is DicomFormat ? series : null);
        var labelTable = tablePath is not null ? ReadLabelTable(tablePath)
            : loaded.LabelTable ?? throw new UserInputException($"{labelPath} carries no label names: give {tableOption}, e.g. {{\"1\": \"liver\", \"2\": \"tumour\"}}.");
        var volume = loaded.ToLabelVolume();
        if (imagePath is not null && !IdentifyImage(imagePath, series).Geometry.IsSameGridAs(volume.Geometry))
        {
            throw new ImagingException("LC-MEAS-003", "the segmentation and the image are not on the same voxel grid (size, spacing, origin or direction differ).", labelPath, "geometry");
        }

        return (new LabelMap(volume, labelTable), loaded);
    }

    /// <summary>Measurement options, with a liver segment map when one is given.</summary>
    public static MeasureOptions MeasureOptionsFor(string? segmentPath) =>
        segmentPath is null ? new MeasureOptions() : new MeasureOptions { SegmentMap = LoadLabels(segmentPath) };

    public static JsonObject GeometryJson(ImageGeometry g)
    {
        var direction = new JsonArray();
        for (var r = 0; r < 3; r++)
        {
            direction.Add(new JsonArray(g.Direction[r, 0], g.Direction[r, 1], g.Direction[r, 2]));
        }

        var affine = new JsonArray();
        var a = g.AffineRas();
        for (var r = 0; r < 4; r++)
        {
            affine.Add(new JsonArray(a[r, 0], a[r, 1], a[r, 2], a[r, 3]));
        }

        return new JsonObject
        {
            ["size"] = new JsonArray(g.Size.I, g.Size.J, g.Size.K),
            ["spacingMm"] = new JsonArray(g.SpacingMm.X, g.SpacingMm.Y, g.SpacingMm.Z),
            ["originLps"] = new JsonArray(g.OriginLps.X, g.OriginLps.Y, g.OriginLps.Z),
            ["direction"] = direction,
            ["affineRas"] = affine,
        };
    }

    public static JsonArray WarningsJson(IEnumerable<ImagingWarning> warnings)
    {
        var a = new JsonArray();
        foreach (var w in warnings)
        {
            a.Add(new JsonObject { ["code"] = w.Code, ["severity"] = w.Severity.ToString().ToLowerInvariant(), ["message"] = w.Message });
        }

        return a;
    }

    /// <summary>Parses "a,b,c" into three finite numbers.</summary>
    public static Vector3D ParseTriple(string text, string option)
    {
        var parts = text.Split(',');
        if (parts.Length != 3 || !parts.All(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)))
        {
            throw new UserInputException($"{option}: expected three numbers separated by commas, got \"{text}\".");
        }

        return new Vector3D(
            double.Parse(parts[0], CultureInfo.InvariantCulture),
            double.Parse(parts[1], CultureInfo.InvariantCulture),
            double.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    public static string Format(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
