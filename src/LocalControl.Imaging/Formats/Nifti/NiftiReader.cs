namespace LocalControl.Imaging.Formats.Nifti;

/// <summary>Reads NIfTI-1 and NIfTI-2 images (.nii, .nii.gz, .hdr/.img), either byte order, into LPS geometry.</summary>
public static class NiftiReader
{
    /// <summary>Reads only the header (for .nii.gz, only the first 540 decompressed bytes are inflated).</summary>
    public static ImageInfo Identify(string path) => IdentifyWithHeader(path).Info;

    /// <summary>Reads only the header within <paramref name="options"/> (budget, second files).</summary>
    public static ImageInfo Identify(string path, ImagingReadOptions options) => IdentifyWithHeader(path, options).Info;

    /// <summary>Reads only the header and returns the raw header fields as well.</summary>
    public static (NiftiHeader Header, ImageInfo Info) IdentifyWithHeader(string path) => IdentifyWithHeader(path, ImagingReadOptions.Default);

    /// <summary>Reads only the header and returns the raw header fields as well, within <paramref name="options"/>.</summary>
    public static (NiftiHeader Header, ImageInfo Info) IdentifyWithHeader(string path, ImagingReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        var header = NiftiReaderCore.ReadHeader(path);
        var layout = NiftiReaderCore.Describe(header, path, options);
        return (header, layout.Info);
    }

    /// <summary>Reads the header and all voxels.</summary>
    public static LoadedImage Load(string path) => Load(path, ImagingReadOptions.Default);

    /// <summary>Reads the header and all voxels within <paramref name="options"/>: the claim is checked before allocating.</summary>
    public static LoadedImage Load(string path, ImagingReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        var header = NiftiReaderCore.ReadHeader(path);
        var layout = NiftiReaderCore.Describe(header, path, options);
        return new LoadedImage(layout.Info, NiftiReaderCore.ReadVoxels(layout, options));
    }
}

/// <summary>The NIfTI entry of the format registry: detected by <c>sizeof_hdr</c> (348/540, either byte order) plus the magic.</summary>
public sealed class NiftiFormat : IVolumeFormat
{
    /// <inheritdoc />
    public string Name => "nifti";

    /// <inheritdoc />
    public bool IsMatch(string path, ReadOnlySpan<byte> head) => NiftiHeaderCodec.Probe(head) is not null;

    /// <inheritdoc />
    public ImageInfo Identify(string path) => NiftiReader.Identify(path);

    /// <inheritdoc />
    public ImageInfo Identify(string path, ImagingReadOptions options) => NiftiReader.Identify(path, options);

    /// <inheritdoc />
    public LoadedImage Load(string path) => NiftiReader.Load(path);

    /// <inheritdoc />
    public LoadedImage Load(string path, ImagingReadOptions options) => NiftiReader.Load(path, options);
}
