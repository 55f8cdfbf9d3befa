using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Tests.Support;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Distance;

public class ConnectedComponentsTests
{
    private static Volume<byte> Mask(VolumeSize size, params (int I, int J, int K)[] on)
    {
        var v = new Volume<byte>(ImageGeometry.AxisAligned(size, new Vector3D(1, 1, 1)));
        foreach (var (i, j, k) in on)
        {
            v[i, j, k] = 1;
        }

        return v;
    }

    [Fact]
    public void Corner_touching_voxels_are_one_component_with_26_connectivity()
    {
        var (labels, count) = ConnectedComponents.Label26(Mask(new VolumeSize(3, 3, 3), (0, 0, 0), (1, 1, 1), (2, 2, 2)));
        Assert.Equal(1, count);
        Assert.Equal(1, labels[2, 2, 2]);
    }

    [Fact]
    public void Voxels_two_apart_are_separate_components_numbered_in_scan_order()
    {
        var (labels, count) = ConnectedComponents.Label26(Mask(new VolumeSize(5, 1, 1), (4, 0, 0), (2, 0, 0), (0, 0, 0)));
        Assert.Equal(3, count);
        Assert.Equal(1, labels[0, 0, 0]);
        Assert.Equal(2, labels[2, 0, 0]);
        Assert.Equal(3, labels[4, 0, 0]);
    }

    [Fact]
    public void A_u_shape_merges_two_provisional_labels()
    {
        // Two arms that meet only at the bottom row, met late in the scan.
        var (labels, count) = ConnectedComponents.Label26(Mask(new VolumeSize(5, 3, 1), (0, 0, 0), (4, 0, 0), (0, 1, 0), (4, 1, 0), (1, 2, 0), (2, 2, 0), (3, 2, 0)));
        Assert.Equal(1, count);
        Assert.Equal(1, labels[4, 0, 0]);
    }

    private const string ScipyLabel = """
import sys, numpy as np, nibabel as nib
from scipy import ndimage
m = np.asanyarray(nib.load(sys.argv[1]).dataobj) != 0
lab, n = ndimage.label(m, structure=np.ones((3, 3, 3)))
lab.astype('<f8').ravel(order='F').tofile(sys.argv[2]); print(n)
""";

    [Theory]
    [InlineData(1, 20)]
    [InlineData(2, 35)]
    [InlineData(3, 50)]
    public void Partition_matches_scipy_label_with_a_full_3x3x3_structure(int seed, int density)
    {
        var rng = new Random(seed);
        var size = new VolumeSize(40, 33, 21);
        var mask = new Volume<byte>(ImageGeometry.AxisAligned(size, new Vector3D(1, 1, 1)));
        for (var n = 0; n < mask.Voxels.Length; n++)
        {
            mask.Voxels[n] = (byte)(rng.Next(100) < density ? 1 : 0);
        }

        using var tmp = new TempDir();
        NiftiWriter.Write(tmp.File("m.nii"), mask);
        var scipyCount = int.Parse(PythonOracle.Run(ScipyLabel, tmp.File("m.nii"), tmp.File("l.f8")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var scipy = PythonOracle.ReadFloat64(tmp.File("l.f8"));
        var (ours, count) = ConnectedComponents.Label26(mask);
        Assert.Equal(scipyCount, count);

        // Same partition: a bijection between our labels and scipy's (numbering orders differ: scipy scans k fastest here).
        var map = new Dictionary<int, int>();
        var reverse = new Dictionary<int, int>();
        for (var n = 0; n < scipy.Length; n++)
        {
            var a = ours.Voxels[n];
            var b = (int)scipy[n];
            Assert.Equal(a == 0, b == 0);
            if (a == 0)
            {
                continue;
            }

            Assert.Equal(b, map.TryAdd(a, b) ? b : map[a]);
            Assert.Equal(a, reverse.TryAdd(b, a) ? a : reverse[b]);
        }
    }
}
