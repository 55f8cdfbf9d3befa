using LocalControl.Imaging.Formats;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// DICOM in the <see cref="IVolumeFormat"/> registry: a folder (its only series), an image file (single- or
/// multi-frame), or a DICOM SEG (a label map on the grid its frames span). Images load as float32 values after the
/// modality LUT (HU for CT); SEG loads as int32 labels. RTSTRUCT needs a reference grid: use
/// <see cref="DicomContourRasteriser"/> directly.
/// </summary>
public sealed class DicomFormat : IVolumeFormat
{
    /// <inheritdoc />
    public string Name => "dicom";

    /// <inheritdoc />
    public bool IsMatch(string path, ReadOnlySpan<byte> head)
    {
        if (Directory.Exists(path))
        {
            return true;
        }

        return DicomFormatDetector.IsDicom(head);
    }

    /// <inheritdoc />
    public ImageInfo Identify(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!Directory.Exists(path) && IsSeg(path, out var file))
        {
            var seg = DicomSegReader.Read(file);
            return new ImageInfo(Name, path, seg.LabelMap.Labels.Geometry, VoxelType.Int32, warnings: seg.Warnings);
        }

        var series = DicomSeriesBuilder.Select(path);
        var (geometry, _, warnings) = DicomSeriesBuilder.ComputeGeometry(series);
        return new ImageInfo(Name, path, geometry, VoxelType.Float32, warnings: warnings);
    }

    /// <inheritdoc />
    public LoadedImage Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!Directory.Exists(path) && IsSeg(path, out var file))
        {
            var seg = DicomSegReader.Read(file);
            return new LoadedImage(new ImageInfo(Name, path, seg.LabelMap.Labels.Geometry, VoxelType.Int32, warnings: seg.Warnings), seg.LabelMap.Labels.Buffer);
        }

        var volume = DicomSeriesBuilder.Load(path);
        return new LoadedImage(new ImageInfo(Name, path, volume.Geometry, VoxelType.Float32, warnings: volume.Warnings), volume.Voxels.Buffer);
    }

    private static bool IsSeg(string path, out DicomFile file)
    {
        file = DicomReader.Read(path);
        return file.Dataset.GetString(DicomTag.Modality) == "SEG";
    }
}

/// <summary>Recognises DICOM from a file's first bytes.</summary>
public static class DicomFormatDetector
{
    /// <summary>True for <c>DICM</c> at byte 128, or a bare dataset starting with group 0002 or 0008 and an explicit VR or plausible length.</summary>
    public static bool IsDicom(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M')
        {
            return true;
        }

        if (head.Length < 8)
        {
            return false;
        }

        var group = head[0] | (head[1] << 8);
        var vrLetters = head[4] is >= (byte)'A' and <= (byte)'Z' && head[5] is >= (byte)'A' and <= (byte)'Z';
        return group is 0x0002 or 0x0008 && (vrLetters || (head[6] == 0 && head[7] == 0));
    }
}
