using LocalControl.Core.IO;

namespace LocalControl.Imaging.Formats;

/// <summary>
/// The path rule every reader follows. An image file is opened only if it is a regular file (a FIFO or device is
/// refused before it is opened). A second file named by a header (NRRD <c>data file</c>, the <c>.img</c> of a NIfTI
/// <c>.hdr</c>) must resolve inside the header's own folder: a relative name, no <c>..</c>, no absolute path, no
/// symbolic link whose target leaves the folder, a regular file. Messages about a refused reference never name a path
/// outside that folder, nor say whether it exists.
/// </summary>
public static class ImagingFiles
{
    /// <summary>Error code: a second file the path rule refuses.</summary>
    public const string CompanionRefusedCode = "LC-IMG-004";

    /// <summary>Error code: an input that is not a regular file (FIFO, device, socket) or cannot be opened.</summary>
    public const string NotRegularCode = "LC-IMG-005";

    /// <summary>Error code: a header names a second file but second files are not allowed (uploads).</summary>
    public const string ExternalDataRefusedCode = "LC-IMG-006";

    /// <summary>Opens an image file for reading; it must be a regular file.</summary>
    /// <exception cref="ImagingException"><see cref="NotRegularCode"/> (or <see cref="FileNotFoundException"/> when it does not exist).</exception>
    public static FileStream OpenRegular(string path, int bufferSize = 4096, FileOptions options = FileOptions.None)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return InputFiles.OpenRegular(path, path, bufferSize, options);
        }
        catch (InputFileException ex) when (ex.Kind == FileKind.Missing)
        {
            throw new FileNotFoundException(ex.Message, path, ex);
        }
        catch (InputFileException ex)
        {
            throw new ImagingException(NotRegularCode, ex.Problem, path, inner: ex);
        }
    }

    /// <summary>
    /// Resolves <paramref name="reference"/>, a file name written in the header <paramref name="headerPath"/>, to a
    /// regular file inside the header's folder, following the path rule (see the type's summary).
    /// </summary>
    /// <param name="headerPath">The header file the user gave.</param>
    /// <param name="reference">The name written in the header.</param>
    /// <param name="options">The read options; <see cref="ImagingReadOptions.AllowExternalDataFiles"/> false refuses every reference.</param>
    /// <param name="field">The header field holding the reference (e.g. <c>data file</c>), for the message.</param>
    /// <returns>The canonical path of the companion file.</returns>
    /// <exception cref="ImagingException"><see cref="CompanionRefusedCode"/>, <see cref="ExternalDataRefusedCode"/> or <see cref="NotRegularCode"/>.</exception>
    public static string ResolveCompanion(string headerPath, string reference, ImagingReadOptions options, string field)
    {
        ArgumentNullException.ThrowIfNull(headerPath);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.AllowExternalDataFiles)
        {
            throw new ImagingException(ExternalDataRefusedCode,
                "the header keeps its voxels in a separate file, which is not accepted here: give one self-contained file (e.g. an attached .nrrd or a .nii).", headerPath, field);
        }

        if (reference.Length == 0 || reference.Contains('\0', StringComparison.Ordinal))
        {
            throw new ImagingException(CompanionRefusedCode, "the data file name is empty or not a file name.", headerPath, field);
        }

        if (Path.IsPathRooted(reference) || reference.StartsWith('~'))
        {
            throw new ImagingException(CompanionRefusedCode,
                "the data file must be named relative to the header's folder; an absolute path is refused.", headerPath, field);
        }

        var parts = reference.Split(['/', '\\']);
        if (Array.Exists(parts, p => p == ".."))
        {
            throw new ImagingException(CompanionRefusedCode,
                "the data file must lie in the header's folder; a name with \"..\" is refused.", headerPath, field);
        }

        var folder = InputFiles.RealPath(Path.GetDirectoryName(Path.GetFullPath(headerPath)) is { Length: > 0 } d ? d : ".")
            ?? throw new ImagingException(CompanionRefusedCode, "the header's folder cannot be resolved.", headerPath, field);
        var shown = Shown(reference);
        var candidate = Path.Combine(folder, reference);
        var real = InputFiles.RealPath(candidate);
        if (real is null && InputFiles.KindOf(candidate, followLinks: false) == FileKind.Missing)
        {
            // Only names inside the folder reach here, so "not found" reveals nothing outside it.
            throw new ImagingException(CompanionRefusedCode, $"the data file \"{shown}\" was not found in the header's folder.", headerPath, field);
        }

        if (real is null || !InputFiles.IsInside(folder, real))
        {
            // One message whether the link's target exists or not: nothing is revealed about paths outside the folder.
            throw new ImagingException(CompanionRefusedCode,
                $"the data file \"{shown}\" is a link that does not lead to a file inside the header's folder; refused.", headerPath, field);
        }

        var kind = InputFiles.KindOf(real);
        if (kind != FileKind.Regular)
        {
            throw new ImagingException(NotRegularCode, $"the data file \"{shown}\" is {InputFiles.Describe(kind)}, not a regular file.", headerPath, field);
        }

        return real;
    }

    /// <summary>
    /// Wraps a decompressing stream so that reading more than <paramref name="maxBytes"/> from it throws
    /// <see cref="ImagingBudget.OverBudgetCode"/> at the budget, not after.
    /// </summary>
    public static Stream LimitDecoded(Stream decoded, long maxBytes, string? file, string? field = null) => new LimitedReadStream(decoded, maxBytes, file, field);

    /// <summary>A header value shown in a message: at most 80 characters, no control characters.</summary>
    public static string Shown(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var clean = new string([.. value.Take(81).Select(c => char.IsControl(c) ? '?' : c)]);
        return clean.Length > 80 ? clean[..80] + "…" : clean;
    }
}

/// <summary>A read-only stream that refuses to deliver more than a fixed number of bytes (see <see cref="ImagingFiles.LimitDecoded"/>).</summary>
internal sealed class LimitedReadStream(Stream inner, long maxBytes, string? file, string? field) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }

        // Ask for at most one byte past the budget: reaching it proves the stream is over budget.
        var allowed = maxBytes - _read + 1;
        var got = inner.Read(buffer[..(int)Math.Min(buffer.Length, Math.Max(1, allowed))]);
        _read += got;
        if (_read > maxBytes)
        {
            throw new ImagingException(ImagingBudget.OverBudgetCode, FormattableString.Invariant(
                $"the compressed data inflates to more than {maxBytes} bytes, the reading budget; refusing it (a decompression bomb or a header that understates the data)."), file, field);
        }

        return got;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
