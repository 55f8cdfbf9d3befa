using System.Buffers.Binary;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Tests.Support;
using static LocalControl.Imaging.Tests.Formats.Dicom.CompressedDicomSupport;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

/// <summary>
/// JPEG Lossless with restart intervals (DRI and RSTn markers). Neither dcmtk's <c>dcmcjpeg</c> (no restart option)
/// nor the installed libjpeg-turbo 2.1 (no lossless mode) can write such a stream, so the test encodes one itself:
/// a minimal process-14 encoder (ITU-T T.81 annex H: predictor 1, one Huffman table of 17 five-bit codes for the
/// difference categories 0..16, byte stuffing, each interval padded with 1-bits and closed by RST0..RST7 in turn,
/// prediction reset at each interval). Written from the standard, independently of the decoder under test; the
/// decoded slice must equal the uncompressed original sample for sample.
/// </summary>
public sealed class JpegLosslessRestartTests
{
    [Theory]
    [InlineData(1)] // an RST marker after every line: all eight RSTn wrap around many times
    [InlineData(7)]
    [InlineData(100)] // 512 lines: five intervals and a short last one
    public void A_lossless_stream_with_restart_intervals_equals_the_original(int linesPerInterval)
    {
        using var dir = new TempDir();
        var (carrier, samples, precision) = Carrier(dir);
        var stream = EncodeLossless(samples, 512, 512, precision, restartInterval: linesPerInterval * 512);
        Assert.Equal((512 - 1) / linesPerInterval, CountRestartMarkers(stream));
        var rewritten = dir.File("restart.dcm");
        Rewrite(carrier, rewritten, null, [stream]);
        AssertSameFrames(CtSlice(2), rewritten);
    }

    [Fact]
    public void The_same_stream_without_restart_intervals_equals_the_original_too()
    {
        // Guards the encoder itself: without DRI it must agree with the decoder and the original as well.
        using var dir = new TempDir();
        var (carrier, samples, precision) = Carrier(dir);
        var stream = EncodeLossless(samples, 512, 512, precision, restartInterval: 0);
        Assert.Equal(0, CountRestartMarkers(stream));
        var rewritten = dir.File("plain.dcm");
        Rewrite(carrier, rewritten, null, [stream]);
        AssertSameFrames(CtSlice(2), rewritten);
    }

    [Fact]
    public void A_restart_marker_out_of_sequence_is_refused_naming_the_marker_and_offset()
    {
        using var dir = new TempDir();
        var (carrier, samples, precision) = Carrier(dir);
        var stream = EncodeLossless(samples, 512, 512, precision, restartInterval: 7 * 512);
        // Turn the third marker (RST2) into RST5: an interval looks lost.
        var third = Enumerable.Range(0, stream.Length - 1).Where(i => stream[i] == 0xFF && stream[i + 1] is >= 0xD0 and <= 0xD7).ElementAt(2);
        Assert.Equal(0xD2, stream[third + 1]);
        stream[third + 1] = 0xD5;
        var bad = dir.File("bad.dcm");
        Rewrite(carrier, bad, null, [stream]);
        var ex = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(DicomReader.Read(bad), 0));
        Assert.Equal(DicomErrorCodes.CompressedCorrupt, ex.Code);
        Assert.Contains("RST5 found where RST2 was expected", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bad.dcm", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(7FE0,0010)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_restart_interval_that_is_not_whole_lines_is_refused_as_unsupported()
    {
        using var dir = new TempDir();
        var (carrier, samples, precision) = Carrier(dir);
        var stream = EncodeLossless(samples, 512, 512, precision, restartInterval: 512 + 100);
        var bad = dir.File("partial.dcm");
        Rewrite(carrier, bad, null, [stream]);
        var ex = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(DicomReader.Read(bad), 0));
        Assert.Equal(DicomErrorCodes.UnsupportedPixelFormat, ex.Code);
        Assert.Contains("restart interval of 612 samples", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A JPEG Lossless carrier of CT slice 2 (dcmcjpeg +e1), its stored sample bit patterns and the precision dcmcjpeg chose.</summary>
    private static (string Carrier, ushort[] Samples, int Precision) Carrier(TempDir dir)
    {
        var carrier = dir.File("carrier.dcm");
        Tool("dcmcjpeg", "+e1", CtSlice(2), carrier);
        var jpeg = Fragments(carrier)[0];
        var sof = jpeg.AsSpan().IndexOf((byte[])[0xFF, 0xC3]);
        Assert.True(sof > 0);
        int precision = jpeg[sof + 4];
        Assert.Equal(512, BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(sof + 5)));

        var f = DicomReader.Read(CtSlice(2));
        var e = f.Dataset.Find(DicomTag.PixelData)!;
        var raw = f.ReadRange(e.ValueOffset, 512 * 512 * 2, DicomTag.PixelData);
        var mask = (1 << precision) - 1;
        var samples = new ushort[512 * 512];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(2 * i)) & mask);
        }

        return (carrier, samples, precision);
    }

    private static int CountRestartMarkers(byte[] s) =>
        Enumerable.Range(0, s.Length - 1).Count(i => s[i] == 0xFF && s[i + 1] is >= 0xD0 and <= 0xD7);

    /// <summary>One-component lossless JPEG (SOF3), predictor 1 (left), no point transform, optional DRI.</summary>
    private static byte[] EncodeLossless(ushort[] samples, int width, int height, int precision, int restartInterval)
    {
        var o = new List<byte> { 0xFF, 0xD8 };
        // DHT: table class 0 (DC/lossless), id 0; 17 codes of length 5 for categories 0..16 (00000..10000).
        o.AddRange([0xFF, 0xC4, 0x00, 36, 0x00]);
        for (var len = 1; len <= 16; len++)
        {
            o.Add((byte)(len == 5 ? 17 : 0));
        }

        for (var s = 0; s <= 16; s++)
        {
            o.Add((byte)s);
        }

        // SOF3: precision, lines, samples per line, one component (id 1, 1x1 sampling, Tq 0).
        o.AddRange([0xFF, 0xC3, 0x00, 11, (byte)precision, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0]);
        if (restartInterval > 0)
        {
            o.AddRange([0xFF, 0xDD, 0x00, 4, (byte)(restartInterval >> 8), (byte)restartInterval]);
        }

        // SOS: one component, table 0, Ss = 1 (predictor), Se = 0, Ah = Al = 0.
        o.AddRange([0xFF, 0xDA, 0x00, 8, 1, 1, 0x00, 1, 0, 0]);

        var bits = new BitWriter(o);
        var modulus = 1 << 16;
        var total = width * height;
        var restartNumber = 0;
        var intervalStart = 0;
        for (var n = 0; n < total; n++)
        {
            if (restartInterval > 0 && n > 0 && n % restartInterval == 0)
            {
                bits.PadWithOnes();
                o.AddRange([0xFF, (byte)(0xD0 + restartNumber)]);
                restartNumber = (restartNumber + 1) & 7;
                intervalStart = n;
            }

            var x = n % width;
            int prediction;
            if (n == intervalStart)
            {
                prediction = 1 << (precision - 1);
            }
            else if (n < intervalStart + width)
            {
                prediction = samples[n - 1]; // first line of the image or interval: from the left
            }
            else if (x == 0)
            {
                prediction = samples[n - width]; // first column: from above
            }
            else
            {
                prediction = samples[n - 1];
            }

            var diff = ((samples[n] - prediction) % modulus + modulus) % modulus;
            if (diff > 32768)
            {
                diff -= modulus; // -32767..32768
            }

            var magnitude = Math.Abs(diff);
            var category = magnitude == 0 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)magnitude);
            bits.Write((uint)category, 5);
            if (category is > 0 and < 16)
            {
                var extra = diff > 0 ? diff : diff + (1 << category) - 1;
                bits.Write((uint)extra & ((1u << category) - 1), category);
            }
        }

        bits.PadWithOnes();
        o.AddRange([0xFF, 0xD9]);
        return [.. o];
    }

    /// <summary>MSB-first entropy-coded bits with 0xFF byte stuffing.</summary>
    private sealed class BitWriter(List<byte> output)
    {
        private uint _accumulator;
        private int _count;

        public void Write(uint value, int length)
        {
            for (var i = length - 1; i >= 0; i--)
            {
                _accumulator = (_accumulator << 1) | ((value >> i) & 1);
                if (++_count == 8)
                {
                    Emit();
                }
            }
        }

        public void PadWithOnes()
        {
            while (_count != 0)
            {
                Write(1, 1);
            }
        }

        private void Emit()
        {
            var b = (byte)_accumulator;
            output.Add(b);
            if (b == 0xFF)
            {
                output.Add(0x00);
            }

            _accumulator = 0;
            _count = 0;
        }
    }
}
