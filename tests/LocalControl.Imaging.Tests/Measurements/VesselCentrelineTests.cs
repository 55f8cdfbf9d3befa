using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Measurements;
using LocalControl.Imaging.Tests.Support;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Measurements;

public class VesselCentrelineTests
{
    [Fact]
    public void A_straight_tube_has_its_axis_as_centreline_with_the_tube_radius()
    {
        // A tube i² + j² ≤ 16 (1 mm voxels) along k: the nearest outside voxel centre to the axis is (4, 1), √17 mm away.
        var v = new Volume<byte>(ImageGeometry.AxisAligned(new VolumeSize(21, 21, 10), new Vector3D(1, 1, 1)));
        for (var k = 0; k < 10; k++)
        {
            for (var j = 0; j < 21; j++)
            {
                for (var i = 0; i < 21; i++)
                {
                    if ((i - 10) * (i - 10) + (j - 10) * (j - 10) <= 16)
                    {
                        v[i, j, k] = 1;
                    }
                }
            }
        }

        var points = VesselCentreline.Find(v);
        Assert.Equal(10, points.Count);
        Assert.All(points, p => Assert.Equal((10, 10, Math.Sqrt(17)), (p.I, p.J, p.RadiusMm)));
        Assert.Empty(VesselCentreline.Find(v, minCalibreMm: 8.5));
        Assert.Equal(10, VesselCentreline.Find(v, minCalibreMm: 8.2).Count);
    }

    private const string ScipyRidge = """
import sys, numpy as np, nibabel as nib
from scipy import ndimage
img = nib.load(sys.argv[1]); m = np.asanyarray(img.dataobj) != 0
sp = [float(z) for z in img.header.get_zooms()[:3]]
d = ndimage.distance_transform_edt(m, sampling=sp)
mx = ndimage.maximum_filter(d, size=3, mode='constant', cval=0.0)
d.ravel(order='F').tofile(sys.argv[2]); mx.ravel(order='F').tofile(sys.argv[3])
""";

    [Fact]
    public void Centreline_of_a_real_vessel_tree_matches_scipy_local_maxima()
    {
        var path = Path.Combine(TestPaths.SharedData, "crlm-vessel-masks", "CRLM-CT-1094_seg_mask.nii.gz");
        var labels = VolumeFormats.Load(path).ToLabelVolume();
        var mask = new Volume<byte>(labels.Geometry);
        for (var n = 0; n < mask.Buffer.Length; n++)
        {
            mask.Buffer[n] = (byte)(labels.Buffer[n] != 0 ? 1 : 0);
        }

        using var tmp = new TempDir();
        NiftiWriter.Write(tmp.File("m.nii"), mask);
        PythonOracle.Run(ScipyRidge, tmp.File("m.nii"), tmp.File("d.f8"), tmp.File("mx.f8"));
        var d = PythonOracle.ReadFloat64(tmp.File("d.f8"));
        var mx = PythonOracle.ReadFloat64(tmp.File("mx.f8"));
        const double minRadius = 1.5;
        var ours = VesselCentreline.Find(mask, minCalibreMm: 2 * minRadius);
        var size = mask.Size;
        var oursSet = new HashSet<long>();
        foreach (var p in ours)
        {
            var n = size.LinearIndex(p.I, p.J, p.K);
            oursSet.Add(n);
            Assert.Equal(d[n], p.RadiusMm, 4);
        }

        var scipyCount = 0;
        var disagreements = 0;
        for (long n = 0; n < d.LongLength; n++)
        {
            var scipyCentre = d[n] > 0 && d[n] >= mx[n] && d[n] >= minRadius;
            scipyCount += scipyCentre ? 1 : 0;
            if (scipyCentre != oursSet.Contains(n))
            {
                // Only float32-versus-float64 ties may differ: a neighbour (or the threshold) within 1e-4 mm.
                Assert.True(Math.Abs(d[n] - mx[n]) < 1e-4 || Math.Abs(d[n] - minRadius) < 1e-4, $"voxel {n}: scipy d {d[n]}, max {mx[n]}");
                disagreements++;
            }
        }

        Assert.True(scipyCount > 100, $"only {scipyCount} centreline voxels: the test data is not exercising anything");
        Assert.True(disagreements <= scipyCount / 100, $"{disagreements} tie disagreements of {scipyCount}");
    }
}
