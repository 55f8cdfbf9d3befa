using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Core.Cases;
using LocalControl.Core.Engine;
using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Measurements;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>assess --predict</c>: for each thermal-ablation option (rfa, mwa) of a lesion found in the label map, the zone the
/// leading device's setting would kill in this patient, simulated by <see cref="ZonePredictor"/> with the probe on a
/// default pose through the lesion centre (docs/assessment-json.md). A preview for the tumour board: planning proper is
/// <c>localcontrol plan</c>. Lives in the CLI so that Core never depends on the Ablation project.
/// </summary>
internal static class AssessPrediction
{
    /// <summary>The margin the coverage is measured against (mm), the consensus minimal ablative margin.</summary>
    public const double MarginGoalMm = 5;

    /// <summary>Default simulation grid for the preview (mm), as <c>plan</c> confirms its probes.</summary>
    public const double DefaultGridMm = 2;

    /// <summary>
    /// Default shaft direction, from the entry toward the tip: along +L (LPS), i.e. entering from the patient's right
    /// flank in the axial plane, the usual lateral intercostal/subcostal route to the liver.
    /// </summary>
    public static readonly Vector3D DefaultShaftDirection = new(1, 0, 0);

    /// <summary>Distance from the tip back to the entry point given to the simulator (mm); only the direction matters.</summary>
    public const double EntryDistanceMm = 100;

    /// <summary>One prediction (or the reason there is none) for a lesion's option.</summary>
    public sealed record Item(string LesionId, Therapy Therapy, JsonObject Json);

    /// <summary>The leading device of a modality for a lesion of <paramref name="longestDiameterMm"/>, and why.</summary>
    public static (AblationDevice Device, DeviceSetting Setting, string Reason)? Leading(DeviceCatalogue catalogue, AblationModality modality, double longestDiameterMm)
    {
        var needed = longestDiameterMm + (2 * MarginGoalMm);
        var candidates = catalogue.Devices.Where(d => d.Modality == modality)
            .SelectMany(d => d.Settings.Select(s => (Device: d, Setting: s)))
            .Where(c => (c.Setting.Microwave?.Perfused ?? c.Setting.Radiofrequency?.Perfused) == true)
            .Select(c => (c.Device, c.Setting, Length: c.Setting.ExpectedZone.LengthMm ?? c.Setting.ExpectedZone.DiameterMm, Diameter: c.Setting.ExpectedZone.DiameterMm))
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        static double Volume((AblationDevice, DeviceSetting, double Length, double Diameter) c) => c.Length * c.Diameter * c.Diameter;
        var fitting = candidates.Where(c => c.Diameter >= needed && c.Length >= needed).OrderBy(Volume).ThenBy(c => c.Device.Id, StringComparer.Ordinal).ThenBy(c => c.Setting.Id, StringComparer.Ordinal).ToList();
        if (fitting.Count > 0)
        {
            var f = fitting[0];
            return (f.Device, f.Setting, string.Create(CultureInfo.InvariantCulture,
                $"smallest calibrated in-vivo {DeviceCatalogue.ModalityName(modality)} zone ({f.Length:0.#} x {f.Diameter:0.#} mm) that spans the lesion ({longestDiameterMm:0.#} mm) plus {MarginGoalMm:0} mm on each side ({needed:0.#} mm)"));
        }

        var largest = candidates.OrderByDescending(c => c.Diameter).ThenByDescending(Volume).ThenBy(c => c.Device.Id, StringComparer.Ordinal).ThenBy(c => c.Setting.Id, StringComparer.Ordinal).First();
        return (largest.Device, largest.Setting, string.Create(CultureInfo.InvariantCulture,
            $"no calibrated in-vivo {DeviceCatalogue.ModalityName(modality)} zone spans the lesion ({longestDiameterMm:0.#} mm) plus {MarginGoalMm:0} mm on each side ({needed:0.#} mm): the widest one ({largest.Length:0.#} x {largest.Diameter:0.#} mm); one probe will not do"));
    }

    /// <summary>
    /// The default pose: the expected zone centre on the lesion centre, the shaft along <see cref="DefaultShaftDirection"/>.
    /// Tip and entry are rounded to 0.01 mm, as printed, so that <c>simulate</c> with the printed points reruns this very pose.
    /// </summary>
    public static ProbePose DefaultPose(AblationDevice device, DeviceSetting setting, Vector3D lesionCentreLps)
    {
        var offset = HomogeneousLiver.ExpectedCentreOffsetMm(device, setting);
        var tip = lesionCentreLps + DefaultShaftDirection * offset;
        static Vector3D R(Vector3D v) => new(Round(v.X, 2), Round(v.Y, 2), Round(v.Z, 2));
        return new ProbePose(R(tip), R(tip - DefaultShaftDirection * EntryDistanceMm));
    }

    /// <summary>Predicts every rfa/mwa option not ruled out, for every assessed lesion that the label map holds.</summary>
    public static List<Item> Predict(LabelMap map, Assessment assessment, MetastaticCase @case, IReadOnlyList<MeasuredLesion> measured, double gridMm, TextWriter progress)
    {
        var items = new List<Item>();
        var catalogue = DeviceCatalogue.Default;
        var (components, _) = TumourComponents(map);
        foreach (var lesion in assessment.Lesions)
        {
            var caseLesion = @case.Lesions.FirstOrDefault(l => l.Id == lesion.LesionId);
            var found = caseLesion?.CentroidMm is { Count: 3 } c
                ? measured.Where(m => (m.CentroidLps - new Vector3D(c[0], c[1], c[2])).Length <= 2).MinBy(m => (m.CentroidLps - new Vector3D(c[0], c[1], c[2])).Length)
                : null;
            foreach (var option in lesion.Options.Where(o => o.Therapy is Therapy.Rfa or Therapy.Mwa))
            {
                var modality = option.Therapy == Therapy.Rfa ? AblationModality.Rfa : AblationModality.Mwa;
                JsonObject json;
                if (option.Eligibility == Eligibility.NotEligible)
                {
                    json = NotPredicted("the option is not eligible");
                }
                else if (found is null)
                {
                    json = NotPredicted("the lesion is not in the label map (typed only)");
                }
                else if (Leading(catalogue, modality, found.LongestDiameterMm) is not { } lead)
                {
                    json = NotPredicted($"the catalogue has no calibrated in-vivo {DeviceCatalogue.ModalityName(modality)} setting");
                }
                else
                {
                    progress.WriteLine($"assess: predicting {lesion.LesionId} {DeviceCatalogue.ModalityName(modality)} ({lead.Device.Id}/{lead.Setting.Id}) ...");
                    json = PredictOne(map, components, found, lead.Device, lead.Setting, lead.Reason, gridMm);
                }

                items.Add(new Item(lesion.LesionId, option.Therapy, json));
            }
        }

        return items;
    }

    private static JsonObject NotPredicted(string reason) => new() { ["predicted"] = false, ["reason"] = reason };

    private static JsonObject PredictOne(LabelMap map, Volume<int> components, MeasuredLesion lesion, AblationDevice device, DeviceSetting setting, string choice, double gridMm)
    {
        var pose = DefaultPose(device, setting, lesion.CentroidLps);
        ZonePrediction p;
        try
        {
            p = ZonePredictor.Predict(new ZoneRequest { Labels = map, Probes = [pose], Device = device, Setting = setting, GridMm = gridMm });
        }
        catch (AblationInputException ex)
        {
            return NotPredicted($"the default pose cannot be simulated: {ex.Message}");
        }

        var component = ComponentAt(components, lesion.CentroidLps);
        var tumourId = component > 0 ? $"T{component}" : null;
        var tumour = tumourId is null ? null : p.Tumours.FirstOrDefault(t => t.Id == tumourId);
        var coverage = component > 0 ? GoalCoverage(map, components, component, p.Zone) : (double?)null;
        var nearest = p.Vessels.OrderBy(v => v.DistanceMm).FirstOrDefault();
        return new JsonObject
        {
            ["predicted"] = true,
            ["device"] = device.Id,
            ["setting"] = setting.Id,
            ["choice"] = choice,
            ["tipLps"] = Triple(pose.TipLps),
            ["entryLps"] = Triple(pose.EntryLps),
            ["tumourId"] = tumourId,
            ["zoneVolumeMl"] = Round(p.ZoneVolumeMl, 2),
            ["zoneAxesMm"] = new JsonArray(Round(p.Shape.LengthMm, 1), Round(p.Shape.DiameterMm, 1), Round(p.Shape.SecondDiameterMm, 1)),
            ["marginGoalMm"] = MarginGoalMm,
            ["goalCoveragePercent"] = coverage is { } cv ? Round(cv, 1) : null,
            ["tumourCoveragePercent"] = tumour is null ? null : Round(tumour.CoveragePercent, 1),
            ["minimalMarginMm"] = tumour?.MinimalMarginMm is { } m ? Round(m, 1) : null,
            ["nearestVessel"] = nearest is null ? null : new JsonObject
            {
                ["label"] = nearest.Label,
                ["calibreMm"] = Round(nearest.CalibreMm, 1),
                ["distanceMm"] = Round(nearest.DistanceMm, 1),
                ["shrinkMm"] = Round(nearest.ShrinkMm, 1),
            },
            ["gridMm"] = gridMm,
            ["wallSeconds"] = Round(p.WallSeconds, 2),
            ["model"] = p.Model,
            ["caveats"] = new JsonArray([.. p.Caveats.Select(c => (JsonNode)JsonValue.Create(c))]),
        };
    }

    /// <summary>Tumour voxels as 26-connected components, numbered as <see cref="ZonePredictor"/> (and <c>simulate</c>) number them.</summary>
    private static (Volume<int> Components, int Count) TumourComponents(LabelMap map)
    {
        var tumourValues = map.Table.ValuesWithRole(LabelRole.Tumour).ToHashSet();
        var mask = new Volume<byte>(map.Labels.Geometry);
        var labels = map.Labels.Buffer;
        for (var n = 0; n < labels.Length; n++)
        {
            mask.Buffer[n] = tumourValues.Contains(labels[n]) ? (byte)1 : (byte)0;
        }

        return ConnectedComponents.Label26(mask);
    }

    /// <summary>The component of the tumour voxel nearest <paramref name="pointLps"/> (0 when there is none).</summary>
    private static int ComponentAt(Volume<int> components, Vector3D pointLps)
    {
        var g = components.Geometry;
        var best = double.MaxValue;
        var found = 0;
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    var c = components[i, j, k];
                    if (c == 0)
                    {
                        continue;
                    }

                    var d = (g.IndexToPointLps(i, j, k) - pointLps).Length;
                    if (d < best)
                    {
                        best = d;
                        found = c;
                    }
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Share (%) of the goal in the zone: the component's voxels plus every labelled voxel (label ≠ 0) whose centre lies
    /// within <see cref="MarginGoalMm"/> of one of them (exact EDT between voxel centres on a crop around the component).
    /// </summary>
    internal static double GoalCoverage(LabelMap map, Volume<int> components, int component, Volume<byte> zone)
    {
        var g = components.Geometry;
        int i0 = int.MaxValue, j0 = int.MaxValue, k0 = int.MaxValue, i1 = -1, j1 = -1, k1 = -1;
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    if (components[i, j, k] == component)
                    {
                        (i0, j0, k0) = (Math.Min(i0, i), Math.Min(j0, j), Math.Min(k0, k));
                        (i1, j1, k1) = (Math.Max(i1, i), Math.Max(j1, j), Math.Max(k1, k));
                    }
                }
            }
        }

        var s = g.SpacingMm;
        int gi = (int)Math.Ceiling(MarginGoalMm / s.X) + 1, gj = (int)Math.Ceiling(MarginGoalMm / s.Y) + 1, gk = (int)Math.Ceiling(MarginGoalMm / s.Z) + 1;
        (i0, j0, k0) = (Math.Max(0, i0 - gi), Math.Max(0, j0 - gj), Math.Max(0, k0 - gk));
        (i1, j1, k1) = (Math.Min(g.Size.I - 1, i1 + gi), Math.Min(g.Size.J - 1, j1 + gj), Math.Min(g.Size.K - 1, k1 + gk));
        var size = new VolumeSize(i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1);
        var crop = new Volume<byte>(new ImageGeometry(size, s, g.IndexToPointLps(i0, j0, k0), g.Direction));
        for (var k = 0; k < size.K; k++)
        {
            for (var j = 0; j < size.J; j++)
            {
                for (var i = 0; i < size.I; i++)
                {
                    crop[i, j, k] = components[i0 + i, j0 + j, k0 + k] == component ? (byte)1 : (byte)0;
                }
            }
        }

        var distance = EuclideanDistance.ToForeground(crop);
        long goal = 0, covered = 0;
        for (var k = 0; k < size.K; k++)
        {
            for (var j = 0; j < size.J; j++)
            {
                for (var i = 0; i < size.I; i++)
                {
                    var inTumour = crop[i, j, k] != 0;
                    if (!inTumour && (map.Labels[i0 + i, j0 + j, k0 + k] == 0 || distance[i, j, k] > MarginGoalMm))
                    {
                        continue;
                    }

                    goal++;
                    covered += zone[i0 + i, j0 + j, k0 + k] != 0 ? 1 : 0;
                }
            }
        }

        return goal == 0 ? 0 : 100.0 * covered / goal;
    }

    /// <summary>Adds each item to its lesion option in the assessment JSON as <c>predictedZone</c>.</summary>
    public static string AddToJson(string assessmentJson, IReadOnlyList<Item> items)
    {
        var root = JsonNode.Parse(assessmentJson)!.AsObject();
        foreach (var lesion in root["lesions"]!.AsArray())
        {
            var id = (string)lesion!["id"]!;
            foreach (var option in lesion["options"]!.AsArray())
            {
                var therapy = (string)option!["therapy"]!;
                var item = items.FirstOrDefault(x => x.LesionId == id && TherapyName(x.Therapy) == therapy);
                if (item is not null)
                {
                    option["predictedZone"] = item.Json.DeepClone();
                }
            }
        }

        return root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    /// <summary>The text section appended to the assessment.</summary>
    public static string ToText(IReadOnlyList<Item> items)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Predicted ablation zones (--predict: leading device, default pose through the lesion centre, shaft entering from the patient's right; a preview, plan with 'localcontrol plan')");
        foreach (var x in items)
        {
            var o = x.Json;
            var head = $"  {x.LesionId} {TherapyName(x.Therapy)}: ";
            if (!(bool)o["predicted"]!)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"{head}not predicted: {o["reason"]}");
                continue;
            }

            var axes = o["zoneAxesMm"]!.AsArray().Select(a => ((double)a!).ToString("0.0", CultureInfo.InvariantCulture)).ToArray();
            sb.AppendLine(CultureInfo.InvariantCulture, $"{head}{o["device"]}/{o["setting"]} ({o["choice"]})");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    zone {Num(o["zoneVolumeMl"])} mL, {axes[0]} x {axes[1]} x {axes[2]} mm (along the shaft x across x across); tip {Point(o["tipLps"])}, toward the entry {Point(o["entryLps"])} LPS mm");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    lesion + {MarginGoalMm:0} mm margin {Num(o["goalCoveragePercent"])} % covered, tumour {Num(o["tumourCoveragePercent"])} %, minimal margin {Num(o["minimalMarginMm"])} mm");
            if (o["nearestVessel"] is JsonObject v)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"    nearest vessel (label {v["label"]}): calibre {Num(v["calibreMm"])} mm at {Num(v["distanceMm"])} mm from the shaft, zone {Num(v["shrinkMm"])} mm shorter on its side (heat sink)");
            }
            else
            {
                sb.AppendLine("    no vessel in the simulated block");
            }

            foreach (var caveat in o["caveats"]?.AsArray() ?? [])
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"    caveat: {caveat}");
            }
        }

        return sb.ToString();

        static string Num(JsonNode? n) => n is null ? "unknown" : ((double)n).ToString("0.0", CultureInfo.InvariantCulture);
        static string Point(JsonNode? n) => "(" + string.Join(", ", n!.AsArray().Select(a => ((double)a!).ToString("0.0", CultureInfo.InvariantCulture))) + ")";
    }

    private static string TherapyName(Therapy t) => t == Therapy.Rfa ? "rfa" : "mwa";

    private static JsonArray Triple(Vector3D v) => new(Round(v.X, 2), Round(v.Y, 2), Round(v.Z, 2));

    private static double Round(double v, int digits) => Math.Round(v, digits, MidpointRounding.AwayFromZero);
}
