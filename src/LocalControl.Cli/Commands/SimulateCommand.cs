using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using static LocalControl.Cli.Commands.ImagingCommandSupport;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol simulate --labels SEG --label-table T --probe "tip=x,y,z;entry=x,y,z" --device ID --setting ID
/// [--no-heat-sink] [--grid-mm 1] [-o zone.nii.gz] [--format text|json]</c>: the zone this patient's liver would lose,
/// with the heat sink of its vessels.
/// </summary>
internal static class SimulateCommand
{
    /// <summary>Exit code after Ctrl+C (128 + SIGINT), as shells report it.</summary>
    public const int Cancelled = 130;

    public static Command Create(CliContext context)
    {
        var labels = new Option<string>("--labels") { Description = "Segmentation with liver, tumour(s) and vessels (NIfTI or NRRD label map, DICOM SEG).", Required = true };
        var table = new Option<string?>("--label-table") { Description = "JSON object mapping label values to roles, e.g. {\"1\": \"liver\", \"2\": \"tumour\", \"3\": \"portal-vein\"}." };
        var probes = new Option<string[]>("--probe")
        {
            Description = "A probe as \"tip=x,y,z;entry=x,y,z\" in LPS millimetres (as 'info' prints points); repeat for several probes.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var device = new Option<string>("--device") { Description = "Device id from 'localcontrol devices'.", Required = true };
        var setting = new Option<string>("--setting") { Description = "Setting id of that device.", Required = true };
        var noHeatSink = new Option<bool>("--no-heat-sink") { Description = "Simulate the vessels as liver (no convective cooling)." };
        var gridMm = new Option<double>("--grid-mm") { Description = "Simulation grid spacing in mm (default 1; 0.5 for a finer run).", DefaultValueFactory = _ => 1.0 };
        var roiMm = new Option<double?>("--roi-mm") { Description = "Side of the simulated cube in mm (default: the expected zone plus 20 mm on each side)." };
        var exVivo = new Option<bool>("--ex-vivo") { Description = "No perfusion (as in ex vivo bench tests); default is perfused liver." };
        var tissue = new Option<string?>("--tissue") { Description = "A centre's tissue-property overrides: JSON {\"liver\": {\"conductivityWPerMK\": 0.5, \"perfusionPerS\": 0.01}}." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the zone as a label map (1 = ablated) on the input grid, NIfTI (.nii or .nii.gz)." };
        var format = CommonOptions.Format("text", "text", "json");
        var fieldThreshold = new Option<double?>("--field-threshold") { Description = "IRE only: lethal electric field in V/cm (default 637, liver; see docs/ablation.md)." };
        var lethalCelsius = new Option<double?>("--lethal-celsius") { Description = "Cryoablation only: lethal isotherm in C (default -40; -20 allowed; between -80 and -10; see docs/ablation.md)." };
        var command = new Command("simulate", "Predict the ablation zone of a probe setting in this patient (Pennes bioheat with the heat sink of the vessels, Arrhenius cell death).");
        foreach (var o in new Option[] { labels, table, probes, device, setting, noHeatSink, gridMm, roiMm, exVivo, tissue, output, format, fieldThreshold, lethalCelsius })
        {
            command.Options.Add(o);
        }

        command.SetAction((parse, token) =>
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(token);
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                return Task.FromResult(Run(context, parse, cancel.Token, labels, table, probes, device, setting, noHeatSink, gridMm, roiMm, exVivo, tissue, output, format, fieldThreshold, lethalCelsius));
            }
            catch (OperationCanceledException)
            {
                context.Error.WriteLine("simulate: cancelled; nothing was written.");
                return Task.FromResult(Cancelled);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
        return command;
    }

    private static int Run(CliContext context, ParseResult parse, CancellationToken cancel, Option<string> labels, Option<string?> table, Option<string[]> probes,
        Option<string> device, Option<string> setting, Option<bool> noHeatSink, Option<double> gridMm, Option<double?> roiMm, Option<bool> exVivo,
        Option<string?> tissue, Option<string?> output, Option<string> format, Option<double?> fieldThreshold, Option<double?> lethalCelsius)
    {
        var catalogue = DeviceCatalogue.Default;
        var deviceId = parse.GetValue(device)!;
        var dev = catalogue.Find(deviceId) ?? throw new UserInputException($"--device {deviceId}: not in the catalogue (known: {string.Join(", ", catalogue.Devices.Select(d => d.Id))}).");
        var settingId = parse.GetValue(setting)!;
        var set = dev.FindSetting(settingId) ?? throw new UserInputException($"--setting {settingId}: device {dev.Id} has no such setting (known: {string.Join(", ", dev.Settings.Select(s => s.Id))}).");
        var poses = parse.GetValue(probes)!.Select((p, n) => ParseProbe(p, n + 1)).ToList();
        var outPath = parse.GetValue(output);
        if (outPath is not null && !outPath.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) && !outPath.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase))
        {
            throw new UserInputException($"-o {outPath}: the zone is written as NIfTI; name it .nii or .nii.gz.");
        }

        if (outPath is not null && Path.GetDirectoryName(Path.GetFullPath(outPath)) is { } dir && !Directory.Exists(dir))
        {
            throw new UserInputException($"-o {outPath}: the folder {dir} does not exist.");
        }

        var tissues = parse.GetValue(tissue) is { } tissuePath ? ReadTissueOverrides(tissuePath) : TissueTable.Default;
        var (map, _) = LoadLabelMap(parse.GetValue(labels)!, parse.GetValue(table), null, null);
        var request = new ZoneRequest
        {
            Labels = map,
            Probes = poses,
            Device = dev,
            Setting = set,
            GridMm = parse.GetValue(gridMm),
            RoiMm = parse.GetValue(roiMm),
            HeatSink = !parse.GetValue(noHeatSink),
            Perfused = !parse.GetValue(exVivo),
            Tissues = tissues,
            FieldThresholdVPerCm = parse.GetValue(fieldThreshold),
            LethalCelsius = parse.GetValue(lethalCelsius),
        };
        if (request.FieldThresholdVPerCm is not null && dev.Modality != AblationModality.Ire)
        {
            throw new UserInputException($"--field-threshold: device {dev.Id} is {DeviceCatalogue.ModalityName(dev.Modality)}; the lethal field applies to ire devices only.");
        }

        if (request.LethalCelsius is not null && dev.Modality != AblationModality.Cryoablation)
        {
            throw new UserInputException($"--lethal-celsius: device {dev.Id} is {DeviceCatalogue.ModalityName(dev.Modality)}; the lethal isotherm applies to cryoablation devices only.");
        }

        var lastTenth = -1;
        var progress = new SynchronousProgress(x =>
        {
            var tenth = (int)(x * 10);
            if (tenth != lastTenth)
            {
                lastTenth = tenth;
                context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"simulate: {tenth * 10}%"));
            }
        });

        ZonePrediction prediction;
        try
        {
            prediction = ZonePredictor.Predict(request, progress, cancel);
        }
        catch (AblationInputException ex)
        {
            throw new UserInputException(ex.Message, ex);
        }

        cancel.ThrowIfCancellationRequested();
        if (outPath is not null)
        {
            NiftiWriter.Write(outPath, prediction.Zone, new NiftiWriteOptions { Description = $"LocalControl zone {dev.Id}/{set.Id}" });
            context.Error.WriteLine($"wrote {outPath}");
        }

        var json = ToJson(catalogue, dev, set, request, prediction, outPath);
        context.WriteResult(parse.GetValue(format) == "json" ? json.ToJsonString(Indented) : ToText(json, prediction), null);
        return ExitCodes.Success;
    }

    /// <summary>Parses <c>tip=x,y,z;entry=x,y,z</c> (LPS mm).</summary>
    internal static ProbePose ParseProbe(string text, int number)
    {
        Vector3D? tip = null, entry = null;
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq].Trim().ToLowerInvariant();
            var value = eq < 0 ? "" : part[(eq + 1)..];
            switch (key)
            {
                case "tip":
                    tip = ParseTriple(value, $"--probe {number} tip");
                    break;
                case "entry":
                    entry = ParseTriple(value, $"--probe {number} entry");
                    break;
                default:
                    throw new UserInputException($"--probe {number}: unknown part \"{part}\"; expected \"tip=x,y,z;entry=x,y,z\" in LPS mm.");
            }
        }

        if (tip is null || entry is null)
        {
            throw new UserInputException($"--probe {number}: \"{text}\" needs both tip= and entry=, e.g. \"tip=10,20,30;entry=60,20,30\" (LPS mm).");
        }

        if ((tip.Value - entry.Value).Length < 1e-6)
        {
            throw new UserInputException($"--probe {number}: tip and entry are the same point.");
        }

        return new ProbePose(tip.Value, entry.Value);
    }

    /// <summary>Reads a centre's overrides; NaN, negative or unknown values are refused naming the value.</summary>
    internal static TissueTable ReadTissueOverrides(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new UserInputException($"{path}: not valid JSON ({ex.Message}).", ex);
        }

        if (root is not JsonObject obj)
        {
            throw new UserInputException($"{path}: expected an object of tissues, e.g. {{\"liver\": {{\"conductivityWPerMK\": 0.5}}}}.");
        }

        var overrides = new Dictionary<string, TissueProperties>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, node) in obj)
        {
            if (!TissueTable.Default.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new UserInputException($"{path}: tissue \"{name}\" is unknown (known: {string.Join(", ", TissueTable.Default.Names)}).");
            }

            if (node is not JsonObject fields)
            {
                throw new UserInputException($"{path}: {name} must be an object of properties.");
            }

            var p = TissueTable.Default[name];
            foreach (var (field, value) in fields)
            {
                var v = Number(value, $"{path}: {name}.{field}");
                p = field switch
                {
                    "densityKgPerM3" => p with { DensityKgPerM3 = v },
                    "specificHeatJPerKgK" => p with { SpecificHeatJPerKgK = v },
                    "conductivityWPerMK" => p with { ConductivityWPerMK = v },
                    "perfusionPerS" => p with { PerfusionPerS = v },
                    "electricalConductivitySPerM" => p with { ElectricalConductivitySPerM = v },
                    _ => throw new UserInputException($"{path}: {name}.{field} is not a tissue property (densityKgPerM3, specificHeatJPerKgK, conductivityWPerMK, perfusionPerS, electricalConductivitySPerM)."),
                };
            }

            overrides[name] = p with { Source = $"centre override ({path})" };
        }

        try
        {
            return TissueTable.Default.WithOverrides(overrides);
        }
        catch (ArgumentException ex)
        {
            throw new UserInputException($"{path}: {ex.Message}", ex);
        }

        static double Number(JsonNode? node, string where)
        {
            if (node is JsonValue v)
            {
                if (v.TryGetValue<double>(out var d))
                {
                    return d;
                }

                if (v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                {
                    return parsed; // "NaN", "-1" as strings reach validation, which names them
                }
            }

            throw new UserInputException($"{where}: expected a number, got {node?.ToJsonString() ?? "null"}.");
        }
    }

    private static JsonObject ToJson(DeviceCatalogue catalogue, AblationDevice dev, DeviceSetting set, ZoneRequest request, ZonePrediction p, string? outPath)
    {
        var tumours = new JsonArray();
        foreach (var t in p.Tumours)
        {
            tumours.Add(new JsonObject { ["id"] = t.Id, ["coveragePercent"] = Round(t.CoveragePercent, 1), ["minimalMarginMm"] = t.MinimalMarginMm is { } m ? Round(m, 1) : null });
        }

        var vessels = new JsonArray();
        foreach (var v in p.Vessels)
        {
            vessels.Add(new JsonObject { ["label"] = v.Label, ["calibreMm"] = Round(v.CalibreMm, 1), ["distanceMm"] = Round(v.DistanceMm, 1), ["shrinkMm"] = Round(v.ShrinkMm, 1) });
        }

        var o = new JsonObject
        {
            ["device"] = dev.Id,
            ["setting"] = set.Id,
            ["zoneVolumeMl"] = Round(p.ZoneVolumeMl, 2),
            ["zoneAxesMm"] = new JsonArray(Round(p.Shape.LengthMm, 1), Round(p.Shape.DiameterMm, 1), Round(p.Shape.SecondDiameterMm, 1)),
            ["zoneTipOffsetMm"] = Round(p.Shape.TipOffsetMm, 1),
            ["tumours"] = tumours,
            ["vessels"] = vessels,
            ["simulatedSeconds"] = p.FieldThresholdVPerCm is null ? Round(p.SimulatedSeconds, 1) : Round(p.SimulatedSeconds, 4),
            ["wallSeconds"] = Round(p.WallSeconds, 2),
            ["model"] = p.Model,
            ["caveats"] = new JsonArray([.. p.Caveats.Select(c => (JsonNode)JsonValue.Create(c))]),
            ["catalogueVersion"] = catalogue.CatalogueVersion,
            ["expectedZone"] = new JsonObject { ["lengthMm"] = set.ExpectedZone.LengthMm, ["diameterMm"] = set.ExpectedZone.DiameterMm, ["tipOffsetMm"] = set.ExpectedZone.TipOffsetMm, ["source"] = set.Source },
            ["heatSink"] = request.HeatSink,
            ["gridMm"] = request.GridMm,
            ["peakTemperatureCelsius"] = double.IsFinite(p.Outcome.PeakTemperatureCelsius) ? Round(p.Outcome.PeakTemperatureCelsius, 1) : null,
            ["depositedEnergyKj"] = p.LethalCelsius is null ? Round(p.Outcome.DepositedEnergyJ / 1000, 2) : null,
        };
        if (p.FieldThresholdVPerCm is { } threshold)
        {
            o["fieldThresholdVPerCm"] = Round(threshold, 1);
            o["maxFieldVPerCm"] = Round(p.MaxFieldVPerCm ?? 0, 1);
        }

        if (p.LethalCelsius is { } lethal)
        {
            o["lethalCelsius"] = Round(lethal, 1);
            if (p.IceBall is { } ice)
            {
                o["iceBall"] = new JsonObject
                {
                    ["isothermCelsius"] = CryoPredictor.IceEdgeCelsius,
                    ["volumeMl"] = Round(ice.VolumeMl, 2),
                    ["axesMm"] = new JsonArray(Round(ice.LengthMm, 1), Round(ice.DiameterMm, 1), Round(ice.SecondDiameterMm, 1)),
                };
            }

            if (p.Cryo is { } cryo)
            {
                var coldest = float.MaxValue;
                for (var v = 0; v < cryo.MinTemperature.Length; v++)
                {
                    if (!cryo.ProbeVoxel[v])
                    {
                        coldest = Math.Min(coldest, cryo.MinTemperature[v]);
                    }
                }

                o["probeCelsius"] = set.Cryo?.ProbeCelsius;
                o["minTissueCelsius"] = Round(coldest, 1);
            }
        }

        if (outPath is not null)
        {
            o["zoneFile"] = outPath;
        }

        return o;
    }

    private static string ToText(JsonObject o, ZonePrediction p)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Predicted zone {o["device"]}/{o["setting"]}: {p.ZoneVolumeMl:0.0} mL, {p.Shape.LengthMm:0.0} x {p.Shape.DiameterMm:0.0} x {p.Shape.SecondDiameterMm:0.0} mm (along the shaft x across x across), centre {p.Shape.TipOffsetMm:0.0} mm back from the tip");
        foreach (var t in p.Tumours)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  tumour {t.Id}: {t.CoveragePercent:0.0} % covered, minimal margin {(t.MinimalMarginMm is { } m ? m.ToString("0.0", CultureInfo.InvariantCulture) + " mm" : "unknown (outside the simulated block)")}");
        }

        foreach (var v in p.Vessels)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  vessel label {v.Label}: calibre {v.CalibreMm:0.0} mm at {v.DistanceMm:0.0} mm from the shaft, zone {v.ShrinkMm:0.0} mm shorter on its side");
        }

        if (p.FieldThresholdVPerCm is { } threshold)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  lethal field {threshold:0} V/cm, largest field in tissue {p.MaxFieldVPerCm:0} V/cm; pulse on-time {p.SimulatedSeconds * 1000:0.0} ms, solved in {p.WallSeconds:0.00} s");
        }
        else if (p.LethalCelsius is { } lethal)
        {
            var ice = p.IceBall!;
            sb.AppendLine(CultureInfo.InvariantCulture, $"  lethal isotherm {lethal:0} C; 0 C ice ball {ice.VolumeMl:0.0} mL, {ice.LengthMm:0.0} x {ice.DiameterMm:0.0} x {ice.SecondDiameterMm:0.0} mm; simulated {p.SimulatedSeconds:0} s in {p.WallSeconds:0.00} s");
        }
        else
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  simulated {p.SimulatedSeconds:0} s in {p.WallSeconds:0.00} s; peak {p.Outcome.PeakTemperatureCelsius:0} C");
        }
        sb.AppendLine(CultureInfo.InvariantCulture, $"  model: {p.Model}");
        foreach (var caveat in p.Caveats)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  caveat: {caveat}");
        }

        return sb.ToString();
    }

    private static double Round(double v, int digits) => Math.Round(v, digits, MidpointRounding.AwayFromZero);

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
