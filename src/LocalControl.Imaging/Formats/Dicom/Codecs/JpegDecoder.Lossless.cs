namespace LocalControl.Imaging.Formats.Dicom.Codecs;

/// <summary>Lossless JPEG (ITU-T T.81 annex H, process 14).</summary>
internal static partial class JpegDecoder
{
    /// <summary>
    /// One lossless scan: each sample is its prediction from the reconstructed neighbours (Ra left, Rb above, Rc above
    /// left; predictor Ss = 1…7) plus a Huffman-coded difference, modulo 2^16 (H.1.2.1). The first line of the scan
    /// and of each restart interval predicts from the left (the first sample from 2^(P − Pt − 1)), the first column
    /// from above. Values are stored with the point transform undone (shifted left by Pt).
    /// </summary>
    private static void DecodeLosslessScan(ref JpegBitReader bits, ReadOnlySpan<byte> data, JpegFrameHeader frame, JpegScan scan,
        JpegHuffmanTable?[] dcTables, int restartInterval, Span<ushort> output)
    {
        var predictor = scan.Ss;
        var pt = scan.Al;
        if (predictor is < 1 or > 7)
        {
            throw new JpegDataException($"lossless predictor (Ss) {predictor} is not 1..7", bits.Position);
        }

        if (pt >= frame.Precision)
        {
            throw new JpegDataException($"point transform {pt} is not below the precision {frame.Precision}", bits.Position);
        }

        var width = frame.Width;
        var height = frame.Height;
        var nf = frame.Components.Length;
        var ns = scan.ComponentIndex.Length;
        var tables = new JpegHuffmanTable[ns];
        for (var c = 0; c < ns; c++)
        {
            tables[c] = dcTables[scan.DcTable[c]] ?? throw new JpegDataException($"the scan uses Huffman table {scan.DcTable[c]}, which no DHT defined", bits.Position);
        }

        // Restart intervals count MCUs (one sample of each scan component); only whole lines are supported.
        var linesPerInterval = height;
        if (restartInterval > 0)
        {
            if (restartInterval % width != 0)
            {
                throw new JpegDataException($"a restart interval of {restartInterval} samples that is not a whole number of {width}-sample lines", bits.Position, unsupported: true);
            }

            linesPerInterval = restartInterval / width;
        }

        var initial = 1 << (frame.Precision - pt - 1);
        var restart = 0;
        for (var y = 0; y < height; y++)
        {
            var firstLine = y % linesPerInterval == 0;
            if (firstLine && y > 0)
            {
                ExpectRestart(ref bits, data, restart);
                restart = (restart + 1) & 7;
            }

            if (ns == 1)
            {
                var ci = scan.ComponentIndex[0];
                var line = output.Slice(y * width * nf);
                var above = firstLine ? default : output.Slice((y - 1) * width * nf);
                DecodeLine(ref bits, tables[0], line, above, width, nf, ci, firstLine, predictor, initial);
            }
            else
            {
                DecodeInterleavedLine(ref bits, tables, scan, output, y, width, nf, firstLine, predictor, initial);
            }

            if (bits.Overran)
            {
                throw new JpegDataException($"the entropy-coded data ends in line {y + 1} of {height} (truncated or corrupt JPEG)", bits.Position);
            }
        }

        if (pt > 0)
        {
            foreach (var ci in scan.ComponentIndex)
            {
                for (var i = ci; i < output.Length; i += nf)
                {
                    output[i] = (ushort)(output[i] << pt);
                }
            }
        }
    }

    private static void DecodeLine(ref JpegBitReader bits, JpegHuffmanTable table, Span<ushort> line, ReadOnlySpan<ushort> above,
        int width, int nf, int ci, bool firstLine, int predictor, int initial)
    {
        if (nf == 1 && !firstLine && predictor == 1)
        {
            // The common case (transfer syntax .70, one component): Ra, with Rb for the first column.
            int ra = above[0];
            for (var x = 0; x < width; x++)
            {
                ra = (ra + Difference(ref bits, table)) & 0xFFFF;
                line[x] = (ushort)ra;
            }

            return;
        }

        var last = (width - 1) * nf + ci;
        for (var i = ci; i <= last; i += nf)
        {
            int prediction;
            if (firstLine)
            {
                prediction = i == ci ? initial : line[i - nf];
            }
            else if (i == ci)
            {
                prediction = above[i];
            }
            else
            {
                prediction = Predict(predictor, line[i - nf], above[i], above[i - nf]);
            }

            line[i] = (ushort)((prediction + Difference(ref bits, table)) & 0xFFFF);
        }
    }

    private static void DecodeInterleavedLine(ref JpegBitReader bits, JpegHuffmanTable[] tables, JpegScan scan, Span<ushort> output,
        int y, int width, int nf, bool firstLine, int predictor, int initial)
    {
        var line = output.Slice(y * width * nf, width * nf);
        var above = firstLine ? default : output.Slice((y - 1) * width * nf, width * nf);
        for (var x = 0; x < width; x++)
        {
            for (var c = 0; c < scan.ComponentIndex.Length; c++)
            {
                var i = x * nf + scan.ComponentIndex[c];
                int prediction;
                if (firstLine)
                {
                    prediction = x == 0 ? initial : line[i - nf];
                }
                else if (x == 0)
                {
                    prediction = above[i];
                }
                else
                {
                    prediction = Predict(predictor, line[i - nf], above[i], above[i - nf]);
                }

                line[i] = (ushort)((prediction + Difference(ref bits, tables[c])) & 0xFFFF);
            }
        }
    }

    private static int Predict(int predictor, int ra, int rb, int rc) => predictor switch
    {
        1 => ra,
        2 => rb,
        3 => rc,
        4 => ra + rb - rc,
        5 => ra + ((rb - rc) >> 1),
        6 => rb + ((ra - rc) >> 1),
        _ => (ra + rb) >> 1,
    };

    /// <summary>A difference: its category from the Huffman table, then that many bits (category 16 means 32768, no bits).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int Difference(ref JpegBitReader bits, JpegHuffmanTable table)
    {
        var category = table.Decode(ref bits);
        if (category == 16)
        {
            return 32768;
        }

        if (category > 16)
        {
            throw new JpegDataException($"difference category {category} (0..16 allowed)", bits.Position);
        }

        return bits.ReceiveExtend(category);
    }
}
