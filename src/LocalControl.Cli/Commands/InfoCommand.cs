using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Volumes;
using static LocalControl.Cli.Commands.ImagingCommandSupport;

namespace LocalControl.Cli.Commands;

/// <summary><c>localcontrol info FILE [--format json]</c>: the geometry of an image, read from its header only.</summary>
internal static class InfoCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("file") { Description = "A NIfTI (.nii, .nii.gz) or NRRD file, a DICOM file, SEG, or a DICOM folder (lists its series)." };
        var series = SeriesOption();
        var format = new Option<string>("--format") { Description = "text (default) or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("info", "Print an image's geometry (size, spacing, origin LPS, direction, RAS affine, data type) from its header.");
        command.Arguments.Add(input);
        command.Options.Add(format);
        command.Options.Add(series);
        var table = new Option<string?>("--label-table") { Description = "Also read the voxels and list every label value present with its name and role in this table (JSON file or built-in: totalsegmentator, lits, msd-task08-hepatic-vessel …); values the table lacks are warned about (LC-SEG-W04)." };
        command.Options.Add(table);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(input)!;
            var chosen = parse.GetValue(series);
            var asJson = parse.GetValue(format) == "json";
            var text = new StringBuilder();
            JsonArray? listing = null;
            using var progress = Progress.Start(context, "info");
            if (Directory.Exists(path) && VolumeFormats.Detect(path) is DicomFormat)
            {
                // A DICOM folder: list every series; show one series' geometry when there is one or --series picks it.
                progress.Step("scanning the DICOM files of " + path);
                var summaries = DicomSeriesSummary.Of(DicomSeriesScanner.Scan(path));
                listing = SeriesJson(summaries);
                AppendSeries(text, summaries);
                if (summaries.Count > 1 && chosen is null)
                {
                    context.WriteResult(asJson ? new JsonObject { ["file"] = path, ["format"] = "dicom", ["series"] = listing }.ToJsonString(Indented)
                        : text.Append("choose one with --series UID or --series INDEX").AppendLine().ToString(), null);
                    return ExitCodes.Success;
                }

                text.AppendLine();
            }

            progress.Step("reading the header of " + path);
            var info = IdentifyImage(path, chosen);
            var tablePath = parse.GetValue(table);
            List<(int Value, long Voxels, LabelEntry? Entry)>? present = null;
            if (tablePath is not null)
            {
                var labelTable = ReadLabelTable(tablePath);
                progress.Step("counting the label values of " + path);
                present = LabelsPresent(SingleFrameLabels(LoadImage(path, chosen), path), labelTable);
                var missing = present.Where(p => p.Entry is null).Select(p => p.Value).ToList();
                if (missing.Count > 0)
                {
                    var warnings = new List<ImagingWarning>(info.Warnings)
                    {
                        new("LC-SEG-W04", $"label value(s) {string.Join(", ", missing)} are in the image but not in the label table '{tablePath}': they have no name and no role, so they are not measured."),
                    };
                    info = new ImageInfo(info.Format, info.FilePath, info.Geometry, info.StoredType, info.ExtraDimensions, info.ScaleSlope, info.ScaleIntercept, warnings);
                }
            }

            progress.Done();
            var json = Json(info);
            if (present is not null)
            {
                json["labels"] = new JsonArray([.. present.Select(p => (JsonNode)new JsonObject
                {
                    ["value"] = p.Value, ["voxels"] = p.Voxels, ["name"] = p.Entry?.Name, ["role"] = p.Entry?.Role.Name(),
                })]);
            }

            if (listing is not null)
            {
                json["series"] = listing;
            }

            if (asJson)
            {
                context.WriteResult(json.ToJsonString(Indented), null);
                return ExitCodes.Success;
            }

            var g = info.Geometry;
            text.AppendLine($"file:      {path}");
            text.AppendLine($"format:    {info.Format}");
            text.AppendLine($"size:      {g.Size.I} x {g.Size.J} x {g.Size.K}" + (info.ExtraDimensions.Count > 0 ? $" x {string.Join(" x ", info.ExtraDimensions)}" : ""));
            text.AppendLine($"spacing:   {Format(g.SpacingMm.X)} x {Format(g.SpacingMm.Y)} x {Format(g.SpacingMm.Z)} mm");
            text.AppendLine($"origin:    ({Format(g.OriginLps.X)}, {Format(g.OriginLps.Y)}, {Format(g.OriginLps.Z)}) mm LPS");
            for (var c = 0; c < 3; c++)
            {
                var col = g.Direction.Column(c);
                text.AppendLine($"axis {"ijk"[c]}:    ({Format(col.X)}, {Format(col.Y)}, {Format(col.Z)}) LPS");
            }

            text.AppendLine($"data type: {info.StoredType.JsonName()}" + (info.IsScaled ? $" (x {Format(info.ScaleSlope)} + {Format(info.ScaleIntercept)})" : ""));
            foreach (var p in present ?? [])
            {
                text.AppendLine($"label {p.Value,5}: {p.Voxels} voxels, " + (p.Entry is { } e ? $"{e.Name} ({e.Role.Name()})" : "not in the table"));
            }

            foreach (var w in info.Warnings)
            {
                text.AppendLine($"warning:   {w.Code}: {w.Message}");
            }

            context.WriteResult(text.ToString(), null);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Every label value above 0 in the map, ascending, with its voxel count and its table entry (null when missing).</summary>
    private static List<(int Value, long Voxels, LabelEntry? Entry)> LabelsPresent(Volume<int> labels, LabelTable table)
    {
        var counts = new Dictionary<int, long>();
        foreach (var v in labels.Buffer)
        {
            if (v > 0)
            {
                counts[v] = counts.GetValueOrDefault(v) + 1;
            }
        }

        return [.. counts.OrderBy(c => c.Key).Select(c => (c.Key, c.Value, table.Find(c.Key)))];
    }

    private static JsonArray SeriesJson(IReadOnlyList<DicomSeriesSummary> summaries)
    {
        var list = new JsonArray();
        foreach (var s in summaries)
        {
            var item = new JsonObject
            {
                ["index"] = s.Index,
                ["seriesInstanceUid"] = s.SeriesInstanceUid,
                ["description"] = s.Description,
                ["modality"] = s.Modality,
                ["files"] = s.FileCount,
                ["transferSyntaxes"] = new JsonArray([.. s.Encodings.Select(e => (JsonNode)new JsonObject
                {
                    ["uid"] = e.Syntax.Uid, ["name"] = e.Syntax.Name, ["files"] = e.Files, ["decoded"] = e.Syntax.CanDecodePixels, ["lossy"] = e.Syntax.IsLossy,
                })]),
                ["warnings"] = WarningsJson(s.EncodingWarnings),
            };
            if (s.Geometry is { } g)
            {
                item["size"] = new JsonArray(g.Size.I, g.Size.J, g.Size.K);
                item["spacingMm"] = new JsonArray(g.SpacingMm.X, g.SpacingMm.Y, g.SpacingMm.Z);
            }
            else
            {
                item["problem"] = s.Problem;
            }

            list.Add(item);
        }

        return list;
    }

    private static void AppendSeries(StringBuilder text, IReadOnlyList<DicomSeriesSummary> summaries)
    {
        text.AppendLine($"{summaries.Count} series:");
        foreach (var s in summaries)
        {
            var shape = s.Geometry is { } g
                ? $"{g.Size.I} x {g.Size.J} x {g.Size.K}, {Format(g.SpacingMm.X)} x {Format(g.SpacingMm.Y)} x {Format(g.SpacingMm.Z)} mm"
                : $"not a regular volume: {s.Problem}";
            text.AppendLine($"  [{s.Index}] {s.Modality,-3} '{s.Description}' {shape}, {s.FileCount} files, {s.SeriesInstanceUid}");
            foreach (var w in s.EncodingWarnings)
            {
                text.AppendLine($"      {w.Code}: {w.Message}");
            }
        }
    }

    internal static JsonObject Json(ImageInfo info)
    {
        var json = GeometryJson(info.Geometry);
        json["file"] = info.FilePath;
        json["format"] = info.Format;
        json["dataType"] = info.StoredType.JsonName();
        if (info.ExtraDimensions.Count > 0)
        {
            json["extraDimensions"] = new JsonArray([.. info.ExtraDimensions.Select(d => (JsonNode?)d)]);
        }

        if (info.IsScaled)
        {
            json["scaleSlope"] = info.ScaleSlope;
            json["scaleIntercept"] = info.ScaleIntercept;
        }

        json["warnings"] = WarningsJson(info.Warnings);
        return json;
    }
}
