using System.Text.Json;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Tests.Support;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

public sealed class DicomSegTests
{
    private static (ImageGeometry Geometry, int[] Labels) ReadNrrd(string path)
    {
        using var tmp = new TempDir();
        var raw = tmp.File("labels.i32");
        var json = JsonDocument.Parse(DicomTestData.RunPython(DicomTestData.OracleScript("nrrd_dump.py"), path, raw)).RootElement;
        Assert.Equal("left-posterior-superior", json.GetProperty("space").GetString());
        var sizes = json.GetProperty("sizes").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var dirs = json.GetProperty("directions").EnumerateArray().Select(v => v.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
        var origin = json.GetProperty("origin").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var axes = dirs.Select(d => new Vector3D(d[0], d[1], d[2])).ToArray();
        var geometry = new ImageGeometry(new VolumeSize(sizes[0], sizes[1], sizes[2]), new Vector3D(axes[0].Length, axes[1].Length, axes[2].Length),
            new Vector3D(origin[0], origin[1], origin[2]),
            Matrix3D.FromColumns(axes[0] * (1 / axes[0].Length), axes[1] * (1 / axes[1].Length), axes[2] * (1 / axes[2].Length)));
        var bytes = File.ReadAllBytes(raw);
        var labels = new int[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, labels, 0, bytes.Length);
        return (geometry, labels);
    }

    [Fact]
    public void The_liver_seg_on_the_ct_grid_equals_the_nrrd_voxel_for_voxel()
    {
        var ct = DicomSeriesBuilder.Load(Path.Combine(DicomTestData.Dcmqi, "ct-3slice"));
        var seg = DicomSegReader.Read(Path.Combine(DicomTestData.Dcmqi, "liver.dcm"), ct.Geometry);
        var (nrrdGeometry, nrrdLabels) = ReadNrrd(Path.Combine(DicomTestData.Dcmqi, "liver_seg.nrrd"));
        Assert.True(ct.Geometry.IsSameGridAs(nrrdGeometry, 1e-3), "the CT and the NRRD should share a grid");
        var ours = seg.LabelMap.Labels.Buffer;
        Assert.Equal(nrrdLabels.Length, ours.Length);
        Assert.True(nrrdLabels.Count(v => v != 0) > 1000, "the liver should be large");
        Assert.Equal(nrrdLabels, ours);
        var liver = Assert.Single(seg.LabelMap.Table.Entries);
        Assert.Equal("Liver", liver.Name);
        Assert.Equal(LabelRole.Liver, liver.Role);
        // dcmqi wrote Slicer's liver colour (221, 130, 101) as scaled CIELab (41661, 41167, 40792).
        var rgb = liver.ColourRgb!.Value;
        Assert.InRange(rgb >> 16, 218, 224);
        Assert.InRange((rgb >> 8) & 0xFF, 127, 133);
        Assert.InRange(rgb & 0xFF, 98, 104);
        Assert.Empty(seg.Warnings);
    }

    [Fact]
    public void A_seg_read_without_reference_takes_the_grid_its_frames_span()
    {
        var seg = DicomSegReader.Read(Path.Combine(DicomTestData.Dcmqi, "liver.dcm"));
        var (nrrdGeometry, nrrdLabels) = ReadNrrd(Path.Combine(DicomTestData.Dcmqi, "liver_seg.nrrd"));
        Assert.True(seg.LabelMap.Labels.Geometry.IsSameGridAs(nrrdGeometry, 1e-3));
        Assert.Equal(nrrdLabels, seg.LabelMap.Labels.Buffer);
    }

    [Fact]
    public void The_tiny_seg_equals_its_nrrd_label_map()
    {
        var dir = Path.Combine(DicomTestData.Dcmqi, "23x38x3");
        var image = DicomSeriesBuilder.Load(Path.Combine(dir, "image"));
        var seg = DicomSegReader.Read(Path.Combine(dir, "seg", "label.seg"), image.Geometry);
        var (nrrdGeometry, nrrdLabels) = ReadNrrd(Path.Combine(dir, "nrrd", "label.nrrd"));
        Assert.True(image.Geometry.IsSameGridAs(nrrdGeometry, 1e-3));
        // The NRRD holds label values; the SEG numbers its segments 1..n in the same order.
        var ourBuffer = seg.LabelMap.Labels.Buffer;
        Assert.Contains(nrrdLabels, v => v != 0);
        Assert.Equal(nrrdLabels.Select(v => v != 0), ourBuffer.Select(v => v != 0));
    }

    [Fact]
    public void A_ct_image_is_not_a_segmentation()
    {
        var ex = Assert.Throws<ImagingException>(() => DicomSegReader.Read(Path.Combine(DicomTestData.Dcmqi, "ct-3slice", "01.dcm")));
        Assert.Equal(DicomErrorCodes.Segmentation, ex.Code);
    }
}

public sealed class DicomFractionalSegTests
{
    [Fact]
    public void A_fractional_seg_with_two_segments_and_shuffled_frames_gives_the_expected_label_map()
    {
        using var tmp = new TempDir();
        var imageDir = Path.Combine(DicomTestData.Dcmqi, "23x38x3", "image");
        DicomTestData.RunPython(DicomTestData.OracleScript("make_fractional_seg.py"), imageDir, tmp.File("frac.dcm"), tmp.File("expected.i32"));
        var image = DicomSeriesBuilder.Load(imageDir);
        var seg = DicomSegReader.Read(tmp.File("frac.dcm"), image.Geometry);
        var bytes = File.ReadAllBytes(tmp.File("expected.i32"));
        var expected = new int[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, expected, 0, bytes.Length);
        Assert.Contains(expected, v => v == 1);
        Assert.Contains(expected, v => v == 2);
        Assert.Equal(expected, seg.LabelMap.Labels.Buffer);
        Assert.Equal(LabelRole.Tumour, seg.LabelMap.Table.Find(1)!.Role);
        Assert.Equal(LabelRole.PortalVein, seg.LabelMap.Table.Find(2)!.Role);
        Assert.Equal("Portal vein", seg.LabelMap.Table.Find(2)!.Name);
        // CIELab (50, 0, 0) is sRGB mid-grey (119, 119, 119); the DICOM scaling leaves a and b half a unit off zero.
        var grey = seg.LabelMap.Table.Find(2)!.ColourRgb!.Value;
        Assert.All(new[] { grey >> 16, (grey >> 8) & 0xFF, grey & 0xFF }, c => Assert.InRange(c, 116, 122));
    }
}
