namespace LocalControl.Imaging.Formats.Dicom.Codecs;

/// <summary>A native codec refused a stream, or is not installed (<see cref="LibraryMissing"/>).</summary>
internal sealed class CodecException(string message, bool libraryMissing = false) : Exception(message)
{
    /// <summary>True when the shared library could not be loaded; the message names the Debian package.</summary>
    public bool LibraryMissing { get; } = libraryMissing;
}

/// <summary>Writes decoded samples (any integer width) into native little-endian output of BitsAllocated bits.</summary>
internal static class SampleWriter
{
    public static void Write(Span<byte> output, int index, int bitsAllocated, int value)
    {
        switch (bitsAllocated)
        {
            case 8:
                output[index] = (byte)value;
                break;
            case 16:
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(output.Slice(2 * index), (ushort)value);
                break;
            default:
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(output.Slice(4 * index), value);
                break;
        }
    }
}

/// <summary>Checks shared by the native codecs before a stream is handed to them.</summary>
internal static class CodestreamChecks
{
    /// <summary>
    /// The stream (without DICOM's trailing zero padding) must end with the end-of-image marker FF D9 (JPEG-LS EOI,
    /// JPEG 2000 EOC). A truncated stream is refused here: CharLS 2.4 can spend minutes on some truncated streams
    /// before it reports them, and a refusal that names the truncation is the clearer message anyway.
    /// </summary>
    public static ReadOnlySpan<byte> RequireEndMarker(ReadOnlySpan<byte> data, string what)
    {
        var end = data.Length;
        while (end > 0 && data[end - 1] == 0)
        {
            end--;
        }

        if (end < 4 || data[end - 2] != 0xFF || data[end - 1] != 0xD9)
        {
            throw new CodecException($"the {what} stream of {data.Length} bytes does not end with its end marker FF D9 (truncated or corrupt)");
        }

        return data[..end];
    }
}
