using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalControl.Core.IO;
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

    /// <summary>Reads a label table file — a JSON object mapping label values to role names, e.g. <c>{"1": "liver", "2": "tumour"}</c> —
    /// or takes a built-in convention by name (<c>totalsegmentator</c>, <c>totalsegmentator-liver-vessels</c>, <c>lits</c>,
    /// <c>msd-task03-liver</c>, <c>msd-task08-hepatic-vessel</c>).
    /// A value may also be an object <c>{"role": "vessel", "name": "portal vein"}</c>.</summary>
    public static LabelTable ReadLabelTable(string path)
    {
        // A built-in convention by name (--label-table lits, totalsegmentator …) unless a file of that name exists.
        if (!File.Exists(path) && LocalControl.Imaging.Formats.Segmentations.BuiltInLabelTables.Find(path) is { } builtIn)
        {
            var copy = new LabelTable();
            foreach (var e in builtIn.Table.Entries)
            {
                copy.Set(e);
            }

            return copy;
        }

        return LabelTableJson.Parse(CaseFiles.ReadText(path, "label table"), path);
    }

    /// <summary>
    /// Loads any supported image; for DICOM, <paramref name="series"/> picks a series in a folder (UID or index) and
    /// <paramref name="reference"/> is the image a SEG or RTSTRUCT is put on. Both are ignored by the other formats.
    /// </summary>
    public static LoadedImage LoadImage(string path, string? series = null, string? reference = null) => FromStandardInput(path, p =>
        VolumeFormats.Detect(p) is DicomFormat dicom ? dicom.Load(p, new DicomLoadOptions(series, reference))
        : series is not null ? throw new UserInputException($"{p}: --series applies to DICOM folders only.")
        : VolumeFormats.Load(p));

    /// <summary>
    /// Runs <paramref name="read"/> on <paramref name="path"/>, or for <c>-</c> on a private copy of standard input
    /// (at most the reading budget's bytes; formats are detected by content). Messages say "standard input", never
    /// the copy's temporary name, and the copy is removed afterwards.
    /// </summary>
    public static T FromStandardInput<T>(string path, Func<string, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (path != InputFiles.StandardStream)
        {
            return read(path);
        }

        var folder = Directory.CreateTempSubdirectory("lc-stdin-");
        var copy = Path.Combine(folder.FullName, "standard-input");
        try
        {
            using (var input = InputFiles.StandardInput())
            using (var file = new FileStream(copy, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var bytes = InputFiles.ReadCapped(input, ImagingBudget.Default.MaxDecodedBytes, "standard input");
                file.Write(bytes);
            }

            return read(copy);
        }
        catch (ImagingException ex)
        {
            throw new UserInputException(ex.Message.Replace(copy, "standard input", StringComparison.Ordinal), ex);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Reads only the header; see <see cref="LoadImage"/> for <paramref name="series"/> and <paramref name="reference"/>.</summary>
    public static ImageInfo IdentifyImage(string path, string? series = null, string? reference = null) => FromStandardInput(path, p =>
        VolumeFormats.Detect(p) is DicomFormat dicom ? dicom.Identify(p, new DicomLoadOptions(series, reference))
        : series is not null ? throw new UserInputException($"{p}: --series applies to DICOM folders only.")
        : VolumeFormats.Identify(p));

    /// <summary>The <c>--series</c> option of the imaging commands.</summary>
    public static Option<string?> SeriesOption() =>
        new("--series") { Description = "DICOM folder with several series: the SeriesInstanceUID or the index that 'info FOLDER' lists." };

    /// <summary>Loads any supported image as a label map (integer voxels); a 4-D image is refused, never read as its frame 0.</summary>
    public static Volume<int> LoadLabels(string path) => SingleFrameLabels(FromStandardInput(path, VolumeFormats.Load), path);

    /// <summary>The labels of a 3-D image; an image with several frames (time points, components) is refused (<c>LC-MEAS-005</c>).</summary>
    public static Volume<int> SingleFrameLabels(LoadedImage image, string path)
    {
        RefuseSeveralFrames(image, path);
        return image.ToLabelVolume();
    }

    /// <summary>Refuses an image with several 3-D frames where one label map is expected (<c>LC-MEAS-005</c>).</summary>
    public static void RefuseSeveralFrames(LoadedImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Info.FrameCount > 1)
        {
            throw new ImagingException("LC-MEAS-005", string.Create(CultureInfo.InvariantCulture,
                $"the image holds {image.Info.FrameCount} 3-D frames (dimensions beyond the third: {string.Join(" x ", image.Info.ExtraDimensions)}); a label map must be one 3-D volume. Split it first (e.g. one file per frame)."), path, "dim");
        }
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
        var volume = SingleFrameLabels(loaded, labelPath);
        if (imagePath is not null && !IdentifyImage(imagePath, series).Geometry.IsSameGridAs(volume.Geometry))
        {
            throw new ImagingException("LC-MEAS-003", "the segmentation and the image are not on the same voxel grid (size, spacing, origin or direction differ).", labelPath, "geometry");
        }

        return (new LabelMap(volume, labelTable), loaded);
    }

    /// <summary>Measurement options, with a liver segment map when one is given.</summary>
    /// <summary>
    /// Measurement options whose thresholds (large-vessel calibre, adjacency distance) come from the rule set the
    /// engine then judges with, so that Measure and Decide can never use two different values.
    /// </summary>
    public static MeasureOptions MeasureOptionsFor(string? segmentPath, Core.Rules.RuleSet rules) =>
        segmentPath is null ? MeasureOptions.From(rules) : MeasureOptions.From(rules) with { SegmentMap = LoadLabels(segmentPath) };

    /// <summary>
    /// A measured lesion's provenance, written to its <c>source</c> in the case file by <c>measure</c> and by
    /// <c>assess --labels --write-case</c> alike: the label file, the component's id in it and the thresholds measured with.
    /// </summary>
    public static string LesionSourceJson(string labelPath, string measuredId, MeasureOptions options, Core.Rules.RuleSet rules) => new JsonObject
    {
        ["file"] = labelPath,
        ["measuredLesionId"] = measuredId,
        ["ruleSet"] = rules.DisplayVersion,
        ["largeVesselMinCalibreMm"] = options.LargeVesselCalibreMm,
        ["adjacencyDistanceMm"] = options.AdjacencyDistanceMm,
    }.ToJsonString();

    /// <summary>The measurement method in words, with the thresholds actually used.</summary>
    public static string MeasureMethod(MeasureOptions options) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"Surface distances between the closest voxel centres (exact EDT, Felzenszwalb-Huttenlocher); calibre = 2 x the vessel's inside distance on its centreline; large vessel >= {options.LargeVesselCalibreMm:0.###} mm; adjacency <= {options.AdjacencyDistanceMm:0.###} mm.");

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
