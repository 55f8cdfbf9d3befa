using System.Buffers;
using System.Buffers.Binary;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// Turns a file's pixel data into numbers, one frame at a time: native (uncompressed) data in either byte order,
/// 1-bit packed data (SEG), and encapsulated data — RLE Lossless, JPEG (baseline, extended, lossless), JPEG-LS and
/// JPEG 2000 (see <see cref="DicomCompressedFrameDecoder"/>). Stored values honour BitsStored and HighBit (bits
/// outside the stored range are dropped, signed values are sign-extended from bit BitsStored − 1). Syntaxes without
/// a decoder (HTJ2K, video) are refused with LC-DICOM-005 and a conversion hint.
/// </summary>
public static class DicomPixelDecoder
{
    /// <summary>
    /// The stored values of frame <paramref name="frame"/>, samples interleaved (row-major pixels, then samples), as
    /// pydicom's <c>pixel_array</c> gives them; with <paramref name="rescale"/> the modality LUT (slope, intercept) is applied.
    /// </summary>
    /// <exception cref="ImagingException">Missing or short pixel data, an unsupported syntax or pixel format.</exception>
    public static double[] DecodeFrame(DicomFile file, int frame, bool rescale = false)
    {
        ArgumentNullException.ThrowIfNull(file);
        var d = DicomPixelDescription.From(file.Dataset, file.FilePath);
        if (d.PhotometricInterpretation.StartsWith("YBR_FULL_422", StringComparison.Ordinal) && !file.TransferSyntax.IsEncapsulated)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.UnsupportedPixelFormat,
                "YBR_FULL_422 sub-sampled colour is not supported (convert it to RGB first)", file.FilePath, DicomTag.PhotometricInterpretation);
        }

        CheckAvailable(file, d);
        var count = (int)(d.PixelsPerFrame * d.SamplesPerPixel);
        // The float64 result is 8 bytes a sample, more than the stored frame: it too is claimed from the reading budget
        // before it is allocated (a small compressed or SEG file may claim a huge frame).
        file.Budget.CheckBytes(count * (long)sizeof(double), file.FilePath, "Rows × Columns × SamplesPerPixel (decoded as float64)");
        double[] result;
        if (d.BitsAllocated == 1)
        {
            var bits = ReadBinaryFrame(file, d, frame);
            result = new double[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = bits[i];
            }
        }
        else
        {
            var bytes = ReadFrameBytes(file, d, frame);
            var bps = d.BitsAllocated / 8;
            result = new double[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = StoredValue(bytes.AsSpan(i * bps, bps), d);
            }
        }

        if (rescale && (d.RescaleSlope != 1 || d.RescaleIntercept != 0))
        {
            for (var i = 0; i < count; i++)
            {
                result[i] = result[i] * d.RescaleSlope + d.RescaleIntercept;
            }
        }

        return result;
    }

    /// <summary>
    /// Checks, before anything is allocated, that the pixel data can hold what the header claims: native data must be
    /// at least Rows × Columns × samples × frames long and present in the file; RLE data cannot expand more than 64-fold
    /// (PackBits' limit), so a claim beyond that is refused. Throws LC-DICOM-002/005/006/007/008.
    /// </summary>
    internal static void CheckAvailable(DicomFile file, DicomPixelDescription d)
    {
        var e = PixelElement(file);
        if (e.Fragments is null)
        {
            CheckNativeLength(file, e, d);
        }

        if (d.PixelsPerFrame * d.SamplesPerPixel * Math.Max(1, d.BitsAllocated / 8) > Array.MaxLength)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.UnsupportedPixelFormat, $"a frame of {d.Rows} x {d.Columns} x {d.SamplesPerPixel} samples is larger than one buffer can hold", file.FilePath, DicomTag.Rows);
        }

        if (e.Fragments is null || file.TransferSyntax.Codec != DicomPixelCodec.Rle)
        {
            return;
        }

        var compressed = e.Fragments.Skip(1).Sum(f => (long)f.Length);
        var needed = d.BytesPerFrame * d.NumberOfFrames;
        if (needed > 64 * compressed + 64L * d.NumberOfFrames)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.RleCorrupt,
                $"{compressed} bytes of RLE data cannot expand to the {needed} bytes that {d.Rows} x {d.Columns} x {d.NumberOfFrames} frames need", file.FilePath, DicomTag.PixelData, e.ValueOffset);
        }
    }

    /// <summary>The pixel data element, checked against the syntax.</summary>
    internal static DicomElement PixelElement(DicomFile file)
    {
        var e = file.Dataset.Find(DicomTag.PixelData);
        if (e is null)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.PixelDataTooShort, "the file has no Pixel Data (7FE0,0010)", file.FilePath, DicomTag.PixelData);
        }

        if (file.TransferSyntax.IsEncapsulated && !file.TransferSyntax.CanDecodePixels)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.UnsupportedTransferSyntax,
                $"pixel data compressed as {file.TransferSyntax} is not decoded; {file.TransferSyntax.ConversionHint}",
                file.FilePath, DicomTag.TransferSyntaxUid);
        }

        return e;
    }

    /// <summary>One frame as native little-endian bytes, samples interleaved (BitsAllocated 8, 16 or 32).</summary>
    internal static byte[] ReadFrameBytes(DicomFile file, DicomPixelDescription d, int frame)
    {
        CheckFrame(file, d, frame);
        CheckAvailable(file, d);
        var e = PixelElement(file);
        byte[] bytes;
        if (e.Fragments is not null)
        {
            bytes = DicomCompressedFrameDecoder.Decode(file, e, d, frame);
        }
        else
        {
            CheckNativeLength(file, e, d);
            bytes = e.RawValue is { } raw ? raw.AsSpan((int)(d.BytesPerFrame * frame), (int)d.BytesPerFrame).ToArray()
                : file.ReadRange(e.ValueOffset + d.BytesPerFrame * frame, d.BytesPerFrame, DicomTag.PixelData);
            if (!e.IsLittleEndian)
            {
                SwapToLittleEndian(bytes, d.BitsAllocated / 8);
            }

            if (d.SamplesPerPixel > 1 && d.PlanarConfiguration == 1)
            {
                bytes = Interleave(bytes, d);
            }
        }

        return bytes;
    }

    /// <summary>One frame of 1-bit data (SEG binary) as one byte per pixel, 0 or 1; bits are packed across frames, least significant first.</summary>
    internal static byte[] ReadBinaryFrame(DicomFile file, DicomPixelDescription d, int frame)
    {
        CheckFrame(file, d, frame);
        var e = PixelElement(file);
        if (e.Fragments is not null)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.UnsupportedPixelFormat, "encapsulated 1-bit pixel data is not supported", file.FilePath, DicomTag.PixelData);
        }

        CheckNativeLength(file, e, d);
        var pixels = (int)(d.PixelsPerFrame * d.SamplesPerPixel);
        var firstBit = d.FrameBitOffset(frame);
        var firstByte = firstBit / 8;
        var byteCount = (int)(((firstBit + pixels + 7) / 8) - firstByte);
        var packed = e.RawValue is { } raw ? raw.AsSpan((int)firstByte, byteCount).ToArray() : file.ReadRange(e.ValueOffset + firstByte, byteCount, DicomTag.PixelData);
        var shift = (int)(firstBit % 8);
        var result = new byte[pixels];
        for (var p = 0; p < pixels; p++)
        {
            var bit = p + shift;
            result[p] = (byte)((packed[bit >> 3] >> (bit & 7)) & 1);
        }

        return result;
    }

    /// <summary>
    /// Decodes a monochrome frame straight into <paramref name="destination"/> (row-major, i = column fastest) as
    /// rescaled values: the fast path of the series reader.
    /// </summary>
    internal static void DecodeFrameInto(DicomFile file, DicomPixelDescription d, int frame, Span<float> destination)
    {
        CheckAvailable(file, d);
        var pixels = (int)d.PixelsPerFrame;
        var e = PixelElement(file);
        var slope = (float)d.RescaleSlope;
        var intercept = (float)d.RescaleIntercept;
        var plainInt16 = d.BitsAllocated == 16 && d.BitsStored == 16 && e.Fragments is null && e.IsLittleEndian && e.RawValue is null;
        if (plainInt16)
        {
            // The common CT case: read the frame straight from the file into a pooled buffer and convert.
            CheckFrame(file, d, frame);
            CheckNativeLength(file, e, d);
            var rented = ArrayPool<byte>.Shared.Rent(pixels * 2);
            try
            {
                var span = rented.AsSpan(0, pixels * 2);
                file.ReadRangeInto(e.ValueOffset + d.BytesPerFrame * frame, span, DicomTag.PixelData);
                if (d.IsSigned)
                {
                    var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(span);
                    for (var i = 0; i < pixels; i++)
                    {
                        destination[i] = values[i] * slope + intercept;
                    }
                }
                else
                {
                    var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(span);
                    for (var i = 0; i < pixels; i++)
                    {
                        destination[i] = values[i] * slope + intercept;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            return;
        }

        if (d.BitsAllocated == 1)
        {
            var bits = ReadBinaryFrame(file, d, frame);
            for (var i = 0; i < pixels; i++)
            {
                destination[i] = bits[i] * slope + intercept;
            }

            return;
        }

        var bytes = ReadFrameBytes(file, d, frame);
        if (d.BitsAllocated == 16)
        {
            // Decoded compressed frames (and other 16-bit layouts): stored bits masked and sign-extended in integers.
            Convert16(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(bytes.AsSpan(0, pixels * 2)), d, slope, intercept, destination);
            return;
        }

        var bps = d.BitsAllocated / 8;
        for (var i = 0; i < pixels; i++)
        {
            destination[i] = (float)(StoredValue(bytes.AsSpan(i * bps, bps), d) * d.RescaleSlope + d.RescaleIntercept);
        }
    }

    private static void Convert16(ReadOnlySpan<ushort> raw, DicomPixelDescription d, float slope, float intercept, Span<float> destination)
    {
        var shift = d.HighBit + 1 - d.BitsStored;
        var mask = (1 << d.BitsStored) - 1;
        var signShift = 32 - d.BitsStored;
        if (d.IsSigned)
        {
            for (var i = 0; i < raw.Length; i++)
            {
                var v = ((raw[i] >> shift) & mask) << signShift >> signShift;
                destination[i] = v * slope + intercept;
            }
        }
        else
        {
            for (var i = 0; i < raw.Length; i++)
            {
                destination[i] = ((raw[i] >> shift) & mask) * slope + intercept;
            }
        }
    }

    private static double StoredValue(ReadOnlySpan<byte> le, DicomPixelDescription d)
    {
        ulong raw = d.BitsAllocated switch
        {
            8 => le[0],
            16 => BinaryPrimitives.ReadUInt16LittleEndian(le),
            _ => BinaryPrimitives.ReadUInt32LittleEndian(le),
        };
        var shift = d.HighBit + 1 - d.BitsStored;
        var mask = d.BitsStored >= 64 ? ulong.MaxValue : (1UL << d.BitsStored) - 1;
        var v = (raw >> shift) & mask;
        if (d.IsSigned && (v & (1UL << (d.BitsStored - 1))) != 0)
        {
            return (long)v - (1L << d.BitsStored);
        }

        return v;
    }

    private static void CheckFrame(DicomFile file, DicomPixelDescription d, int frame)
    {
        if ((uint)frame >= (uint)d.NumberOfFrames)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.PixelDataTooShort, $"frame {frame} asked for, the file has {d.NumberOfFrames}", file.FilePath, DicomTag.NumberOfFrames);
        }
    }

    private static void CheckNativeLength(DicomFile file, DicomElement e, DicomPixelDescription d)
    {
        if (e.AvailableLength >= 0 && e.AvailableLength < Math.Min(e.Length, d.NativeLength))
        {
            throw DicomThrowHelper.Truncated(file.FilePath, DicomTag.PixelData, e.ValueOffset, Math.Min(e.Length, d.NativeLength), e.AvailableLength);
        }

        if (e.Length < d.NativeLength)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.PixelDataTooShort,
                $"pixel data holds {e.Length} bytes, {d.Rows} rows x {d.Columns} columns x {d.SamplesPerPixel} samples x {d.NumberOfFrames} frames at {d.BitsAllocated} bits need {d.NativeLength}",
                file.FilePath, DicomTag.PixelData, e.ValueOffset);
        }
    }

    private static void SwapToLittleEndian(byte[] bytes, int size)
    {
        if (size == 2)
        {
            for (var i = 0; i + 1 < bytes.Length; i += 2)
            {
                (bytes[i], bytes[i + 1]) = (bytes[i + 1], bytes[i]);
            }
        }
        else if (size == 4)
        {
            for (var i = 0; i + 3 < bytes.Length; i += 4)
            {
                (bytes[i], bytes[i + 3]) = (bytes[i + 3], bytes[i]);
                (bytes[i + 1], bytes[i + 2]) = (bytes[i + 2], bytes[i + 1]);
            }
        }
    }

    private static byte[] Interleave(byte[] planar, DicomPixelDescription d)
    {
        var bps = d.BitsAllocated / 8;
        var pixels = (int)d.PixelsPerFrame;
        var result = new byte[planar.Length];
        for (var s = 0; s < d.SamplesPerPixel; s++)
        {
            for (var p = 0; p < pixels; p++)
            {
                Array.Copy(planar, (s * pixels + p) * bps, result, (p * d.SamplesPerPixel + s) * bps, bps);
            }
        }

        return result;
    }
}
