using System.Buffers.Binary;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>One fragment of encapsulated (compressed) pixel data: where its bytes lie in the (inflated) file.</summary>
/// <param name="Offset">Byte offset of the fragment's value.</param>
/// <param name="Length">Length in bytes.</param>
public readonly record struct DicomFragment(long Offset, uint Length);

/// <summary>
/// One data element as read from a file: tag, VR, length and where its value lies. A value is held in memory
/// (<see cref="RawValue"/>), or left in the file (pixel data, read on demand through <see cref="DicomFile"/>),
/// or is a sequence of item datasets (<see cref="Items"/>), or a list of compressed fragments (<see cref="Fragments"/>).
/// </summary>
public sealed class DicomElement
{
    /// <summary>The length that marks an undefined-length value (terminated by a delimiter).</summary>
    public const uint UndefinedLength = 0xFFFFFFFF;

    internal DicomElement(DicomTag tag, DicomVR vr, uint length, long valueOffset, bool isLittleEndian, byte[]? rawValue,
        IReadOnlyList<DicomDataset>? items = null, IReadOnlyList<DicomFragment>? fragments = null)
    {
        Tag = tag;
        VR = vr;
        Length = length;
        ValueOffset = valueOffset;
        IsLittleEndian = isLittleEndian;
        RawValue = rawValue;
        Items = items;
        Fragments = fragments;
    }

    /// <summary>The tag.</summary>
    public DicomTag Tag { get; }

    /// <summary>The VR (from the file when explicit, from the dictionary when implicit; UN when unknown).</summary>
    public DicomVR VR { get; }

    /// <summary>The value length as stored; <see cref="UndefinedLength"/> for delimited sequences and encapsulated pixel data.</summary>
    public uint Length { get; }

    /// <summary>Byte offset of the value in the (inflated) file.</summary>
    public long ValueOffset { get; }

    /// <summary>The VR to decode the value with: the dictionary's where the file says UN and the tag is known.</summary>
    public DicomVR EffectiveVR => VR == DicomVR.UN ? DicomDictionary.ImplicitVR(Tag) : VR;

    /// <summary>Bytes of a deferred value that the file actually holds (less than <see cref="Length"/> when the file is truncated).</summary>
    public long AvailableLength { get; internal init; } = -1;

    /// <summary>Byte order of binary numbers in the value.</summary>
    public bool IsLittleEndian { get; }

    /// <summary>The value's bytes as stored, or null for sequences, encapsulated data and values left in the file.</summary>
    public byte[]? RawValue { get; }

    /// <summary>The items of a sequence (SQ, or UN read as a sequence), else null.</summary>
    public IReadOnlyList<DicomDataset>? Items { get; }

    /// <summary>The fragments of encapsulated pixel data (the first is the basic offset table), else null.</summary>
    public IReadOnlyList<DicomFragment>? Fragments { get; }

    /// <summary>True when the value was left in the file (read it with <see cref="DicomFile.ReadValue"/>).</summary>
    public bool IsDeferred => RawValue is null && Items is null && Fragments is null;

    /// <summary>The binary numbers of the value as doubles (US, SS, UL, SL, FL, FD, OW, OF, OD, OL, SV, UV, AT).</summary>
    internal double[] BinaryNumbers(DicomVR asVr)
    {
        var v = RawValue ?? [];
        var size = asVr.NumberSize;
        if (size == 0)
        {
            return [];
        }

        var n = v.Length / size;
        var result = new double[n];
        var le = IsLittleEndian;
        for (var i = 0; i < n; i++)
        {
            var s = v.AsSpan(i * size, size);
            result[i] = asVr.Code switch
            {
                0x5553 or 0x4F57 or 0x4154 => le ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s),
                0x5353 => le ? BinaryPrimitives.ReadInt16LittleEndian(s) : BinaryPrimitives.ReadInt16BigEndian(s),
                0x554C or 0x4F4C => le ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s),
                0x534C => le ? BinaryPrimitives.ReadInt32LittleEndian(s) : BinaryPrimitives.ReadInt32BigEndian(s),
                0x464C or 0x4F46 => le ? BinaryPrimitives.ReadSingleLittleEndian(s) : BinaryPrimitives.ReadSingleBigEndian(s),
                0x4644 or 0x4F44 => le ? BinaryPrimitives.ReadDoubleLittleEndian(s) : BinaryPrimitives.ReadDoubleBigEndian(s),
                0x5356 => le ? BinaryPrimitives.ReadInt64LittleEndian(s) : BinaryPrimitives.ReadInt64BigEndian(s),
                _ => le ? BinaryPrimitives.ReadUInt64LittleEndian(s) : BinaryPrimitives.ReadUInt64BigEndian(s),
            };
        }

        return result;
    }

    /// <inheritdoc />
    public override string ToString() => $"{DicomDictionary.Describe(Tag)} {VR} length {(Length == UndefinedLength ? "undefined" : Length)}";
}
