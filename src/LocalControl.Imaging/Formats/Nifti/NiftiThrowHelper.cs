using System.Diagnostics.CodeAnalysis;

namespace LocalControl.Imaging.Formats.Nifti;

/// <summary>
/// The NIfTI error codes (docs/formats/nifti.md). Every failure names the file and, where known, the field and byte offset.
/// </summary>
internal static class NiftiThrowHelper
{
    /// <summary>File shorter than a header.</summary>
    public const string Truncated = "LC-NIFTI-001";
    /// <summary>sizeof_hdr/magic not NIfTI.</summary>
    public const string BadMagic = "LC-NIFTI-002";
    /// <summary>Bad dim.</summary>
    public const string BadDim = "LC-NIFTI-003";
    /// <summary>Too large for the caps.</summary>
    public const string TooLarge = "LC-NIFTI-004";
    /// <summary>Unsupported datatype.</summary>
    public const string BadDatatype = "LC-NIFTI-005";
    /// <summary>Bad vox_offset.</summary>
    public const string BadOffset = "LC-NIFTI-006";
    /// <summary>Data shorter than the header claims.</summary>
    public const string DataTruncated = "LC-NIFTI-007";
    /// <summary>Bad scaling.</summary>
    public const string BadScaling = "LC-NIFTI-008";
    /// <summary>Unusable affine or spacing.</summary>
    public const string BadAffine = "LC-NIFTI-009";
    /// <summary>Corrupt gzip.</summary>
    public const string BadGzip = "LC-NIFTI-010";
    /// <summary>Missing .img of a pair.</summary>
    public const string MissingImage = "LC-NIFTI-011";

    [DoesNotReturn]
    public static void Throw(string code, string message, string file, string? field = null, long? offset = null) =>
        throw new ImagingException(code, message, file, field, offset);
}
