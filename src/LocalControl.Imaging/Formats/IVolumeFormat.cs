namespace LocalControl.Imaging.Formats;

/// <summary>
/// One image file format (NIfTI, NRRD, DICOM …), one folder under <c>Formats/</c> each. A format says whether it
/// recognises a file from its first bytes (<see cref="IsMatch"/>), reads only the header cheaply
/// (<see cref="Identify(string, ImagingReadOptions)"/>) and reads the whole image (<see cref="Load(string, ImagingReadOptions)"/>), both within the
/// <see cref="ImagingReadOptions"/> budget. Geometry is always returned in LPS.
/// Register a new format in <see cref="VolumeFormats"/>; nothing else needs editing.
/// </summary>
public interface IVolumeFormat
{
    /// <summary>Short stable name, e.g. <c>nifti</c>, <c>nrrd</c>, <c>dicom</c>.</summary>
    string Name { get; }

    /// <summary>
    /// True when this format recognises <paramref name="path"/>. <paramref name="head"/> holds the first bytes of
    /// the file (up to <see cref="VolumeFormats.HeadLength"/>; gzip files are given decompressed), or is empty
    /// when <paramref name="path"/> is a folder (DICOM series).
    /// </summary>
    bool IsMatch(string path, ReadOnlySpan<byte> head);

    /// <summary>Reads only the header with <see cref="ImagingReadOptions.Default"/>.</summary>
    /// <exception cref="ImagingException">The header is invalid.</exception>
    ImageInfo Identify(string path) => Identify(path, ImagingReadOptions.Default);

    /// <summary>
    /// Reads only the header: geometry, data type, warnings. Must not read or inflate the voxel data. Refuses a header
    /// whose claim exceeds <see cref="ImagingReadOptions.Budget"/> and second files the options or the path rule
    /// (<see cref="ImagingFiles.ResolveCompanion"/>) refuse.
    /// </summary>
    /// <exception cref="ImagingException">The header is invalid or over budget.</exception>
    ImageInfo Identify(string path, ImagingReadOptions options);

    /// <summary>Reads the header and every voxel with <see cref="ImagingReadOptions.Default"/>.</summary>
    /// <exception cref="ImagingException">The file is invalid, truncated or too large.</exception>
    LoadedImage Load(string path) => Load(path, ImagingReadOptions.Default);

    /// <summary>
    /// Reads the header and every voxel within <see cref="ImagingReadOptions.Budget"/>: the header's claim is checked
    /// before anything is allocated and decompression stops at the budget.
    /// </summary>
    /// <exception cref="ImagingException">The file is invalid, truncated or over budget.</exception>
    LoadedImage Load(string path, ImagingReadOptions options);
}
