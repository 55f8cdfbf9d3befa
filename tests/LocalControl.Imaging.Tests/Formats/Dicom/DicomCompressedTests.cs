using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Tests.Support;
using static LocalControl.Imaging.Tests.Formats.Dicom.CompressedDicomSupport;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

/// <summary>
/// Compressed pixel data, checked voxel for voxel: the real CT slices (512 × 512, signed 16-bit) compressed in the
/// test by dcmtk and OpenJPEG, decoded here and compared with the uncompressed original (lossless syntaxes) or with
/// the same tool family's own decoder (lossy syntaxes: dcmdjpeg, dcmdjpls, opj_decompress).
/// </summary>
public sealed class DicomCompressedTests
{
    [Theory]
    [InlineData("1.2.840.10008.1.2.4.70", "+e1")]
    [InlineData("1.2.840.10008.1.2.4.57", "+el", "+sv", "1")]
    [InlineData("1.2.840.10008.1.2.4.57", "+el", "+sv", "2")]
    [InlineData("1.2.840.10008.1.2.4.57", "+el", "+sv", "3")]
    [InlineData("1.2.840.10008.1.2.4.57", "+el", "+sv", "4")]
    [InlineData("1.2.840.10008.1.2.4.57", "+el", "+sv", "5")]
    [InlineData("1.2.840.10008.1.2.4.57", "+el", "+sv", "6")]
    [InlineData("1.2.840.10008.1.2.4.57", "+el", "+sv", "7")]
    public void Jpeg_lossless_from_dcmcjpeg_equals_the_original_ct(string syntax, params string[] options)
    {
        using var dir = new TempDir();
        var compressed = dir.File("ct.dcm");
        Tool("dcmcjpeg", [.. options, CtSlice(1), compressed]);
        Assert.Equal(syntax, DicomReader.Read(compressed).TransferSyntax.Uid);
        AssertSameFrames(CtSlice(1), compressed);
    }

    [Fact]
    public void Jpeg_lossless_with_fragments_across_items_equals_the_original()
    {
        using var dir = new TempDir();
        var compressed = dir.File("ct.dcm");
        // Fragments of 16 KB (+fs): one frame spread over many items.
        Tool("dcmcjpeg", "+e1", "+fs", "16", CtSlice(2), compressed);
        Assert.True(Fragments(compressed).Count > 3);
        AssertSameFrames(CtSlice(2), compressed);
    }

    [Fact]
    public void Jpeg_lossless_with_point_transform_matches_dcmdjpeg()
    {
        using var dir = new TempDir();
        var compressed = dir.File("ct.dcm");
        var oracle = dir.File("oracle.dcm");
        Tool("dcmcjpeg", "+el", "+sv", "1", "+pt", "2", CtSlice(1), compressed);
        Tool("dcmdjpeg", compressed, oracle);
        AssertSameFrames(oracle, compressed);
    }

    [Theory]
    [InlineData("+eb")]
    [InlineData("+ee")]
    public void Jpeg_lossy_matches_dcmdjpeg_sample_for_sample(string process)
    {
        using var dir = new TempDir();
        var compressed = dir.File("ct.dcm");
        var oracle = dir.File("oracle.dcm");
        Tool("dcmcjpeg", process, CtSlice(3), compressed);
        Tool("dcmdjpeg", compressed, oracle);
        AssertSameFrames(oracle, compressed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void Jpeg_baseline_with_restart_intervals_from_cjpeg_matches_djpeg(int restartRows)
    {
        using var dir = new TempDir();
        // An 8-bit DICOM carrier (dcmcjpeg +eb), its pixels as a PGM, re-encoded by libjpeg-turbo with restart markers.
        var carrier = dir.File("carrier.dcm");
        Tool("dcmcjpeg", "+eb", CtSlice(1), carrier);
        var plain = dir.File("plain.dcm");
        Tool("dcmdjpeg", carrier, plain);
        var f = DicomReader.Read(plain);
        var e = f.Dataset.Find(DicomTag.PixelData)!;
        var pgm = dir.File("slice.pgm");
        File.WriteAllBytes(pgm, [.. System.Text.Encoding.ASCII.GetBytes("P5\n512 512\n255\n"), .. f.ReadRange(e.ValueOffset, 512 * 512, DicomTag.PixelData)]);
        var jpeg = dir.File("slice.jpg");
        Tool("cjpeg", "-quality", "75", "-restart", restartRows.ToString(System.Globalization.CultureInfo.InvariantCulture), "-outfile", jpeg, pgm);
        var decoded = dir.File("decoded.pgm");
        Tool("djpeg", "-pnm", "-dct", "int", "-outfile", decoded, jpeg);
        var rewritten = dir.File("restart.dcm");
        Rewrite(carrier, rewritten, null, [File.ReadAllBytes(jpeg)]);

        var expected = File.ReadAllBytes(decoded)[^(512 * 512)..].Select(b => (double)b).ToArray();
        Assert.Equal(expected, Frames(rewritten)[0]);
    }

    [Fact]
    public void Jpeg_ls_lossless_from_dcmcjpls_equals_the_original()
    {
        using var dir = new TempDir();
        var compressed = dir.File("ct.dcm");
        Tool("dcmcjpls", CtSlice(1), compressed);
        Assert.Equal("1.2.840.10008.1.2.4.80", DicomReader.Read(compressed).TransferSyntax.Uid);
        AssertSameFrames(CtSlice(1), compressed);
    }

    [Fact]
    public void Jpeg_ls_near_lossless_matches_dcmdjpls()
    {
        using var dir = new TempDir();
        var compressed = dir.File("ct.dcm");
        var oracle = dir.File("oracle.dcm");
        // dcmcjpls refuses signed data for near-lossless: the unsigned 23 x 38 image of the dcmqi fixtures.
        var source = Path.Combine(DicomTestData.Dcmqi, "23x38x3", "image", "IMG0002.dcm");
        Tool("dcmcjpls", "+en", "+md", "3", source, compressed);
        Assert.Equal("1.2.840.10008.1.2.4.81", DicomReader.Read(compressed).TransferSyntax.Uid);
        Tool("dcmdjpls", compressed, oracle);
        AssertSameFrames(oracle, compressed);
    }

    [Fact]
    public void Rle_from_dcmcrle_equals_the_original()
    {
        using var dir = new TempDir();
        var compressed = dir.File("ct.dcm");
        Tool("dcmcrle", CtSlice(3), compressed);
        AssertSameFrames(CtSlice(3), compressed);
    }

    [Fact]
    public void Jpeg_2000_lossless_from_opj_compress_equals_the_original()
    {
        using var dir = new TempDir();
        var carrier = dir.File("carrier.dcm");
        Tool("dcmcjpls", CtSlice(1), carrier); // an encapsulated file of the right length of syntax UID
        var j2k = dir.File("ct.dcm");
        Rewrite(carrier, j2k, "1.2.840.10008.1.2.4.90", [OpenJpegCodestream(dir, CtSlice(1))]);
        AssertSameFrames(CtSlice(1), j2k);
    }

    [Fact]
    public void Jpeg_2000_lossy_matches_opj_decompress()
    {
        using var dir = new TempDir();
        var carrier = dir.File("carrier.dcm");
        Tool("dcmcjpls", CtSlice(2), carrier);
        var codestream = OpenJpegCodestream(dir, CtSlice(2), rate: "20");
        var j2k = dir.File("ct.dcm");
        Rewrite(carrier, j2k, "1.2.840.10008.1.2.4.91", [codestream]);

        // OpenJPEG's own command-line decoder writes the raw samples the library gives.
        File.WriteAllBytes(dir.File("lossy.j2k"), codestream);
        Tool("opj_decompress", "-i", dir.File("lossy.j2k"), "-o", dir.File("lossy.rawl"));
        var raw = File.ReadAllBytes(dir.File("lossy.rawl"));
        var expected = Enumerable.Range(0, raw.Length / 2).Select(i => (double)BitConverter.ToInt16(raw, 2 * i)).ToArray();
        var actual = Frames(j2k)[0];
        Assert.Equal(expected, actual);
        Assert.NotEqual(Frames(CtSlice(2))[0], actual);
    }

    [Fact]
    public void A_compressed_ct_series_loads_as_the_same_volume_as_the_uncompressed_one()
    {
        using var dir = new TempDir();
        var folder = Directory.CreateDirectory(dir.File("series")).FullName;
        for (var n = 1; n <= 3; n++)
        {
            Tool("dcmcjpeg", "+e1", CtSlice(n), Path.Combine(folder, $"{n}.dcm"));
        }

        var original = DicomSeriesBuilder.Load(Path.GetDirectoryName(CtSlice(1))!);
        var compressed = DicomSeriesBuilder.Load(folder);
        Assert.Equal(original.Geometry, compressed.Geometry);
        Assert.Equal(original.Voxels.Buffer, compressed.Voxels.Buffer);
    }

    [Theory]
    [InlineData("-ot")] // empty basic offset table, one fragment per frame
    [InlineData("+ot")] // basic offset table
    public void Multi_frame_jpeg_lossless_with_and_without_offset_table_equals_the_original(string table)
    {
        var source = Path.Combine(DicomTestData.Dcmqi, "23x38x3", "multiframe", "mf.dcm");
        using var dir = new TempDir();
        var compressed = dir.File("mf.dcm");
        Tool("dcmcjpeg", "+e1", table, source, compressed);
        AssertSameFrames(source, compressed);
    }

    [Fact]
    public void Multi_frame_with_fragments_split_across_items_found_by_offset_tables_and_by_start_markers()
    {
        var source = Path.Combine(DicomTestData.Dcmqi, "23x38x3", "multiframe", "mf.dcm");
        using var dir = new TempDir();
        var compressed = dir.File("mf.dcm");
        Tool("dcmcjpeg", "+e1", "-ot", source, compressed);
        var frames = Fragments(compressed);
        Assert.True(frames.Count > 1);

        // Each frame cut in two fragments: the basic table, the extended table, and no table (SOI markers) must all find them.
        var split = frames.SelectMany(f => new[] { f[..(f.Length / 2 & ~1)], f[(f.Length / 2 & ~1)..] }).ToList();
        var items = ItemOffsets(split);
        var starts = Enumerable.Range(0, frames.Count).Select(k => items[2 * k]).ToArray();

        var withBasic = dir.File("basic.dcm");
        Rewrite(compressed, withBasic, null, split, basicOffsets: starts);
        AssertSameFrames(source, withBasic);

        var withExtended = dir.File("extended.dcm");
        var lengths = frames.Select(f => (ulong)f.Length).ToArray();
        // PS3.5 A.4: with an extended table each frame is one fragment.
        var frameItems = ItemOffsets(frames).Select(x => (ulong)x).ToArray();
        Rewrite(compressed, withExtended, null, frames, extended: (frameItems, lengths));
        AssertSameFrames(source, withExtended);

        var withMarkers = dir.File("markers.dcm");
        Rewrite(compressed, withMarkers, null, split);
        AssertSameFrames(source, withMarkers);
    }

    [Fact]
    public void Pydicom_lossless_files_equal_their_uncompressed_originals()
    {
        var files = DicomTestData.PydicomTestFiles;
        foreach (var name in new[] { "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm", "MR_small_RLE.dcm" })
        {
            AssertSameFrames(Path.Combine(files, "MR_small.dcm"), Path.Combine(files, name));
        }
    }

    [Theory]
    [InlineData("JPEG-lossy.dcm")]
    [InlineData("JPGExtended.dcm")]
    [InlineData("SC_rgb_jpeg_dcmtk.dcm")]
    public void Pydicom_jpeg_files_match_dcmdjpeg(string name)
    {
        var source = Path.Combine(DicomTestData.PydicomTestFiles, name);
        using var dir = new TempDir();
        var oracle = dir.File("oracle.dcm");
        Tool("dcmdjpeg", "+cn", source, oracle); // +cn: keep the colour space the stream has
        AssertSameFrames(oracle, source);
    }
}
