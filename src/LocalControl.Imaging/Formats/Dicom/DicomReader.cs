namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// Reads DICOM Part 10 files (and bare datasets without a meta header): implicit VR little endian, explicit VR
/// little and big endian, deflated explicit VR little endian, and the encapsulated syntaxes (whose pixels only
/// RLE Lossless can decode). Only the header is read; pixel data stays in the file until asked for.
/// </summary>
public static class DicomReader
{
    /// <summary>Reads a DICOM file.</summary>
    /// <exception cref="ImagingException">The file is not DICOM, is truncated or malformed (codes LC-DICOM-001…004, 015).</exception>
    public static DicomFile Read(string path, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream fs;
        try
        {
            fs = ImagingFiles.OpenRegular(path, 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImagingException(DicomErrorCodes.NotDicom, $"cannot open the file: {Core.IO.IoErrors.Describe(ex)}", path, inner: ex);
        }

        using (fs)
        {
            return Read(fs, path, options);
        }
    }

    /// <summary>Reads a DICOM file from a seekable stream (deferred values are read back from <paramref name="path"/>, if given).</summary>
    public static DicomFile Read(Stream stream, string? path, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= DicomReadOptions.Default;
        try
        {
            var core = new DicomReaderCore(stream, path, options);
            var (meta, hasPreamble) = core.ReadMeta();
            var tsUid = meta.GetString(DicomTag.TransferSyntaxUid);
            var syntax = string.IsNullOrEmpty(tsUid) ? core.GuessTransferSyntax() : DicomTransferSyntax.Parse(tsUid);
            if (!syntax.IsDeflated)
            {
                var ds = core.ReadTopLevel(syntax);
                return new DicomFile(path, meta, ds, syntax, hasPreamble, stream is MemoryStream ms && path is null ? ms.ToArray() : null, options.Budget);
            }

            var inflatedBytes = core.InflateRest(options.EffectiveMaxInflatedBytes);
            using var inflated = new MemoryStream(inflatedBytes, writable: false);
            var inner = new DicomReaderCore(inflated, path, options);
            var dataset = inner.ReadTopLevel(syntax);
            return new DicomFile(path, meta, dataset, syntax, hasPreamble, inflatedBytes, options.Budget);
        }
        catch (EndOfStreamException ex)
        {
            throw new ImagingException(DicomErrorCodes.Truncated, "the file ends in the middle of an element", path, inner: ex);
        }
        catch (IOException ex)
        {
            throw new ImagingException(DicomErrorCodes.Truncated, $"cannot read the file: {ex.Message}", path, inner: ex);
        }
    }

    /// <summary>Reads only the header (everything before the top-level pixel data): the cheap scan used for folders.</summary>
    public static DicomFile ReadHeader(string path) => Read(path, DicomReadOptions.Default with { StopBeforePixelData = true });

    /// <summary>Reads a DICOM file within the budget of <paramref name="options"/>.</summary>
    public static DicomFile Read(string path, ImagingReadOptions options) => Read(path, DicomReadOptions.From(options));
}
