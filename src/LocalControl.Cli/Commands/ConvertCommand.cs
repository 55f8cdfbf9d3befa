using System.CommandLine;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nifti;

namespace LocalControl.Cli.Commands;

/// <summary><c>localcontrol convert IN OUT.nii.gz</c>: any readable image to NIfTI, voxel values, scaling and geometry kept.</summary>
internal static class ConvertCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("in") { Description = "NIfTI or NRRD file, DICOM file or folder, DICOM SEG or RTSTRUCT." };
        var series = ImagingCommandSupport.SeriesOption();
        var reference = new Option<string?>("--reference") { Description = "For a DICOM SEG or RTSTRUCT: the image (file or DICOM folder) whose grid the labels are put on." };
        var output = new Argument<string>("out") { Description = "Output .nii or .nii.gz." };
        var command = new Command("convert", "Convert an image to NIfTI, keeping the stored values, slope/intercept (HU for CT) and geometry.");
        command.Arguments.Add(input);
        command.Arguments.Add(output);
        command.Options.Add(series);
        command.Options.Add(reference);
        command.SetAction(parse =>
        {
            var outPath = parse.GetValue(output)!;
            // A stream (-, /dev/stdout, a FIFO) has no extension to check: it gets an uncompressed .nii.
            var isStream = outPath == Core.IO.InputFiles.StandardStream || Core.IO.InputFiles.KindOf(outPath) is Core.IO.FileKind.Fifo or Core.IO.FileKind.CharacterDevice;
            if (!isStream && !outPath.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) && !outPath.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase))
            {
                throw new UserInputException($"{outPath}: the output must end with .nii or .nii.gz.");
            }

            var image = ImagingCommandSupport.LoadImage(parse.GetValue(input)!, parse.GetValue(series), parse.GetValue(reference));
            NiftiWriter.Write(outPath, image, new NiftiWriteOptions { XformCode = image.Info.Format == "dicom" ? 1 : 2 });
            foreach (var w in image.Info.Warnings)
            {
                context.Error.WriteLine($"warning: {w.Code}: {w.Message}");
            }

            var g = image.Info.Geometry;
            context.Error.WriteLine($"wrote {outPath} ({g.Size.I}x{g.Size.J}x{g.Size.K}, {image.Info.StoredType.JsonName()})");
            return ExitCodes.Success;
        });
        return command;
    }
}
