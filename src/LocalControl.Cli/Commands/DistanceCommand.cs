using System.CommandLine;
using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Cli.Commands;

/// <summary><c>localcontrol distance IN OUT.nii.gz [--signed] [--label N]</c>: exact Euclidean distance map in mm as float32 NIfTI.</summary>
internal static class DistanceCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("in") { Description = "Label map or mask (NIfTI or NRRD)." };
        var output = new Argument<string>("out") { Description = "Output float32 NIfTI (.nii or .nii.gz)." };
        var signed = new Option<bool>("--signed") { Description = "Signed distance: negative inside the structure, positive outside." };
        var label = new Option<int?>("--label") { Description = "The structure is the voxels equal to N (default: every non-zero voxel)." };
        var command = new Command("distance", "Write the exact Euclidean distance (mm) from every voxel to the structure (0 inside unless --signed).");
        command.Arguments.Add(input);
        command.Arguments.Add(output);
        command.Options.Add(signed);
        command.Options.Add(label);
        command.SetAction(parse =>
        {
            var labels = ImagingCommandSupport.LoadLabels(parse.GetValue(input)!);
            var which = parse.GetValue(label);
            var mask = new Volume<byte>(labels.Geometry);
            long count = 0;
            var src = labels.Buffer;
            var dst = mask.Buffer;
            for (var n = 0; n < src.Length; n++)
            {
                var on = which is { } l ? src[n] == l : src[n] != 0;
                if (on)
                {
                    dst[n] = 1;
                    count++;
                }
            }

            if (count == 0)
            {
                throw new UserInputException(which is { } l2 ? $"no voxel has label {l2}: the distance is undefined." : "the image has no non-zero voxel: the distance is undefined.");
            }

            var map = parse.GetValue(signed) ? EuclideanDistance.Signed(mask) : EuclideanDistance.ToForeground(mask);
            NiftiWriter.Write(parse.GetValue(output)!, map, new NiftiWriteOptions { Description = parse.GetValue(signed) ? "signed distance mm (negative inside)" : "distance mm" });
            context.Error.WriteLine($"wrote {parse.GetValue(output)} ({count} structure voxels)");
            return ExitCodes.Success;
        });
        return command;
    }
}
