using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>Choices when loading DICOM through <see cref="DicomFormat"/>.</summary>
/// <param name="Series">SeriesInstanceUID or 0-based index of the series to read from a folder with several (as <c>--series</c>).</param>
/// <param name="Reference">
/// For SEG and RTSTRUCT: the referenced image (file or folder) whose grid the label map is put on. Required for
/// RTSTRUCT; a SEG without it gets the grid its frames span.
/// </param>
public sealed record DicomLoadOptions(string? Series = null, string? Reference = null)
{
    /// <summary>The reading budget and second-file rule (<see cref="ImagingReadOptions.Default"/> unless set).</summary>
    public ImagingReadOptions Read { get; init; } = ImagingReadOptions.Default;
}

/// <summary>
/// DICOM in the <see cref="IVolumeFormat"/> registry: a folder (one series, chosen with
/// <see cref="DicomLoadOptions.Series"/> when there are several), an image file (single- or multi-frame), a DICOM SEG
/// or an RTSTRUCT (label maps). Images load as float32 values after the modality LUT (HU for CT); SEG and RTSTRUCT
/// load as int32 labels with their label table (segment or ROI names, roles, colours).
/// </summary>
public sealed class DicomFormat : IVolumeFormat
{
    /// <inheritdoc />
    public string Name => "dicom";

    /// <inheritdoc />
    public bool IsMatch(string path, ReadOnlySpan<byte> head) => Directory.Exists(path) || DicomFormatDetector.IsDicom(head);

    /// <inheritdoc />
    public ImageInfo Identify(string path) => Identify(path, new DicomLoadOptions());

    /// <inheritdoc />
    public ImageInfo Identify(string path, ImagingReadOptions options) => Identify(path, new DicomLoadOptions { Read = options });

    /// <inheritdoc />
    public LoadedImage Load(string path) => Load(path, new DicomLoadOptions());

    /// <inheritdoc />
    public LoadedImage Load(string path, ImagingReadOptions options) => Load(path, new DicomLoadOptions { Read = options });

    /// <summary>Reads only headers: the geometry of the chosen series, or of the SEG/RTSTRUCT label map.</summary>
    /// <exception cref="ImagingException">Unreadable, no or ambiguous series, irregular grid.</exception>
    public ImageInfo Identify(string path, DicomLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        var kind = Kind(path, options.Read, out var file);
        if (kind == ObjectKind.Image)
        {
            var series = DicomSeriesBuilder.Select(path, options.Series, options.Read);
            var (geometry, _, warnings) = DicomSeriesBuilder.ComputeGeometry(series);
            return new ImageInfo(Name, path, geometry, VoxelType.Float32, warnings: warnings);
        }

        var labels = LoadLabels(kind, file!, options);
        return labels.Info;
    }

    /// <summary>Reads the chosen series (values after the modality LUT), or the SEG/RTSTRUCT label map on its grid.</summary>
    public LoadedImage Load(string path, DicomLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        var kind = Kind(path, options.Read, out var file);
        if (kind == ObjectKind.Image)
        {
            var volume = DicomSeriesBuilder.Build(DicomSeriesBuilder.Select(path, options.Series, options.Read));
            return new LoadedImage(new ImageInfo(Name, path, volume.Geometry, VoxelType.Float32, warnings: volume.Warnings), volume.Voxels.Buffer);
        }

        return LoadLabels(kind, file!, options);
    }

    private LoadedImage LoadLabels(ObjectKind kind, DicomFile file, DicomLoadOptions options)
    {
        var path = file.FilePath ?? string.Empty;
        ImageGeometry? reference = options.Reference is { } r
            ? (VolumeFormats.Detect(r) is DicomFormat ? Identify(r, new DicomLoadOptions(options.Series) { Read = options.Read }) : VolumeFormats.Identify(r, options.Read)).Geometry
            : null;
        if (kind == ObjectKind.Segmentation)
        {
            var seg = DicomSegReader.Read(file, reference);
            return new LoadedImage(new ImageInfo(Name, path, seg.LabelMap.Labels.Geometry, VoxelType.Int32, warnings: seg.Warnings), seg.LabelMap.Labels.Buffer)
            {
                LabelTable = seg.LabelMap.Table,
            };
        }

        if (reference is null)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.RtStruct,
                "an RTSTRUCT holds contours, not voxels: give the image it was drawn on (--reference / --image) to rasterise it onto that grid", path, DicomTag.StructureSetRoiSequence);
        }

        var (map, warnings) = DicomContourRasteriser.Rasterise(DicomRtStructReader.Read(file), reference);
        return new LoadedImage(new ImageInfo(Name, path, reference, VoxelType.Int32, warnings: warnings), map.Labels.Buffer) { LabelTable = map.Table };
    }

    /// <summary>What a path holds: an image (folder or image file), a SEG or an RTSTRUCT.</summary>
    private static ObjectKind Kind(string path, ImagingReadOptions read, out DicomFile? file)
    {
        file = null;
        if (Directory.Exists(path))
        {
            return ObjectKind.Image;
        }

        file = DicomReader.Read(path, read);
        var modality = file.Dataset.GetString(DicomTag.Modality);
        return modality == "SEG" ? ObjectKind.Segmentation
            : modality == "RTSTRUCT" || file.Dataset.Contains(DicomTag.StructureSetRoiSequence) ? ObjectKind.StructureSet
            : ObjectKind.Image;
    }

    private enum ObjectKind
    {
        Image,
        Segmentation,
        StructureSet,
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
