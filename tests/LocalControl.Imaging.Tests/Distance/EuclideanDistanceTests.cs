using FsCheck;
using FsCheck.Fluent;
using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Tests.Support;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Distance;

public class EuclideanDistanceTests
{
    private static Volume<byte> Mask(VolumeSize size, Vector3D spacing, params (int I, int J, int K)[] on)
    {
        var v = new Volume<byte>(ImageGeometry.AxisAligned(size, spacing));
        foreach (var (i, j, k) in on)
        {
            v[i, j, k] = 1;
        }

        return v;
    }

    [Fact]
    public void Distance_to_a_single_voxel_is_the_anisotropic_euclidean_norm()
    {
        var mask = Mask(new VolumeSize(5, 4, 3), new Vector3D(0.7, 0.8, 1.5), (1, 2, 0));
        var d = EuclideanDistance.ToForeground(mask);
        Assert.Equal(0f, d[1, 2, 0]);
        Assert.Equal(Math.Sqrt(3 * 0.7 * 3 * 0.7 + 2 * 0.8 * 2 * 0.8 + 2 * 1.5 * 2 * 1.5), d[4, 0, 2], 5);
        Assert.Equal(1.5, d[1, 2, 1], 5);
        Assert.Equal(0.7, d[0, 2, 0], 5);
    }

    [Fact]
    public void Inside_distance_of_a_slab_counts_to_the_nearest_outside_voxel()
    {
        // A slab filling k = 1..5 of 7 slices at 2 mm: the middle slice is 3 slices (6 mm) from outside.
        var size = new VolumeSize(3, 3, 7);
        var mask = new Volume<byte>(ImageGeometry.AxisAligned(size, new Vector3D(10, 10, 2)));
        for (var k = 1; k <= 5; k++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var i = 0; i < 3; i++)
                {
                    mask[i, j, k] = 1;
                }
            }
        }

        var d = EuclideanDistance.ToBackground(mask);
        Assert.Equal(0f, d[1, 1, 0]);
        Assert.Equal(2f, d[1, 1, 1]);
        Assert.Equal(6f, d[1, 1, 3]);
        var signed = EuclideanDistance.Signed(mask);
        Assert.Equal(-6f, signed[1, 1, 3]);
        Assert.Equal(2f, signed[1, 1, 0]);
    }

    /// <summary>The one-field signed transform (inside part on the bounding box, in place) must give exactly the bits of
    /// the two whole-volume transforms subtracted: a structure in the middle, touching faces, filling the volume, one voxel.</summary>
    [Theory]
    [InlineData(0, 0.7, 0.8, 2.5)]
    [InlineData(1, 1.0, 1.0, 1.0)]
    [InlineData(2, 0.5, 3.0, 1.2)]
    [InlineData(3, 2.0, 0.6, 0.6)]
    public void Signed_is_bit_for_bit_the_difference_of_the_two_whole_volume_transforms(int seed, double sx, double sy, double sz)
    {
        var random = new Random(seed);
        var size = new VolumeSize(37, 29, 23);
        var spacing = new Vector3D(sx, sy, sz);
        var cases = new List<Volume<byte>>();
        var blobs = new Volume<byte>(ImageGeometry.AxisAligned(size, spacing));
        for (var b = 0; b < 4; b++)
        {
            var (ci, cj, ck, r) = (random.Next(5, 32), random.Next(5, 24), random.Next(4, 19), random.Next(2, 6));
            for (var k = 0; k < size.K; k++)
            {
                for (var j = 0; j < size.J; j++)
                {
                    for (var i = 0; i < size.I; i++)
                    {
                        if ((i - ci) * (i - ci) + (j - cj) * (j - cj) + (k - ck) * (k - ck) <= r * r)
                        {
                            blobs[i, j, k] = 1;
                        }
                    }
                }
            }
        }

        cases.Add(blobs);
        var edges = new Volume<byte>(ImageGeometry.AxisAligned(size, spacing));
        for (var n = 0; n < edges.Buffer.Length; n++)
        {
            edges.Buffer[n] = (byte)(random.NextDouble() < 0.3 ? 1 : 0); // noise reaching every face
        }

        cases.Add(edges);
        var full = new Volume<byte>(ImageGeometry.AxisAligned(size, spacing));
        full.Voxels.Fill(1);
        cases.Add(full);
        var corner = new Volume<byte>(ImageGeometry.AxisAligned(size, spacing));
        corner[size.I - 1, 0, size.K - 1] = 1;
        cases.Add(corner);
        foreach (var mask in cases)
        {
            var outside = EuclideanDistance.ToForeground(mask).Buffer;
            var inside = EuclideanDistance.ToBackground(mask).Buffer;
            var signed = EuclideanDistance.Signed(mask).Buffer;
            for (var n = 0; n < signed.Length; n++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(outside[n] - inside[n]), BitConverter.SingleToInt32Bits(signed[n]));
            }
        }
    }

    [Fact]
    public void A_mask_straight_from_the_stored_voxels_applies_scaling_and_refuses_fractions()
    {
        var g = ImageGeometry.AxisAligned(new VolumeSize(3, 2, 1), new Vector3D(1, 1, 1));
        var image = new LoadedImage(new ImageInfo("nifti", "m.nii", g, VoxelType.UInt8, scaleSlope: 2, scaleIntercept: -2), new byte[] { 1, 2, 3, 2, 0, 1 });
        Assert.Equal(new byte[] { 0, 1, 0, 1, 0, 0 }, image.ToMask(2, out var two).Buffer); // values 0 2 4 2 -2 0
        Assert.Equal(2, two);
        Assert.Equal(new byte[] { 0, 1, 1, 1, 1, 0 }, image.ToMask(null, out var any).Buffer);
        Assert.Equal(4, any);
        var fractional = new LoadedImage(new ImageInfo("nifti", "f.nii", g, VoxelType.UInt8, scaleSlope: 0.5), new byte[] { 1, 2, 3, 2, 0, 1 });
        Assert.Equal("LC-IMG-010", Assert.Throws<ImagingException>(() => fractional.ToMask(null, out _)).Code);
    }

    [Fact]
    public void No_site_anywhere_gives_infinity()
    {
        var mask = Mask(new VolumeSize(4, 4, 4), new Vector3D(1, 1, 1));
        Assert.True(float.IsPositiveInfinity(EuclideanDistance.ToForeground(mask)[2, 2, 2]));
    }

    [Fact]
    public void Matches_brute_force_on_random_small_volumes()
    {
        var gen =
            from si in Gen.Choose(1, 9)
            from sj in Gen.Choose(1, 9)
            from sk in Gen.Choose(1, 9)
            from spacing in Gen.Choose(3, 30).Three()
            from density in Gen.Choose(1, 60)
            from seed in Gen.Choose(0, int.MaxValue)
            select (new VolumeSize(si, sj, sk), new Vector3D(spacing.Item1 / 10.0, spacing.Item2 / 10.0, spacing.Item3 / 10.0), density, seed);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (size, spacing, density, seed) = t;
            var rng = new Random(seed);
            var mask = new Volume<byte>(ImageGeometry.AxisAligned(size, spacing));
            for (var n = 0; n < mask.Voxels.Length; n++)
            {
                mask.Voxels[n] = (byte)(rng.Next(100) < density ? 1 : 0);
            }

            var ours = EuclideanDistance.ToForeground(mask, new EdtOptions { MaxDegreeOfParallelism = 1 + seed % 2 });
            for (var k = 0; k < size.K; k++)
            {
                for (var j = 0; j < size.J; j++)
                {
                    for (var i = 0; i < size.I; i++)
                    {
                        var best = double.PositiveInfinity;
                        for (var kk = 0; kk < size.K; kk++)
                        {
                            for (var jj = 0; jj < size.J; jj++)
                            {
                                for (var ii = 0; ii < size.I; ii++)
                                {
                                    if (mask[ii, jj, kk] != 0)
                                    {
                                        var dx = (ii - i) * spacing.X;
                                        var dy = (jj - j) * spacing.Y;
                                        var dz = (kk - k) * spacing.Z;
                                        best = Math.Min(best, Math.Sqrt(dx * dx + dy * dy + dz * dz));
                                    }
                                }
                            }
                        }

                        var got = ours[i, j, k];
                        if (double.IsPositiveInfinity(best) ? !float.IsPositiveInfinity(got) : Math.Abs(got - best) > 1e-4)
                        {
                            return false;
                        }
                    }
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_cropped_box_holding_every_site_gives_the_same_distances()
    {
        var rng = new Random(7);
        var size = new VolumeSize(30, 25, 20);
        var mask = new Volume<byte>(ImageGeometry.AxisAligned(size, new Vector3D(0.7, 0.7, 1.5)));
        for (var n = 0; n < 20; n++)
        {
            mask[10 + rng.Next(8), 8 + rng.Next(6), 5 + rng.Next(6)] = 1;
        }

        var full = EuclideanDistance.ToForeground(mask);
        var box = new VolumeBox(4, 3, 2, 25, 20, 15);
        var cropped = EuclideanDistance.SquaredDistance(mask.Buffer, size, box, mask.Geometry.SpacingMm, sitesAreForeground: true);
        var b = box.Size;
        for (var k = 0; k < b.K; k++)
        {
            for (var j = 0; j < b.J; j++)
            {
                for (var i = 0; i < b.I; i++)
                {
                    Assert.Equal(full[box.I0 + i, box.J0 + j, box.K0 + k], MathF.Sqrt(cropped[b.LinearIndex(i, j, k)]), 4);
                }
            }
        }
    }

    private const string ScipyEdt = """
import sys, numpy as np, nibabel as nib
from scipy import ndimage
img = nib.load(sys.argv[1])
m = np.asanyarray(img.dataobj) != 0
sp = [float(z) for z in img.header.get_zooms()[:3]]
ndimage.distance_transform_edt(m, sampling=sp).ravel(order='F').astype('<f8').tofile(sys.argv[2])
ndimage.distance_transform_edt(~m, sampling=sp).ravel(order='F').astype('<f8').tofile(sys.argv[3])
""";

    private static void AssertMatchesScipy(Volume<byte> mask)
    {
        using var tmp = new TempDir();
        var path = tmp.File("mask.nii");
        NiftiWriter.Write(path, mask);
        PythonOracle.Run(ScipyEdt, path, tmp.File("in.f8"), tmp.File("out.f8"));
        var scipyInside = PythonOracle.ReadFloat64(tmp.File("in.f8"));
        var scipyOutside = PythonOracle.ReadFloat64(tmp.File("out.f8"));
        var inside = EuclideanDistance.ToBackground(mask).Buffer;
        var outside = EuclideanDistance.ToForeground(mask).Buffer;
        var signed = EuclideanDistance.Signed(mask).Buffer;
        var worst = 0.0;
        for (var n = 0; n < inside.Length; n++)
        {
            worst = Math.Max(worst, Math.Abs(inside[n] - scipyInside[n]));
            worst = Math.Max(worst, Math.Abs(outside[n] - scipyOutside[n]));
            worst = Math.Max(worst, Math.Abs(signed[n] - (scipyOutside[n] - scipyInside[n])));
        }

        Assert.True(worst <= 1e-4, $"largest difference from scipy: {worst} mm");
    }

    [Fact]
    public void Matches_scipy_on_random_blobs_with_anisotropic_spacing()
    {
        var rng = new Random(42);
        var size = new VolumeSize(61, 47, 33);
        var mask = new Volume<byte>(ImageGeometry.AxisAligned(size, new Vector3D(0.7, 0.9, 1.5)));
        for (var b = 0; b < 12; b++)
        {
            int ci = rng.Next(size.I), cj = rng.Next(size.J), ck = rng.Next(size.K);
            var r = 2 + rng.Next(9);
            for (var k = 0; k < size.K; k++)
            {
                for (var j = 0; j < size.J; j++)
                {
                    for (var i = 0; i < size.I; i++)
                    {
                        if ((i - ci) * (i - ci) + (j - cj) * (j - cj) + (k - ck) * (k - ck) * 2 <= r * r)
                        {
                            mask[i, j, k] = 1;
                        }
                    }
                }
            }
        }

        AssertMatchesScipy(mask);
    }

    [Fact]
    public void Matches_scipy_on_a_real_liver_vessel_mask()
    {
        var image = VolumeFormats.Load(Path.Combine(TestPaths.SharedData, "crlm-vessel-masks", "CRLM-CT-1085_seg_mask.nii.gz"));
        var labels = image.ToLabelVolume();
        var mask = new Volume<byte>(labels.Geometry);
        for (var n = 0; n < mask.Voxels.Length; n++)
        {
            mask.Voxels[n] = (byte)(labels.Voxels[n] != 0 ? 1 : 0);
        }

        AssertMatchesScipy(mask);
    }
}
