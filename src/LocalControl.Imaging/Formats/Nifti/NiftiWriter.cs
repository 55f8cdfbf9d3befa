using System.IO.Compression;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Formats.Nifti;

/// <summary>Choices for writing a NIfTI file.</summary>
public sealed record NiftiWriteOptions
{
    /// <summary>1 (default; switches to 2 automatically when a size exceeds 32767) or 2.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Write big-endian (for interoperability tests); little-endian by default.</summary>
    public bool BigEndian { get; init; }

    /// <summary><c>qform_code</c>/<c>sform_code</c> to write: 1 scanner (data from DICOM), 2 aligned (default).</summary>
    public int XformCode { get; init; } = 2;

    /// <summary><c>intent_code</c>: 1002 (NIFTI_INTENT_LABEL) for label maps, 0 otherwise.</summary>
    public int IntentCode { get; init; }

    /// <summary><c>descrip</c> (at most 79 characters are kept).</summary>
    public string Description { get; init; } = "LocalControl";

    /// <summary>Gzip the file; by default when the path ends with <c>.gz</c>.</summary>
    public bool? Gzip { get; init; }
}

/// <summary>
/// Writes NIfTI-1/2 single-file images (.nii or .nii.gz). The LPS geometry is converted to RAS here and written
/// as sform and qform with the same code (qform only when the direction is orthonormal), millimetre units,
/// <c>scl_slope</c>/<c>scl_inter</c> from the image.
/// </summary>
public static class NiftiWriter
{
    /// <summary>Writes a typed volume (byte, sbyte, short, ushort, int, uint, long, ulong, float or double).</summary>
    public static void Write<T>(string path, Volume<T> volume, NiftiWriteOptions? options = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(volume);
        var type = TypeOf<T>();
        var info = new ImageInfo("nifti", path, volume.Geometry, type);
        Write(path, new LoadedImage(info, volume.Buffer), options);
    }

    /// <summary>Writes an image as read (stored type, scaling and extra dimensions kept).</summary>
    public static void Write(string path, LoadedImage image, NiftiWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(image);
        options ??= new NiftiWriteOptions();
        var header = BuildHeader(image.Info, options);
        var gzip = options.Gzip ?? path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        // One output mechanism for every writer: temp-then-rename for files, straight to a device, FIFO or "-".
        Core.IO.OutputFiles.Write(path, file =>
        {
            using var gz = gzip ? new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true) : null;
            Stream target = gz is null ? file : gz;
            target.Write(NiftiHeaderCodec.Serialize(header));
            if (options.BigEndian == BitConverter.IsLittleEndian)
            {
                var copy = (Array)image.StoredVoxels.Clone();
                NiftiReaderCore.SwapInPlace(copy);
                target.Write(NiftiReaderCore.AsBytes(copy));
            }
            else
            {
                target.Write(NiftiReaderCore.AsBytes(image.StoredVoxels));
            }
        });
    }

    /// <summary>The header that <see cref="Write(string, LoadedImage, NiftiWriteOptions?)"/> writes.</summary>
    public static NiftiHeader BuildHeader(ImageInfo info, NiftiWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(options);
        var g = info.Geometry;
        var dims = new List<long> { g.Size.I, g.Size.J, g.Size.K };
        dims.AddRange(info.ExtraDimensions.Select(d => (long)d));
        while (dims.Count > 3 && dims[^1] == 1)
        {
            dims.RemoveAt(dims.Count - 1);
        }

        var version = options.Version == 2 || dims.Exists(d => d > short.MaxValue) ? 2 : 1;
        var h = new NiftiHeader
        {
            Version = version,
            BigEndian = options.BigEndian,
            Magic = version == 2 ? "n+2" : "n+1",
            Datatype = DatatypeCode(info.StoredType),
            Bitpix = info.StoredType.SizeInBytes() * 8,
            VoxOffset = version == 2 ? 544 : 352,
            SclSlope = info.IsScaled ? info.ScaleSlope : 1,
            SclInter = info.IsScaled ? info.ScaleIntercept : 0,
            XyztUnits = 2 | 8, // mm, seconds
            IntentCode = options.IntentCode,
            Descrip = options.Description,
            SformCode = options.XformCode,
        };
        h.Dim[0] = dims.Count;
        for (var n = 0; n < dims.Count; n++)
        {
            h.Dim[n + 1] = dims[n];
        }

        for (var n = dims.Count + 1; n < 8; n++)
        {
            h.Dim[n] = 1;
        }

        var a = g.AffineRas();
        for (var row = 0; row < 3; row++)
        {
            for (var col = 0; col < 4; col++)
            {
                h.Srow[row, col] = a[row, col];
            }
        }

        h.Pixdim[1] = g.SpacingMm.X;
        h.Pixdim[2] = g.SpacingMm.Y;
        h.Pixdim[3] = g.SpacingMm.Z;
        for (var n = 4; n < 8; n++)
        {
            h.Pixdim[n] = 1;
        }

        if (NiftiGeometry.QuaternionFor(g.Direction) is { } q)
        {
            h.QformCode = options.XformCode;
            h.Quatern[0] = q.B;
            h.Quatern[1] = q.C;
            h.Quatern[2] = q.D;
            h.Pixdim[0] = q.Qfac;
            h.QOffset[0] = a[0, 3];
            h.QOffset[1] = a[1, 3];
            h.QOffset[2] = a[2, 3];
        }
        else
        {
            h.QformCode = 0; // a sheared grid cannot be a qform; the sform holds it exactly
            h.Pixdim[0] = 1;
        }

        return h;
    }

    /// <summary>The NIfTI datatype code of a voxel type.</summary>
    public static int DatatypeCode(VoxelType type) => type switch
    {
        VoxelType.UInt8 => 2,
        VoxelType.Int16 => 4,
        VoxelType.Int32 => 8,
        VoxelType.Float32 => 16,
        VoxelType.Float64 => 64,
        VoxelType.Int8 => 256,
        VoxelType.UInt16 => 512,
        VoxelType.UInt32 => 768,
        VoxelType.Int64 => 1024,
        _ => 1280,
    };

    internal static VoxelType TypeOf<T>() => typeof(T) switch
    {
        var t when t == typeof(byte) => VoxelType.UInt8,
        var t when t == typeof(sbyte) => VoxelType.Int8,
        var t when t == typeof(short) => VoxelType.Int16,
        var t when t == typeof(ushort) => VoxelType.UInt16,
        var t when t == typeof(int) => VoxelType.Int32,
        var t when t == typeof(uint) => VoxelType.UInt32,
        var t when t == typeof(long) => VoxelType.Int64,
        var t when t == typeof(ulong) => VoxelType.UInt64,
        var t when t == typeof(float) => VoxelType.Float32,
        var t when t == typeof(double) => VoxelType.Float64,
        _ => throw new NotSupportedException($"NIfTI cannot store voxels of type {typeof(T).Name}."),
    };
}
