using System.Numerics;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Formats;

/// <summary>
/// An image as read from a file: its <see cref="ImageInfo"/> and the stored voxels (all frames, i fastest,
/// in the file's scalar type, native byte order). Convert to a typed <see cref="Volume{T}"/> with the
/// <c>To…Volume</c> methods, which apply the slope/intercept.
/// </summary>
public sealed class LoadedImage
{
    /// <summary>Wraps the stored voxels; <paramref name="storedVoxels"/> must be an array of the type named by <see cref="ImageInfo.StoredType"/>.</summary>
    public LoadedImage(ImageInfo info, Array storedVoxels)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(storedVoxels);
        var expectedType = info.StoredType switch
        {
            VoxelType.UInt8 => typeof(byte[]),
            VoxelType.Int8 => typeof(sbyte[]),
            VoxelType.Int16 => typeof(short[]),
            VoxelType.UInt16 => typeof(ushort[]),
            VoxelType.Int32 => typeof(int[]),
            VoxelType.UInt32 => typeof(uint[]),
            VoxelType.Int64 => typeof(long[]),
            VoxelType.UInt64 => typeof(ulong[]),
            VoxelType.Float32 => typeof(float[]),
            _ => typeof(double[]),
        };
        if (storedVoxels.GetType() != expectedType || storedVoxels.LongLength != info.Geometry.Size.VoxelCount * info.FrameCount)
        {
            throw new ArgumentException("The voxel array does not match the header's type and size.", nameof(storedVoxels));
        }

        Info = info;
        StoredVoxels = storedVoxels;
    }

    /// <summary>Header information.</summary>
    public ImageInfo Info { get; }

    /// <summary>Label names and roles carried by the file itself (e.g. the segments of a 3D Slicer NRRD), if any.</summary>
    public LabelTable? LabelTable { get; init; }

    /// <summary>The stored voxels (e.g. <c>short[]</c>), all frames, before scaling.</summary>
    public Array StoredVoxels { get; }

    /// <summary>Frame <paramref name="frame"/> as float32 values after slope/intercept (CT in HU, distances in mm).</summary>
    public Volume<float> ToFloatVolume(int frame = 0)
    {
        var result = new float[Info.Geometry.Size.VoxelCount];
        var slope = Info.ScaleSlope;
        var inter = Info.ScaleIntercept;
        Convert(frame, (src, start) => Fill(src, start, result, slope, inter));
        return new Volume<float>(Info.Geometry, result);
    }

    /// <summary>Frame <paramref name="frame"/> as float64 values after slope/intercept.</summary>
    public Volume<double> ToDoubleVolume(int frame = 0)
    {
        var result = new double[Info.Geometry.Size.VoxelCount];
        var slope = Info.ScaleSlope;
        var inter = Info.ScaleIntercept;
        Convert(frame, (src, start) => Fill(src, start, result, slope, inter));
        return new Volume<double>(Info.Geometry, result);
    }

    /// <summary>
    /// Frame <paramref name="frame"/> as integer labels. Every (scaled) value must be a whole number in the
    /// int32 range, else <see cref="ImagingException"/> <c>LC-IMG-010</c>: a label map is never rounded silently.
    /// </summary>
    public Volume<int> ToLabelVolume(int frame = 0)
    {
        var result = new int[Info.Geometry.Size.VoxelCount];
        var slope = Info.ScaleSlope;
        var inter = Info.ScaleIntercept;
        Convert(frame, (src, start) => FillLabels(src, start, result, slope, inter, Info.FilePath));
        return new Volume<int>(Info.Geometry, result);
    }

    /// <summary>
    /// Frame <paramref name="frame"/> as a binary mask (1 where the label equals <paramref name="label"/>, or is non-zero
    /// when it is null) without the int32 copy <see cref="ToLabelVolume"/> makes: one byte per voxel. Values must be
    /// labels as for <see cref="ToLabelVolume"/> (<c>LC-IMG-010</c> otherwise). <paramref name="count"/> is the number of 1s.
    /// </summary>
    public Volume<byte> ToMask(int? label, out long count, int frame = 0)
    {
        var result = new byte[Info.Geometry.Size.VoxelCount];
        var slope = Info.ScaleSlope;
        var inter = Info.ScaleIntercept;
        var start = frame >= 0 && frame < Info.FrameCount ? frame * Info.Geometry.Size.VoxelCount
            : throw new ArgumentOutOfRangeException(nameof(frame), $"The image has {Info.FrameCount} frame(s).");
        var chunk = new double[Math.Min(result.Length, 1 << 16)];
        long on = 0;
        for (var offset = 0; offset < result.Length; offset += chunk.Length)
        {
            var n = Math.Min(chunk.Length, result.Length - offset);
            var part = n == chunk.Length ? chunk : new double[n];
            FillRange(StoredVoxels, start + offset, part, slope, inter);
            for (var x = 0; x < n; x++)
            {
                var v = part[x];
                if (v != Math.Floor(v) || v < int.MinValue || v > int.MaxValue)
                {
                    throw new ImagingException("LC-IMG-010", FormattableString.Invariant($"voxel {offset + x} holds {v}, which is not a whole number: not a label map."), Info.FilePath);
                }

                if (label is { } l ? v == l : v != 0)
                {
                    result[offset + x] = 1;
                    on++;
                }
            }
        }

        count = on;
        return new Volume<byte>(Info.Geometry, result);
    }

    /// <summary>All voxels of all frames as float64 after scaling (for tests and small images).</summary>
    public double[] ToDoubleArray()
    {
        var n = StoredVoxels.LongLength;
        var result = new double[n];
        var slope = Info.ScaleSlope;
        var inter = Info.ScaleIntercept;
        var frames = Info.FrameCount;
        var per = Info.Geometry.Size.VoxelCount;
        for (var f = 0; f < frames; f++)
        {
            var frameResult = new double[per];
            Convert(f, (src, start) => Fill(src, start, frameResult, slope, inter));
            Array.Copy(frameResult, 0, result, f * per, per);
        }

        return result;
    }

    private void Convert(int frame, Action<Array, long> action)
    {
        if (frame < 0 || frame >= Info.FrameCount)
        {
            throw new ArgumentOutOfRangeException(nameof(frame), $"The image has {Info.FrameCount} frame(s).");
        }

        action(StoredVoxels, frame * Info.Geometry.Size.VoxelCount);
    }

    private static void Fill<TOut>(Array src, long start, TOut[] dst, double slope, double inter)
        where TOut : unmanaged, INumberBase<TOut>
    {
        // Dispatch on the exact array type: the CLR lets an sbyte[] pass as a byte[] (and short[] as ushort[]…),
        // so type patterns would silently reinterpret signed data.
        var t = src.GetType();
        if (t == typeof(byte[])) { FillTyped((byte[])src, start, dst, slope, inter); }
        else if (t == typeof(sbyte[])) { FillTyped((sbyte[])src, start, dst, slope, inter); }
        else if (t == typeof(short[])) { FillTyped((short[])src, start, dst, slope, inter); }
        else if (t == typeof(ushort[])) { FillTyped((ushort[])src, start, dst, slope, inter); }
        else if (t == typeof(int[])) { FillTyped((int[])src, start, dst, slope, inter); }
        else if (t == typeof(uint[])) { FillTyped((uint[])src, start, dst, slope, inter); }
        else if (t == typeof(long[])) { FillTyped((long[])src, start, dst, slope, inter); }
        else if (t == typeof(ulong[])) { FillTyped((ulong[])src, start, dst, slope, inter); }
        else if (t == typeof(float[])) { FillTyped((float[])src, start, dst, slope, inter); }
        else if (t == typeof(double[])) { FillTyped((double[])src, start, dst, slope, inter); }
        else { throw new InvalidOperationException("Unsupported voxel array."); }
    }

    private static void FillTyped<TIn, TOut>(TIn[] src, long start, TOut[] dst, double slope, double inter)
        where TIn : unmanaged, INumberBase<TIn>
        where TOut : unmanaged, INumberBase<TOut>
    {
        var s = src.AsSpan((int)start, dst.Length);
        if (slope == 1 && inter == 0)
        {
            for (var n = 0; n < s.Length; n++)
            {
                dst[n] = TOut.CreateTruncating(double.CreateTruncating(s[n]));
            }
        }
        else
        {
            for (var n = 0; n < s.Length; n++)
            {
                dst[n] = TOut.CreateTruncating(double.CreateTruncating(s[n]) * slope + inter);
            }
        }
    }

    private static void FillLabels(Array src, long start, int[] dst, double slope, double inter, string file)
    {
        // Convert in chunks so a large label map never needs a float64 copy of itself.
        var chunk = new double[Math.Min(dst.Length, 1 << 16)];
        for (var offset = 0; offset < dst.Length; offset += chunk.Length)
        {
            var n = Math.Min(chunk.Length, dst.Length - offset);
            var part = n == chunk.Length ? chunk : new double[n];
            FillRange(src, start + offset, part, slope, inter);
            for (var x = 0; x < n; x++)
            {
                var v = part[x];
                if (v != Math.Floor(v) || v < int.MinValue || v > int.MaxValue)
                {
                    throw new ImagingException("LC-IMG-010", FormattableString.Invariant($"voxel {offset + x} holds {v}, which is not a whole number: not a label map."), file);
                }

                dst[offset + x] = (int)v;
            }
        }
    }

    private static void FillRange(Array src, long start, double[] dst, double slope, double inter) => Fill(src, start, dst, slope, inter);
}
