using System.Buffers.Binary;
using System.IO.Compression;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Tests.Support;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Formats;

/// <summary>Hostile or broken NIfTI files get a clear ImagingException (code, file, field/offset), never a crash or a huge allocation.</summary>
public class NiftiBadInputTests
{
    private static byte[] ValidNifti(VolumeSize size, bool gzip = false)
    {
        using var tmp = new TempDir();
        var path = tmp.File(gzip ? "v.nii.gz" : "v.nii");
        var volume = new Volume<short>(ImageGeometry.AxisAligned(size, new Vector3D(1, 1, 2)));
        for (var n = 0; n < volume.Voxels.Length; n++)
        {
            volume.Voxels[n] = (short)(n % 100);
        }

        NiftiWriter.Write(path, volume);
        return File.ReadAllBytes(path);
    }

    private static ImagingException LoadFails(byte[] bytes, string name = "bad.nii")
    {
        using var tmp = new TempDir();
        var path = tmp.File(name);
        File.WriteAllBytes(path, bytes);
        var ex = Assert.ThrowsAny<ImagingException>(() => VolumeFormats.Load(path));
        Assert.Equal(path, ex.FilePath);
        Assert.StartsWith("LC-", ex.Code, StringComparison.Ordinal);
        Assert.Contains(ex.Code, ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Fact]
    public void Wrong_magic_is_not_recognised()
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        bytes[344] = (byte)'x';
        Assert.Equal("LC-IMG-001", LoadFails(bytes).Code);
    }

    [Fact]
    public void A_file_cut_inside_the_header_is_rejected_with_its_length()
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        var ex = LoadFails(bytes[..200]);
        Assert.Equal(NiftiThrowHelper.Truncated, ex.Code);
        Assert.Equal(200, ex.ByteOffset);
    }

    [Fact]
    public void Truncated_voxel_data_reports_where_it_ended()
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        var ex = LoadFails(bytes[..(bytes.Length - 10)]);
        Assert.Equal(NiftiThrowHelper.DataTruncated, ex.Code);
        Assert.Equal(bytes.Length - 10, ex.ByteOffset);
    }

    [Fact]
    public void Truncated_gzip_voxel_data_is_reported()
    {
        var bytes = ValidNifti(new VolumeSize(40, 40, 40), gzip: true);
        var ex = LoadFails(bytes[..(bytes.Length / 2)], "bad.nii.gz");
        Assert.True(ex.Code is NiftiThrowHelper.DataTruncated or NiftiThrowHelper.BadGzip, ex.Message);
    }

    [Fact]
    public void A_header_claiming_100000_cubed_voxels_is_refused_before_allocating()
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        var header = NiftiHeaderCodec.Parse(bytes, "x");
        header.Version = 2;
        header.Magic = "n+2";
        header.Dim[1] = header.Dim[2] = header.Dim[3] = 100_000;
        header.VoxOffset = 544;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = LoadFails([.. NiftiHeaderCodec.Serialize(header), .. new byte[128]]);
        Assert.Equal(NiftiThrowHelper.TooLarge, ex.Code);
        Assert.Equal("dim", ex.Field);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000);
    }

    [Fact]
    public void A_header_claiming_more_than_the_file_holds_is_refused_before_allocating()
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(42), 3000);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(44), 3000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = LoadFails(bytes);
        Assert.Equal(NiftiThrowHelper.DataTruncated, ex.Code);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000);
    }

    [Fact]
    public void Vox_offset_past_the_end_is_rejected()
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(108), 1e6f);
        Assert.Equal(NiftiThrowHelper.DataTruncated, LoadFails(bytes).Code);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(108), 352.5f);
        var ex = LoadFails(bytes);
        Assert.Equal(NiftiThrowHelper.BadOffset, ex.Code);
        Assert.Equal("vox_offset", ex.Field);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void Zero_negative_or_nan_spacing_is_rejected_when_pixdim_gives_the_geometry(float spacing)
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        bytes[252] = bytes[253] = bytes[254] = bytes[255] = 0; // qform and sform codes 0: pixdim only
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(80), spacing);
        var ex = LoadFails(bytes);
        Assert.Equal(NiftiThrowHelper.BadAffine, ex.Code);
        Assert.Equal("pixdim[1]", ex.Field);
    }

    [Fact]
    public void Nan_in_the_sform_is_rejected()
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(296), float.NaN);
        var ex = LoadFails(bytes);
        Assert.Equal(NiftiThrowHelper.BadAffine, ex.Code);
        Assert.Equal("srow_y", ex.Field);
    }

    [Fact]
    public void Zero_column_in_the_sform_is_rejected()
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(280), 0f);
        Assert.Equal(NiftiThrowHelper.BadAffine, LoadFails(bytes).Code);
    }

    [Fact]
    public void Unsupported_datatype_names_the_field()
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(70), 32); // complex64
        var ex = LoadFails(bytes);
        Assert.Equal(NiftiThrowHelper.BadDatatype, ex.Code);
        Assert.Equal(70, ex.ByteOffset);
    }

    [Fact]
    public void Bad_dim0_is_rejected()
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(40), 9);
        Assert.Equal(NiftiThrowHelper.BadDim, LoadFails(bytes).Code);
    }

    [Fact]
    public void A_gzip_bomb_is_decompressed_only_as_far_as_the_header_claims()
    {
        // A valid 4x4x4 header followed by 200 MB of zeros, compressed to about 200 kB.
        var header = ValidNifti(new VolumeSize(4, 4, 4))[..352];
        using var tmp = new TempDir();
        var path = tmp.File("bomb.nii.gz");
        using (var file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.SmallestSize))
        {
            gz.Write(header);
            var zeros = new byte[1 << 20];
            for (var n = 0; n < 200; n++)
            {
                gz.Write(zeros);
            }
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var image = VolumeFormats.Load(path);
        Assert.Equal(64, image.StoredVoxels.Length);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 5_000_000);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2));

        // And a header that claims a huge size (within the reading budget) inside a small gzip is refused by the deflate-ratio bound.
        var big = NiftiHeaderCodec.Parse(header, "x");
        big.Dim[1] = big.Dim[2] = 20000;
        big.Dim[3] = 1;
        using (var file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.SmallestSize))
        {
            gz.Write(NiftiHeaderCodec.Serialize(big));
            gz.Write(new byte[1 << 20]);
        }

        var ex = Assert.ThrowsAny<ImagingException>(() => VolumeFormats.Load(path));
        Assert.Equal(NiftiThrowHelper.DataTruncated, ex.Code);
    }

    [Fact]
    public void Identify_reads_only_the_header_of_a_gzip_file()
    {
        // Corrupt the compressed stream far from its start: Identify must still succeed, Load must fail.
        var bytes = ValidNifti(new VolumeSize(64, 64, 32), gzip: true);
        for (var n = bytes.Length - 2000; n < bytes.Length - 8; n++)
        {
            bytes[n] ^= 0x5a;
        }

        using var tmp = new TempDir();
        var path = tmp.File("c.nii.gz");
        File.WriteAllBytes(path, bytes);
        var info = VolumeFormats.Identify(path);
        Assert.Equal(new VolumeSize(64, 64, 32), info.Geometry.Size);
        Assert.ThrowsAny<ImagingException>(() => VolumeFormats.Load(path));
    }

    [Fact]
    public void Disagreeing_qform_and_sform_give_a_warning_and_the_sform_wins()
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(268), 55f); // qoffset_x
        using var tmp = new TempDir();
        var path = tmp.File("d.nii");
        File.WriteAllBytes(path, bytes);
        var info = NiftiReader.Identify(path);
        Assert.Contains(info.Warnings, w => w.Code == "LC-NIFTI-W01");
        Assert.Equal(0, info.Geometry.OriginLps.X, 6); // from the sform, not qoffset 55
        NiftiOracleTests.AssertMatchesNibabel(path);
    }

    [Fact]
    public void Spatial_units_in_metres_are_converted_to_millimetres()
    {
        var bytes = ValidNifti(new VolumeSize(4, 4, 4));
        bytes[123] = 1 | 8; // metres
        using var tmp = new TempDir();
        var path = tmp.File("m.nii");
        File.WriteAllBytes(path, bytes);
        var info = NiftiReader.Identify(path);
        Assert.Equal(1000, info.Geometry.SpacingMm.X, 6);
        Assert.Equal(2000, info.Geometry.SpacingMm.Z, 6);
    }
}
