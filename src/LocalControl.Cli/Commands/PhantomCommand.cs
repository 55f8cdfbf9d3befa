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
        var command = new Command("phantom", "Write a synthetic liver with tumours and a vessel tree as NIfTI, with the exact analytic answers alongside.");
        command.Options.Add(output);
        command.Options.Add(size);
        command.Options.Add(spacing);
        command.Options.Add(tumours);
        command.Options.Add(vessels);
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

            var dir = parse.GetValue(output)!;
            Directory.CreateDirectory(dir);
            var map = LiverPhantom.Draw(spec);
            // Stored as uint8 (labels 0…4): a quarter of the memory and file size of int32.
            var bytes = new Volume<byte>(map.Labels.Geometry);
            var src = map.Labels.Buffer;
            for (var n = 0; n < src.Length; n++)
            {
                bytes.Buffer[n] = (byte)src[n];
            }

            NiftiWriter.Write(Path.Combine(dir, "labels.nii.gz"), bytes, new NiftiWriteOptions { IntentCode = 1002, Description = "LocalControl liver phantom" });
            var table = new JsonObject();
            foreach (var e in map.Table.Entries)
            {
                table[e.Value.ToString(CultureInfo.InvariantCulture)] = e.Role.Name();
            }

            File.WriteAllText(Path.Combine(dir, "label-table.json"), table.ToJsonString(Indented));
            File.WriteAllText(Path.Combine(dir, "answers.json"), AnswersJson(spec).ToJsonString(Indented));
            context.Error.WriteLine($"wrote {dir}/labels.nii.gz, label-table.json and answers.json ({spec.Tumours.Count} tumours, {spec.Vessels.Count} vessel segments)");
            return ExitCodes.Success;
        });
        return command;
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

    internal static JsonObject AnswersJson(LiverPhantomSpec spec)
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

        return new JsonObject
        {
            ["description"] = "Exact analytic answers for the phantom (continuous shapes). Voxel measurements agree within one voxel diagonal.",
            ["size"] = new JsonArray(spec.Size.I, spec.Size.J, spec.Size.K),
            ["spacingMm"] = V(spec.SpacingMm),
            ["liver"] = new JsonObject { ["centreMm"] = V(spec.LiverCentreLps), ["semiAxesMm"] = V(spec.LiverSemiAxesMm) },
            ["hilum"] = new JsonObject { ["centreMm"] = V(spec.HilumCentreLps), ["radiusMm"] = spec.HilumRadiusMm },
            ["vessels"] = new JsonArray([.. spec.Vessels.Select(v => (JsonNode?)new JsonObject { ["startMm"] = V(v.StartLps), ["endMm"] = V(v.EndLps), ["calibreMm"] = 2 * v.RadiusMm })]),
            ["lesions"] = lesions,
        };
    }
}
