using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LocalControl.Imaging.Formats.Dicom.Codecs;

/// <summary>A JPEG stream that cannot be decoded: what is wrong and where (byte offset in the frame's stream).</summary>
internal sealed class JpegDataException(string message, int offset, bool unsupported = false) : Exception(message)
{
    /// <summary>Byte offset in the frame's JPEG stream.</summary>
    public int Offset { get; } = offset;

    /// <summary>True for valid JPEG this decoder does not implement (progressive, arithmetic coding, hierarchical).</summary>
    public bool Unsupported { get; } = unsupported;
}

/// <summary>The frame header (SOF) of a JPEG stream.</summary>
internal sealed record JpegFrameHeader(int Marker, int Precision, int Height, int Width, JpegComponent[] Components)
{
    public bool IsLossless => Marker == 0xC3;
}

/// <summary>One component of a frame: its identifier, sampling factors and quantisation table.</summary>
internal sealed record JpegComponent(int Id, int H, int V, int QuantTable);

/// <summary>
/// Decodes the JPEG processes DICOM uses for pixel data (PS3.5 §A.4.1): lossless (process 14, SOF3, any predictor
/// 1–7, 2–16 bits, point transform, restart intervals; transfer syntaxes 1.2.840.10008.1.2.4.57 and .70) and
/// sequential DCT with Huffman coding (baseline SOF0 8-bit and extended SOF1 8/12-bit; .50 and .51), the latter with
/// the integer inverse DCT of the IJG library (what dcmtk's <c>dcmdjpeg</c> and pydicom's back ends use) so that the
/// results agree sample for sample. The frame size is checked against what the DICOM header says before anything is
/// allocated; output is native little-endian samples, interleaved, as many bytes per sample as BitsAllocated says.
/// </summary>
internal static partial class JpegDecoder
{
    /// <summary>Reads the frame header only (the first SOF of the stream).</summary>
    public static JpegFrameHeader ReadFrameHeader(ReadOnlySpan<byte> data)
    {
        var p = ExpectSoi(data);
        while (true)
        {
            var (marker, at) = NextMarker(data, p);
            var length = SegmentLength(data, at);
            if (IsSof(marker))
            {
                return ParseSof(marker, data.Slice(at + 4, length - 2), at);
            }

            if (marker is 0xD9 or 0xDA)
            {
                throw new JpegDataException("no frame header (SOF) before the first scan", at);
            }

            p = at + 2 + length;
        }
    }

    /// <summary>
    /// Decodes the stream into <paramref name="destination"/>: rows × columns × samples values of
    /// <paramref name="bytesPerSample"/> (1, 2 or 4) bytes each, little endian, samples interleaved.
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> data, int rows, int columns, int samples, int bytesPerSample, Span<byte> destination)
    {
        var p = ExpectSoi(data);
        JpegFrameHeader? frame = null;
        var dc = new JpegHuffmanTable?[4];
        var ac = new JpegHuffmanTable?[4];
        var quant = new ushort[4][];
        var restartInterval = 0;
        var count = checked(rows * columns * samples);
        ushort[]? rented = null;
        Span<ushort> work = default;
        var scans = 0;
        var dct = default(JpegDctState);
        try
        {
            while (true)
            {
                var (marker, at) = NextMarker(data, p);
                if (marker == 0xD9)
                {
                    break;
                }

                if (marker is >= 0xD0 and <= 0xD7)
                {
                    throw new JpegDataException($"restart marker RST{marker - 0xD0} outside a scan", at);
                }

                var length = SegmentLength(data, at);
                var segment = data.Slice(at + 4, length - 2);
                p = at + 2 + length;
                switch (marker)
                {
                    case 0xC4:
                        ParseDht(segment, dc, ac, at);
                        break;
                    case 0xDB:
                        ParseDqt(segment, quant, at);
                        break;
                    case 0xDD:
                        if (segment.Length < 2)
                        {
                            throw new JpegDataException("DRI segment shorter than 2 bytes", at);
                        }

                        restartInterval = BinaryPrimitives.ReadUInt16BigEndian(segment);
                        break;
                    case var m when IsSof(m):
                        if (frame is not null)
                        {
                            throw new JpegDataException("a second frame header (hierarchical JPEG is not supported)", at, unsupported: true);
                        }

                        frame = ParseSof(m, segment, at);
                        CheckFrame(frame, rows, columns, samples, at);
                        rented = ArrayPool<ushort>.Shared.Rent(count);
                        work = rented.AsSpan(0, count);
                        work.Clear();
                        if (!frame.IsLossless)
                        {
                            dct = new JpegDctState(frame);
                        }

                        break;
                    case 0xDA:
                        if (frame is null)
                        {
                            throw new JpegDataException("a scan (SOS) before the frame header (SOF)", at);
                        }

                        var scan = ParseSos(segment, frame, at);
                        var reader = new JpegBitReader(data, p);
                        if (frame.IsLossless)
                        {
                            DecodeLosslessScan(ref reader, data, frame, scan, dc, restartInterval, work);
                        }
                        else
                        {
                            DecodeDctScan(ref reader, data, frame, scan, dc, ac, quant, restartInterval, ref dct);
                        }

                        p = reader.Position;
                        scans++;
                        break;
                    default:
                        // APPn, COM, DNL and the rest carry nothing the pixels need.
                        break;
                }
            }

            if (frame is null || scans == 0)
            {
                throw new JpegDataException("the stream ends before any scan", data.Length);
            }

            if (frame.IsLossless)
            {
                if (scans < 1)
                {
                    throw new JpegDataException("no scan", data.Length);
                }
            }
            else
            {
                dct.Finish(work);
            }

            Store(work, bytesPerSample, destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<ushort>.Shared.Return(rented);
            }

            dct.Dispose();
        }
    }

    private static void Store(ReadOnlySpan<ushort> work, int bytesPerSample, Span<byte> destination)
    {
        switch (bytesPerSample)
        {
            case 2:
                work.CopyTo(MemoryMarshal.Cast<byte, ushort>(destination));
                break;
            case 1:
                for (var i = 0; i < work.Length; i++)
                {
                    destination[i] = (byte)work[i];
                }

                break;
            default:
                var wide = MemoryMarshal.Cast<byte, uint>(destination);
                for (var i = 0; i < work.Length; i++)
                {
                    wide[i] = work[i];
                }

                break;
        }
    }

    private static void CheckFrame(JpegFrameHeader frame, int rows, int columns, int samples, int at)
    {
        if (frame.Height != rows || frame.Width != columns || frame.Components.Length != samples)
        {
            throw new JpegDataException(
                $"the JPEG frame is {frame.Height} rows x {frame.Width} columns x {frame.Components.Length} components, the DICOM header (Rows, Columns, SamplesPerPixel) says {rows} x {columns} x {samples}", at);
        }
    }

    private static int ExpectSoi(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
        {
            throw new JpegDataException("the frame does not start with a JPEG SOI marker (FF D8)", 0);
        }

        return 2;
    }

    private static (int Marker, int At) NextMarker(ReadOnlySpan<byte> data, int p)
    {
        // Between segments only fill bytes (FF) may appear; tolerate stray bytes as libjpeg does, but not past the end.
        while (p + 1 < data.Length)
        {
            if (data[p] == 0xFF && data[p + 1] != 0xFF && data[p + 1] != 0x00)
            {
                return (data[p + 1], p);
            }

            p++;
        }

        throw new JpegDataException("the stream ends without an EOI marker (truncated JPEG data)", data.Length);
    }

    private static int SegmentLength(ReadOnlySpan<byte> data, int at)
    {
        if (at + 4 > data.Length)
        {
            throw new JpegDataException("a marker segment runs past the end of the data", at);
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(at + 2));
        if (length < 2 || at + 2 + length > data.Length)
        {
            throw new JpegDataException($"marker FF{data[at + 1]:X2} has length {length}, past the end of the {data.Length}-byte stream", at);
        }

        return length;
    }

    private static bool IsSof(int marker) => marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;

    private static JpegFrameHeader ParseSof(int marker, ReadOnlySpan<byte> s, int at)
    {
        if (marker is not (0xC0 or 0xC1 or 0xC3))
        {
            var what = marker switch
            {
                0xC2 => "progressive DCT (SOF2)",
                >= 0xC9 => "arithmetic coding",
                _ => $"SOF{marker - 0xC0} (hierarchical or progressive)",
            };
            throw new JpegDataException($"{what} is not supported (baseline, extended sequential and lossless Huffman JPEG are)", at, unsupported: true);
        }

        if (s.Length < 6)
        {
            throw new JpegDataException("SOF segment too short", at);
        }

        int precision = s[0];
        var height = BinaryPrimitives.ReadUInt16BigEndian(s[1..]);
        var width = BinaryPrimitives.ReadUInt16BigEndian(s[3..]);
        int n = s[5];
        if (n is < 1 or > 4 || s.Length < 6 + 3 * n)
        {
            throw new JpegDataException($"SOF lists {n} components in a {s.Length}-byte segment", at);
        }

        var lossless = marker == 0xC3;
        if (lossless ? precision is < 2 or > 16 : precision is not (8 or 12) || (marker == 0xC0 && precision != 8))
        {
            throw new JpegDataException($"sample precision {precision} is not valid for SOF{marker - 0xC0}", at);
        }

        if (height == 0)
        {
            throw new JpegDataException("the frame height is 0 (DNL-defined height is not supported)", at, unsupported: true);
        }

        if (width == 0)
        {
            throw new JpegDataException("the frame width is 0", at);
        }

        var components = new JpegComponent[n];
        for (var i = 0; i < n; i++)
        {
            var c = s.Slice(6 + 3 * i, 3);
            var h = c[1] >> 4;
            var v = c[1] & 15;
            if (h is < 1 or > 4 || v is < 1 or > 4 || c[2] > 3)
            {
                throw new JpegDataException($"component {c[0]} has sampling {h}x{v} or quantisation table {c[2]} out of range", at);
            }

            if (lossless && (h != 1 || v != 1) && n > 1)
            {
                throw new JpegDataException("sub-sampled lossless JPEG is not supported", at, unsupported: true);
            }

            components[i] = new JpegComponent(c[0], h, v, c[2]);
        }

        return new JpegFrameHeader(marker, precision, height, width, components);
    }

    private static void ParseDht(ReadOnlySpan<byte> s, JpegHuffmanTable?[] dc, JpegHuffmanTable?[] ac, int at)
    {
        var p = 0;
        while (p < s.Length)
        {
            if (p + 17 > s.Length)
            {
                throw new JpegDataException("DHT segment too short", at);
            }

            var cls = s[p] >> 4;
            var id = s[p] & 15;
            if (cls > 1 || id > 3)
            {
                throw new JpegDataException($"Huffman table class {cls} id {id} out of range", at);
            }

            var counts = s.Slice(p + 1, 16);
            var total = 0;
            foreach (var c in counts)
            {
                total += c;
            }

            if (total > 256 || p + 17 + total > s.Length)
            {
                throw new JpegDataException($"Huffman table with {total} symbols runs past its segment", at);
            }

            try
            {
                var table = new JpegHuffmanTable(counts, s.Slice(p + 17, total));
                (cls == 0 ? dc : ac)[id] = table;
            }
            catch (JpegDataException ex) when (ex.Offset == 0)
            {
                throw new JpegDataException(ex.Message, at);
            }

            p += 17 + total;
        }
    }

    private static void ParseDqt(ReadOnlySpan<byte> s, ushort[][] quant, int at)
    {
        var p = 0;
        while (p < s.Length)
        {
            var precision = s[p] >> 4;
            var id = s[p] & 15;
            var size = precision == 0 ? 64 : 128;
            if (id > 3 || precision > 1 || p + 1 + size > s.Length)
            {
                throw new JpegDataException($"quantisation table {id} (precision {precision}) is invalid or runs past its segment", at);
            }

            var q = new ushort[64];
            for (var i = 0; i < 64; i++)
            {
                // Tables are stored in zig-zag order; keep them so (the DCT decoder dequantises in zig-zag order).
                q[i] = precision == 0 ? s[p + 1 + i] : BinaryPrimitives.ReadUInt16BigEndian(s.Slice(p + 1 + 2 * i));
            }

            quant[id] = q;
            p += 1 + size;
        }
    }

    /// <summary>A scan header: which frame components, their tables, and the spectral selection / predictor fields.</summary>
    private sealed record JpegScan(int[] ComponentIndex, int[] DcTable, int[] AcTable, int Ss, int Se, int Ah, int Al);

    private static JpegScan ParseSos(ReadOnlySpan<byte> s, JpegFrameHeader frame, int at)
    {
        if (s.Length < 1)
        {
            throw new JpegDataException("SOS segment too short", at);
        }

        int n = s[0];
        if (n is < 1 or > 4 || s.Length < 1 + 2 * n + 3)
        {
            throw new JpegDataException($"SOS lists {n} components in a {s.Length}-byte segment", at);
        }

        var index = new int[n];
        var dcT = new int[n];
        var acT = new int[n];
        for (var i = 0; i < n; i++)
        {
            int id = s[1 + 2 * i];
            var k = Array.FindIndex(frame.Components, c => c.Id == id);
            if (k < 0)
            {
                throw new JpegDataException($"the scan names component {id}, which the frame does not have", at);
            }

            index[i] = k;
            dcT[i] = s[2 + 2 * i] >> 4;
            acT[i] = s[2 + 2 * i] & 15;
            if (dcT[i] > 3 || acT[i] > 3)
            {
                throw new JpegDataException($"the scan selects Huffman table {dcT[i]}/{acT[i]} (0..3 allowed)", at);
            }
        }

        var tail = s.Slice(1 + 2 * n);
        return new JpegScan(index, dcT, acT, tail[0], tail[1], tail[2] >> 4, tail[2] & 15);
    }

    /// <summary>Finds the restart marker RSTn expected after an interval and moves past it.</summary>
    private static void ExpectRestart(ref JpegBitReader bits, ReadOnlySpan<byte> data, int expected)
    {
        bits.Reset();
        var p = bits.Position;
        while (p + 1 < data.Length && !(data[p] == 0xFF && data[p + 1] is >= 0xD0 and <= 0xD7))
        {
            if (data[p] == 0xFF && data[p + 1] is not 0xFF and not 0x00)
            {
                throw new JpegDataException($"marker FF{data[p + 1]:X2} where restart marker RST{expected} was expected (truncated or corrupt scan)", p);
            }

            p++;
        }

        if (p + 1 >= data.Length)
        {
            throw new JpegDataException($"the data ends where restart marker RST{expected} was expected", p);
        }

        if (data[p + 1] - 0xD0 != expected)
        {
            throw new JpegDataException($"restart marker RST{data[p + 1] - 0xD0} found where RST{expected} was expected (missing data)", p);
        }

        bits.Seek(p + 2);
    }
}
