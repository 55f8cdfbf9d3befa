using System.Text.Json;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Tests.Support;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

public sealed class DicomSeriesTests
{
    private static string Ct3 => Path.Combine(DicomTestData.Dcmqi, "ct-3slice");

    internal static (JsonElement Geometry, float[] Voxels) PydicomStack(IEnumerable<string> files)
    {
        using var tmp = new TempDir();
        var raw = tmp.File("vol.f32");
        var json = DicomTestData.RunPython([DicomTestData.OracleScript("series_oracle.py"), raw, .. files]);
        var bytes = File.ReadAllBytes(raw);
        var voxels = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, voxels, 0, bytes.Length);
        return (JsonDocument.Parse(json).RootElement.Clone(), voxels);
    }

    internal static void AssertSameAsPydicom(DicomVolume ours, IEnumerable<string> files)
    {
        var (g, voxels) = PydicomStack(files);
        var geo = ours.Geometry;
        var size = g.GetProperty("size").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(new VolumeSize(size[0], size[1], size[2]), geo.Size);
        var origin = g.GetProperty("origin").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var spacing = g.GetProperty("spacing").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble()).ToArray();
        var row = g.GetProperty("rowDir").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var col = g.GetProperty("colDir").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (var a = 0; a < 3; a++)
        {
            Assert.Equal(origin[a], geo.OriginLps[a], 6);
            Assert.Equal(row[a], geo.Direction[a, 0], 5);
            Assert.Equal(col[a], geo.Direction[a, 1], 5);
            if (!double.IsNaN(spacing[a]))
            {
                Assert.Equal(spacing[a], geo.SpacingMm[a], 6);
            }
        }

        Assert.Equal(voxels.Length, ours.Voxels.Buffer.Length);
        Assert.Equal(voxels, ours.Voxels.Buffer);
    }

    [Fact]
    public void The_three_slice_abdominal_ct_loads_as_pydicom_stacks_it()
    {
        var volume = DicomSeriesBuilder.Load(Ct3);
        Assert.Equal(new VolumeSize(512, 512, 3), volume.Geometry.Size);
        Assert.Equal("CT", volume.Series.Modality);
        Assert.InRange(volume.Voxels.Buffer.Min(), -3024, -900); // air and padding in HU, not raw stored values
        AssertSameAsPydicom(volume, Directory.GetFiles(Ct3));
    }

    [Fact]
    public void The_tiny_series_is_the_same_volume_as_single_frames_and_as_one_enhanced_multiframe_file()
    {
        var single = DicomSeriesBuilder.Load(Path.Combine(DicomTestData.Dcmqi, "23x38x3", "image"));
        var multi = DicomSeriesBuilder.Load(Path.Combine(DicomTestData.Dcmqi, "23x38x3", "multiframe", "mf.dcm"));
        Assert.Equal(new VolumeSize(23, 38, 3), single.Geometry.Size);
        Assert.True(single.Geometry.IsSameGridAs(multi.Geometry, 1e-4, 1e-5), $"{single.Geometry.OriginLps} {multi.Geometry.OriginLps} {single.Geometry.SpacingMm} {multi.Geometry.SpacingMm}");
        Assert.Equal(single.Voxels.Buffer, multi.Voxels.Buffer);
        AssertSameAsPydicom(single, Directory.GetFiles(Path.Combine(DicomTestData.Dcmqi, "23x38x3", "image")));
    }

    private static string MakeSeries(TempDir tmp, string mode, int slices = 6, double spacing = 2.5)
    {
        var dir = tmp.File(mode);
        DicomTestData.RunPython(DicomTestData.OracleScript("make_series.py"), dir, "20", "16", slices.ToString(System.Globalization.CultureInfo.InvariantCulture),
            spacing.ToString(System.Globalization.CultureInfo.InvariantCulture), mode);
        return dir;
    }

    [Fact]
    public void Slices_are_sorted_by_position_and_spaced_by_position_never_by_instance_number_or_thickness()
    {
        using var tmp = new TempDir();
        var dir = MakeSeries(tmp, "shuffled");
        var volume = DicomSeriesBuilder.Load(dir);
        Assert.Equal(new Vector3D(0.7, 0.75, 2.5), volume.Geometry.SpacingMm); // PixelSpacing is (row, column); SliceThickness says 9
        for (var k = 0; k < 6; k++)
        {
            Assert.Equal((3 * k % 2000) - 500 - 1024, volume.Voxels[0, 0, k]);
            Assert.Equal((1 + 2 * 2 + 3 * k) % 2000 - 500 - 1024, volume.Voxels[1, 2, k]); // i = column 1, j = row 2
        }

        AssertSameAsPydicom(volume, Directory.GetFiles(dir));
    }

    [Theory]
    [InlineData("missing", DicomErrorCodes.UnevenSpacing, "missing")]
    [InlineData("uneven", DicomErrorCodes.UnevenSpacing, "uneven")]
    [InlineData("tilt", DicomErrorCodes.GantryTilt, "tilt")]
    public void Irregular_series_are_refused_naming_the_files(string mode, string code, string words)
    {
        using var tmp = new TempDir();
        var dir = MakeSeries(tmp, mode);
        var ex = Assert.Throws<ImagingException>(() => DicomSeriesBuilder.Load(dir));
        Assert.Equal(code, ex.Code);
        Assert.Contains(words, ex.Message, StringComparison.Ordinal);
        Assert.Contains(".dcm", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_with_two_series_lists_both_and_needs_a_choice_by_uid_or_index()
    {
        using var tmp = new TempDir();
        var dir = MakeSeries(tmp, "twoseries");
        var scan = DicomSeriesScanner.Scan(dir);
        Assert.Equal(["axial", "coronal"], scan.Series.Select(s => s.Description));
        var ex = Assert.Throws<ImagingException>(() => DicomSeriesBuilder.Load(dir));
        Assert.Equal(DicomErrorCodes.SeriesSelection, ex.Code);
        Assert.Contains("coronal", ex.Message, StringComparison.Ordinal);
        var coronal = DicomSeriesBuilder.Load(dir, scan.Series[1].SeriesInstanceUid);
        Assert.Equal("coronal", coronal.Series.Description);
        Assert.Equal(-1, coronal.Geometry.Direction[2, 1], 6); // column direction = -z (feet)
        Assert.Equal("axial", DicomSeriesBuilder.Load(dir, "0").Series.Description);
        Assert.Equal(DicomErrorCodes.SeriesSelection, Assert.Throws<ImagingException>(() => DicomSeriesBuilder.Load(dir, "7")).Code);
    }

    [Fact]
    public void A_folder_of_files_that_are_not_dicom_is_a_clear_error()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("notes.txt"), "not an image");
        File.WriteAllBytes(tmp.File("zeros.bin"), new byte[300]);
        var ex = Assert.Throws<ImagingException>(() => DicomSeriesScanner.Scan(tmp.PathName));
        Assert.Equal(DicomErrorCodes.NoSeries, ex.Code);
        Assert.Contains("2 not DICOM", ex.Message, StringComparison.Ordinal);
    }
}
