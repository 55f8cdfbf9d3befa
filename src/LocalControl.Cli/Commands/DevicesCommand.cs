using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LocalControl.Ablation.Devices;

namespace LocalControl.Cli.Commands;

/// <summary><c>localcontrol devices [--format text|json]</c>: the ablation device catalogue with each setting's published zone and source.</summary>
internal static class DevicesCommand
{
    public static Command Create(CliContext context)
    {
        var format = CommonOptions.Format("text", "text", "json");
        var output = CommonOptions.Output();
        var command = new Command("devices", "List the ablation devices and settings of the catalogue: published zone (length, diameter, tip offset), conditions and source.");
        command.Options.Add(format);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            var catalogue = DeviceCatalogue.Default;
            var text = parse.GetValue(format) == "json" ? ToJson(catalogue).ToJsonString(ImagingCommandSupport.Indented) : ToText(catalogue);
            context.WriteResult(text, parse.GetValue(output));
            return ExitCodes.Success;
        });
        return command;
    }

    internal static JsonObject ToJson(DeviceCatalogue catalogue)
    {
        var devices = new JsonArray();
        foreach (var d in catalogue.Devices)
        {
            var settings = new JsonArray();
            foreach (var s in d.Settings)
            {
                var o = new JsonObject { ["id"] = s.Id };
                if (s.PowerW is { } p)
                {
                    o["powerW"] = p;
                }

                if (s.DurationMin is { } t)
                {
                    o["durationMin"] = t;
                }

                if (s.ProbeCount is { } c)
                {
                    o["probeCount"] = c;
                }

                o["expectedZone"] = new JsonObject
                {
                    ["lengthMm"] = s.ExpectedZone.LengthMm,
                    ["diameterMm"] = s.ExpectedZone.DiameterMm,
                    ["tipOffsetMm"] = s.ExpectedZone.TipOffsetMm,
                };
                if (s.ExpectedZone.DepthMm is { } depth)
                {
                    o["expectedZone"]!["depthMm"] = depth; // IRE: across both electrodes
                }
                if (s.Electroporation is { } ire)
                {
                    o["electrodeCount"] = ire.ElectrodeCount;
                    o["spacingMm"] = ire.SpacingMm;
                    o["voltageV"] = ire.VoltageV;
                    o["exposureMm"] = ire.ExposureMm;
                    o["pulses"] = ire.Pulses;
                    o["pulseLengthUs"] = ire.PulseLengthUs;
                }

                o["conditions"] = s.Conditions;
                o["source"] = s.Source;
                o["simulated"] = s.Microwave is not null || s.Radiofrequency is not null || s.Electroporation is not null || s.Cryo is not null;
                settings.Add(o);
            }

            devices.Add(new JsonObject
            {
                ["id"] = d.Id,
                ["modality"] = DeviceCatalogue.ModalityName(d.Modality),
                ["manufacturer"] = d.Manufacturer,
                ["model"] = d.Model,
                ["settings"] = settings,
            });
        }

        return new JsonObject { ["catalogueVersion"] = catalogue.CatalogueVersion, ["devices"] = devices };
    }

    private static string ToText(DeviceCatalogue catalogue)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Ablation device catalogue {catalogue.CatalogueVersion} (zones: length along the shaft x diameter across, tip offset = tip to zone centre; '?' = not published)");
        foreach (var d in catalogue.Devices)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"{d.Id}  [{DeviceCatalogue.ModalityName(d.Modality)}]  {d.Manufacturer}, {d.Model}");
            foreach (var s in d.Settings)
            {
                var z = s.ExpectedZone;
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {s.Id,-16} {Mm(z.LengthMm)} x {Mm(z.DiameterMm)} mm, tip offset {Mm(z.TipOffsetMm)} mm{(s.Microwave is null && s.Radiofrequency is null && s.Electroporation is null ? "  (catalogue only, not simulated)" : "")}");
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {"",-16} {s.Conditions}");
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {"",-16} source: {s.Source}");
            }
        }

        return sb.ToString();

        static string Mm(double? v) => v is { } x ? x.ToString("0.#", CultureInfo.InvariantCulture) : "?";
    }
}
