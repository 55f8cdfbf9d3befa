using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Segmentations;
using LocalControl.Imaging.Tests.Support;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Formats.Segmentations;

/// <summary>TotalSegmentator output folders (one mask per structure) read as one label map, against nibabel + numpy.</summary>
public sealed class SegmentationFolderTests
{
    private static string Script => Path.Combine(TestPaths.RepoRoot, "tests", "LocalControl.Imaging.Tests", "Formats", "Segmentations", "make_totalseg_folder.py");

    [Fact]
    public void A_totalsegmentator_folder_reads_as_the_label_map_numpy_paints()
    {
        using var dir = new TempDir();
        var folder = dir.File("segmentations");
        var overlapVoxels = long.Parse(PythonOracle.Run(System.IO.File.ReadAllText(Script), folder, dir.File("expected.raw")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

        Assert.IsType<SegmentationFolderFormat>(VolumeFormats.Detect(folder));
        var loaded = VolumeFormats.Load(folder);
        var expectedBytes = System.IO.File.ReadAllBytes(dir.File("expected.raw"));
        var expected = new int[expectedBytes.Length / 4];
        Buffer.BlockCopy(expectedBytes, 0, expected, 0, expectedBytes.Length);
        Assert.Equal(expected, loaded.ToLabelVolume().Buffer);

        // nibabel's affine (RAS) is our LPS geometry with x and y negated.
        var nifti = VolumeFormats.Identify(Path.Combine(folder, "liver.nii.gz"));
        Assert.Equal(nifti.Geometry, loaded.Info.Geometry);

        var table = loaded.LabelTable!;
        Assert.Equal(LabelRole.Liver, table.Find(5)!.Role);
        Assert.Equal(LabelRole.Tumour, table.Find(119)!.Role);
        Assert.Equal(LabelRole.PortalVein, table.Find(64)!.Role);
        Assert.Equal(LabelRole.Vessel, table.Find(63)!.Role);
        Assert.Equal(LabelRole.Other, table.Find(128)!.Role);
        Assert.Equal("my_structure", table.Find(128)!.Name);

        var warnings = loaded.Info.Warnings.ToDictionary(w => w.Code, w => w.Message);
        Assert.Contains("my_structure", warnings["LC-SEG-W01"], StringComparison.Ordinal);
        Assert.StartsWith($"masks overlap: {overlapVoxels} voxel claims", warnings["LC-SEG-W02"], StringComparison.Ordinal);
        Assert.Contains("kidney_left", warnings["LC-SEG-W03"], StringComparison.Ordinal);
    }

    [Fact]
    public void Masks_on_different_grids_are_refused_naming_the_file()
    {
        using var dir = new TempDir();
        var folder = dir.File("segmentations");
        PythonOracle.Run(System.IO.File.ReadAllText(Script), folder, dir.File("expected.raw"), "bad-geometry");
        var ex = Assert.Throws<ImagingException>(() => VolumeFormats.Load(folder));
        Assert.Equal(SegmentationFolderFormat.GeometryCode, ex.Code);
        Assert.Contains("inferior_vena_cava.nii.gz", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not on the grid of", ex.Message, StringComparison.Ordinal);
        Assert.Equal(SegmentationFolderFormat.GeometryCode, Assert.Throws<ImagingException>(() => VolumeFormats.Identify(folder)).Code);
    }

    [Fact]
    public void Built_in_tables_hold_the_published_conventions()
    {
        var total = BuiltInLabelTables.TotalSegmentator;
        Assert.Equal("liver", total.Table.Find(5)!.Name);
        Assert.Equal("portal_vein_and_splenic_vein", total.Table.Find(64)!.Name);
        Assert.Equal("costal_cartilages", total.Table.Find(117)!.Name);
        Assert.Equal(LabelRole.Lung, total.FindByName("lung_middle_lobe_right")!.Role);
        Assert.Equal(LabelRole.Bone, total.FindByName("vertebrae_T12")!.Role);
        Assert.Equal(LabelRole.Bowel, total.FindByName("colon")!.Role);
        Assert.Equal(LabelRole.Tumour, BuiltInLabelTables.Find("lits")!.Table.Find(2)!.Role);
        Assert.Equal(LabelRole.Vessel, BuiltInLabelTables.Find("msd-task08-hepatic-vessel")!.Table.Find(1)!.Role);
        Assert.Equal(LabelRole.Tumour, BuiltInLabelTables.Find("MSD-Task08-Hepatic-Vessel")!.Table.Find(2)!.Role);
        Assert.Equal(LabelRole.Tumour, BuiltInLabelTables.Find("totalsegmentator-liver-vessels")!.Table.Find(2)!.Role);
        Assert.Null(BuiltInLabelTables.Find("nonsense"));
    }
}
