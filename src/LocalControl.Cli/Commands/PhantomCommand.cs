using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Phantoms;
using LocalControl.Imaging.Volumes;
using static LocalControl.Cli.Commands.ImagingCommandSupport;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol phantom -o DIR</c>: a synthetic liver label map (NIfTI) with tumours and a vessel tree, its label
/// table, and the exact analytic answers that <c>measure</c> should reproduce within a voxel.
/// </summary>
internal static class PhantomCommand
{
    public static Command Create(CliContext context)
    {
        var output = new Option<string>("--output", "-o") { Description = "Folder to write labels.nii.gz, label-table.json and answers.json into.", Required = true };
        var size = new Option<string>("--size") { Description = "Grid size i,j,k.", DefaultValueFactory = _ => "200,160,80" };
        var spacing = new Option<string>("--spacing") { Description = "Voxel spacing in mm x,y,z.", DefaultValueFactory = _ => "0.8,0.8,1.6" };
        var tumours = new Option<string[]>("--tumour") { Description = "A spherical tumour x,y,z,radius in LPS mm (repeatable; default: three tumours of 20, 14 and 9 mm).", AllowMultipleArgumentsPerToken = false };
        var vessels = new Option<string[]>("--vessel") { Description = "A vessel segment x1,y1,z1,x2,y2,z2,radius in LPS mm (repeatable; default: a branching tree of 12, 8, 5 and 1.6 mm calibre)." };
        var body = new Option<bool>("--body") { Description = "Add a body outline (label 5, role body) around the liver, so that 'plan' has a skin to enter from." };
        var ablated = new Option<double?>("--ablated") { Description = "Also write the scan after ablation (post-labels.nii.gz, post-label-table.json): each tumour replaced by a spherical ablation zone this many mm wider, so 'verify' should find this minimal ablative margin (0-30 mm)." };
        var postShift = new Option<string?>("--post-shift") { Description = "With --ablated: the patient moved by x,y,z mm (LPS) in the scan after ablation, for 'verify' to register (default 0,0,0)." };
        var command = new Command("phantom", "Write a synthetic liver with tumours and a vessel tree as NIfTI, with the exact analytic answers alongside.");
        command.Options.Add(output);
        command.Options.Add(size);
        command.Options.Add(spacing);
        command.Options.Add(tumours);
        command.Options.Add(vessels);
        command.Options.Add(body);
        command.Options.Add(ablated);
        command.Options.Add(postShift);
        command.SetAction(parse =>
        {
            var s = ParseTriple(parse.GetValue(size)!, "--size");
            if (s.X < 1 || s.Y < 1 || s.Z < 1 || s.X > 1024 || s.Y > 1024 || s.Z > 1024 || s.X != Math.Floor(s.X) || s.Y != Math.Floor(s.Y) || s.Z != Math.Floor(s.Z))
            {
                throw new UserInputException("--size: three whole numbers from 1 to 1024.");
            }

            var sp = ParseTriple(parse.GetValue(spacing)!, "--spacing");
            if (sp.X <= 0 || sp.Y <= 0 || sp.Z <= 0)
            {
                throw new UserInputException("--spacing: every spacing must be > 0 mm.");
            }

            var spec = LiverPhantomSpec.Default(new VolumeSize((int)s.X, (int)s.Y, (int)s.Z), sp);
            if (parse.GetValue(tumours) is { Length: > 0 } t)
            {
                spec = spec with { Tumours = [.. t.Select(x => { var v = Numbers(x, 4, "--tumour"); return new PhantomTumour(new Vector3D(v[0], v[1], v[2]), v[3]); })] };
            }

            if (parse.GetValue(vessels) is { Length: > 0 } vs)
            {
                spec = spec with { Vessels = [.. vs.Select(x => { var v = Numbers(x, 7, "--vessel"); return new PhantomVessel(new Vector3D(v[0], v[1], v[2]), new Vector3D(v[3], v[4], v[5]), v[6]); })] };
            }

            var marginMm = parse.GetValue(ablated);
            if (marginMm is { } m && (!double.IsFinite(m) || m < 0 || m > 30))
            {
                throw new UserInputException($"--ablated: the margin must be from 0 to 30 mm, got {m.ToString(CultureInfo.InvariantCulture)}.");
            }

            var shift = new Vector3D(0, 0, 0);
            if (parse.GetValue(postShift) is { } shiftText)
            {
                if (marginMm is null)
                {
                    throw new UserInputException("--post-shift is only used with --ablated (it moves the scan after ablation).");
                }

                shift = ParseTriple(shiftText, "--post-shift");
            }

            var dir = parse.GetValue(output)!;
            Directory.CreateDirectory(dir);
            var withBody = parse.GetValue(body);
            var map = LiverPhantom.Draw(spec);
            var table = TableJson(map.Table, withBody, zoneLabel: null);
            WriteLabels(Path.Combine(dir, "labels.nii.gz"), map.Labels.Geometry, spec, withBody, p => map.Labels.Buffer[p.Index]);
            File.WriteAllText(Path.Combine(dir, "label-table.json"), table.ToJsonString(Indented));
            File.WriteAllText(Path.Combine(dir, "answers.json"), AnswersJson(spec, marginMm, shift).ToJsonString(Indented));
            var written = "labels.nii.gz, label-table.json and answers.json";
            if (marginMm is { } margin)
            {
                // After ablation: the anatomy moved by the shift (the post voxel at p shows the pre point p - shift);
                // each tumour inside a concentric sphere `margin` mm wider, so the minimal ablative margin is exactly `margin`.
                WriteLabels(Path.Combine(dir, "post-labels.nii.gz"), map.Labels.Geometry, spec, withBody, p =>
                {
                    var q = p.Lps - shift;
                    var label = LiverPhantom.LabelAt(spec, q);
                    if (label == 0)
                    {
                        return 0; // the zone stops at the liver capsule, as in a patient
                    }

                    foreach (var t in spec.Tumours)
                    {
                        if ((q - t.CentreLps).Length <= t.RadiusMm + margin)
                        {
                            return PostZoneLabel;
                        }
                    }

                    return label == LiverPhantomSpec.TumourLabel ? LiverPhantomSpec.LiverLabel : label;
                });
                File.WriteAllText(Path.Combine(dir, "post-label-table.json"), TableJson(map.Table, withBody, PostZoneLabel).ToJsonString(Indented));
                written += ", post-labels.nii.gz and post-label-table.json";
            }

            context.Error.WriteLine($"wrote {dir}/{written} ({spec.Tumours.Count} tumours, {spec.Vessels.Count} vessel segments{(withBody ? ", body outline" : "")})");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The body outline's label (role body) with <c>--body</c>.</summary>
    internal const int BodyLabel = 5;

    /// <summary>The ablation zone's label in the scan after ablation.</summary>
    internal const int PostZoneLabel = 6;

    private readonly record struct VoxelAt(int Index, Vector3D Lps);

    /// <summary>
    /// Writes a label map as uint8 NIfTI (labels 0…6: a quarter of the memory and file size of int32). With a body, the
    /// background inside an elliptic cylinder around the liver (semi-axes 48 % of the field across, the whole height) is
    /// labelled body, leaving background at the field's edge for the planner's entry surface.
    /// </summary>
    private static void WriteLabels(string path, ImageGeometry geometry, LiverPhantomSpec spec, bool withBody, Func<VoxelAt, int> labelAt)
    {
        var bytes = new Volume<byte>(geometry);
        var size = geometry.Size;
        var extentX = size.I * spec.SpacingMm.X;
        var extentY = size.J * spec.SpacingMm.Y;
        var ax = extentX * 0.48;
        var ay = extentY * 0.48;
        Parallel.For(0, size.K, k =>
        {
            for (var j = 0; j < size.J; j++)
            {
                for (var i = 0; i < size.I; i++)
                {
                    var n = (int)size.LinearIndex(i, j, k);
                    var p = geometry.IndexToPointLps(i, j, k);
                    var label = labelAt(new VoxelAt(n, p));
                    if (label == 0 && withBody)
                    {
                        var dx = (p.X - spec.LiverCentreLps.X) / ax;
                        var dy = (p.Y - spec.LiverCentreLps.Y) / ay;
                        if ((dx * dx) + (dy * dy) <= 1)
                        {
                            label = BodyLabel;
                        }
                    }

                    bytes.Buffer[n] = (byte)label;
                }
            }
        });
        NiftiWriter.Write(path, bytes, new NiftiWriteOptions { IntentCode = 1002, Description = "LocalControl liver phantom" });
    }

    private static JsonObject TableJson(LabelTable table, bool withBody, int? zoneLabel)
    {
        var json = new JsonObject();
        foreach (var e in table.Entries)
        {
            if (zoneLabel is not null && e.Role == LabelRole.Tumour)
            {
                continue; // after ablation the tumour is inside the zone
            }

            json[e.Value.ToString(CultureInfo.InvariantCulture)] = e.Role.Name();
        }

        if (withBody)
        {
            json[BodyLabel.ToString(CultureInfo.InvariantCulture)] = LabelRole.Body.Name();
        }

        if (zoneLabel is { } z)
        {
            json[z.ToString(CultureInfo.InvariantCulture)] = LabelRole.AblationZone.Name();
        }

        return json;
    }

    private static double[] Numbers(string text, int count, string option)
    {
        var parts = text.Split(',');
        var values = new double[parts.Length];
        if (parts.Length != count || !parts.Select((p, n) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[n]) && double.IsFinite(values[n])).All(ok => ok))
        {
            throw new UserInputException($"{option}: expected {count} numbers separated by commas, got \"{text}\".");
        }

        if (values[^1] <= 0)
        {
            throw new UserInputException($"{option}: the radius must be > 0 mm.");
        }

        return values;
    }

    internal static JsonObject AnswersJson(LiverPhantomSpec spec, double? ablatedMarginMm = null, Vector3D? postShiftMm = null)
    {
        static JsonArray V(Vector3D v) => new(v.X, v.Y, v.Z);
        var lesions = new JsonArray();
        foreach (var a in LiverPhantom.Answers(spec))
        {
            var o = new JsonObject
            {
                ["id"] = a.Id,
                ["organ"] = "liver",
                ["centroidMm"] = V(a.CentroidLps),
                ["longestDiameterMm"] = a.DiameterMm,
                ["volumeMl"] = a.VolumeMl,
                ["distanceToAnyVesselMm"] = a.DistanceToAnyVesselMm,
                ["distanceToHilumMm"] = a.DistanceToHilumMm,
                ["depthFromCapsuleMm"] = a.DepthFromCapsuleMm,
            };
            if (a.DistanceToLargeVesselMm is { } d)
            {
                o["distanceToLargeVesselMm"] = d;
                o["largeVesselCalibreMm"] = a.LargeVesselCalibreMm;
            }

            lesions.Add(o);
        }

        var answers = new JsonObject
        {
            ["description"] = "Exact analytic answers for the phantom (continuous shapes). Voxel measurements agree within one voxel diagonal.",
            ["size"] = new JsonArray(spec.Size.I, spec.Size.J, spec.Size.K),
            ["spacingMm"] = V(spec.SpacingMm),
            ["liver"] = new JsonObject { ["centreMm"] = V(spec.LiverCentreLps), ["semiAxesMm"] = V(spec.LiverSemiAxesMm) },
            ["hilum"] = new JsonObject { ["centreMm"] = V(spec.HilumCentreLps), ["radiusMm"] = spec.HilumRadiusMm },
            ["vessels"] = new JsonArray([.. spec.Vessels.Select(v => (JsonNode?)new JsonObject { ["startMm"] = V(v.StartLps), ["endMm"] = V(v.EndLps), ["calibreMm"] = 2 * v.RadiusMm })]),
            ["lesions"] = lesions,
        };
        if (ablatedMarginMm is { } margin)
        {
            var shift = postShiftMm ?? new Vector3D(0, 0, 0);
            answers["afterAblation"] = new JsonObject
            {
                ["description"] = "post-labels.nii.gz: each tumour inside a concentric spherical zone; the patient moved by postShiftMm (post point = pre point + shift), so the post-to-pre transform is a translation by -postShiftMm.",
                ["minimalAblativeMarginMm"] = margin,
                ["postShiftMm"] = V(shift),
            };
        }

        return answers;
    }
}
