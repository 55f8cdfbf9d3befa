using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Tests.Support;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Formats;

/// <summary>Every voxel and the affine of real NIfTI files must match what nibabel reads.</summary>
public class NiftiOracleTests
{
    public static TheoryData<string> NibabelFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(TestPaths.NibabelData).Where(f => f.EndsWith(".nii", StringComparison.Ordinal) || f.EndsWith(".nii.gz", StringComparison.Ordinal)).Order())
        {
            data.Add(Path.GetFileName(f));
        }

        return data;
    }

    public static TheoryData<string> VesselMasks()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(TestPaths.SharedData, "crlm-vessel-masks"), "*.nii.gz").Order())
        {
            data.Add(Path.GetFileName(f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NibabelFiles))]
    public void Nibabel_test_file_reads_like_nibabel(string name) =>
        AssertMatchesNibabel(Path.Combine(TestPaths.NibabelData, name));

    [Theory]
    [MemberData(nameof(VesselMasks))]
    public void Real_vessel_mask_reads_like_nibabel(string name) =>
        AssertMatchesNibabel(Path.Combine(TestPaths.SharedData, "crlm-vessel-masks", name));

    [Fact]
    public void The_nibabel_test_folder_has_the_expected_nifti_files()
    {
        // Guards against the theory silently running on nothing.
        Assert.True(NibabelFiles().Count >= 7);
        Assert.Equal(3, VesselMasks().Count);
    }

    internal static void AssertMatchesNibabel(string path)
    {
        using var tmp = new TempDir();
        var raw = tmp.File("data.f8");
        var nib = PythonOracle.RunJson(PythonOracle.NibabelDump, path, raw);
        var image = NiftiReader.Load(path);

        var shape = nib["shape"]!.AsArray().Select(n => (long)n!).ToArray();
        var ours = new List<long> { image.Info.Geometry.Size.I, image.Info.Geometry.Size.J, image.Info.Geometry.Size.K };
        ours.AddRange(image.Info.ExtraDimensions.Select(d => (long)d));
        while (ours.Count > shape.Length && ours[^1] == 1)
        {
            ours.RemoveAt(ours.Count - 1);
        }

        Assert.Equal(shape, ours);

        var unit = NiftiGeometry.SpatialUnitToMm((int)nib["units"]!);
        var affine = nib["affine"]!.AsArray();
        var mine = image.Info.Geometry.AffineRas();
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                var expected = (double)affine[r]![c]! * (r < 3 ? unit : 1);
                Assert.True(Math.Abs(expected - mine[r, c]) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"affine[{r},{c}]: nibabel {expected}, ours {mine[r, c]}");
            }
        }

        var expectedData = PythonOracle.ReadFloat64(raw);
        var actual = image.ToDoubleArray();
        Assert.Equal(expectedData.Length, actual.Length);
        for (var n = 0; n < actual.Length; n++)
        {
            if (expectedData[n] != actual[n] && !(double.IsNaN(expectedData[n]) && double.IsNaN(actual[n])))
            {
                Assert.Fail($"voxel {n}: nibabel {expectedData[n]}, ours {actual[n]}");
            }
        }
    }

    public static TheoryData<VoxelType, int, bool, bool> WriteCases()
    {
        var data = new TheoryData<VoxelType, int, bool, bool>();
        foreach (var type in Enum.GetValues<VoxelType>())
        {
            data.Add(type, 1, false, false);
        }

        data.Add(VoxelType.Int16, 1, true, false);
        data.Add(VoxelType.Float32, 1, true, true);
        data.Add(VoxelType.Float64, 2, false, true);
        data.Add(VoxelType.Int32, 2, true, false);
        data.Add(VoxelType.UInt16, 2, true, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(WriteCases))]
    public void What_we_write_nibabel_reads_with_the_same_voxels_and_affine(VoxelType type, int version, bool bigEndian, bool gzip)
    {
        using var tmp = new TempDir();
        var path = tmp.File(gzip ? "out.nii.gz" : "out.nii");
        var geometry = ObliqueGeometry(new VolumeSize(7, 5, 4));
        var image = RandomImage(type, geometry, seed: (int)type * 10 + version);
        NiftiWriter.Write(path, image, new NiftiWriteOptions { Version = version, BigEndian = bigEndian });
        AssertMatchesNibabel(path);

        var back = NiftiReader.Load(path);
        Assert.True(back.Info.Geometry.IsSameGridAs(geometry, 1e-4, 1e-6));
        Assert.Equal(type, back.Info.StoredType);
        Assert.Equal(image.ToDoubleArray(), back.ToDoubleArray());
        var header = NiftiReader.IdentifyWithHeader(path).Header;
        Assert.Equal(version, header.Version);
        Assert.Equal(bigEndian, header.BigEndian);
    }

    [Fact]
    public void A_left_handed_grid_round_trips_through_qform_with_negative_qfac()
    {
        using var tmp = new TempDir();
        var path = tmp.File("lh.nii");
        var direction = Matrix3D.FromColumns(new Vector3D(1, 0, 0), new Vector3D(0, 1, 0), new Vector3D(0, 0, -1));
        var geometry = new ImageGeometry(new VolumeSize(3, 4, 5), new Vector3D(0.7, 0.8, 2.5), new Vector3D(10, -20, 30), direction);
        NiftiWriter.Write(path, new Volume<short>(geometry));
        var (header, info) = NiftiReader.IdentifyWithHeader(path);
        Assert.Equal(-1, header.Pixdim[0]);
        Assert.Equal(2, header.QformCode);
        // Read through the qform alone (sform code cleared) to prove the quaternion is right.
        var bytes = File.ReadAllBytes(path);
        bytes[254] = 0;
        bytes[255] = 0;
        File.WriteAllBytes(path, bytes);
        var viaQform = NiftiReader.Identify(path);
        Assert.True(viaQform.Geometry.IsSameGridAs(geometry, 1e-4, 1e-5));
        Assert.True(info.Geometry.IsSameGridAs(geometry, 1e-4, 1e-5));
        AssertMatchesNibabel(path);
    }

    [Fact]
    public void Scaled_int16_is_read_as_slope_times_value_plus_intercept()
    {
        using var tmp = new TempDir();
        var path = tmp.File("ct.nii.gz");
        var geometry = ImageGeometry.AxisAligned(new VolumeSize(2, 2, 2), new Vector3D(1, 1, 1));
        var stored = new short[] { 0, 1, 2, 3, 4, 5, 6, -7 };
        var image = new LoadedImage(new ImageInfo("nifti", path, geometry, VoxelType.Int16, scaleSlope: 0.5, scaleIntercept: -1024), stored);
        NiftiWriter.Write(path, image);
        var back = NiftiReader.Load(path);
        Assert.Equal(-1024 + 0.5 * -7, back.ToFloatVolume()[1, 1, 1]);
        AssertMatchesNibabel(path);
    }

    internal static ImageGeometry ObliqueGeometry(VolumeSize size)
    {
        var c = Math.Cos(0.3);
        var s = Math.Sin(0.3);
        var direction = Matrix3D.FromColumns(new Vector3D(c, s, 0), new Vector3D(-s * 0.9, c * 0.9, Math.Sqrt(1 - 0.81)), new Vector3D(0, 0, 1));
        // Orthonormalise the third column as cross of the first two.
        var c0 = direction.Column(0);
        var c1 = direction.Column(1);
        direction = Matrix3D.FromColumns(c0, c1, c0.Cross(c1));
        return new ImageGeometry(size, new Vector3D(0.75, 0.8, 2.5), new Vector3D(-100.5, 42.25, 17), direction);
    }

    internal static LoadedImage RandomImage(VoxelType type, ImageGeometry geometry, int seed)
    {
        var rng = new Random(seed);
        var n = (int)geometry.Size.VoxelCount;
        Array data = type switch
        {
            VoxelType.UInt8 => Enumerable.Range(0, n).Select(_ => (byte)rng.Next(256)).ToArray(),
            VoxelType.Int8 => Enumerable.Range(0, n).Select(_ => (sbyte)rng.Next(-128, 128)).ToArray(),
            VoxelType.Int16 => Enumerable.Range(0, n).Select(_ => (short)rng.Next(-32768, 32768)).ToArray(),
            VoxelType.UInt16 => Enumerable.Range(0, n).Select(_ => (ushort)rng.Next(65536)).ToArray(),
            VoxelType.Int32 => Enumerable.Range(0, n).Select(_ => rng.Next(int.MinValue, int.MaxValue)).ToArray(),
            VoxelType.UInt32 => Enumerable.Range(0, n).Select(_ => (uint)rng.NextInt64(uint.MaxValue)).ToArray(),
            VoxelType.Int64 => Enumerable.Range(0, n).Select(_ => rng.NextInt64(-(1L << 52), 1L << 52)).ToArray(),
            VoxelType.UInt64 => Enumerable.Range(0, n).Select(_ => (ulong)rng.NextInt64(1L << 52)).ToArray(),
            VoxelType.Float32 => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2000 - 1000)).ToArray(),
            _ => Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2e6 - 1e6).ToArray(),
        };
        return new LoadedImage(new ImageInfo("nifti", "", geometry, type), data);
    }
}
