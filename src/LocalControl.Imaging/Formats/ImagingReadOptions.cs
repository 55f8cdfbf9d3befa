namespace LocalControl.Imaging.Formats;

/// <summary>
/// Choices for reading any image through <see cref="VolumeFormats"/> or a format's <c>Load</c>/<c>Identify</c>:
/// the decoding <see cref="Budget"/> and whether a header may point at a second file. Use <see cref="Default"/> for
/// files on the user's own machine (the CLI) and <see cref="ForUploads"/> for files received from someone else.
/// </summary>
public sealed record ImagingReadOptions
{
    /// <summary>The CLI's choices: <see cref="ImagingBudget.Default"/>, companion files allowed (inside the header's folder only).</summary>
    public static ImagingReadOptions Default { get; } = new();

    /// <summary>For uploads: <see cref="ImagingBudget.ForUploads"/> and no second files (one self-contained file).</summary>
    public static ImagingReadOptions ForUploads { get; } = new() { Budget = ImagingBudget.ForUploads, AllowExternalDataFiles = false };

    /// <summary>How much a read may decode.</summary>
    public ImagingBudget Budget { get; init; } = ImagingBudget.Default;

    /// <summary>
    /// Whether a header may name a second file holding the voxels (NRRD <c>data file</c>, a NIfTI <c>.hdr</c>'s
    /// <c>.img</c>). Even when true the second file must be a regular file inside the header's own folder
    /// (<see cref="ImagingFiles.ResolveCompanion"/>); when false such headers are refused (<c>LC-IMG-006</c>).
    /// </summary>
    public bool AllowExternalDataFiles { get; init; } = true;

    /// <summary>Most bytes of a DICOM folder walk: files looked at (a folder with more is refused, <c>LC-IMG-007</c>).</summary>
    public int MaxFolderFiles { get; init; } = 100_000;
}
