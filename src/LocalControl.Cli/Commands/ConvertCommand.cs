using System.CommandLine;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Formats.Nrrd;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol convert IN OUT</c>: any readable image to NIfTI (<c>.nii</c>, <c>.nii.gz</c>), NRRD (<c>.nrrd</c>) or a
/// 3D Slicer segmentation (<c>.seg.nrrd</c>), chosen by the output's name; voxel values, scaling and geometry kept.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("in") { Description = "NIfTI or NRRD file, DICOM file or folder, DICOM SEG or RTSTRUCT, or a TotalSegmentator folder of masks." };
        var series = ImagingCommandSupport.SeriesOption();
        var reference = new Option<string?>("--reference") { Description = "For a DICOM SEG or RTSTRUCT: the image (file or DICOM folder) whose grid the labels are put on." };
        var table = new Option<string?>("--label-table") { Description = "For .nrrd/.seg.nrrd output: the names and roles of the label values (JSON file or a built-in convention: totalsegmentator, lits, msd-task08-hepatic-vessel …); default: the names the input carries." };
        var encoding = new Option<string>("--nrrd-encoding") { Description = "NRRD data encoding: gzip (default) or raw.", DefaultValueFactory = _ => "gzip" };
        encoding.AcceptOnlyFromAmong("gzip", "raw");
        var output = new Argument<string>("out") { Description = "Output .nii, .nii.gz, .nrrd or .seg.nrrd (a Slicer segmentation of the label map)." };
        var command = new Command("convert", "Convert an image to NIfTI or NRRD, or a label map to a 3D Slicer .seg.nrrd, keeping the values, scaling (HU for CT), geometry and segment names.");
        command.Arguments.Add(input);
        command.Arguments.Add(output);
        command.Options.Add(series);
        command.Options.Add(reference);
        command.Options.Add(table);
        command.Options.Add(encoding);
        command.SetAction(parse =>
        {
            var inPath = parse.GetValue(input)!;
            var outPath = parse.GetValue(output)!;
            var kind = OutputKind(outPath);
            var tablePath = parse.GetValue(table);
            if (tablePath is not null && kind == Kind.Nifti)
            {
                throw new UserInputException($"{outPath}: NIfTI keeps no segment names; --label-table applies to .nrrd and .seg.nrrd output.");
            }

            using var progress = Progress.Start(context, "convert");
            progress.Step("reading " + inPath);
            var image = ImagingCommandSupport.LoadImage(inPath, parse.GetValue(series), parse.GetValue(reference));
            var labelTable = tablePath is not null ? ImagingCommandSupport.ReadLabelTable(tablePath) : image.LabelTable;
            var nrrd = new NrrdWriteOptions { Gzip = parse.GetValue(encoding) == "gzip", LabelTable = labelTable };
            progress.Step("writing " + outPath);
            var segments = 0;
            switch (kind)
            {
                case Kind.Nifti:
                    NiftiWriter.Write(outPath, image, new NiftiWriteOptions { XformCode = image.Info.Format == "dicom" ? 1 : 2 });
                    break;
                case Kind.Nrrd:
                    NrrdWriter.Write(outPath, image, nrrd);
                    break;
                default:
                    var labels = ImagingCommandSupport.SingleFrameLabels(image, inPath);
                    var map = new LabelMap(labels, labelTable ?? new LabelTable());
                    NrrdWriter.WriteSegmentation(outPath, map, nrrd);
                    segments = CountSegments(labels);
                    break;
            }

            progress.Done();
            if (kind == Kind.Segmentation && labelTable is null)
            {
                context.Error.WriteLine($"note: {inPath} carries no label names: the segments are called \"Label N\" with no role; give --label-table to name them.");
            }

            foreach (var w in image.Info.Warnings)
            {
                context.Error.WriteLine($"warning: {w.Code}: {w.Message}");
            }

            var g = image.Info.Geometry;
            context.Error.WriteLine(kind == Kind.Segmentation
                ? $"wrote {outPath} ({g.Size.I}x{g.Size.J}x{g.Size.K}, {segments} segments)"
                : $"wrote {outPath} ({g.Size.I}x{g.Size.J}x{g.Size.K}, {image.Info.StoredType.JsonName()})");
            return ExitCodes.Success;
        });
        return command;
    }

    private enum Kind
    {
        Nifti,
        Nrrd,
        Segmentation,
    }

    private static Kind OutputKind(string outPath)
    {
        // A stream (-, /dev/stdout, a FIFO) has no extension to check: it gets an uncompressed .nii.
        var isStream = outPath == Core.IO.InputFiles.StandardStream || Core.IO.InputFiles.KindOf(outPath) is Core.IO.FileKind.Fifo or Core.IO.FileKind.CharacterDevice;
        if (isStream || outPath.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || outPath.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase))
        {
            return Kind.Nifti;
        }

        if (outPath.EndsWith(".seg.nrrd", StringComparison.OrdinalIgnoreCase))
        {
            return Kind.Segmentation;
        }

        if (outPath.EndsWith(".nrrd", StringComparison.OrdinalIgnoreCase))
        {
            return Kind.Nrrd;
        }

        throw new UserInputException($"{outPath}: the output must end with .nii, .nii.gz, .nrrd or .seg.nrrd.");
    }

    private static int CountSegments(Volume<int> labels)
    {
        var seen = new HashSet<int>();
        foreach (var v in labels.Buffer)
        {
            if (v > 0)
            {
                seen.Add(v);
            }
        }

        return seen.Count;
    }
}
