namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// The Image Pixel module (PS3.3 C.7.6.3) of one file: how its pixel data is laid out and how stored values map to
/// real values (RescaleSlope/Intercept, e.g. to Hounsfield units). Values are checked for plausibility so that a
/// hostile header cannot make the decoder allocate what it claims.
/// </summary>
public sealed record DicomPixelDescription(
    int Rows, int Columns, int SamplesPerPixel, int BitsAllocated, int BitsStored, int HighBit, bool IsSigned,
    string PhotometricInterpretation, int PlanarConfiguration, int NumberOfFrames, double RescaleSlope, double RescaleIntercept)
{
    /// <summary>Pixels in one frame.</summary>
    public long PixelsPerFrame => (long)Rows * Columns;

    /// <summary>Bytes of one native (uncompressed) frame; for 1-bit data the frames are packed, see <see cref="FrameBitOffset"/>.</summary>
    public long BytesPerFrame => BitsAllocated == 1 ? (PixelsPerFrame * SamplesPerPixel + 7) / 8 : PixelsPerFrame * SamplesPerPixel * (BitsAllocated / 8);

    /// <summary>Bit offset of frame <paramref name="frame"/> in packed 1-bit pixel data (frames are not byte-aligned, PS3.5 §8.1.1).</summary>
    public long FrameBitOffset(int frame) => PixelsPerFrame * SamplesPerPixel * frame;

    /// <summary>Bytes that native pixel data must hold for all frames.</summary>
    public long NativeLength => BitsAllocated == 1 ? (PixelsPerFrame * SamplesPerPixel * NumberOfFrames + 7) / 8 : BytesPerFrame * NumberOfFrames;

    /// <summary>True for MONOCHROME1 and MONOCHROME2 with one sample: data a scalar volume can hold.</summary>
    public bool IsMonochrome => SamplesPerPixel == 1 && PhotometricInterpretation is "MONOCHROME1" or "MONOCHROME2";

    /// <summary>Reads and checks the description from a dataset.</summary>
    /// <exception cref="ImagingException">A required attribute is missing or out of range (LC-DICOM-009, LC-DICOM-007).</exception>
    public static DicomPixelDescription From(DicomDataset ds, string? file)
    {
        ArgumentNullException.ThrowIfNull(ds);
        int Required(DicomTag tag, int min, int max)
        {
            var v = ds.GetInt(tag) ?? throw DicomThrowHelper.Missing(file, tag, "required for pixel data");
            if (v < min || v > max)
            {
                throw DicomThrowHelper.Missing(file, tag, $"value {v} is outside {min}..{max}");
            }

            return v;
        }

        var rows = Required(DicomTag.Rows, 1, 65535);
        var columns = Required(DicomTag.Columns, 1, 65535);
        var samples = ds.Contains(DicomTag.SamplesPerPixel) ? Required(DicomTag.SamplesPerPixel, 1, 4) : 1;
        var bitsAllocated = Required(DicomTag.BitsAllocated, 1, 64);
        if (bitsAllocated is not (1 or 8 or 16 or 32))
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.UnsupportedPixelFormat, $"BitsAllocated {bitsAllocated} is not supported (1, 8, 16 or 32)", file, DicomTag.BitsAllocated);
        }

        var bitsStored = ds.Contains(DicomTag.BitsStored) ? Required(DicomTag.BitsStored, 1, bitsAllocated) : bitsAllocated;
        var highBit = ds.Contains(DicomTag.HighBit) ? Required(DicomTag.HighBit, 0, bitsAllocated - 1) : bitsStored - 1;
        if (highBit + 1 < bitsStored)
        {
            highBit = bitsStored - 1; // an inconsistent HighBit is taken as BitsStored - 1 (the only value PS3.5 §8.1.1 now allows)
        }

        var signed = (ds.GetInt(DicomTag.PixelRepresentation) ?? 0) == 1;
        var photometric = ds.GetString(DicomTag.PhotometricInterpretation) ?? (samples == 1 ? "MONOCHROME2" : "RGB");
        var planar = ds.GetInt(DicomTag.PlanarConfiguration) ?? 0;
        var frames = ds.GetString(DicomTag.NumberOfFrames) is { Length: > 0 } ? ds.GetInt(DicomTag.NumberOfFrames) ?? 1 : 1;
        if (frames < 1 || frames > 1_000_000)
        {
            throw DicomThrowHelper.Missing(file, DicomTag.NumberOfFrames, $"{frames} frames is out of range");
        }

        var slope = RealWorldSlope(ds);
        var intercept = ds.GetNumber(DicomTag.RescaleIntercept) ?? 0;
        if (!double.IsFinite(slope) || !double.IsFinite(intercept) || slope == 0)
        {
            throw DicomThrowHelper.Missing(file, DicomTag.RescaleSlope, $"slope {slope} and intercept {intercept} must be finite and the slope non-zero");
        }

        return new DicomPixelDescription(rows, columns, samples, bitsAllocated, bitsStored, highBit, signed, photometric, planar, frames, slope, intercept);
    }

    /// <summary>
    /// The slope from stored values to real values: RescaleSlope, else (RT Dose, PS3.3 C.8.8.3.4.3) DoseGridScaling —
    /// dose in DoseUnits (Gy) = stored value × DoseGridScaling — else 1.
    /// </summary>
    public static double RealWorldSlope(DicomDataset ds)
    {
        ArgumentNullException.ThrowIfNull(ds);
        return ds.GetNumber(DicomTag.RescaleSlope) ?? ds.GetNumber(DicomTag.DoseGridScaling) ?? 1;
    }
}
