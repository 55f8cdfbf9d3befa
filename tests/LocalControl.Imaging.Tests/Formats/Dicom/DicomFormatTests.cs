using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

public sealed class DicomFormatTests
{
    [Fact]
    public void The_registry_detects_a_dicom_folder_and_a_seg_and_loads_them()
    {
        var folder = Path.Combine(DicomTestData.Dcmqi, "ct-3slice");
        Assert.Equal("dicom", VolumeFormats.Detect(folder).Name);
        var info = VolumeFormats.Identify(folder);
        Assert.Equal(new VolumeSize(512, 512, 3), info.Geometry.Size);
        var image = VolumeFormats.Load(folder);
        Assert.Equal(DicomSeriesBuilder.Load(folder).Voxels.Buffer, image.ToFloatVolume().Buffer);

        var seg = VolumeFormats.Load(Path.Combine(DicomTestData.Dcmqi, "liver.dcm"));
        Assert.Equal(VoxelType.Int32, seg.Info.StoredType);
        Assert.True(seg.Info.Geometry.IsSameGridAs(info.Geometry, 1e-3));
        Assert.Contains(seg.ToLabelVolume().Buffer, v => v == 1);
    }
}
