namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// The DICOM error codes (documented in docs/formats/dicom.md) and the helpers that throw them. Every error names
/// the file and, where known, the tag and the byte offset, so that a user can open the file in a dump tool
/// (<c>dcmdump +P</c>) and see the problem.
/// </summary>
public static class DicomErrorCodes
{
    /// <summary>Not a DICOM file: no <c>DICM</c> prefix and no plausible dataset at the start.</summary>
    public const string NotDicom = "LC-DICOM-001";
    /// <summary>A length runs past the end of the file (truncated file or corrupt length).</summary>
    public const string Truncated = "LC-DICOM-002";
    /// <summary>Malformed structure: a bad item or delimiter tag, an item without its delimiter, an odd length where none is allowed.</summary>
    public const string Malformed = "LC-DICOM-003";
    /// <summary>Sequences nested deeper than the reader allows.</summary>
    public const string TooDeep = "LC-DICOM-004";
    /// <summary>The transfer syntax's pixel compression (JPEG, JPEG-LS, JPEG 2000 …) is not decoded; the message says how to convert.</summary>
    public const string UnsupportedTransferSyntax = "LC-DICOM-005";
    /// <summary>Pixel data is missing or shorter than Rows × Columns × frames needs.</summary>
    public const string PixelDataTooShort = "LC-DICOM-006";
    /// <summary>A pixel format this reader does not turn into a volume (colour, bit depth, palette …).</summary>
    public const string UnsupportedPixelFormat = "LC-DICOM-007";
    /// <summary>RLE Lossless data is corrupt (bad header, segment offsets or run lengths).</summary>
    public const string RleCorrupt = "LC-DICOM-008";
    /// <summary>An attribute needed to build the volume is missing or invalid (Rows, ImagePositionPatient …).</summary>
    public const string MissingAttribute = "LC-DICOM-009";
    /// <summary>A folder holds no readable DICOM image.</summary>
    public const string NoSeries = "LC-DICOM-010";
    /// <summary>The series asked for is not there, or several are and none was chosen.</summary>
    public const string SeriesSelection = "LC-DICOM-011";
    /// <summary>Slices are missing or unevenly spaced beyond the tolerance; the message names the files.</summary>
    public const string UnevenSpacing = "LC-DICOM-012";
    /// <summary>Gantry tilt (slice positions not along the slice normal) or slices with several positions at one place.</summary>
    public const string GantryTilt = "LC-DICOM-013";
    /// <summary>Deflated data cannot be inflated or inflates beyond the size limit.</summary>
    public const string Deflate = "LC-DICOM-015";
    /// <summary>Compressed pixel data (JPEG, JPEG-LS, JPEG 2000) is corrupt, truncated or disagrees with the image header.</summary>
    public const string CompressedCorrupt = "LC-DICOM-016";
    /// <summary>The native library that decodes a compressed syntax (CharLS, OpenJPEG) is not installed; the message names the Debian package.</summary>
    public const string CodecMissing = "LC-DICOM-017";
    /// <summary>A DICOM SEG object cannot be turned into a label map.</summary>
    public const string Segmentation = "LC-DICOM-020";
    /// <summary>An RT Structure Set cannot be read or rasterised.</summary>
    public const string RtStruct = "LC-DICOM-021";
}

internal static class DicomThrowHelper
{
    public static ImagingException Error(string code, string message, string? file, DicomTag? tag = null, long? offset = null) =>
        new(code, message, file, tag is { } t ? DicomDictionary.Describe(t) : null, offset);

    public static ImagingException Truncated(string? file, DicomTag tag, long offset, long needed, long available) =>
        Error(DicomErrorCodes.Truncated,
            $"the value needs {needed} bytes but only {available} remain in the file (truncated file or corrupt length)", file, tag, offset);

    public static ImagingException Malformed(string? file, string message, DicomTag? tag, long offset) =>
        Error(DicomErrorCodes.Malformed, message, file, tag, offset);

    public static ImagingException Missing(string? file, DicomTag tag, string why) =>
        Error(DicomErrorCodes.MissingAttribute, $"{DicomDictionary.Describe(tag)} is missing or invalid: {why}", file, tag);
}
