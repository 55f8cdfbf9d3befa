using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Formats.Nifti;

/// <summary>The validated meaning of a NIfTI header: what to read, where, and the resulting image description.</summary>
internal sealed record NiftiLayout(NiftiHeader Header, ImageInfo Info, string DataPath, long DataOffset, long DataBytes, double[,] AffineRasMm, NiftiGeometry.AffineSource AffineSource);

/// <summary>The byte work of reading NIfTI: header validation against the file, bounded reading, byte swapping.</summary>
internal static class NiftiReaderCore
{
    /// <summary>Largest voxel payload we will read (bytes): 2 GiB − 1, above any CT (512×512×2000 int16 is 1 GiB), far below a hostile claim.</summary>
    public const long MaxDataBytes = int.MaxValue;

    /// <summary>Deflate cannot compress better than about 1032:1; a gzip file claiming more than this is truncated or hostile.</summary>
    public const long MaxDeflateRatio = 1100;

    public static bool IsGzip(string path)
    {
        using var f = ImagingFiles.OpenRegular(path);
        return f.ReadByte() == 0x1f && f.ReadByte() == 0x8b;
    }

    /// <summary>The file's bytes, inflated when it is gzip; never more than <paramref name="maxDecodedBytes"/> of them.</summary>
    public static Stream OpenData(string path, long maxDecodedBytes)
    {
        var file = ImagingFiles.OpenRegular(path);
        if (file.Length >= 2)
        {
            var b0 = file.ReadByte();
            var b1 = file.ReadByte();
            file.Position = 0;
            if (b0 == 0x1f && b1 == 0x8b)
            {
                return ImagingFiles.LimitDecoded(new GZipStream(file, CompressionMode.Decompress), maxDecodedBytes, path);
            }
        }

        return file;
    }

    public static NiftiHeader ReadHeader(string path)
    {
        var head = VolumeFormats.ReadHead(path, 540);
        if (head.Length < 4)
        {
            NiftiThrowHelper.Throw(NiftiThrowHelper.Truncated, $"the file holds only {head.Length} bytes.", path, "sizeof_hdr", head.Length);
        }

        return NiftiHeaderCodec.Parse(head, path);
    }

    public static NiftiLayout Describe(NiftiHeader h, string path) => Describe(h, path, ImagingReadOptions.Default);

    public static NiftiLayout Describe(NiftiHeader h, string path, ImagingReadOptions options)
    {
        var warnings = new List<ImagingWarning>();
        var ndim = h.Dim[0];
        if (ndim < 1 || ndim > 7)
        {
            NiftiThrowHelper.Throw(NiftiThrowHelper.BadDim, string.Create(CultureInfo.InvariantCulture, $"dim[0] is {ndim}; it must be 1 to 7."), path, "dim[0]", h.Version == 1 ? 40 : 16);
        }

        var sizes = new long[7];
        long count = 1;
        for (var n = 0; n < 7; n++)
        {
            sizes[n] = n < ndim ? h.Dim[n + 1] : 1;
            if (sizes[n] < 1 || sizes[n] > int.MaxValue)
            {
                var rule = sizes[n] < 1 ? "sizes must be at least 1" : "sizes must be at most 2147483647";
                NiftiThrowHelper.Throw(NiftiThrowHelper.BadDim, string.Create(CultureInfo.InvariantCulture, $"dim[{n + 1}] is {sizes[n]}; {rule}."), path, $"dim[{n + 1}]", h.Version == 1 ? 42 + 2 * n : 24 + 8 * n);
            }

            // Checked against the cap as we go, so a hostile product cannot overflow.
            count *= sizes[n];
            if (count > MaxDataBytes)
            {
                NiftiThrowHelper.Throw(NiftiThrowHelper.TooLarge, string.Create(CultureInfo.InvariantCulture, $"the header claims more than {MaxDataBytes} voxels; refusing to read."), path, "dim");
            }
        }

        var type = h.Datatype switch
        {
            2 => VoxelType.UInt8,
            4 => VoxelType.Int16,
            8 => VoxelType.Int32,
            16 => VoxelType.Float32,
            64 => VoxelType.Float64,
            256 => VoxelType.Int8,
            512 => VoxelType.UInt16,
            768 => VoxelType.UInt32,
            1024 => VoxelType.Int64,
            1280 => VoxelType.UInt64,
            _ => (VoxelType)(-1),
        };
        if ((int)type < 0)
        {
            NiftiThrowHelper.Throw(NiftiThrowHelper.BadDatatype, string.Create(CultureInfo.InvariantCulture, $"datatype {h.Datatype} is not supported (supported: uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64)."), path, "datatype", h.Version == 1 ? 70 : 12);
        }

        if (h.Bitpix != type.SizeInBytes() * 8)
        {
            warnings.Add(new ImagingWarning("LC-NIFTI-W04", string.Create(CultureInfo.InvariantCulture, $"bitpix is {h.Bitpix} but datatype {h.Datatype} has {type.SizeInBytes() * 8} bits; the datatype is trusted."), WarningSeverity.Info));
        }

        var dataBytes = count * type.SizeInBytes();
        options.Budget.CheckVoxels(count, type.SizeInBytes(), path, "dim");
        if (dataBytes > MaxDataBytes || count > Array.MaxLength)
        {
            NiftiThrowHelper.Throw(NiftiThrowHelper.TooLarge, string.Create(CultureInfo.InvariantCulture, $"the header claims {count} voxels ({dataBytes} bytes); the limit is {Math.Min(MaxDataBytes, Array.MaxLength)}."), path, "dim");
        }

        // Data location.
        string dataPath = path;
        long offset;
        if (h.IsSingleFile)
        {
            if (!double.IsFinite(h.VoxOffset) || h.VoxOffset < 0 || h.VoxOffset != Math.Floor(h.VoxOffset) || h.VoxOffset > MaxDataBytes)
            {
                NiftiThrowHelper.Throw(NiftiThrowHelper.BadOffset, string.Create(CultureInfo.InvariantCulture, $"vox_offset {h.VoxOffset} is not a usable byte offset."), path, "vox_offset", h.Version == 1 ? 108 : 168);
            }

            offset = (long)h.VoxOffset;
            var minimum = h.SizeOfHeader + 4;
            if (offset < minimum)
            {
                warnings.Add(new ImagingWarning("LC-NIFTI-W05", string.Create(CultureInfo.InvariantCulture, $"vox_offset {offset} is inside the header; {minimum} is used (as nibabel does)."), WarningSeverity.Warning));
                offset = minimum;
            }
        }
        else
        {
            // The .img is looked for only when the voxels are read: Identify works on a lone .hdr.
            if (!options.AllowExternalDataFiles)
            {
                ImagingFiles.ResolveCompanion(path, Path.GetFileName(path) + ".img", options, "magic");
            }

            dataPath = "";
            offset = double.IsFinite(h.VoxOffset) && h.VoxOffset >= 0 && h.VoxOffset <= MaxDataBytes ? (long)h.VoxOffset : 0;
        }

        // Scaling, as nibabel: ignore a zero or non-finite slope; reject a non-finite intercept with a valid slope.
        double slope = 1, inter = 0;
        if (h.SclSlope != 0 && double.IsFinite(h.SclSlope))
        {
            if (!double.IsFinite(h.SclInter))
            {
                NiftiThrowHelper.Throw(NiftiThrowHelper.BadScaling, string.Create(CultureInfo.InvariantCulture, $"scl_slope {h.SclSlope} is valid but scl_inter is {h.SclInter}."), path, "scl_inter", h.Version == 1 ? 116 : 184);
            }

            slope = h.SclSlope;
            inter = h.SclInter;
        }

        var (affine, source) = NiftiGeometry.BestAffine(h, path, warnings);
        var size = new VolumeSize((int)sizes[0], (int)sizes[1], (int)sizes[2]);
        var geometry = NiftiGeometry.FromAffineRas(affine, size, path);
        var extra = new List<int>();
        for (var n = 3; n < ndim; n++)
        {
            extra.Add((int)sizes[n]);
        }

        var info = new ImageInfo("nifti", path, geometry, type, extra, slope, inter, warnings);
        return new NiftiLayout(h, info, dataPath, offset, dataBytes, affine, source);
    }

    public static string ImagePathFor(string headerPath) => ImagePathFor(headerPath, ImagingReadOptions.Default);

    /// <summary>The .img beside a .hdr, under the path rule of <see cref="ImagingFiles.ResolveCompanion"/> (same folder, regular file, no link out).</summary>
    public static string ImagePathFor(string headerPath, ImagingReadOptions options)
    {
        var name = Path.GetFileName(headerPath);
        var lower = name.ToLowerInvariant();
        var stem = lower.EndsWith(".hdr.gz", StringComparison.Ordinal) ? name[..^7] : lower.EndsWith(".hdr", StringComparison.Ordinal) ? name[..^4] : name;
        var folder = Path.GetDirectoryName(Path.GetFullPath(headerPath)) ?? ".";
        foreach (var candidate in new[] { stem + ".img", stem + ".img.gz", stem + ".IMG" })
        {
            var full = Path.Combine(folder, candidate);
            if (File.Exists(full) || new FileInfo(full).LinkTarget is not null || Directory.Exists(full))
            {
                return ImagingFiles.ResolveCompanion(headerPath, candidate, options, "magic");
            }
        }

        NiftiThrowHelper.Throw(NiftiThrowHelper.MissingImage, "this is the header of a two-file NIfTI (magic ni1/ni2) and its .img file was not found.", headerPath, "magic");
        return "";
    }

    /// <summary>Reads the voxels described by <paramref name="layout"/>, checking the file can hold them before allocating.</summary>
    public static Array ReadVoxels(NiftiLayout layout) => ReadVoxels(layout, ImagingReadOptions.Default);

    /// <inheritdoc cref="ReadVoxels(NiftiLayout)"/>
    public static Array ReadVoxels(NiftiLayout layout, ImagingReadOptions options)
    {
        var path = layout.DataPath.Length > 0 ? layout.DataPath : ImagePathFor(layout.Info.FilePath, options);
        var needed = layout.DataOffset + layout.DataBytes;
        var fileLength = new FileInfo(path).Length;
        var gzip = IsGzip(path);
        if (!gzip && fileLength < needed)
        {
            NiftiThrowHelper.Throw(NiftiThrowHelper.DataTruncated, string.Create(CultureInfo.InvariantCulture,
                $"the header claims {layout.DataBytes} bytes of voxels from byte {layout.DataOffset}, but the file has only {fileLength} bytes."), path, "dim", fileLength);
        }

        if (gzip && fileLength * MaxDeflateRatio < needed)
        {
            NiftiThrowHelper.Throw(NiftiThrowHelper.DataTruncated, string.Create(CultureInfo.InvariantCulture,
                $"the header claims {needed} decompressed bytes, more than a {fileLength}-byte gzip file can hold."), path, "dim");
        }

        options.Budget.CheckBytes(layout.DataBytes, layout.Info.FilePath, "dim");
        using var stream = OpenData(path, layout.DataOffset + layout.DataBytes);
        var array = Allocate(layout.Info.StoredType, layout.DataBytes / layout.Info.StoredType.SizeInBytes());
        try
        {
            Skip(stream, layout.DataOffset, path);
            // Only the claimed bytes are ever decompressed, which bounds a gzip bomb by the (capped) header claim.
            var bytes = AsBytes(array);
            var got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length)
            {
                NiftiThrowHelper.Throw(NiftiThrowHelper.DataTruncated, string.Create(CultureInfo.InvariantCulture,
                    $"the voxel data ends after {got} of {layout.DataBytes} bytes."), path, "dim", layout.DataOffset + got);
            }
        }

        catch (InvalidDataException ex)
        {
            throw new ImagingException(NiftiThrowHelper.BadGzip, "corrupt gzip stream: " + ex.Message, path, inner: ex);
        }

        if (layout.Header.BigEndian == BitConverter.IsLittleEndian)
        {
            SwapInPlace(array);
        }

        return array;
    }

    private static void Skip(Stream stream, long count, string path)
    {
        if (stream.CanSeek)
        {
            stream.Position = count;
            return;
        }

        var buffer = new byte[64 * 1024];
        var left = count;
        while (left > 0)
        {
            var got = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (got == 0)
            {
                NiftiThrowHelper.Throw(NiftiThrowHelper.BadOffset, string.Create(CultureInfo.InvariantCulture, $"vox_offset {count} lies past the end of the data."), path, "vox_offset", count - left);
            }

            left -= got;
        }
    }

    internal static Array Allocate(VoxelType type, long count) => type switch
    {
        VoxelType.UInt8 => new byte[count],
        VoxelType.Int8 => new sbyte[count],
        VoxelType.Int16 => new short[count],
        VoxelType.UInt16 => new ushort[count],
        VoxelType.Int32 => new int[count],
        VoxelType.UInt32 => new uint[count],
        VoxelType.Int64 => new long[count],
        VoxelType.UInt64 => new ulong[count],
        VoxelType.Float32 => new float[count],
        _ => new double[count],
    };

    /// <summary>The bytes of a primitive array.</summary>
    internal static Span<byte> AsBytes(Array array) => array switch
    {
        byte[] a => a,
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        short[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ushort[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        uint[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ulong[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        _ => throw new InvalidOperationException("Unsupported voxel array."),
    };

    internal static void SwapInPlace(Array array)
    {
        switch (array)
        {
            case short[] a: BinaryPrimitives.ReverseEndianness(a, a); break;
            case ushort[] a: BinaryPrimitives.ReverseEndianness(a, a); break;
            case int[] a: BinaryPrimitives.ReverseEndianness(a, a); break;
            case uint[] a: BinaryPrimitives.ReverseEndianness(a, a); break;
            case long[] a: BinaryPrimitives.ReverseEndianness(a, a); break;
            case ulong[] a: BinaryPrimitives.ReverseEndianness(a, a); break;
            case float[] a:
                var fi = MemoryMarshal.Cast<float, int>(a.AsSpan());
                BinaryPrimitives.ReverseEndianness(fi, fi);
                break;
            case double[] a:
                var di = MemoryMarshal.Cast<double, long>(a.AsSpan());
                BinaryPrimitives.ReverseEndianness(di, di);
                break;
            default:
                break; // single bytes need no swap
        }
    }
}
