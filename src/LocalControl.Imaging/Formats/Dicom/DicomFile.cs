namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>Limits and choices for reading one DICOM file.</summary>
public sealed record DicomReadOptions
{
    /// <summary>Default options: read everything up to and including the pixel data header (the pixels stay in the file).</summary>
    public static DicomReadOptions Default { get; } = new();

    /// <summary>Stop at the top-level Pixel Data element (header-only scans of many files).</summary>
    public bool StopBeforePixelData { get; init; }

    /// <summary>Deepest allowed sequence nesting (clinical objects need fewer than 10 levels).</summary>
    public int MaxSequenceDepth { get; init; } = 64;

    /// <summary>Largest inflated size of a deflated dataset, in bytes (guards against deflate bombs); the budget's byte limit applies too.</summary>
    public long MaxInflatedBytes { get; init; } = 1L << 30;

    /// <summary>The reading budget: caps inflation, frame counts and the volumes built from this file.</summary>
    public ImagingBudget Budget { get; init; } = ImagingBudget.Default;

    /// <summary>Options carrying the budget of <paramref name="read"/>.</summary>
    public static DicomReadOptions From(ImagingReadOptions read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return ReferenceEquals(read.Budget, ImagingBudget.Default) ? Default : new DicomReadOptions { Budget = read.Budget };
    }

    /// <summary>The inflation cap in force: the smaller of <see cref="MaxInflatedBytes"/> and the budget's byte limit.</summary>
    internal long EffectiveMaxInflatedBytes => Math.Min(MaxInflatedBytes, Budget.MaxDecodedBytes);
}

/// <summary>
/// A parsed DICOM file: the file meta information (group 0002), the dataset, and the transfer syntax. Pixel data
/// is not loaded: <see cref="ReadValue"/> and <see cref="DicomPixelDecoder"/> read it from the file on demand.
/// </summary>
public sealed class DicomFile
{
    private readonly byte[]? _inflated;

    internal DicomFile(string? path, DicomDataset meta, DicomDataset dataset, DicomTransferSyntax syntax, bool hasPreamble, byte[]? inflated, ImagingBudget? budget = null)
    {
        Budget = budget ?? ImagingBudget.Default;
        FilePath = path;
        FileMetaInformation = meta;
        Dataset = dataset;
        TransferSyntax = syntax;
        HasPreamble = hasPreamble;
        _inflated = inflated;
    }

    /// <summary>The file read, if it came from a file.</summary>
    public string? FilePath { get; }

    /// <summary>The file meta information (group 0002); empty for a bare dataset without one.</summary>
    public DicomDataset FileMetaInformation { get; }

    /// <summary>The main dataset.</summary>
    public DicomDataset Dataset { get; }

    /// <summary>How the dataset is encoded (from the meta information, or guessed from the first element when absent).</summary>
    public DicomTransferSyntax TransferSyntax { get; }

    /// <summary>The reading budget the file was read under; volumes built from it respect it too.</summary>
    public ImagingBudget Budget { get; }

    /// <summary>True when the file has the 128-byte preamble and <c>DICM</c>.</summary>
    public bool HasPreamble { get; }

    /// <summary>
    /// Reads <paramref name="length"/> bytes at <paramref name="offset"/> of the (inflated) file: how deferred values
    /// such as pixel data are loaded. Throws <see cref="ImagingException"/> when the file is shorter.
    /// </summary>
    public byte[] ReadRange(long offset, long length, DicomTag tag)
    {
        if (_inflated is not null)
        {
            if (offset < 0 || length < 0 || offset + length > _inflated.Length)
            {
                throw DicomThrowHelper.Truncated(FilePath, tag, offset, length, Math.Max(0, _inflated.Length - offset));
            }

            return _inflated.AsSpan((int)offset, (int)length).ToArray();
        }

        if (FilePath is null)
        {
            throw new InvalidOperationException("This dataset was read from a stream; its deferred values are gone.");
        }

        using var fs = ImagingFiles.OpenRegular(FilePath, 1, FileOptions.SequentialScan);
        if (offset + length > fs.Length)
        {
            throw DicomThrowHelper.Truncated(FilePath, tag, offset, length, Math.Max(0, fs.Length - offset));
        }

        var result = new byte[length];
        fs.Position = offset;
        fs.ReadExactly(result);
        return result;
    }

    /// <summary>Reads into <paramref name="destination"/> the bytes at <paramref name="offset"/>; used to fill volume buffers without a copy.</summary>
    internal void ReadRangeInto(long offset, Span<byte> destination, DicomTag tag)
    {
        if (_inflated is not null || FilePath is null)
        {
            ReadRange(offset, destination.Length, tag).CopyTo(destination);
            return;
        }

        using var fs = ImagingFiles.OpenRegular(FilePath, 1, FileOptions.SequentialScan);
        if (offset + destination.Length > fs.Length)
        {
            throw DicomThrowHelper.Truncated(FilePath, tag, offset, destination.Length, Math.Max(0, fs.Length - offset));
        }

        fs.Position = offset;
        fs.ReadExactly(destination);
    }

    /// <summary>The value of <paramref name="element"/>: its bytes in memory, or read from the file when it was deferred.</summary>
    public byte[] ReadValue(DicomElement element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return element.RawValue ?? ReadRange(element.ValueOffset, element.Length, element.Tag);
    }
}
