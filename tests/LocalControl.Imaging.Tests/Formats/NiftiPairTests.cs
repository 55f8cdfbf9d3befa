using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Tests.Support;

namespace LocalControl.Imaging.Tests.Formats;

/// <summary>Two-file NIfTI (.hdr/.img): nibabel's lone test headers identify like nibabel; a pair loads its .img.</summary>
public class NiftiPairTests
{
    private const string NibabelHeader = """
import sys, json, nibabel as nib
raw = open(sys.argv[1], 'rb').read()
cls = nib.Nifti2Header if raw[:4] in (b'\x1c\x02\x00\x00', b'\x00\x00\x02\x1c') else nib.Nifti1Header
h = cls.from_fileobj(open(sys.argv[1], 'rb'))
print(json.dumps({'affine': h.get_best_affine().tolist(), 'shape': [int(x) for x in h.get_data_shape()], 'units': int(h['xyzt_units'])}))
""";

    [Theory]
    [InlineData("nifti1.hdr")]
    [InlineData("nifti2.hdr")]
    public void A_lone_header_identifies_like_nibabel(string name)
    {
        var path = Path.Combine(TestPaths.NibabelData, name);
        var nib = PythonOracle.RunJson(NibabelHeader, path);
        var info = VolumeFormats.Identify(path);
        var shape = nib["shape"]!.AsArray().Select(x => (int)x!).ToArray();
        Assert.Equal(shape[..3], new[] { info.Geometry.Size.I, info.Geometry.Size.J, info.Geometry.Size.K });
        var unit = NiftiGeometry.SpatialUnitToMm((int)nib["units"]!);
        var a = info.Geometry.AffineRas();
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                Assert.Equal((double)nib["affine"]![r]![c]! * unit, a[r, c], 4);
            }
        }

        var ex = Assert.Throws<ImagingException>(() => VolumeFormats.Load(path));
        Assert.Equal(NiftiThrowHelper.MissingImage, ex.Code);
    }

    [Fact]
    public void A_pair_loads_its_img_file()
    {
        using var tmp = new TempDir();
        var geometry = NiftiOracleTests.ObliqueGeometry(new VolumeSize(5, 4, 3));
        var image = NiftiOracleTests.RandomImage(VoxelType.Int16, geometry, 3);
        NiftiWriter.Write(tmp.File("single.nii"), image);
        var bytes = File.ReadAllBytes(tmp.File("single.nii"));
        // Split into a 348-byte header with magic ni1 and vox_offset 0, and the raw voxels.
        var header = bytes[..348];
        header[344] = (byte)'n';
        header[345] = (byte)'i';
        header[346] = (byte)'1';
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(header.AsSpan(108), 0f);
        File.WriteAllBytes(tmp.File("pair.hdr"), header);
        File.WriteAllBytes(tmp.File("pair.img"), bytes[352..]);
        var loaded = VolumeFormats.Load(tmp.File("pair.hdr"));
        Assert.Equal(image.ToDoubleArray(), loaded.ToDoubleArray());
        Assert.True(loaded.Info.Geometry.IsSameGridAs(geometry, 1e-4, 1e-6));
        NiftiOracleTests.AssertMatchesNibabel(tmp.File("pair.hdr"));
    }
}
