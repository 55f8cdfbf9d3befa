using System.CommandLine;
using System.Text.Json.Nodes;
using LocalControl.Imaging;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Measurements;
using LocalControl.Imaging.Volumes;
using static LocalControl.Cli.Commands.ImagingCommandSupport;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol measure --labels SEG [--image CT] [--label-table FILE] [--segments MAP] [--rules FILE] [-o lesions.json]</c>:
/// one case-file lesion entry per connected component of the tumour labels. The large-vessel calibre and the adjacency
/// distance are the rule set's (<c>largeVesselMinCalibreMm</c>, <c>adjacencyDistanceMm</c>; a centre's <c>--rules</c> file
/// changes them for both the measurement and the assessment).
/// </summary>
internal static class MeasureCommand
{
    public static Command Create(CliContext context)
    {
        var labels = new Option<string>("--labels") { Description = "Segmentation (NIfTI or NRRD label map, DICOM SEG, RTSTRUCT with --image, or a folder of one NIfTI mask per structure as TotalSegmentator writes).", Required = true };
        var series = SeriesOption();
        var image = new Option<string?>("--image") { Description = "The CT/MR the segmentation belongs to: checked to be on the same grid." };
        var table = new Option<string?>("--label-table") { Description = "JSON object mapping label values to roles, e.g. {\"1\": \"liver\", \"2\": \"tumour\", \"3\": \"vessel\", \"4\": \"hilum\"}, or a built-in convention: totalsegmentator, totalsegmentator-liver-vessels, lits, msd-task03-liver, msd-task08-hepatic-vessel." };
        var segments = new Option<string?>("--segments") { Description = "Liver segment map (voxel = Couinaud segment number) on the same grid." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the JSON here instead of standard output." };
        var rules = new Option<string?>("--rules") { Description = "A centre's rule-set override file (docs/rule-set.md): its largeVesselMinCalibreMm and adjacencyDistanceMm are the thresholds measured with." };
        var command = new Command("measure", "Measure every lesion of a label map (volume, diameters, distances to vessels, hilum, capsule, critical structures) as case-file lesions.");
        command.Options.Add(labels);
        command.Options.Add(image);
        command.Options.Add(series);
        command.Options.Add(table);
        command.Options.Add(segments);
        command.Options.Add(output);
        command.Options.Add(rules);
        command.SetAction(parse =>
        {
            var labelPath = parse.GetValue(labels)!;
            using var progress = Progress.Start(context, "measure");
            progress.Step("reading " + labelPath);
            var ruleSet = CaseFiles.LoadRules(parse.GetValue(rules));
            var (map, loaded) = LoadLabelMap(labelPath, parse.GetValue(table), parse.GetValue(image), parse.GetValue(series));
            var labelTable = map.Table;
            var volume = map.Labels;
            var options = MeasureOptionsFor(parse.GetValue(segments), ruleSet);

            progress.Step("measuring lesions");
            var lesions = LesionMeasurer.Measure(map, options);
            progress.Done();
            var list = new JsonArray();
            foreach (var lesion in lesions)
            {
                list.Add(lesion.ToCaseLesionJson(LesionSourceJson(labelPath, lesion.Id, options, ruleSet)));
            }

            var tableJson = new JsonObject();
            foreach (var e in labelTable.Entries)
            {
                tableJson[e.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject { ["role"] = e.Role.Name(), ["name"] = e.Name };
            }

            var source = new JsonObject
            {
                ["file"] = labelPath,
                ["geometry"] = GeometryJson(volume.Geometry),
                ["labelTable"] = tableJson,
                ["ruleSet"] = ruleSet.DisplayVersion,
                ["largeVesselMinCalibreMm"] = options.LargeVesselCalibreMm,
                ["adjacencyDistanceMm"] = options.AdjacencyDistanceMm,
            };
            var result = new JsonObject
            {
                ["lesions"] = list,
                ["source"] = source,
                ["method"] = MeasureMethod(options),
            };
            var warnings = new List<ImagingWarning>(loaded.Info.Warnings);
            if (lesions.Count == 0)
            {
                // An empty result is never silent: say whether the map is empty or merely has no tumour voxels.
                var labelled = 0L;
                foreach (var v in volume.Buffer)
                {
                    labelled += v != 0 ? 1 : 0;
                }

                var why = labelled == 0
                    ? "the label map is empty (every voxel is 0): no lesion was measured. Check that the right file was given."
                    : "no voxel carries a tumour label: no lesion was measured. Check the label table's tumour entries.";
                warnings.Add(new ImagingWarning("LC-MEAS-W01", why));
                context.Error.WriteLine($"warning: LC-MEAS-W01: {labelPath}: {why}");
            }

            if (warnings.Count > 0)
            {
                result["warnings"] = WarningsJson(warnings);
            }

            context.WriteResult(result.ToJsonString(Indented), parse.GetValue(output));
            return ExitCodes.Success;
        });
        return command;
    }
}
