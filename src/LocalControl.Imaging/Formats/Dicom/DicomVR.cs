namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// A value representation (PS3.5 §6.2): two upper-case letters that say how a value is encoded.
/// Stored as the two ASCII bytes, first letter in the high byte.
/// </summary>
public readonly record struct DicomVR(ushort Code)
{
#pragma warning disable CS1591 // the names are the VR codes of PS3.5 table 6.2-1
    public static readonly DicomVR AE = From("AE"), AS = From("AS"), AT = From("AT"), CS = From("CS"), DA = From("DA"),
        DS = From("DS"), DT = From("DT"), FL = From("FL"), FD = From("FD"), IS = From("IS"), LO = From("LO"), LT = From("LT"),
        OB = From("OB"), OD = From("OD"), OF = From("OF"), OL = From("OL"), OV = From("OV"), OW = From("OW"), PN = From("PN"),
        SH = From("SH"), SL = From("SL"), SQ = From("SQ"), SS = From("SS"), ST = From("ST"), SV = From("SV"), TM = From("TM"),
        UC = From("UC"), UI = From("UI"), UL = From("UL"), UN = From("UN"), UR = From("UR"), US = From("US"), UT = From("UT"),
        UV = From("UV");
#pragma warning restore CS1591

    /// <summary>Builds a VR from its two letters.</summary>
    public static DicomVR From(string letters)
    {
        ArgumentNullException.ThrowIfNull(letters);
        if (letters.Length != 2)
        {
            throw new ArgumentException("A VR has two letters.", nameof(letters));
        }

        return new((ushort)((letters[0] << 8) | letters[1]));
    }

    /// <summary>True for the 35 VRs PS3.5 defines (the two bytes of a corrupt file are often not one of them).</summary>
    public bool IsKnown => Code is
        0x4145 or 0x4153 or 0x4154 or 0x4353 or 0x4441 or 0x4453 or 0x4454 or 0x464C or 0x4644 or 0x4953 or 0x4C4F or
        0x4C54 or 0x4F42 or 0x4F44 or 0x4F46 or 0x4F4C or 0x4F56 or 0x4F57 or 0x504E or 0x5348 or 0x534C or 0x5351 or
        0x5353 or 0x5354 or 0x5356 or 0x544D or 0x5543 or 0x5549 or 0x554C or 0x554E or 0x5552 or 0x5553 or 0x5554 or 0x5556;

    /// <summary>
    /// True when explicit VR encoding uses the long header (2 reserved bytes + 32-bit length), PS3.5 §7.1.2:
    /// OB, OD, OF, OL, OV, OW, SQ, SV, UC, UN, UR, UT, UV.
    /// </summary>
    public bool HasLongLength => Code is 0x4F42 or 0x4F44 or 0x4F46 or 0x4F4C or 0x4F56 or 0x4F57 or 0x5351 or 0x5356 or
        0x5543 or 0x554E or 0x5552 or 0x5554 or 0x5556;

    /// <summary>True for text VRs whose bytes are decoded with the dataset's SpecificCharacterSet (PS3.5 §6.1.2.3).</summary>
    public bool UsesCharacterSet => Code is 0x5348 or 0x4C4F or 0x5354 or 0x4C54 or 0x5554 or 0x504E or 0x5543;

    /// <summary>True for VRs whose value is character text (trailing spaces/NULs are padding).</summary>
    public bool IsText => UsesCharacterSet || Code is 0x4145 or 0x4153 or 0x4353 or 0x4441 or 0x4453 or 0x4454 or 0x4953 or
        0x544D or 0x5549 or 0x5552;

    /// <summary>Size of one binary number for numeric VRs (AT counts as 2: it is swapped as two 16-bit halves); 0 for text and OB/UN.</summary>
    public int NumberSize => Code switch
    {
        0x5553 or 0x5353 or 0x4F57 or 0x4154 => 2, // US SS OW AT
        0x554C or 0x534C or 0x464C or 0x4F46 or 0x4F4C => 4, // UL SL FL OF OL
        0x4644 or 0x4F44 or 0x5356 or 0x5556 or 0x4F56 => 8, // FD OD SV UV OV
        _ => 0,
    };

    /// <summary>The two letters.</summary>
    public override string ToString() => IsPrintable ? new string([(char)(Code >> 8), (char)(Code & 0xFF)]) : $"0x{Code:X4}";

    private bool IsPrintable => (Code >> 8) is >= 0x20 and < 0x7F && (Code & 0xFF) is >= 0x20 and < 0x7F;
}
