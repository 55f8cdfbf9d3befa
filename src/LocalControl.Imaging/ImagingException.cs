namespace LocalControl.Imaging;

/// <summary>
/// A problem with an input image or segmentation file: the user's file, not our code. It carries a stable,
/// searchable <see cref="Code"/> (e.g. <c>LC-NIFTI-003</c>), the file, and where known the header field or
/// byte offset. The CLI prints <see cref="Exception.Message"/> and exits with 2; it never shows a stack trace.
/// </summary>
public class ImagingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImagingException(string code, string message, string? filePath = null, string? field = null, long? byteOffset = null, Exception? inner = null)
        : base(Compose(code, message, filePath, field, byteOffset), inner)
    {
        Code = code;
        FilePath = filePath;
        Field = field;
        ByteOffset = byteOffset;
    }

    /// <summary>Creates an exception without details (for serializers and tests).</summary>
    public ImagingException()
        : this("LC-IMG-000", "Imaging error.")
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    public ImagingException(string message)
        : this("LC-IMG-000", message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    public ImagingException(string message, Exception inner)
        : this("LC-IMG-000", message, inner: inner)
    {
    }

    /// <summary>Stable error code, documented in docs/errors.md.</summary>
    public string Code { get; }

    /// <summary>The file concerned, if any.</summary>
    public string? FilePath { get; }

    /// <summary>The header field or tag concerned, if any.</summary>
    public string? Field { get; }

    /// <summary>Byte offset in the (decompressed) file where the problem was found, if known.</summary>
    public long? ByteOffset { get; }

    private static string Compose(string code, string message, string? filePath, string? field, long? byteOffset)
    {
        var where = new List<string>(3);
        if (filePath is not null)
        {
            where.Add(filePath);
        }

        if (field is not null)
        {
            where.Add($"field {field}");
        }

        if (byteOffset is not null)
        {
            where.Add(FormattableString.Invariant($"byte {byteOffset}"));
        }

        return where.Count == 0 ? $"{code}: {message}" : $"{code}: {string.Join(", ", where)}: {message}";
    }
}
