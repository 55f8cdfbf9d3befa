using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Verification;
using LocalControl.Verification.Margins;
using LocalControl.Verification.Registration;
using static LocalControl.Cli.Commands.ImagingCommandSupport;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol verify --pre PRE --pre-table T1 --post POST --post-table T2 [--pre-image CT] [--post-image CT]
/// [--case CASE.json [--update-case [--lesion ID] [--treatment ID] [--tumour Tn]]] [-o margin.nii.gz] [--pictures DIR] [--format text|json]</c>: the minimal ablative margin in 3D.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CliContext context)
    {
        var pre = new Option<string>("--pre") { Description = "Pre-procedure segmentation with roles liver and tumour (NIfTI, NRRD, DICOM SEG, or RTSTRUCT with --pre-image).", Required = true };
        var preTable = new Option<string?>("--pre-table") { Description = "Label table of --pre, e.g. {\"1\": \"liver\", \"2\": \"tumour\"} (optional when the file names its labels)." };
        var post = new Option<string>("--post") { Description = "Post-procedure segmentation with roles liver and ablation-zone.", Required = true };
        var postTable = new Option<string?>("--post-table") { Description = "Label table of --post, e.g. {\"1\": \"liver\", \"3\": \"ablation-zone\"}." };
        var preImage = new Option<string?>("--pre-image") { Description = "Pre CT/MR: refines the registration on intensities (with --post-image), backs the pictures, and is the image a SEG/RTSTRUCT --pre lies on." };
        var postImage = new Option<string?>("--post-image") { Description = "Post CT/MR (intensity refinement; the image a SEG/RTSTRUCT --post lies on)." };
        var caseFile = new Option<string?>("--case") { Description = "Case file: a RAS-mutant patient raises the threshold for additional ablation to 10 mm; with --update-case the margin is written into it." };
        var segments = new Option<string?>("--segments") { Description = "Couinaud segment map on the pre grid (voxel = segment number): names the segment of the thinnest margin." };
        var landmarks = new Option<string?>("--landmarks") { Description = "JSON list of landmark pairs [{\"pre\": [x,y,z], \"post\": [x,y,z]}] in LPS mm (three or more start the registration; the error is reported)." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the margin map (mm on each tumour-surface voxel, NaN elsewhere) as NIfTI." };
        var pictures = new Option<string?>("--pictures") { Description = "Folder for the axial, coronal and sagittal PNGs through the thinnest margin." };
        var updateCase = new Option<bool>("--update-case") { Description = "Write the verified margin into the lesion's treatment record of --case (treatments[].minimalAblativeMarginMm; every other field kept)." };
        var lesion = new Option<string?>("--lesion") { Description = "With --update-case: the case lesion id that was verified (needed when the case records ablations of several lesions)." };
        var treatment = new Option<string?>("--treatment") { Description = "With --update-case: the treatment record id (needed when the lesion was ablated more than once)." };
        var tumourOption = new Option<string?>("--tumour") { Description = "With --update-case: which verified tumour (T1, T2 …) is that lesion (needed when the segmentation shows several)." };
        var format = CommonOptions.Format("text", "text", "json");
        var command = new Command("verify", "Verify an ablation: register the post scan to the pre scan and measure every tumour's minimal ablative margin in 3D, with the evidence-based reading.");
        foreach (var option in new Option[] { pre, preTable, post, postTable, preImage, postImage, caseFile, segments, landmarks, output, pictures, updateCase, lesion, treatment, tumourOption, format })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            var prePath = parse.GetValue(pre)!;
            var postPath = parse.GetValue(post)!;
            var preImagePath = parse.GetValue(preImage);
            var postImagePath = parse.GetValue(postImage);
            var casePath = parse.GetValue(caseFile);
            var update = parse.GetValue(updateCase);
            if (!update && (parse.GetValue(lesion) ?? parse.GetValue(treatment) ?? parse.GetValue(tumourOption)) is not null)
            {
                throw new UserInputException("--lesion, --treatment and --tumour say where --update-case writes the margin: give --update-case (and --case) with them.");
            }

            if (update && casePath is null)
            {
                throw new UserInputException("--update-case writes the margin into a case file: give it with --case CASE.json.");
            }

            // Load the case and find the treatment record before the verification, so that a wrong id costs no time.
            var loadedCase = casePath is null ? null : CaseFiles.Load(casePath, context).Case;
            var target = update ? VerifyCaseUpdate.Resolve(loadedCase!, casePath!, parse.GetValue(lesion), parse.GetValue(treatment)) : default;
            var (preMap, _) = LoadLabelMap(prePath, parse.GetValue(preTable), preImagePath, null, "--pre-table");
            var (postMap, _) = LoadLabelMap(postPath, parse.GetValue(postTable), postImagePath, null, "--post-table");
            var input = new VerificationInput
            {
                Pre = preMap,
                Post = postMap,
                PreImage = preImagePath is null ? null : LoadImage(preImagePath).ToFloatVolume(),
                PostImage = postImagePath is null ? null : LoadImage(postImagePath).ToFloatVolume(),
                Ras = loadedCase?.Patient.RasStatus,
                Registration = new RegistrationOptions { Landmarks = parse.GetValue(landmarks) is { } l ? ReadLandmarks(l) : [] },
                Margins = new MarginOptions { SegmentMap = parse.GetValue(segments) is { } s ? LoadLabels(s) : null },
            };

            var picturesFolder = parse.GetValue(pictures);
            if (picturesFolder is not null && File.Exists(picturesFolder))
            {
                throw new UserInputException($"{picturesFolder}: --pictures names a file; give a folder.");
            }

            var report = MarginVerification.Verify(input);
            if (parse.GetValue(output) is { } mapPath)
            {
                NiftiWriter.Write(mapPath, report.Margins.MarginMap, new NiftiWriteOptions { Description = "LocalControl margin mm" });
            }

            if (picturesFolder is not null)
            {
                VerificationPictures.Save(report, input, picturesFolder);
            }

            var json = VerificationJson.ToJson(report);
            json["wallSeconds"] = Math.Round(report.WallSeconds, 3);
            var text = VerificationJson.ToText(report);
            if (update)
            {
                var written = VerifyCaseUpdate.Write(casePath!, target.LesionId, target.TreatmentId, parse.GetValue(tumourOption), report);
                json["caseUpdate"] = written.ToJson();
                var line = string.Create(CultureInfo.InvariantCulture, $"case: wrote minimalAblativeMarginMm {written.MinimalAblativeMarginMm:0.00} mm ({written.Tumour}) to treatment '{written.TreatmentId}' of lesion '{written.LesionId}' in {written.CaseFile}{(written.PreviousMarginMm is { } old ? $" (was {old:0.00} mm)" : "")}");
                if (parse.GetValue(format) == "json")
                {
                    context.Error.WriteLine(line);
                }

                text += line + Environment.NewLine;
            }

            context.WriteResult(parse.GetValue(format) == "json" ? json.ToJsonString(Indented) : text, null);
            return ExitCodes.Success;
        });
        return command;
    }

    private static List<LandmarkPair> ReadLandmarks(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(CaseFiles.ReadText(path, "landmark file"));
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new UserInputException($"{path}: not valid JSON ({ex.Message}).", ex);
        }

        if (root is not JsonArray list)
        {
            throw new UserInputException($"{path}: a landmark file is a JSON list of {{\"pre\": [x,y,z], \"post\": [x,y,z]}} in LPS mm.");
        }

        var pairs = new List<LandmarkPair>(list.Count);
        for (var n = 0; n < list.Count; n++)
        {
            pairs.Add(new LandmarkPair(Point(list[n]?["pre"], path, n, "pre"), Point(list[n]?["post"], path, n, "post")));
        }

        return pairs;
    }

    private static Vector3D Point(JsonNode? node, string path, int index, string field)
    {
        if (node is JsonArray { Count: 3 } a && a.All(v => v is JsonValue jv && jv.TryGetValue<double>(out var d) && double.IsFinite(d)))
        {
            return new Vector3D(a[0]!.GetValue<double>(), a[1]!.GetValue<double>(), a[2]!.GetValue<double>());
        }

        throw new UserInputException(string.Create(CultureInfo.InvariantCulture, $"{path}: landmark {index}: \"{field}\" must be three finite numbers (LPS mm)."));
    }
}
