using System.Buffers.Binary;
using System.Diagnostics;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Tests.Support;
using static LocalControl.Imaging.Tests.Formats.Dicom.CompressedDicomSupport;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

/// <summary>
/// Corrupt compressed pixel data is refused with a one-line message naming the file, the tag and a byte offset —
/// never a crash, a hang, or an allocation the header does not justify.
/// </summary>
public sealed class DicomCompressedBadInputTests
{
    [Fact]
    public void A_basic_offset_table_pointing_past_the_end_names_the_entry()
    {
        var source = Path.Combine(DicomTestData.Dcmqi, "23x38x3", "multiframe", "mf.dcm");
        using var dir = new TempDir();
        var compressed = dir.File("mf.dcm");
        Tool("dcmcjpeg", "+e1", "-ot", source, compressed);
        var fragments = Fragments(compressed);
        var offsets = ItemOffsets(fragments);
        offsets[^1] = 1_000_000; // past the end
        var bad = dir.File("bad.dcm");
        Rewrite(compressed, bad, null, fragments, basicOffsets: offsets);
        var f = DicomReader.Read(bad);
        var ex = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(f, fragments.Count - 1));
        Assert.Equal(DicomErrorCodes.Malformed, ex.Code);
        Assert.Contains($"Basic Offset Table entry {fragments.Count} (1000000)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bad.dcm", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(7FE0,0010)", ex.Message, StringComparison.Ordinal);
        // The frames before it still decode.
        Assert.Equal(Frames(source)[0], DicomPixelDecoder.DecodeFrame(f, 0));
    }

    [Fact]
    public void A_jpeg_frame_whose_size_disagrees_with_rows_and_columns_is_refused_before_decoding()
    {
        using var dir = new TempDir();
        var compressed = dir.File("ct.dcm");
        Tool("dcmcjpeg", "+e1", CtSlice(1), compressed);
        var jpeg = Fragments(compressed)[0];
        var sof = jpeg.AsSpan().IndexOf((byte[])[0xFF, 0xC3]);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 4096); // frame height 4096, Rows says 512
        var bad = dir.File("bad.dcm");
        Rewrite(compressed, bad, null, [jpeg]);
        var ex = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(DicomReader.Read(bad), 0));
        Assert.Equal(DicomErrorCodes.CompressedCorrupt, ex.Code);
        Assert.Contains("4096 rows x 512 columns", ex.Message, StringComparison.Ordinal);
        Assert.Contains("says 512 x 512 x 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(7FE0,0010)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_extended_offset_table_pointing_past_the_end_names_the_entry_and_its_byte()
    {
        var source = Path.Combine(DicomTestData.Dcmqi, "23x38x3", "multiframe", "mf.dcm");
        using var dir = new TempDir();
        var compressed = dir.File("mf.dcm");
        Tool("dcmcjpeg", "+e1", "-ot", source, compressed);
        var fragments = Fragments(compressed);
        var offsets = ItemOffsets(fragments).Select(x => (ulong)x).ToArray();
        var lengths = fragments.Select(f => (ulong)f.Length).ToArray();
        offsets[1] = 1UL << 40; // a terabyte past the start of the fragments
        var bad = dir.File("eot.dcm");
        Rewrite(compressed, bad, null, fragments, extended: (offsets, lengths));
        var f = DicomReader.Read(bad);
        var ex = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(f, 1));
        Assert.Equal(DicomErrorCodes.Malformed, ex.Code);
        Assert.Contains($"Extended Offset Table entry 2 ({1UL << 40})", ex.Message, StringComparison.Ordinal);
        Assert.Contains("eot.dcm", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(7FE0,0001)", ex.Message, StringComparison.Ordinal);

        // A length running past the last fragment is refused the same way, naming the lengths table.
        offsets = ItemOffsets(fragments).Select(x => (ulong)x).ToArray();
        lengths[^1] = 1UL << 33;
        Rewrite(compressed, bad, null, fragments, extended: (offsets, lengths));
        var ex2 = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(DicomReader.Read(bad), fragments.Count - 1));
        Assert.Equal(DicomErrorCodes.Malformed, ex2.Code);
        Assert.Contains($"Extended Offset Table Lengths entry {fragments.Count} ({1UL << 33} bytes) runs past the last fragment", ex2.Message, StringComparison.Ordinal);
        Assert.Contains("(7FE0,0002)", ex2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_cut_inside_its_compressed_fragment_is_refused_not_decoded_from_a_short_buffer()
    {
        using var dir = new TempDir();
        var compressed = dir.File("ct.dcm");
        Tool("dcmcjpeg", "+e1", CtSlice(1), compressed);
        var bytes = File.ReadAllBytes(compressed);
        var cut = dir.File("cut.dcm");
        File.WriteAllBytes(cut, bytes[..(bytes.Length - 40_000)]); // the item header still claims the full fragment
        var ex = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(DicomReader.Read(cut), 0));
        Assert.StartsWith("LC-DICOM-", ex.Code, StringComparison.Ordinal);
        Assert.Contains("cut.dcm", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(7FE0,0010)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scan_with_an_invalid_huffman_code_is_refused_naming_the_byte_offset()
    {
        using var dir = new TempDir();
        var compressed = dir.File("ct.dcm");
        Tool("dcmcjpeg", "+e1", CtSlice(3), compressed);
        var jpeg = Fragments(compressed)[0];
        var sos = jpeg.AsSpan().IndexOf((byte[])[0xFF, 0xDA]);
        var scan = sos + 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(sos + 2));
        // 64 stuffed 0xFF bytes: 512 one-bits, longer than any code, and the all-ones code is never assigned (T.81 C).
        for (var i = 0; i < 64; i++)
        {
            jpeg[scan + 2000 + 2 * i] = 0xFF;
            jpeg[scan + 2000 + 2 * i + 1] = 0x00;
        }

        var bad = dir.File("huffman.dcm");
        Rewrite(compressed, bad, null, [jpeg]);
        var ex = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(DicomReader.Read(bad), 0));
        Assert.Equal(DicomErrorCodes.CompressedCorrupt, ex.Code);
        Assert.Contains("huffman.dcm", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(7FE0,0010)", ex.Message, StringComparison.Ordinal);
        Assert.Matches(@"byte \d+: frame 1 of 1", ex.Message);
        Assert.Contains("a Huffman code that the table does not define", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_claims_in_the_header_or_the_jpeg_frame_are_refused_before_allocating()
    {
        using var dir = new TempDir();
        var compressed = dir.File("ct.dcm");
        Tool("dcmcjpeg", "+e1", CtSlice(1), compressed);

        // Rows = Columns = 8192 (128 MiB decoded) over a 300 KB stream under a 64 MiB budget: refused before the stream is
        // read; Rows = Columns = 65535 (8 GiB) does not even fit one buffer and is refused as such under the default one.
        var small = new ImagingReadOptions { Budget = new ImagingBudget(512L << 20, 64L << 20) };
        foreach (var (rows, columns, code, options) in new[] { (8192, 8192, ImagingBudget.OverBudgetCode, small), (65535, 65535, DicomErrorCodes.UnsupportedPixelFormat, ImagingReadOptions.Default) })
        {
            var bytes = File.ReadAllBytes(compressed);
            foreach (var (element, value) in new[] { ((byte)0x10, rows), ((byte)0x11, columns) })
            {
                var at = bytes.AsSpan().IndexOf((byte[])[0x28, 0x00, element, 0x00, (byte)'U', (byte)'S', 0x02, 0x00]);
                Assert.True(at > 0);
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + 8), (ushort)value);
            }

            var huge = dir.File("huge.dcm");
            File.WriteAllBytes(huge, bytes);
            var file = DicomReader.Read(huge, options);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var ex = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(file, 0));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "allocated more than 16 MB before refusing");
            Assert.True(ex.Code == code, ex.Message);
            Assert.Contains("huge.dcm", ex.Message, StringComparison.Ordinal);
        }

        // A JPEG frame header claiming 65535 x 65535 under Rows = Columns = 512: refused from the SOF, nothing sized by it.
        var jpeg = Fragments(compressed)[0];
        var sof = jpeg.AsSpan().IndexOf((byte[])[0xFF, 0xC3]);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 65535);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 65535);
        var bigFrame = dir.File("sof.dcm");
        Rewrite(compressed, bigFrame, null, [jpeg]);
        var sofFile = DicomReader.Read(bigFrame);
        var before2 = GC.GetAllocatedBytesForCurrentThread();
        var ex2 = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(sofFile, 0));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before2 < 16 << 20, "allocated more than 16 MB before refusing");
        Assert.Equal(DicomErrorCodes.CompressedCorrupt, ex2.Code);
        Assert.Contains("65535 rows x 65535 columns", ex2.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dcmcjpeg", "+e1")]
    [InlineData("dcmcjpeg", "+ee")]
    [InlineData("dcmcjpls")]
    public void A_truncated_stream_is_refused_with_the_compressed_data_code(string tool, params string[] options)
    {
        using var dir = new TempDir();
        var compressed = dir.File("ct.dcm");
        Tool(tool, [.. options, CtSlice(2), compressed]);
        var stream = Fragments(compressed)[0];
        var bad = dir.File("bad.dcm");
        Rewrite(compressed, bad, null, [stream[..(stream.Length / 2)]]);
        var ex = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(DicomReader.Read(bad), 0));
        Assert.Equal(DicomErrorCodes.CompressedCorrupt, ex.Code);
        Assert.Contains("bad.dcm", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_jpeg_2000_codestream_is_refused()
    {
        using var dir = new TempDir();
        var carrier = dir.File("carrier.dcm");
        Tool("dcmcjpls", CtSlice(1), carrier);
        var codestream = OpenJpegCodestream(dir, CtSlice(1));
        var bad = dir.File("bad.dcm");
        Rewrite(carrier, bad, "1.2.840.10008.1.2.4.90", [codestream[..(codestream.Length / 3)]]);
        var ex = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(DicomReader.Read(bad), 0));
        Assert.Equal(DicomErrorCodes.CompressedCorrupt, ex.Code);
        Assert.Contains("JPEG 2000 stream", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_frame_with_the_wrong_number_of_fragments_and_no_start_markers_is_refused()
    {
        var source = Path.Combine(DicomTestData.Dcmqi, "23x38x3", "multiframe", "mf.dcm");
        using var dir = new TempDir();
        var compressed = dir.File("mf.dcm");
        Tool("dcmcjpeg", "+e1", "-ot", source, compressed);
        var fragments = Fragments(compressed);
        var bad = dir.File("bad.dcm");
        Rewrite(compressed, bad, null, [fragments[0][2..], .. fragments]); // one extra fragment first, not a frame start
        var ex = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(DicomReader.Read(bad), 0));
        Assert.Equal(DicomErrorCodes.Malformed, ex.Code);
        Assert.Contains("fragments for 3 frames", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Seeded mutations of real compressed streams (byte overwrites, bit flips, truncations, deleted runs) for our own
    /// JPEG decoder (lossless and extended), RLE and CharLS: anything but an <see cref="ImagingException"/> is a crash.
    /// Time-boxed at 4 s. (OpenJPEG is only fed truncations above: it is a native library we do not fuzz in-process.)
    /// </summary>
    [Fact]
    public void Fuzzed_compressed_streams_are_refused_or_decoded_never_crash()
    {
        using var dir = new TempDir();
        var carriers = new List<(string Path, byte[] Stream)>();
        foreach (var (tool, option) in new[] { ("dcmcjpeg", "+e1"), ("dcmcjpeg", "+ee"), ("dcmcjpeg", "+eb"), ("dcmcjpls", ""), ("dcmcrle", "") })
        {
            var path = dir.File($"{tool}{option}.dcm");
            var args = option.Length == 0 ? new[] { Path.Combine(DicomTestData.Dcmqi, "23x38x3", "image", "IMG0001.dcm"), path } : [option, Path.Combine(DicomTestData.Dcmqi, "23x38x3", "image", "IMG0001.dcm"), path];
            Tool(tool, args);
            carriers.Add((path, Fragments(path)[0]));
        }

        var random = new Random(20261202);
        var watch = Stopwatch.StartNew();
        var runs = 0;
        var refused = 0;
        var target = dir.File("fuzz.dcm");
        var slowest = (Time: TimeSpan.Zero, Path: "", Hex: "");
        while (watch.Elapsed < TimeSpan.FromSeconds(4))
        {
            var (path, stream) = carriers[runs % carriers.Count];
            var mutated = Mutate(stream, random);
            Rewrite(path, target, null, [mutated]);
            var t0 = watch.Elapsed;
            try
            {
                DicomPixelDecoder.DecodeFrame(DicomReader.Read(target), 0);
            }
            catch (ImagingException)
            {
                refused++;
            }

            runs++;
            if (watch.Elapsed - t0 > slowest.Time)
            {
                slowest = (watch.Elapsed - t0, path, Convert.ToHexString(mutated));
            }
        }

        Assert.True(runs > 100, $"only {runs} runs; slowest {slowest.Time} {slowest.Path} {slowest.Hex}");
        Assert.True(refused > runs / 10, $"{refused} of {runs} mutated streams refused");
    }

    private static byte[] Mutate(byte[] stream, Random random)
    {
        var b = (byte[])stream.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (var i = random.Next(1, 8); i > 0; i--)
                {
                    b[random.Next(b.Length)] = (byte)random.Next(256);
                }

                return b;
            case 1:
                b[random.Next(b.Length)] ^= (byte)(1 << random.Next(8));
                return b;
            case 2:
                return b[..random.Next(1, b.Length)];
            default:
                var at = random.Next(b.Length);
                var n = Math.Min(random.Next(1, 64), b.Length - at);
                return [.. b[..at], .. b[(at + n)..]];
        }
    }
}
