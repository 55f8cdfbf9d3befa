namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// RLE Lossless (PS3.5 annex G): a 64-byte header with up to 15 segment offsets, one segment per byte plane
/// (most significant byte first) of each sample, each segment PackBits-coded. Decodes one frame into native
/// little-endian, sample-interleaved bytes.
/// </summary>
internal static class DicomRleDecoder
{
    public static byte[] DecodeFrame(ReadOnlySpan<byte> data, DicomPixelDescription d, string? file, long fileOffset)
    {
        var bytesPerSample = d.BitsAllocated / 8;
        if (d.BitsAllocated == 1 || bytesPerSample < 1)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.UnsupportedPixelFormat, "RLE with BitsAllocated 1 is not supported", file, DicomTag.BitsAllocated);
        }

        if (data.Length < 64)
        {
            throw Corrupt(file, fileOffset, "the RLE header is shorter than 64 bytes");
        }

        var segmentCount = BitConverter.ToUInt32(data[..4]);
        var expected = d.SamplesPerPixel * bytesPerSample;
        if (segmentCount != expected)
        {
            throw Corrupt(file, fileOffset, $"the RLE header lists {segmentCount} segments, the pixel description needs {expected}");
        }

        var pixels = (int)d.PixelsPerFrame;
        if ((long)pixels * expected > 64L * data.Length + 64)
        {
            throw Corrupt(file, fileOffset, $"{data.Length} bytes of RLE data cannot expand to {(long)pixels * expected} bytes (PackBits expands at most 64-fold)");
        }

        var output = new byte[pixels * expected];
        var segment = new byte[pixels];
        for (var s = 0; s < segmentCount; s++)
        {
            var start = BitConverter.ToUInt32(data.Slice(4 + 4 * s, 4));
            var end = s + 1 < segmentCount ? BitConverter.ToUInt32(data.Slice(8 + 4 * s, 4)) : (uint)data.Length;
            if (start < 64 || start > end || end > data.Length)
            {
                throw Corrupt(file, fileOffset, $"RLE segment {s + 1} has offsets {start}..{end} outside the {data.Length}-byte frame");
            }

            var n = PackBits(data[(int)start..(int)end], segment);
            if (n < pixels)
            {
                throw Corrupt(file, fileOffset + start, $"RLE segment {s + 1} decodes to {n} bytes, {pixels} needed");
            }

            // Segment order: sample by sample, most significant byte first; output is little endian, interleaved.
            var sample = s / bytesPerSample;
            var byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
            var stride = expected;
            var at = sample * bytesPerSample + byteInSample;
            for (var p = 0; p < pixels; p++)
            {
                output[at + p * stride] = segment[p];
            }
        }

        return output;
    }

    /// <summary>PackBits decoding into <paramref name="output"/>; returns the bytes written (extra output is dropped).</summary>
    private static int PackBits(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var i = 0;
        var o = 0;
        while (i < input.Length && o < output.Length)
        {
            var n = (sbyte)input[i++];
            if (n >= 0)
            {
                var count = Math.Min(n + 1, input.Length - i);
                count = Math.Min(count, output.Length - o);
                input.Slice(i, count).CopyTo(output[o..]);
                i += n + 1;
                o += count;
            }
            else if (n != -128)
            {
                if (i >= input.Length)
                {
                    break;
                }

                var count = Math.Min(1 - n, output.Length - o);
                output.Slice(o, count).Fill(input[i++]);
                o += count;
            }
        }

        return o;
    }

    private static ImagingException Corrupt(string? file, long offset, string message) =>
        DicomThrowHelper.Error(DicomErrorCodes.RleCorrupt, message, file, DicomTag.PixelData, offset);
}
