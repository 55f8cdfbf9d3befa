using System.CommandLine;
using LocalControl.Core.Cases;
using LocalControl.Core.Engine;
using LocalControl.Core.Evidence;
using LocalControl.Core.Reporting;
using LocalControl.Imaging;
using LocalControl.Imaging.Measurements;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol assess CASE.json [--format text|json|markdown|html] [-o FILE] [--rules FILE]
/// [--labels SEG [--label-table FILE] [--segments MAP] [--prefer-typed] [--write-case FILE] [--predict [--predict-grid-mm H]]]</c>.
/// With <c>--labels</c>, the measurement uses the same rule set's large-vessel calibre and adjacency distance as the
/// assessment; <c>--predict</c> adds each rfa/mwa option's simulated zone (<see cref="AssessPrediction"/>).
/// </summary>
internal static class AssessCommand
{
    public static Command Create(CliContext context)
    {
        var caseArgument = new Argument<string>("case") { Description = "Case file (JSON, docs/case-format.md)." };
        var format = CommonOptions.Format("text", "text", "json", "markdown", "html");
        var output = CommonOptions.Output();
        var rules = new Option<string?>("--rules") { Description = "A centre's rule-set override file (docs/rule-set.md)." };
        var labels = new Option<string?>("--labels") { Description = "A label map (NIfTI, NRRD or DICOM): lesion sizes and distances are measured from it and fill the case." };
        var labelTable = new Option<string?>("--label-table") { Description = "With --labels: JSON object mapping label values to roles, e.g. {\"1\": \"liver\", \"2\": \"tumour\", \"3\": \"vessel\"}, or a built-in convention: totalsegmentator, totalsegmentator-liver-vessels, lits, msd-task03-liver, msd-task08-hepatic-vessel." };
        var segments = new Option<string?>("--segments") { Description = "With --labels: liver segment map on the same grid." };
        var image = new Option<string?>("--image") { Description = "With --labels: the CT/MR the segmentation was drawn on (a DICOM SEG or RTSTRUCT is put on its grid)." };
        var series = new Option<string?>("--series") { Description = "With --image: which DICOM series of a folder (UID or index)." };
        var preferTyped = new Option<bool>("--prefer-typed") { Description = "With --labels: keep typed values where the case file has them (measured values fill only the gaps)." };
        var writeCase = new Option<string?>("--write-case") { Description = "With --labels: also write the case with the measured values merged in (every measured field, docs/case-format.md) to this file." };
        var predict = new Option<bool>("--predict") { Description = "With --labels: show, for each rfa/mwa option, the zone the leading calibrated device would kill in this patient (simulated, probe along a default axis through the lesion centre; text or json). Planning proper is 'localcontrol plan'." };
        var predictGrid = new Option<double?>("--predict-grid-mm") { Description = $"With --predict: simulation grid spacing in mm (default {AssessPrediction.DefaultGridMm})." };
        var command = new Command("assess", "Assess every lesion and the patient against each tool of the local-therapy box, with criteria, evidence and expected outcomes.")
        {
            caseArgument, format, output, rules, labels, labelTable, segments, image, series, preferTyped, writeCase, predict, predictGrid,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(caseArgument)!;
            var ruleSet = CaseFiles.LoadRules(parse.GetValue(rules));
            var wantPrediction = parse.GetValue(predict);
            var predictGridMm = parse.GetValue(predictGrid);
            if (wantPrediction && parse.GetValue(labels) is null)
            {
                throw new UserInputException("--predict needs --labels: the zone is simulated on the case's label map");
            }

            if (predictGridMm is not null && !wantPrediction)
            {
                throw new UserInputException("--predict-grid-mm needs --predict");
            }

            if (predictGridMm is { } gmm && (!double.IsFinite(gmm) || gmm < 0.5 || gmm > 5))
            {
                throw new UserInputException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--predict-grid-mm {gmm}: the grid spacing must be between 0.5 and 5 mm"));
            }

            if (wantPrediction && parse.GetValue(format) is not ("text" or "json"))
            {
                throw new UserInputException($"--predict: the predicted zones are shown in text or json, not {parse.GetValue(format)}");
            }

            var (@case, warnings) = CaseFiles.Load(path, context);
            Imaging.Volumes.LabelMap? map = null;
            IReadOnlyList<MeasuredLesion> measuredLesions = [];
            if (parse.GetValue(labels) is { } labelPath)
            {
                (var measured, map, measuredLesions) = Measure(labelPath, parse.GetValue(labelTable), parse.GetValue(segments), parse.GetValue(image), parse.GetValue(series), ruleSet);
                var (merged, notes) = MeasurementMerge.Merge(@case, measured, parse.GetValue(preferTyped), labelPath);
                foreach (var note in notes)
                {
                    context.Error.WriteLine($"note: {note}");
                }

                @case = merged;
                warnings = [.. warnings, .. notes];
                if (parse.GetValue(writeCase) is { } casePath)
                {
                    Core.IO.OutputFiles.WriteText(casePath, CaseFileWriter.Write(@case));
                }
            }
            else if (parse.GetValue(labelTable) is not null || parse.GetValue(segments) is not null || parse.GetValue(image) is not null || parse.GetValue(preferTyped) || parse.GetValue(writeCase) is not null)
            {
                throw new UserInputException("--label-table, --segments, --image, --prefer-typed and --write-case need --labels");
            }

            var engine = ReferenceEquals(ruleSet, Core.Rules.RuleSet.Default) ? TumourBoardEngine.Default : new TumourBoardEngine(ruleSet, EvidenceBase.Default);
            var assessment = engine.Assess(@case);
            var text = parse.GetValue(format) switch
            {
                "json" => AssessmentJson.Serialize(assessment, warnings),
                "markdown" => AssessmentText.RenderMarkdown(assessment, @case, warnings),
                "html" => AssessmentText.RenderHtml(assessment, @case, warnings),
                _ => AssessmentText.RenderText(assessment, @case, warnings),
            };
            if (wantPrediction)
            {
                var items = AssessPrediction.Predict(map!, assessment, @case, measuredLesions, predictGridMm ?? AssessPrediction.DefaultGridMm, context.Error);
                text = parse.GetValue(format) == "json" ? AssessPrediction.AddToJson(text, items) : text + AssessPrediction.ToText(items);
            }
            context.WriteResult(text, parse.GetValue(output));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Measures every tumour component of a label map, as neutral measurements for the case, with the
    /// thresholds of the rule set the case is then assessed with.</summary>
    private static (List<LesionMeasurement> Measured, Imaging.Volumes.LabelMap Map, IReadOnlyList<MeasuredLesion> Lesions) Measure(string labelPath, string? tablePath, string? segmentPath, string? imagePath, string? series, Core.Rules.RuleSet rules)
    {
        var (map, _) = ImagingCommandSupport.LoadLabelMap(labelPath, tablePath, imagePath, series);
        var lesions = LesionMeasurer.Measure(map, ImagingCommandSupport.MeasureOptionsFor(segmentPath, rules));
        if (lesions.Count == 0)
        {
            throw new ImagingException("LC-MEAS-004", "no tumour label found: nothing to measure (check the label table's 'tumour' entries).", labelPath, "labels");
        }

        var options = ImagingCommandSupport.MeasureOptionsFor(segmentPath, rules);
        return (lesions.Select(m => m.ToLesionMeasurement(ImagingCommandSupport.LesionSourceJson(labelPath, m.Id, options, rules))).ToList(), map, lesions);
    }
}
