using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Dicom;
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
            progress.Done();
            var json = Json(info);
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
            foreach (var w in info.Warnings)
            {
                text.AppendLine($"warning:   {w.Code}: {w.Message}");
            }

            context.WriteResult(text.ToString(), null);
            return ExitCodes.Success;
        });
        return command;
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
