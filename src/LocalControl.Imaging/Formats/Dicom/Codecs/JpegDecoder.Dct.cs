using System.Buffers;

namespace LocalControl.Imaging.Formats.Dicom.Codecs;

/// <summary>The decoded component planes of a sequential DCT frame, padded to whole MCUs.</summary>
internal struct JpegDctState : IDisposable
{
    public JpegDctState(JpegFrameHeader frame)
    {
        Frame = frame;
        HMax = frame.Components.Max(c => c.H);
        VMax = frame.Components.Max(c => c.V);
        McusX = (frame.Width + 8 * HMax - 1) / (8 * HMax);
        McusY = (frame.Height + 8 * VMax - 1) / (8 * VMax);
        Planes = new ushort[frame.Components.Length][];
        PlaneWidth = new int[frame.Components.Length];
        for (var c = 0; c < Planes.Length; c++)
        {
            var comp = frame.Components[c];
            if (Planes.Length > 1 && (comp.H != HMax || comp.V != VMax))
            {
                throw new JpegDataException("sub-sampled colour JPEG is not supported (decode it with dcmdjpeg first)", 0, unsupported: true);
            }

            PlaneWidth[c] = McusX * comp.H * 8;
            var size = checked(PlaneWidth[c] * McusY * comp.V * 8);
            Planes[c] = ArrayPool<ushort>.Shared.Rent(size);
            Planes[c].AsSpan(0, size).Clear();
        }
    }

    public JpegFrameHeader Frame { get; }

    public int HMax { get; }

    public int VMax { get; }

    public int McusX { get; }

    public int McusY { get; }

    public ushort[][] Planes { get; }

    public int[] PlaneWidth { get; }

    /// <summary>Copies the planes (cropped to the frame) into the interleaved output.</summary>
    public readonly void Finish(Span<ushort> output)
    {
        var nf = Planes.Length;
        for (var c = 0; c < nf; c++)
        {
            var plane = Planes[c];
            var stride = PlaneWidth[c];
            for (var y = 0; y < Frame.Height; y++)
            {
                var row = plane.AsSpan(y * stride, Frame.Width);
                if (nf == 1)
                {
                    row.CopyTo(output.Slice(y * Frame.Width));
                }
                else
                {
                    var o = y * Frame.Width * nf + c;
                    for (var x = 0; x < row.Length; x++, o += nf)
                    {
                        output[o] = row[x];
                    }
                }
            }
        }
    }

    public readonly void Dispose()
    {
        if (Planes is null)
        {
            return;
        }

        foreach (var p in Planes)
        {
            if (p is not null)
            {
                ArrayPool<ushort>.Shared.Return(p);
            }
        }
    }
}

/// <summary>Sequential DCT JPEG with Huffman coding (T.81 annex F; baseline and extended, 8 and 12 bit).</summary>
internal static partial class JpegDecoder
{
    // Zig-zag index → natural (row-major) index, with 16 extra entries so a corrupt run cannot index past the block
    // (as the IJG library does).
    private static readonly byte[] NaturalOrder =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
        63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
    ];

    private static void DecodeDctScan(ref JpegBitReader bits, ReadOnlySpan<byte> data, JpegFrameHeader frame, JpegScan scan,
        JpegHuffmanTable?[] dcTables, JpegHuffmanTable?[] acTables, ushort[][] quant, int restartInterval, ref JpegDctState state)
    {
        // Ss, Se, Ah and Al mean nothing in a sequential scan; some encoders write 0..0 (pydicom's JPEG-lossy.dcm).
        // The IJG library warns and decodes the full block, and so do we.
        var ns = scan.ComponentIndex.Length;
        var dc = new JpegHuffmanTable[ns];
        var ac = new JpegHuffmanTable[ns];
        var q = new ushort[ns][];
        for (var c = 0; c < ns; c++)
        {
            dc[c] = dcTables[scan.DcTable[c]] ?? throw new JpegDataException($"the scan uses DC Huffman table {scan.DcTable[c]}, which no DHT defined", bits.Position);
            ac[c] = acTables[scan.AcTable[c]] ?? throw new JpegDataException($"the scan uses AC Huffman table {scan.AcTable[c]}, which no DHT defined", bits.Position);
            var qi = frame.Components[scan.ComponentIndex[c]].QuantTable;
            q[c] = quant[qi] ?? throw new JpegDataException($"component {frame.Components[scan.ComponentIndex[c]].Id} uses quantisation table {qi}, which no DQT defined", bits.Position);
        }

        var predictors = new int[ns];
        Span<int> block = stackalloc int[64];
        Span<int> workspace = stackalloc int[64];
        var maxSample = (1 << frame.Precision) - 1;
        var mcu = 0;
        var restart = 0;

        if (ns == 1)
        {
            // Non-interleaved: the component's blocks in raster order over its own size.
            var ci = scan.ComponentIndex[0];
            var comp = frame.Components[ci];
            var compWidth = (frame.Width * comp.H + state.HMax - 1) / state.HMax;
            var compHeight = (frame.Height * comp.V + state.VMax - 1) / state.VMax;
            var blocksX = (compWidth + 7) / 8;
            var blocksY = (compHeight + 7) / 8;
            for (var by = 0; by < blocksY; by++)
            {
                for (var bx = 0; bx < blocksX; bx++)
                {
                    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
                    {
                        ExpectRestart(ref bits, data, restart);
                        restart = (restart + 1) & 7;
                        predictors.AsSpan().Clear();
                    }

                    DecodeBlock(ref bits, dc[0], ac[0], q[0], ref predictors[0], block);
                    InverseDct(block, workspace, state.Planes[ci].AsSpan((by * 8 * state.PlaneWidth[ci]) + bx * 8), state.PlaneWidth[ci], frame.Precision, maxSample);
                    mcu++;
                }

                if (bits.Overran)
                {
                    throw new JpegDataException($"the entropy-coded data ends in block row {by + 1} of {blocksY} (truncated or corrupt JPEG)", bits.Position);
                }
            }

            return;
        }

        for (var my = 0; my < state.McusY; my++)
        {
            for (var mx = 0; mx < state.McusX; mx++)
            {
                if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
                {
                    ExpectRestart(ref bits, data, restart);
                    restart = (restart + 1) & 7;
                    predictors.AsSpan().Clear();
                }

                for (var c = 0; c < ns; c++)
                {
                    var ci = scan.ComponentIndex[c];
                    var comp = frame.Components[ci];
                    var stride = state.PlaneWidth[ci];
                    for (var v = 0; v < comp.V; v++)
                    {
                        for (var h = 0; h < comp.H; h++)
                        {
                            DecodeBlock(ref bits, dc[c], ac[c], q[c], ref predictors[c], block);
                            var y0 = (my * comp.V + v) * 8;
                            var x0 = (mx * comp.H + h) * 8;
                            InverseDct(block, workspace, state.Planes[ci].AsSpan(y0 * stride + x0), stride, frame.Precision, maxSample);
                        }
                    }
                }

                mcu++;
            }

            if (bits.Overran)
            {
                throw new JpegDataException($"the entropy-coded data ends in MCU row {my + 1} of {state.McusY} (truncated or corrupt JPEG)", bits.Position);
            }
        }
    }

    /// <summary>Huffman-decodes one block and dequantises it into natural order.</summary>
    private static void DecodeBlock(ref JpegBitReader bits, JpegHuffmanTable dc, JpegHuffmanTable ac, ushort[] q, ref int predictor, scoped Span<int> block)
    {
        block.Clear();
        var t = dc.Decode(ref bits);
        if (t > 16)
        {
            throw new JpegDataException($"DC difference category {t}", bits.Position);
        }

        predictor += bits.ReceiveExtend(t);
        block[0] = predictor * q[0];
        for (var k = 1; k < 64; k++)
        {
            var rs = ac.Decode(ref bits);
            var r = rs >> 4;
            var s = rs & 15;
            if (s != 0)
            {
                k += r;
                var zz = Math.Min(k, 63 + 16);
                var natural = NaturalOrder[zz];
                block[natural] = bits.ReceiveExtend(s) * (k < 64 ? q[k] : q[63]);
            }
            else if (r == 15)
            {
                k += 15;
            }
            else
            {
                break;
            }
        }
    }

    // The IJG "islow" integer inverse DCT (jidctint.c): 13-bit fixed-point constants, two passes, results descaled
    // with rounding and range-limited through the IJG table (values wrap modulo 4 × (MAX + 1) before clamping).
    private const int ConstBits = 13;
    private const int Fix0298631336 = 2446;
    private const int Fix0390180644 = 3196;
    private const int Fix0541196100 = 4433;
    private const int Fix0765366865 = 6270;
    private const int Fix0899976223 = 7373;
    private const int Fix1175875602 = 9633;
    private const int Fix1501321110 = 12299;
    private const int Fix1847759065 = 15137;
    private const int Fix1961570560 = 16069;
    private const int Fix2053119869 = 16819;
    private const int Fix2562915447 = 20995;
    private const int Fix3072711026 = 25172;

    private static int Descale(long x, int n) => (int)((x + (1L << (n - 1))) >> n);

    private static void InverseDct(ReadOnlySpan<int> input, Span<int> ws, Span<ushort> output, int stride, int precision, int maxSample)
    {
        var pass1Bits = precision == 8 ? 2 : 1;
        for (var col = 0; col < 8; col++)
        {
            if (input[8 + col] == 0 && input[16 + col] == 0 && input[24 + col] == 0 && input[32 + col] == 0 &&
                input[40 + col] == 0 && input[48 + col] == 0 && input[56 + col] == 0)
            {
                var dcval = input[col] << pass1Bits;
                for (var r = 0; r < 8; r++)
                {
                    ws[8 * r + col] = dcval;
                }

                continue;
            }

            IdctOne(input[col], input[8 + col], input[16 + col], input[24 + col], input[32 + col], input[40 + col], input[48 + col], input[56 + col],
                ConstBits - pass1Bits, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
            ws[col] = o0;
            ws[8 + col] = o1;
            ws[16 + col] = o2;
            ws[24 + col] = o3;
            ws[32 + col] = o4;
            ws[40 + col] = o5;
            ws[48 + col] = o6;
            ws[56 + col] = o7;
        }

        var center = (maxSample + 1) >> 1;
        var rangeMask = 4 * (maxSample + 1) - 1;
        for (var row = 0; row < 8; row++)
        {
            var w = ws.Slice(8 * row, 8);
            var o = output.Slice(row * stride, 8);
            if (w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0)
            {
                var v = RangeLimit(Descale(w[0], pass1Bits + 3), center, maxSample, rangeMask);
                o.Fill(v);
                continue;
            }

            IdctOne(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], ConstBits + pass1Bits + 3,
                out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
            o[0] = RangeLimit(o0, center, maxSample, rangeMask);
            o[1] = RangeLimit(o1, center, maxSample, rangeMask);
            o[2] = RangeLimit(o2, center, maxSample, rangeMask);
            o[3] = RangeLimit(o3, center, maxSample, rangeMask);
            o[4] = RangeLimit(o4, center, maxSample, rangeMask);
            o[5] = RangeLimit(o5, center, maxSample, rangeMask);
            o[6] = RangeLimit(o6, center, maxSample, rangeMask);
            o[7] = RangeLimit(o7, center, maxSample, rangeMask);
        }
    }

    private static ushort RangeLimit(int x, int center, int maxSample, int rangeMask)
    {
        var i = x & rangeMask;
        if (i >= 2 * (maxSample + 1))
        {
            i -= rangeMask + 1;
        }

        return (ushort)Math.Clamp(i + center, 0, maxSample);
    }

    private static void IdctOne(long d0, long d1, long d2, long d3, long d4, long d5, long d6, long d7, int shift,
        out int o0, out int o1, out int o2, out int o3, out int o4, out int o5, out int o6, out int o7)
    {
        // Even part.
        var z1 = (d2 + d6) * Fix0541196100;
        var tmp2 = z1 + d6 * -Fix1847759065;
        var tmp3 = z1 + d2 * Fix0765366865;
        var tmp0 = (d0 + d4) << ConstBits;
        var tmp1 = (d0 - d4) << ConstBits;
        var tmp10 = tmp0 + tmp3;
        var tmp13 = tmp0 - tmp3;
        var tmp11 = tmp1 + tmp2;
        var tmp12 = tmp1 - tmp2;

        // Odd part.
        tmp0 = d7;
        tmp1 = d5;
        tmp2 = d3;
        tmp3 = d1;
        z1 = tmp0 + tmp3;
        var z2 = tmp1 + tmp2;
        var z3 = tmp0 + tmp2;
        var z4 = tmp1 + tmp3;
        var z5 = (z3 + z4) * Fix1175875602;
        tmp0 *= Fix0298631336;
        tmp1 *= Fix2053119869;
        tmp2 *= Fix3072711026;
        tmp3 *= Fix1501321110;
        z1 *= -Fix0899976223;
        z2 *= -Fix2562915447;
        z3 *= -Fix1961570560;
        z4 *= -Fix0390180644;
        z3 += z5;
        z4 += z5;
        tmp0 += z1 + z3;
        tmp1 += z2 + z4;
        tmp2 += z2 + z3;
        tmp3 += z1 + z4;

        o0 = Descale(tmp10 + tmp3, shift);
        o7 = Descale(tmp10 - tmp3, shift);
        o1 = Descale(tmp11 + tmp2, shift);
        o6 = Descale(tmp11 - tmp2, shift);
        o2 = Descale(tmp12 + tmp1, shift);
        o5 = Descale(tmp12 - tmp1, shift);
        o3 = Descale(tmp13 + tmp0, shift);
        o4 = Descale(tmp13 - tmp0, shift);
    }
}
