using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Planning;
using LocalControl.Ablation.Zones;
using LocalControl.Core.Cases;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using static LocalControl.Cli.Commands.ImagingCommandSupport;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol plan --labels SEG --label-table T [--target ID] [--margin-mm 5] [--devices ID,…] [--max-probes N]
/// [--case CASE.json] [--seed N] -o DIR [--format text|json]</c>: the fewest safe probes whose zones cover the tumour and
/// its margin, confirmed with the bioheat simulator. Writes DIR/plan.json, DIR/zone.nii.gz and DIR/plan-*.png.
/// </summary>
internal static class PlanCommand
{
    /// <summary>Margin advised for RAS-mutant metastases (mm), used when <c>--case</c> says RAS mutant and no <c>--margin-mm</c> is given.</summary>
    public const double RasMutantMarginMm = 10;

    /// <summary>Default margin goal (mm).</summary>
    public const double DefaultMarginMm = 5;

    public static Command Create(CliContext context)
    {
        var labels = new Option<string>("--labels") { Description = "Segmentation with the organ, tumour(s), vessels, structures to avoid and the body outline (role body or skin).", Required = true };
        var table = new Option<string?>("--label-table") { Description = "JSON object mapping label values to roles, e.g. {\"1\": \"liver\", \"2\": \"tumour\", \"3\": \"portal-vein\", \"4\": \"body\"}." };
        var target = new Option<string?>("--target") { Description = "Target lesion id (T1, T2 … as 'measure' numbers them); default: the single tumour." };
        var margin = new Option<double?>("--margin-mm") { Description = "Margin goal in mm, 0-20 (default 5; 10 when --case says RAS mutant)." };
        var devices = new Option<string?>("--devices") { Description = "Devices allowed, comma-separated ids from 'localcontrol devices' (default: every mwa and rfa device)." };
        var maxProbes = new Option<int>("--max-probes") { Description = "Most probes (1-8, default 3).", DefaultValueFactory = _ => 3 };
        var caseFile = new Option<string?>("--case") { Description = "Case file: a RAS-mutant patient gets a 10 mm margin goal unless --margin-mm is given." };
        var seed = new Option<int>("--seed") { Description = "Seed of the candidate directions; the same seed gives the same plan (default 0).", DefaultValueFactory = _ => 0 };
        var gridMm = new Option<double?>("--grid-mm") { Description = "Grid of the bioheat confirmation in mm (default 2: coarse, seconds per probe; cryo clusters 1, the grid the cryo model was calibrated on)." };
        var maxDepth = new Option<double>("--max-depth-mm") { Description = "Longest insertion, skin to tip, in mm (default 200).", DefaultValueFactory = _ => 200.0 };
        var entryRegion = new Option<string?>("--entry-region") { Description = "Box the skin entry must lie in, x1,y1,z1,x2,y2,z2 in LPS mm (e.g. the reachable flank); default: anywhere on the body surface." };
        var noConfirm = new Option<bool>("--no-confirm") { Description = "Skip the bioheat confirmation (catalogue ellipsoids only)." };
        var output = new Option<string>("--output", "-o") { Description = "Folder for plan.json, zone.nii.gz and the pictures (created if missing).", Required = true };
        var format = CommonOptions.Format("text", "text", "json");
        var command = new Command("plan", "Plan the fewest safe probes whose zones cover the tumour and its margin, with the heat sink of this patient's vessels.");
        foreach (var o in new Option[] { labels, table, target, margin, devices, maxProbes, caseFile, seed, gridMm, maxDepth, entryRegion, noConfirm, output, format })
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
                return Task.FromResult(Run(context, parse, cancel.Token, labels, table, target, margin, devices, maxProbes, caseFile, seed, gridMm, maxDepth, entryRegion, noConfirm, output, format));
            }
            catch (OperationCanceledException)
            {
                context.Error.WriteLine("plan: cancelled; nothing was written.");
                return Task.FromResult(SimulateCommand.Cancelled);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
        return command;
    }

    private static EntryRegionLps ParseEntryRegion(string text)
    {
        var parts = text.Split(',');
        var v = new double[parts.Length];
        if (parts.Length != 6 || !parts.Select((x, n) => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out v[n]) && double.IsFinite(v[n])).All(ok => ok))
        {
            throw new UserInputException($"--entry-region: expected six numbers x1,y1,z1,x2,y2,z2 (LPS mm) separated by commas, got \"{text}\".");
        }

        return new EntryRegionLps(new Vector3D(Math.Min(v[0], v[3]), Math.Min(v[1], v[4]), Math.Min(v[2], v[5])), new Vector3D(Math.Max(v[0], v[3]), Math.Max(v[1], v[4]), Math.Max(v[2], v[5])));
    }

    private static int Run(CliContext context, ParseResult parse, CancellationToken cancel, Option<string> labels, Option<string?> table, Option<string?> target,
        Option<double?> margin, Option<string?> devices, Option<int> maxProbes, Option<string?> caseFile, Option<int> seed, Option<double?> gridMm,
        Option<double> maxDepth, Option<string?> entryRegion, Option<bool> noConfirm, Option<string> output, Option<string> format)
    {
        var inv = CultureInfo.InvariantCulture;
        var outDir = parse.GetValue(output)!;
        var full = Path.GetFullPath(outDir);
        if (File.Exists(full))
        {
            throw new UserInputException($"-o {outDir}: is a file; give a folder for plan.json, zone.nii.gz and the pictures.");
        }

        if (Path.GetDirectoryName(full) is { } parent && !Directory.Exists(parent))
        {
            throw new UserInputException($"-o {outDir}: the folder {parent} does not exist.");
        }

        // Margin goal: explicit, else 10 mm for a RAS-mutant case, else 5 mm.
        var marginMm = parse.GetValue(margin);
        string? marginNote = null;
        if (parse.GetValue(caseFile) is { } casePath)
        {
            var (c, _) = CaseFiles.Load(casePath, context);
            if (c.Patient.RasStatus == MutationStatus.Mutant)
            {
                if (marginMm is null)
                {
                    marginMm = RasMutantMarginMm;
                    marginNote = "margin goal 10 mm: RAS-mutant case (--case)";
                }
                else if (marginMm < RasMutantMarginMm)
                {
                    context.Error.WriteLine(string.Create(inv, $"warning: --margin-mm {marginMm}: the case is RAS mutant, for which a 10 mm margin is advised."));
                }
            }
        }

        var marginValue = marginMm ?? DefaultMarginMm;
        if (!double.IsFinite(marginValue) || marginValue < 0 || marginValue > 20)
        {
            throw new UserInputException(string.Create(inv, $"--margin-mm {marginValue}: the margin goal must be between 0 and 20 mm."));
        }

        var catalogue = DeviceCatalogue.Default;
        List<AblationDevice>? allowed = null;
        if (parse.GetValue(devices) is { } list)
        {
            allowed = [];
            foreach (var id in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                allowed.Add(catalogue.Find(id) ?? throw new UserInputException($"--devices {id}: not in the catalogue (known: {string.Join(", ", catalogue.Devices.Select(d => d.Id))})."));
            }

            if (allowed.Count == 0)
            {
                throw new UserInputException("--devices: no device id given.");
            }
        }

        var (map, _) = LoadLabelMap(parse.GetValue(labels)!, parse.GetValue(table), null, null);
        var request = new PlanRequest
        {
            Labels = map,
            TargetId = parse.GetValue(target),
            MarginMm = marginValue,
            Devices = allowed,
            MaxProbes = parse.GetValue(maxProbes),
            Seed = parse.GetValue(seed),
            ConfirmationGridMm = parse.GetValue(gridMm) ?? 2.0,
            CryoGridMm = parse.GetValue(gridMm) ?? 1.0,
            Confirm = !parse.GetValue(noConfirm),
            MaxDepthMm = parse.GetValue(maxDepth),
            EntryRegion = parse.GetValue(entryRegion) is { } box ? ParseEntryRegion(box) : null,
        };

        PlanResult plan;
        try
        {
            plan = ProbePlanner.Plan(request, line => context.Error.WriteLine(line), cancel);
        }
        catch (AblationInputException ex)
        {
            throw new UserInputException(ex.Message, ex);
        }

        cancel.ThrowIfCancellationRequested();
        var json = ToJson(plan, marginNote);
        var text = json.ToJsonString(Indented);

        // Everything is computed: write the folder (each file through a temporary name and a rename).
        Directory.CreateDirectory(full);
        var zonePath = Path.Combine(full, "zone.nii.gz");
        var zoneTemp = Path.Combine(full, $".zone.{Guid.NewGuid():N}.tmp.nii.gz");
        try
        {
            NiftiWriter.Write(zoneTemp, plan.Zone, new NiftiWriteOptions { Description = $"LocalControl plan {plan.Target}" });
            File.Move(zoneTemp, zonePath, overwrite: true);
        }
        finally
        {
            File.Delete(zoneTemp);
        }

        PlanPictures.Save(plan, map, full);
        Core.IO.OutputFiles.WriteText(Path.Combine(full, "plan.json"), text + "\n");
        context.Error.WriteLine($"wrote {Path.Combine(outDir, "plan.json")}, zone.nii.gz, plan-axial.png, plan-coronal.png, plan-sagittal.png");
        context.WriteResult(parse.GetValue(format) == "json" ? text : ToText(plan), null);
        return ExitCodes.Success;
    }

    internal static JsonObject ToJson(PlanResult p, string? marginNote)
    {
        var probes = new JsonArray();
        foreach (var q in p.Probes)
        {
            var near = new JsonArray();
            foreach (var n in q.PassesNear)
            {
                near.Add(new JsonObject { ["structure"] = n.Structure, ["distanceMm"] = Round(n.DistanceMm, 1) });
            }

            var probe = new JsonObject
            {
                ["device"] = q.Device,
                ["setting"] = q.Setting,
                ["tipLps"] = Point(q.TipLps),
                ["entryLps"] = Point(q.EntryLps),
                ["depthMm"] = Round(q.DepthMm, 1),
                ["anglesDeg"] = new JsonObject { ["cranioCaudal"] = Round(q.CranioCaudalDeg, 1), ["inPlane"] = Round(q.InPlaneDeg, 1) },
                ["passesNear"] = near,
                ["energyKj"] = Round(q.EnergyKj, q.ElectrodeGroup is null ? 1 : 3),
                ["addedOnConfirmation"] = q.AddedOnConfirmation,
            };
            if (q.ElectrodeGroup is { } group)
            {
                probe["electrodeGroup"] = group; // IRE: the electrodes of a pair or array share it
            }

            if (q.ClusterGroup is { } cluster)
            {
                probe["clusterGroup"] = cluster; // cryo: the probes of a cluster (one freeze) share it
            }

            probes.Add(probe);
        }

        var rejections = new JsonObject();
        foreach (var (k, v) in p.Rejections.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            rejections[k] = v;
        }

        var reason = string.Join("; ", new[] { p.Reason, marginNote }.Where(s => s is not null));
        var o = new JsonObject { ["feasible"] = p.Feasible };
        if (reason.Length > 0)
        {
            o["reason"] = reason;
        }

        o["target"] = p.Target;
        o["organ"] = p.Organ;
        o["marginGoalMm"] = p.MarginGoalMm;
        o["probes"] = probes;
        o["coveragePercent"] = Round(p.CoveragePercent, 1);
        o["minimalMarginMm"] = p.MinimalMarginMm is { } m ? Round(m, 1) : null;
        o["heatSinkLimited"] = p.HeatSinkLimited;
        o["confirmed"] = p.Confirmed;
        o["confirmationGridMm"] = p.ConfirmationGridMm;
        o["ellipsoidCoveragePercent"] = Round(p.EllipsoidCoveragePercent, 1);
        o["ellipsoidMinimalMarginMm"] = p.EllipsoidMinimalMarginMm is { } e ? Round(e, 1) : null;
        o["zoneModel"] = p.ZoneModel ?? (p.Probes.Count > 0 && p.Probes.All(q => q.ClusterGroup is not null)
            ? "cryo search zones: the cryo model's lethal zone of each cluster in homogeneous perfused liver (no vessels)"
            : "catalogue ellipsoids (lengthMm along the shaft, diameterMm across, centred tipOffsetMm back from the tip)");
        o["caveats"] = new JsonArray([.. p.Caveats.Select(c => (JsonNode)JsonValue.Create(c))]);
        o["safeTrajectories"] = p.SafeTrajectories;
        o["rejectedPaths"] = rejections;
        o["searchSeconds"] = Round(p.SearchSeconds, 2);
        o["confirmationSeconds"] = Round(p.ConfirmationSeconds, 2);
        o["wallSeconds"] = Round(p.WallSeconds, 2);
        return o;
    }

    private static string ToText(PlanResult p)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"Plan for {p.Target} ({p.Organ}), margin goal {p.MarginGoalMm:0.#} mm: {(p.Feasible ? "feasible" : "NOT feasible")}");
        if (p.Reason is not null)
        {
            sb.AppendLine(inv, $"  {p.Reason}");
        }

        var n = 0;
        foreach (var q in p.Probes)
        {
            n++;
            sb.AppendLine(inv, $"  probe {n}: {q.Device}/{q.Setting}, tip ({q.TipLps.X:0.0}, {q.TipLps.Y:0.0}, {q.TipLps.Z:0.0}), entry ({q.EntryLps.X:0.0}, {q.EntryLps.Y:0.0}, {q.EntryLps.Z:0.0}) LPS mm, depth {q.DepthMm:0} mm, cranio-caudal {q.CranioCaudalDeg:0} deg, in-plane {q.InPlaneDeg:0} deg{(q.ElectrodeGroup is { } grp ? $", electrode group {grp}" : "")}{(q.ClusterGroup is { } cl ? $", cryo cluster {cl}" : "")}{(q.AddedOnConfirmation ? " (added on confirmation)" : "")}");
            foreach (var near in q.PassesNear)
            {
                sb.AppendLine(inv, $"    passes {near.DistanceMm:0.0} mm from the {near.Structure}");
            }
        }

        sb.AppendLine(inv, $"  coverage of tumour + margin {p.CoveragePercent:0.0} %, minimal margin {(p.MinimalMarginMm is { } m ? m.ToString("0.0", inv) + " mm" : "none")} ({(!p.Confirmed ? "search zones" : p.Probes.All(q => q.ClusterGroup is not null) ? $"cryo model with the vessels' warming in the patient on a {p.ConfirmationGridMm:0.#} mm grid" : p.Probes.All(q => q.ElectrodeGroup is not null) ? $"electric-field model of each electrode pair on a {p.ConfirmationGridMm:0.#} mm grid" : p.Probes.Any(q => q.ElectrodeGroup is not null) ? $"bioheat simulation with heat sink and electric-field model of the pairs on a {p.ConfirmationGridMm:0.#} mm grid" : $"bioheat simulation with heat sink on a {p.ConfirmationGridMm:0.#} mm grid")}; ellipsoids {p.EllipsoidCoveragePercent:0.0} %)");
        foreach (var caveat in p.Caveats)
        {
            sb.AppendLine(inv, $"  caveat: {caveat}");
        }

        sb.AppendLine(inv, $"  {p.SafeTrajectories} safe straight paths; search {p.SearchSeconds:0.00} s, confirmation {p.ConfirmationSeconds:0.00} s, total {p.WallSeconds:0.00} s");
        return sb.ToString();
    }

    private static JsonArray Point(Vector3D p) => new(Round(p.X, 1), Round(p.Y, 1), Round(p.Z, 1));

    private static double Round(double v, int digits) => Math.Round(v, digits, MidpointRounding.AwayFromZero);
}
