namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// How a dataset is encoded (PS3.5 §10): VR explicit or implicit, byte order, deflate, and whether pixel
/// data is encapsulated (compressed). Only the syntaxes flagged <see cref="CanDecodePixels"/> have pixel
/// decoders here; the others are parsed (all elements but pixels) and refused with a conversion hint.
/// </summary>
public sealed record DicomTransferSyntax(string Uid, string Name, bool IsExplicitVR, bool IsLittleEndian, bool IsDeflated, bool IsEncapsulated, bool CanDecodePixels)
{
#pragma warning disable CS1591 // names of PS3.6 annex A
    public static readonly DicomTransferSyntax ImplicitVRLittleEndian = new("1.2.840.10008.1.2", "Implicit VR Little Endian", false, true, false, false, true);
    public static readonly DicomTransferSyntax ExplicitVRLittleEndian = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, true, false, false, true);
    public static readonly DicomTransferSyntax DeflatedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, true, true, false, true);
    public static readonly DicomTransferSyntax ExplicitVRBigEndian = new("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, false, false, false, true);
    public static readonly DicomTransferSyntax RleLossless = new("1.2.840.10008.1.2.5", "RLE Lossless", true, true, false, true, true);
#pragma warning restore CS1591

    private static readonly Dictionary<string, DicomTransferSyntax> Known = new(StringComparer.Ordinal)
    {
        [ImplicitVRLittleEndian.Uid] = ImplicitVRLittleEndian,
        [ExplicitVRLittleEndian.Uid] = ExplicitVRLittleEndian,
        [DeflatedExplicitVRLittleEndian.Uid] = DeflatedExplicitVRLittleEndian,
        [ExplicitVRBigEndian.Uid] = ExplicitVRBigEndian,
        [RleLossless.Uid] = RleLossless,
        ["1.2.840.10008.1.2.4.50"] = Decodable("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"),
        ["1.2.840.10008.1.2.4.51"] = Decodable("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"),
        ["1.2.840.10008.1.2.4.57"] = Decodable("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"),
        ["1.2.840.10008.1.2.4.70"] = Decodable("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])"),
        ["1.2.840.10008.1.2.4.80"] = Decodable("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"),
        ["1.2.840.10008.1.2.4.81"] = Decodable("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)"),
        ["1.2.840.10008.1.2.4.90"] = Decodable("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)"),
        ["1.2.840.10008.1.2.4.91"] = Decodable("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression"),
        ["1.2.840.10008.1.2.4.201"] = Compressed("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (Lossless Only)"),
        ["1.2.840.10008.1.2.4.203"] = Compressed("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000"),
    };

    /// <summary>
    /// The syntax for <paramref name="uid"/>. An unknown UID is taken as an encapsulated explicit VR little endian
    /// syntax (PS3.5 §A.4: every compressed syntax is encoded so) whose pixels cannot be decoded.
    /// </summary>
    public static DicomTransferSyntax Parse(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        uid = uid.TrimEnd('\0', ' ');
        return Known.TryGetValue(uid, out var ts) ? ts : Compressed(uid, "unknown transfer syntax");
    }

    /// <summary>
    /// The command that converts a file of this syntax to explicit VR little endian (Debian <c>dcmtk</c>), for error
    /// messages; null when no conversion is needed.
    /// </summary>
    public string? ConversionHint => CanDecodePixels ? null : Uid switch
    {
        _ when Uid.StartsWith("1.2.840.10008.1.2.4.8", StringComparison.Ordinal) => "convert it first with 'dcmdjpls IN OUT' (Debian package dcmtk)",
        _ when Uid.StartsWith("1.2.840.10008.1.2.4.5", StringComparison.Ordinal) || Uid.StartsWith("1.2.840.10008.1.2.4.70", StringComparison.Ordinal) =>
            "convert it first with 'dcmdjpeg IN OUT' (Debian package dcmtk)",
        _ when Uid.StartsWith("1.2.840.10008.1.2.4.9", StringComparison.Ordinal) || Uid.StartsWith("1.2.840.10008.1.2.4.20", StringComparison.Ordinal) =>
            "convert it first to Explicit VR Little Endian, e.g. 'gdcmconv --raw IN OUT' (Debian package libgdcm-tools) or 'dcmj2pnm' with OpenJPEG support",
        _ => "convert it first to Explicit VR Little Endian (e.g. 'gdcmconv --raw IN OUT')",
    };

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Uid})";

    /// <summary>
    /// The codec that decodes this syntax's encapsulated pixel data (JPEG-LS and JPEG 2000 through the CharLS and
    /// OpenJPEG libraries, which must be installed); <see cref="DicomPixelCodec.None"/> for native data.
    /// </summary>
    public DicomPixelCodec Codec => Uid switch
    {
        "1.2.840.10008.1.2.5" => DicomPixelCodec.Rle,
        "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51" or "1.2.840.10008.1.2.4.57" or "1.2.840.10008.1.2.4.70" => DicomPixelCodec.Jpeg,
        "1.2.840.10008.1.2.4.80" or "1.2.840.10008.1.2.4.81" => DicomPixelCodec.JpegLs,
        "1.2.840.10008.1.2.4.90" or "1.2.840.10008.1.2.4.91" => DicomPixelCodec.Jpeg2000,
        _ => IsEncapsulated ? DicomPixelCodec.Unsupported : DicomPixelCodec.None,
    };

    /// <summary>True for the lossy syntaxes (values differ from the original acquisition; PS3.5 §8.2).</summary>
    public bool IsLossy => Uid is "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51" or "1.2.840.10008.1.2.4.81" or "1.2.840.10008.1.2.4.91" or "1.2.840.10008.1.2.4.203";

    private static DicomTransferSyntax Compressed(string uid, string name) => new(uid, name, true, true, false, true, false);

    private static DicomTransferSyntax Decodable(string uid, string name) => new(uid, name, true, true, false, true, true);
}

/// <summary>Which decoder a transfer syntax's pixel data needs.</summary>
public enum DicomPixelCodec
{
    /// <summary>Native (uncompressed) pixel data.</summary>
    None,
    /// <summary>RLE Lossless (PS3.5 annex G), decoded here.</summary>
    Rle,
    /// <summary>JPEG baseline, extended and lossless (ITU-T T.81), decoded here.</summary>
    Jpeg,
    /// <summary>JPEG-LS (ITU-T T.87), decoded by CharLS (Debian package libcharls2).</summary>
    JpegLs,
    /// <summary>JPEG 2000 (ISO 15444-1), decoded by OpenJPEG (Debian package libopenjp2-7).</summary>
    Jpeg2000,
    /// <summary>An encapsulated syntax without a decoder here (HTJ2K, MPEG, unknown UIDs).</summary>
    Unsupported,
}
