using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats;
using static LocalControl.Cli.Commands.ImagingCommandSupport;

namespace LocalControl.Cli.Commands;

/// <summary><c>localcontrol info FILE [--format json]</c>: the geometry of an image, read from its header only.</summary>
internal static class InfoCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("file") { Description = "A NIfTI (.nii, .nii.gz) or NRRD file (or a DICOM folder once DICOM lands)." };
        var format = new Option<string>("--format") { Description = "text (default) or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("info", "Print an image's geometry (size, spacing, origin LPS, direction, RAS affine, data type) from its header.");
        command.Arguments.Add(input);
        command.Options.Add(format);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(input)!;
            var info = VolumeFormats.Identify(path);
            var json = Json(info);
            if (parse.GetValue(format) == "json")
            {
                context.WriteResult(json.ToJsonString(Indented), null);
                return ExitCodes.Success;
            }

            var g = info.Geometry;
            var text = new StringBuilder();
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
