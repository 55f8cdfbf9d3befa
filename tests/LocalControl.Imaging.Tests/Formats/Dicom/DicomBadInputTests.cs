using System.Buffers.Binary;
using System.Diagnostics;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Tests.Support;
using Xunit.Abstractions;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

public sealed class DicomBadInputTests(ITestOutputHelper output)
{
    private static byte[] Header()
    {
        // Preamble, DICM, and a meta group with Explicit VR Little Endian.
        var ms = new MemoryStream();
        ms.Write(new byte[128]);
        ms.Write("DICM"u8);
        var uid = "1.2.840.10008.1.2.1\0"u8.ToArray();
        ms.Write([0x02, 0x00, 0x10, 0x00, (byte)'U', (byte)'I', (byte)uid.Length, 0]);
        ms.Write(uid);
        return ms.ToArray();
    }

    private static ImagingException ReadBytes(byte[] bytes)
    {
        using var tmp = new TempDir();
        var path = tmp.File("bad.dcm");
        File.WriteAllBytes(path, bytes);
        return Assert.Throws<ImagingException>(() =>
        {
            var f = DicomReader.Read(path);
            DicomPixelDecoder.DecodeFrame(f, 0);
        });
    }

    [Fact]
    public void A_length_that_runs_past_the_end_names_the_tag_and_offset_without_allocating_it()
    {
        var bytes = Header().Concat(new byte[] { 0x10, 0x00, 0x10, 0x00, (byte)'U', (byte)'T', 0, 0, 0xF0, 0xFF, 0xFF, 0x7F, (byte)'A' }).ToArray();
        var ex = ReadBytes(bytes);
        Assert.Equal(DicomErrorCodes.Truncated, ex.Code);
        Assert.Contains("(0010,0010)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Header().Length + 12, ex.ByteOffset);
    }

    [Fact]
    public void An_undefined_length_item_without_delimiters_is_a_clean_error()
    {
        var body = new List<byte> { 0x08, 0x00, 0x15, 0x11, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF };
        body.AddRange([0x08, 0x00, 0x50, 0x11, (byte)'U', (byte)'I', 4, 0, (byte)'1', (byte)'.', (byte)'2', 0]);
        var ex = ReadBytes([.. Header(), .. body]);
        Assert.Equal(DicomErrorCodes.Malformed, ex.Code);
        Assert.Contains("delimiter", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sequences_nested_a_thousand_deep_are_refused_not_recursed()
    {
        var body = new List<byte>();
        for (var i = 0; i < 1000; i++)
        {
            body.AddRange([0x08, 0x00, 0x15, 0x11, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        }

        var ex = ReadBytes([.. Header(), .. body]);
        Assert.Equal(DicomErrorCodes.TooDeep, ex.Code);
    }

    [Fact]
    public void Pixel_data_shorter_than_rows_times_columns_is_refused()
    {
        var body = new List<byte>();
        void Us(ushort element, ushort value)
        {
            body.AddRange([0x28, 0x00, (byte)element, (byte)(element >> 8), (byte)'U', (byte)'S', 2, 0, (byte)value, (byte)(value >> 8)]);
        }

        Us(0x0010, 512);
        Us(0x0011, 512);
        Us(0x0100, 16);
        body.AddRange([0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W', 0, 0, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
        var ex = ReadBytes([.. Header(), .. body]);
        Assert.Equal(DicomErrorCodes.PixelDataTooShort, ex.Code);
        Assert.Contains("512 rows x 512 columns", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_claiming_a_huge_image_is_refused_before_anything_that_size_is_allocated()
    {
        var body = new List<byte>();
        void Us(ushort element, ushort value) =>
            body.AddRange([0x28, 0x00, (byte)element, (byte)(element >> 8), (byte)'U', (byte)'S', 2, 0, (byte)value, (byte)(value >> 8)]);
        Us(0x0010, 60000);
        Us(0x0011, 60000);
        Us(0x0100, 32);
        body.AddRange([0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W', 0, 0, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = ReadBytes([.. Header(), .. body]);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 50_000_000, "a hostile header must not cause a large allocation");
        Assert.Equal(DicomErrorCodes.PixelDataTooShort, ex.Code);
    }

    [Fact]
    public void A_pixel_spacing_too_small_to_invert_is_an_imaging_error_not_a_crash()
    {
        var body = new List<byte>();
        void Text(ushort group, ushort element, string vr, string value)
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(value.Length % 2 == 1 ? value + " " : value);
            body.AddRange([(byte)group, (byte)(group >> 8), (byte)element, (byte)(element >> 8), (byte)vr[0], (byte)vr[1], (byte)bytes.Length, 0]);
            body.AddRange(bytes);
        }

        Text(0x0020, 0x0032, "DS", "0\\0\\0");
        Text(0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0");
        body.AddRange([0x28, 0x00, 0x10, 0x00, (byte)'U', (byte)'S', 2, 0, 2, 0, 0x28, 0x00, 0x11, 0x00, (byte)'U', (byte)'S', 2, 0, 2, 0]);
        Text(0x0028, 0x0030, "DS", "1e-300\\1e-300");
        body.AddRange([0x28, 0x00, 0x00, 0x01, (byte)'U', (byte)'S', 2, 0, 16, 0]);
        body.AddRange([0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W', 0, 0, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
        using var tmp = new TempDir();
        var path = tmp.File("tiny.dcm");
        File.WriteAllBytes(path, [.. Header(), .. body]);
        var ex = Assert.Throws<ImagingException>(() => DicomSeriesBuilder.Load(path));
        Assert.Equal(DicomErrorCodes.MissingAttribute, ex.Code);
        Assert.Contains("voxel size", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Half_a_million_stray_delimiters_are_skipped_without_exhausting_the_stack()
    {
        var body = new List<byte>();
        for (var i = 0; i < 500_000; i++)
        {
            body.AddRange([0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]);
        }

        body.AddRange([0x10, 0x00, 0x20, 0x00, (byte)'L', (byte)'O', 2, 0, (byte)'I', (byte)'D']);
        using var tmp = new TempDir();
        var path = tmp.File("stray.dcm");
        File.WriteAllBytes(path, [.. Header(), .. body]);
        Assert.Equal("ID", DicomReader.Read(path).Dataset.GetString(DicomTag.PatientId));
    }

    [Fact]
    public void Pydicoms_truncated_files_get_the_truncation_error()
    {
        var dir = DicomTestData.PydicomTestFiles;
        var mr = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(DicomReader.Read(Path.Combine(dir, "MR_truncated.dcm")), 0));
        Assert.Equal(DicomErrorCodes.Truncated, mr.Code);
        Assert.Equal(DicomErrorCodes.Truncated, Assert.Throws<ImagingException>(() => DicomReader.Read(Path.Combine(dir, "rtplan_truncated.dcm"))).Code);
    }

    [Fact]
    public void A_compressed_syntax_without_a_decoder_is_refused_naming_the_syntax_and_a_conversion()
    {
        // JPEG 2000 Part 2 (1.2.840.10008.1.2.4.92) has no decoder here: the JPEG-LS file relabelled.
        using var dir = new TempDir();
        var source = Path.Combine(DicomTestData.PydicomTestFiles, "MR_small_jpeg_ls_lossless.dcm");
        var path = dir.File("part2.dcm");
        CompressedDicomSupport.Rewrite(source, path, "1.2.840.10008.1.2.4.92", CompressedDicomSupport.Fragments(source));
        var ex = Assert.Throws<ImagingException>(() => DicomPixelDecoder.DecodeFrame(DicomReader.Read(path), 0));
        Assert.Equal(DicomErrorCodes.UnsupportedTransferSyntax, ex.Code);
        Assert.Contains("1.2.840.10008.1.2.4.92", ex.Message, StringComparison.Ordinal);
        Assert.Contains("convert it first", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Bounded fuzzing: seeded random mutations (bit flips, byte overwrites with boundary values, truncation,
    /// duplicated and deleted chunks, patched 16/32-bit lengths) of real files, each read, decoded and — for images —
    /// turned into frames. Anything but an ImagingException is a crash. A fixed seed and a fixed number of executions
    /// (not a time box), so a failure reproduces on any machine; the long run is bench/LocalControl.Fuzz.Bench.
    /// </summary>
    [Fact]
    public void Fuzzing_real_files_a_fixed_number_of_times_finds_no_crash()
    {
        var seeds = new[]
        {
            "CT_small.dcm", "MR_small_RLE.dcm", "MR_small_bigendian.dcm", "MR_small_implicit.dcm", "image_dfl.dcm", "rtstruct.dcm",
            "liver_1frame.dcm", "nested_priv_SQ.dcm", "UN_sequence.dcm", "SC_rgb_rle_16bit_2frame.dcm", "rtdose.dcm", "ExplVR_BigEndNoMeta.dcm",
        }.Select(n => File.ReadAllBytes(Path.Combine(DicomTestData.PydicomTestFiles, n)))
         .Append(File.ReadAllBytes(Path.Combine(DicomTestData.Dcmqi, "23x38x3", "multiframe", "mf.dcm")))
         .Append(File.ReadAllBytes(Path.Combine(DicomTestData.Dcmqi, "23x38x3", "seg", "label.seg"))).ToArray();
        var random = new Random(20261127);
        using var tmp = new TempDir();
        var path = tmp.File("fuzz.dcm");
        var clock = Stopwatch.StartNew();
        int executions = 0, rejected = 0, accepted = 0;
        var crashes = new List<string>();
        const int Executions = 1500;
        while (executions < Executions)
        {
            var data = Mutate(seeds[random.Next(seeds.Length)], random);
            File.WriteAllBytes(path, data);
            executions++;
            try
            {
                var f = DicomReader.Read(path);
                var modality = f.Dataset.GetString(DicomTag.Modality);
                if (modality == "RTSTRUCT")
                {
                    var set = DicomRtStructReader.Read(f);
                    DicomContourRasteriser.Rasterise(set, new LocalControl.Imaging.Geometry.ImageGeometry(new(64, 64, 8), new(8, 8, 20), new(-256, -256, -80), LocalControl.Imaging.Geometry.Matrix3D.Identity));
                }
                else if (modality == "SEG")
                {
                    DicomSegReader.Read(f);
                }
                else if (f.Dataset.Contains(DicomTag.PixelData))
                {
                    var d = DicomPixelDescription.From(f.Dataset, path);
                    DicomPixelDecoder.DecodeFrame(f, d.NumberOfFrames - 1, rescale: true);
                    var series = DicomSeriesScanner.Group([f]);
                    if (series.Count == 1)
                    {
                        DicomSeriesBuilder.Build(series[0]);
                    }
                }

                accepted++;
            }
            catch (ImagingException)
            {
                rejected++;
            }
            catch (Exception ex)
            {
                var copy = tmp.File($"crash{crashes.Count}.dcm");
                File.Copy(path, copy);
                crashes.Add($"{ex.GetType().Name}: {ex.Message} ({copy})\n{ex.StackTrace}");
                if (crashes.Count > 5)
                {
                    break;
                }
            }
        }

        output.WriteLine($"fuzz: {executions} executions in {clock.Elapsed.TotalSeconds:F1} s, {accepted} read in full, {rejected} clean rejections, {crashes.Count} crashes");
        Assert.True(crashes.Count == 0, string.Join("\n\n", crashes));
        Assert.Equal(Executions, executions);
        Assert.True(rejected > 0 && accepted > 0, "the mutations never reached both outcomes: the fuzzer is not exercising the reader");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = (byte[])seed.Clone();
        var mutations = random.Next(1, 6);
        for (var m = 0; m < mutations && data.Length > 8; m++)
        {
            var at = random.Next(data.Length);
            switch (random.Next(6))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[at] = (byte)new[] { 0x00, 0xFF, 0x7F, 0x80, 0xFE, 0x01 }[random.Next(6)];
                    break;
                case 2:
                    data = data[..random.Next(data.Length)];
                    break;
                case 3 when at + 4 <= data.Length:
                    BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), new[] { 0xFFFFFFFFu, 0x7FFFFFFFu, 0u, 1u, (uint)random.Next() }[random.Next(5)]);
                    break;
                case 4 when at + 2 <= data.Length:
                    BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(at), (ushort)new[] { 0xFFFF, 0xFFFE, 0xE000, 0xE00D, 0xE0DD, 0 }[random.Next(6)]);
                    break;
                default:
                    var len = Math.Min(random.Next(1, 64), data.Length - at);
                    data = random.Next(2) == 0 ? [.. data[..at], .. data[at..(at + len)], .. data[at..]] : [.. data[..at], .. data[(at + len)..]];
                    break;
            }
        }

        return data;
    }
}
