using System.CommandLine;
using System.Runtime.CompilerServices;
using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Volumes;
using LocalControl.Imaging.Formats;

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
            var inPath = parse.GetValue(input)!;
            var outPath = parse.GetValue(output)!;
            var isSigned = parse.GetValue(signed);
            var which = parse.GetValue(label);
            using var progress = Progress.Start(context, "distance");
            progress.Step("reading " + inPath);
            var mask = LoadMask(inPath, which, out var count);
            // Give the stored voxels back now (an int32 label map is as large as the result) so the float32 field
            // reuses their memory instead of adding to it: the peak is the mask plus one float32 field (docs/cli.md#distance).
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            if (count == 0)
            {
                throw new UserInputException(which is { } l2 ? $"no voxel has label {l2}: the distance is undefined." : "the image has no non-zero voxel: the distance is undefined.");
            }

            progress.Step(isSigned ? "signed distance transform" : "distance transform");
            var map = isSigned ? EuclideanDistance.Signed(mask) : EuclideanDistance.ToForeground(mask);
            progress.Step("writing " + outPath);
            NiftiWriter.Write(outPath, map, new NiftiWriteOptions { Description = isSigned ? "signed distance mm (negative inside)" : "distance mm" });
            progress.Done();
            context.Error.WriteLine($"wrote {outPath} ({count} structure voxels)");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The structure as a one-byte mask, built straight from the stored voxels (no int32 label copy). A method of
    /// its own so that nothing in the caller's frame keeps the loaded image alive once it returns.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Volume<byte> LoadMask(string path, int? label, out long count)
    {
        var image = ImagingCommandSupport.FromStandardInput(path, VolumeFormats.Load);
        ImagingCommandSupport.RefuseSeveralFrames(image, path);
        return image.ToMask(label, out count);
    }
}
