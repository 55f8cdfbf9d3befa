using System.Buffers.Binary;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// Finds the bytes of one frame in encapsulated pixel data (PS3.5 §A.4): the item fragments that hold it, from the
/// Extended Offset Table (7FE0,0001/0002) when present, else the Basic Offset Table (the first item), else one
/// fragment per frame, else frame starts recognised by the codec's start marker (JPEG SOI, JPEG 2000 SOC) — the
/// order pydicom and dcmtk follow. Every offset is checked against the items actually present before a byte is
/// read: an offset pointing past the end or between items is refused (LC-DICOM-003) naming the table and entry.
/// </summary>
internal static class DicomEncapsulatedFrames
{
    /// <summary>The concatenated fragments of frame <paramref name="frame"/>.</summary>
    public static byte[] Read(DicomFile file, DicomElement pixelData, DicomPixelDescription d, int frame)
    {
        var (fragments, length) = Locate(file, pixelData, d, frame);
        return Read(file, fragments, length);
    }

    /// <summary>The concatenated bytes of located fragments.</summary>
    public static byte[] Read(DicomFile file, IReadOnlyList<DicomFragment> fragments, long length)
    {
        var buffer = new byte[length];
        var at = 0;
        foreach (var f in fragments)
        {
            var take = (int)Math.Min(f.Length, length - at);
            file.ReadRangeInto(f.Offset, buffer.AsSpan(at, take), DicomTag.PixelData);
            at += take;
            if (at == length)
            {
                break;
            }
        }

        return buffer;
    }

    /// <summary>The fragments of one frame and the number of bytes the frame takes from them.</summary>
    public static (IReadOnlyList<DicomFragment> Fragments, long Length) Locate(DicomFile file, DicomElement pixelData, DicomPixelDescription d, int frame)
    {
        var all = pixelData.Fragments!;
        var path = file.FilePath;
        if (all.Count < 2)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.PixelDataTooShort, "encapsulated pixel data holds no fragments (only the offset table item)", path, DicomTag.PixelData, pixelData.ValueOffset);
        }

        var bot = all[0];
        var firstItem = all[1].Offset - 8; // offsets in both tables count from the first byte of the first fragment's item tag
        var frames = d.NumberOfFrames;

        if (file.Dataset.Find(DicomTag.ExtendedOffsetTable) is { } eotElement)
        {
            var lengthsElement = file.Dataset.Find(DicomTag.ExtendedOffsetTableLengths)
                ?? throw DicomThrowHelper.Error(DicomErrorCodes.Malformed, "an Extended Offset Table without Extended Offset Table Lengths (7FE0,0002)", path, DicomTag.ExtendedOffsetTableLengths);
            if (bot.Length != 0)
            {
                throw DicomThrowHelper.Error(DicomErrorCodes.Malformed, "both a Basic and an Extended Offset Table (PS3.5 §A.4: the basic table must then be empty)", path, DicomTag.ExtendedOffsetTable);
            }

            if (eotElement.Length != 8L * frames || lengthsElement.Length != 8L * frames)
            {
                throw DicomThrowHelper.Error(DicomErrorCodes.Malformed,
                    $"the Extended Offset Table holds {eotElement.Length / 8} offsets and {lengthsElement.Length / 8} lengths for {frames} frames", path, DicomTag.ExtendedOffsetTable, eotElement.ValueOffset);
            }

            var offset = BinaryPrimitives.ReadUInt64LittleEndian(ReadSlice(file, eotElement, 8 * frame));
            var length = BinaryPrimitives.ReadUInt64LittleEndian(ReadSlice(file, lengthsElement, 8 * frame));
            var start = FragmentAt(all, firstItem, offset);
            if (start < 0)
            {
                throw DicomThrowHelper.Error(DicomErrorCodes.Malformed,
                    $"Extended Offset Table entry {frame + 1} ({offset}) does not point at a fragment (past the end or between items)", path, DicomTag.ExtendedOffsetTable, eotElement.ValueOffset + 8 * frame);
            }

            var list = new List<DicomFragment>();
            var available = 0L;
            for (var i = start; i < all.Count && available < (long)length; i++)
            {
                list.Add(all[i]);
                available += all[i].Length;
            }

            if ((ulong)available < length)
            {
                throw DicomThrowHelper.Error(DicomErrorCodes.Malformed,
                    $"Extended Offset Table Lengths entry {frame + 1} ({length} bytes) runs past the last fragment", path, DicomTag.ExtendedOffsetTableLengths, lengthsElement.ValueOffset + 8 * frame);
            }

            return (list, (long)length);
        }

        if (bot.Length > 0)
        {
            if (bot.Length != 4L * frames)
            {
                throw DicomThrowHelper.Error(DicomErrorCodes.Malformed,
                    $"the Basic Offset Table holds {bot.Length / 4} entries for {frames} frames", path, DicomTag.PixelData, bot.Offset);
            }

            var table = file.ReadRange(bot.Offset, bot.Length, DicomTag.PixelData);
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(table.AsSpan(4 * frame));
            var start = FragmentAt(all, firstItem, offset);
            if (start < 0)
            {
                throw DicomThrowHelper.Error(DicomErrorCodes.Malformed,
                    $"Basic Offset Table entry {frame + 1} ({offset}) does not point at a fragment (past the end of the pixel data or between items)", path, DicomTag.PixelData, bot.Offset + 4 * frame);
            }

            var end = all.Count;
            if (frame + 1 < frames)
            {
                var next = BinaryPrimitives.ReadUInt32LittleEndian(table.AsSpan(4 * (frame + 1)));
                end = FragmentAt(all, firstItem, next);
                if (end <= start)
                {
                    throw DicomThrowHelper.Error(DicomErrorCodes.Malformed,
                        $"Basic Offset Table entry {frame + 2} ({next}) does not point at a fragment after entry {frame + 1} ({offset})", path, DicomTag.PixelData, bot.Offset + 4 * (frame + 1));
                }
            }

            return Span(all, start, end);
        }

        if (frames == 1)
        {
            return Span(all, 1, all.Count);
        }

        if (all.Count - 1 == frames)
        {
            return Span(all, frame + 1, frame + 2);
        }

        // No table and more fragments than frames: frames start where a fragment starts with the codec's marker.
        var starts = new List<int>();
        for (var i = 1; i < all.Count; i++)
        {
            if (all[i].Length >= 2 && IsFrameStart(file.TransferSyntax.Codec, file.ReadRange(all[i].Offset, 2, DicomTag.PixelData)))
            {
                starts.Add(i);
            }
        }

        if (starts.Count != frames || starts[0] != 1)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.Malformed,
                $"{all.Count - 1} fragments for {frames} frames, no offset table, and {starts.Count} fragments that start a frame", path, DicomTag.PixelData, pixelData.ValueOffset);
        }

        return Span(all, starts[frame], frame + 1 < frames ? starts[frame + 1] : all.Count);
    }

    private static bool IsFrameStart(DicomPixelCodec codec, ReadOnlySpan<byte> first) => codec switch
    {
        DicomPixelCodec.Jpeg or DicomPixelCodec.JpegLs => first[0] == 0xFF && first[1] == 0xD8,
        DicomPixelCodec.Jpeg2000 => first[0] == 0xFF && first[1] == 0x4F,
        _ => false,
    };

    private static (IReadOnlyList<DicomFragment>, long) Span(IReadOnlyList<DicomFragment> all, int start, int end)
    {
        var list = new List<DicomFragment>(end - start);
        var total = 0L;
        for (var i = start; i < end; i++)
        {
            list.Add(all[i]);
            total += all[i].Length;
        }

        return (list, total);
    }

    /// <summary>The index of the fragment whose item starts <paramref name="offset"/> bytes after the first item; −1 when none does.</summary>
    private static int FragmentAt(IReadOnlyList<DicomFragment> all, long firstItem, ulong offset)
    {
        if (offset > long.MaxValue)
        {
            return -1;
        }

        var target = firstItem + (long)offset + 8;
        int lo = 1, hi = all.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var o = all[mid].Offset;
            if (o == target)
            {
                return mid;
            }

            if (o < target)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    private static ReadOnlySpan<byte> ReadSlice(DicomFile file, DicomElement e, int at) =>
        e.RawValue is { } raw ? raw.AsSpan(at, 8) : file.ReadRange(e.ValueOffset + at, 8, e.Tag);
}
