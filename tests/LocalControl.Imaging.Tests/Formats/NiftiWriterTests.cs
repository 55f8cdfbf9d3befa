using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Tests.Support;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Formats;

public class NiftiWriterTests
{
    [Fact]
    public void A_size_beyond_int16_switches_to_nifti2()
    {
        using var tmp = new TempDir();
        var v = new Volume<byte>(ImageGeometry.AxisAligned(new VolumeSize(40000, 1, 2), new Vector3D(0.1, 1, 1)));
        v[39999, 0, 1] = 7;
        NiftiWriter.Write(tmp.File("wide.nii"), v);
        var (header, _) = NiftiReader.IdentifyWithHeader(tmp.File("wide.nii"));
        Assert.Equal(2, header.Version);
        Assert.Equal(7, NiftiReader.Load(tmp.File("wide.nii")).ToLabelVolume()[39999, 0, 1]);
    }

    [Fact]
    public void A_sheared_grid_is_written_as_sform_only_and_read_back_exactly()
    {
        using var tmp = new TempDir();
        var direction = Matrix3D.FromColumns(new Vector3D(1, 0, 0), new Vector3D(0.2, 0.98, 0), new Vector3D(0, 0, 1));
        var geometry = new ImageGeometry(new VolumeSize(4, 3, 2), new Vector3D(1, 1, 2), new Vector3D(5, 6, 7), direction);
        NiftiWriter.Write(tmp.File("shear.nii"), new Volume<short>(geometry));
        var (header, info) = NiftiReader.IdentifyWithHeader(tmp.File("shear.nii"));
        Assert.Equal(0, header.QformCode);
        Assert.Equal(2, header.SformCode);
        for (var n = 0; n < 4; n++)
        {
            var p = geometry.IndexToPointLps(new Vector3D(n, n + 1, n % 2));
            var q = info.Geometry.IndexToPointLps(new Vector3D(n, n + 1, n % 2));
            Assert.True((p - q).Length < 1e-4);
        }

        NiftiOracleTests.AssertMatchesNibabel(tmp.File("shear.nii"));
    }

    [Fact]
    public void Label_maps_refuse_fractional_values()
    {
        using var tmp = new TempDir();
        var v = new Volume<float>(ImageGeometry.AxisAligned(new VolumeSize(2, 2, 2), new Vector3D(1, 1, 1)));
        v[1, 1, 1] = 2.5f;
        NiftiWriter.Write(tmp.File("f.nii"), v);
        var ex = Assert.Throws<ImagingException>(() => VolumeFormats.Load(tmp.File("f.nii")).ToLabelVolume());
        Assert.Equal("LC-IMG-010", ex.Code);
    }

    [Theory]
    [InlineData("portal vein", LabelRole.PortalVein)]
    [InlineData("Tumor", LabelRole.Tumour)]
    [InlineData("large_bronchus", LabelRole.LargeBronchus)]
    [InlineData("hilum", LabelRole.Hilum)]
    [InlineData("Tumor 2", LabelRole.Tumour)]
    [InlineData("hepatic_vein_1", LabelRole.HepaticVein)]
    public void Role_names_parse_from_common_spellings(string name, LabelRole role) => Assert.Equal(role, LabelRoles.Parse(name));

    [Theory]
    [InlineData("spleen")]
    [InlineData("42")]
    public void Unknown_role_names_parse_to_null(string name) => Assert.Null(LabelRoles.Parse(name));
}
