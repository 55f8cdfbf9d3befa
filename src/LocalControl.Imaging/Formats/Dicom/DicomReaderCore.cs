using System.Buffers.Binary;
using System.IO.Compression;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// The byte work of reading a DICOM stream (PS3.10 file or bare dataset): a small buffered cursor over a seekable
/// stream, element headers in the three encodings, sequences and items of defined and undefined length, and
/// encapsulated pixel data. Every length is checked against what remains of the enclosing value (or file) before
/// anything is allocated; sequences nest at most <see cref="DicomReadOptions.MaxSequenceDepth"/> deep.
/// </summary>
internal sealed class DicomReaderCore
{
    private const int BufferSize = 16 * 1024;
    private const long MaxInMemoryValue = 256L << 20;
    private readonly Stream _stream;
    private readonly string? _file;
    private readonly DicomReadOptions _options;
    private readonly byte[] _buffer = new byte[BufferSize];
    private long _bufferStart; // stream position of _buffer[0]
    private int _bufferLength;
    private long _position;

    public DicomReaderCore(Stream stream, string? file, DicomReadOptions options)
    {
        _stream = stream;
        _file = file;
        _options = options;
        Length = stream.Length;
    }

    public long Length { get; }

    public long Position => _position;

    public long Remaining => Length - _position;

    // --- cursor --------------------------------------------------------------------------------------------

    private ReadOnlySpan<byte> Peek(int count)
    {
        if (_position < _bufferStart || _position + count > _bufferStart + _bufferLength)
        {
            _stream.Position = _position;
            _bufferStart = _position;
            _bufferLength = 0;
            while (_bufferLength < BufferSize)
            {
                var n = _stream.Read(_buffer, _bufferLength, BufferSize - _bufferLength);
                if (n == 0)
                {
                    break;
                }

                _bufferLength += n;
            }
        }

        var offset = (int)(_position - _bufferStart);
        return _buffer.AsSpan(offset, Math.Min(count, _bufferLength - offset));
    }

    private ReadOnlySpan<byte> Take(int count, DicomTag tag)
    {
        var s = Peek(count);
        if (s.Length < count)
        {
            throw DicomThrowHelper.Truncated(_file, tag, _position, count, s.Length);
        }

        _position += count;
        return s;
    }

    public byte[] ReadBytes(long count, DicomTag tag, long limit)
    {
        if (count > limit - _position)
        {
            throw DicomThrowHelper.Truncated(_file, tag, _position, count, Math.Max(0, limit - _position));
        }

        var result = new byte[count];
        if (count <= BufferSize)
        {
            Take((int)count, tag).CopyTo(result);
            return result;
        }

        _stream.Position = _position;
        _stream.ReadExactly(result);
        _position += count;
        _bufferLength = 0;
        return result;
    }

    private void Skip(long count, DicomTag tag, long limit)
    {
        if (count > limit - _position)
        {
            throw DicomThrowHelper.Truncated(_file, tag, _position, count, Math.Max(0, limit - _position));
        }

        _position += count;
    }

    private ushort U16(bool le, DicomTag tag)
    {
        var s = Take(2, tag);
        return le ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);
    }

    private uint U32(bool le, DicomTag tag)
    {
        var s = Take(4, tag);
        return le ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);
    }

    // --- file level ------------------------------------------------------------------------------------------

    /// <summary>Reads the preamble and meta group, if any; returns the meta dataset (possibly empty) and whether 'DICM' was found.</summary>
    public (DicomDataset Meta, bool HasPreamble) ReadMeta()
    {
        var meta = new DicomDataset(null);
        var head = Peek(132);
        var hasPreamble = head.Length >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        if (hasPreamble)
        {
            _position = 132;
        }
        else if (head.Length >= 4 && head[0] == 'D' && head[1] == 'I' && head[2] == 'C' && head[3] == 'M')
        {
            _position = 4; // 'DICM' without the 128-byte preamble (seen in the wild)
        }

        // The meta group is always explicit VR little endian (PS3.10 §7.1); read it while the group is 0002.
        while (Remaining >= 8)
        {
            var g = Peek(2);
            if (g.Length < 2 || BinaryPrimitives.ReadUInt16LittleEndian(g) != 0x0002)
            {
                break;
            }

            var element = ReadElement(meta, explicitVr: true, le: true, Length, depth: 0, topLevel: false);
            if (element is not null)
            {
                meta.Add(element);
            }
        }

        if (!hasPreamble && meta.Elements.Count == 0 && !LooksLikeDataset(Peek(8)))
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.NotDicom,
                "not a DICOM file: no 'DICM' at byte 128 and the start does not look like a DICOM dataset", _file, offset: 0);
        }

        return (meta, hasPreamble);
    }

    /// <summary>Guesses the encoding of a dataset without a transfer syntax from its first element (as pydicom and DCMTK do).</summary>
    public DicomTransferSyntax GuessTransferSyntax()
    {
        var s = Peek(6);
        if (s.Length < 6)
        {
            return DicomTransferSyntax.ExplicitVRLittleEndian;
        }

        var explicitVr = IsVrBytes(s[4], s[5]);
        var bigEndian = s[0] == 0 && s[1] != 0; // group 0x0008 written big endian: 00 08
        return bigEndian ? DicomTransferSyntax.ExplicitVRBigEndian :
            explicitVr ? DicomTransferSyntax.ExplicitVRLittleEndian : DicomTransferSyntax.ImplicitVRLittleEndian;
    }

    private static bool IsVrBytes(byte a, byte b) => a is >= (byte)'A' and <= (byte)'Z' && b is >= (byte)'A' and <= (byte)'Z' && new DicomVR((ushort)((a << 8) | b)).IsKnown;

    private static bool LooksLikeDataset(ReadOnlySpan<byte> s)
    {
        if (s.Length < 8)
        {
            return false;
        }

        // A dataset starts with a small even group in either byte order, followed by a known VR or a plausible length.
        var gLe = BinaryPrimitives.ReadUInt16LittleEndian(s);
        var gBe = BinaryPrimitives.ReadUInt16BigEndian(s);
        var evenSmall = (gLe is >= 0x0002 and <= 0x0FFF && gLe % 2 == 0) || (gBe is >= 0x0002 and <= 0x0FFF && gBe % 2 == 0);
        if (!evenSmall)
        {
            return false;
        }

        return IsVrBytes(s[4], s[5]) || BinaryPrimitives.ReadUInt32LittleEndian(s[4..]) < 0x10000;
    }

    /// <summary>
    /// Inflates the rest of a deflated file (PS3.5 §A.5) into memory, refusing it as soon as it passes
    /// <paramref name="maxBytes"/> (a deflate bomb stops at the budget, not after). Inflates in 1 MiB chunks so that
    /// memory stays close to the inflated size, never a doubling buffer's worth above it.
    /// </summary>
    public byte[] InflateRest(long maxBytes)
    {
        _stream.Position = _position;
        var chunks = new List<byte[]>();
        long total = 0;
        try
        {
            using var inflater = new DeflateStream(_stream, CompressionMode.Decompress, leaveOpen: true);
            while (true)
            {
                var chunk = new byte[1 << 20];
                var got = inflater.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false);
                if (got == 0)
                {
                    break;
                }

                total += got;
                if (total > maxBytes || total > Array.MaxLength)
                {
                    throw new ImagingException(ImagingBudget.OverBudgetCode,
                        $"the deflated dataset inflates to more than {maxBytes} bytes, the reading budget (a deflate bomb, or a dataset too large to read here)", _file, "DeflatedExplicitVRLittleEndian", _position);
                }

                chunks.Add(got == chunk.Length ? chunk : chunk[..got]);
                if (got < chunk.Length)
                {
                    break;
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.Deflate, $"the deflated dataset is corrupt: {ex.Message}", _file, offset: _position);
        }

        var result = new byte[total];
        var at = 0;
        foreach (var c in chunks)
        {
            c.CopyTo(result, at);
            at += c.Length;
        }

        return result;
    }

    // --- datasets ---------------------------------------------------------------------------------------------

    /// <summary>Reads the top-level dataset until the end of the stream (or until pixel data when asked to stop there).</summary>
    public DicomDataset ReadTopLevel(DicomTransferSyntax syntax)
    {
        var ds = new DicomDataset(null);
        ReadDatasetBody(ds, syntax.IsExplicitVR, syntax.IsLittleEndian, Length, depth: 0, topLevel: true);
        return ds;
    }

    /// <summary>Reads elements up to <paramref name="end"/> (the file's end at the top level, a defined-length item's end inside).</summary>
    private void ReadDatasetBody(DicomDataset ds, bool explicitVr, bool le, long end, int depth, bool topLevel)
    {
        while (true)
        {
            if (_position >= end)
            {
                return;
            }

            if (topLevel && Remaining < 8)
            {
                // Trailing padding shorter than an element header: tolerated when it is all zero bytes.
                var tail = Peek((int)Remaining);
                if (tail.ContainsAnyExcept((byte)0))
                {
                    throw DicomThrowHelper.Error(DicomErrorCodes.Truncated, $"{Remaining} stray bytes at the end of the file", _file, offset: _position);
                }

                _position = Length;
                return;
            }

            if (topLevel && IsStrayDelimiter(le))
            {
                // Stray item or sequence delimiters between top-level elements (written by some old tools) are skipped,
                // as pydicom and DCMTK do; in a loop, so that a file full of them cannot exhaust the stack.
                _position += 8;
                continue;
            }

            var element = ReadElement(ds, explicitVr, le, end, depth, topLevel);
            if (element is null)
            {
                return; // stop before pixel data
            }

            ds.Add(element);
        }
    }

    private bool IsStrayDelimiter(bool le)
    {
        var s = Peek(8);
        if (s.Length < 8)
        {
            return false;
        }

        var g = le ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);
        var e = le ? BinaryPrimitives.ReadUInt16LittleEndian(s[2..]) : BinaryPrimitives.ReadUInt16BigEndian(s[2..]);
        var len = le ? BinaryPrimitives.ReadUInt32LittleEndian(s[4..]) : BinaryPrimitives.ReadUInt32BigEndian(s[4..]);
        return g == 0xFFFE && e is 0xE00D or 0xE0DD && len == 0;
    }

    /// <summary>Reads one element; null when stopping before pixel data.</summary>
    private DicomElement? ReadElement(DicomDataset ds, bool explicitVr, bool le, long end, int depth, bool topLevel)
    {
        var start = _position;
        var group = U16(le, default);
        var elem = U16(le, default);
        var tag = new DicomTag(group, elem);

        if (group == 0xFFFE)
        {
            var len = U32(le, tag);
            if (elem == 0xE00D)
            {
                if (len != 0)
                {
                    throw DicomThrowHelper.Malformed(_file, $"item delimiter with length {len} (must be 0)", tag, start);
                }

                // An undefined-length item's delimiter is consumed by ReadElementWithin, stray top-level ones by ReadDatasetBody.
                throw DicomThrowHelper.Malformed(_file, "item delimiter inside a defined-length item", tag, start);
            }

            throw DicomThrowHelper.Malformed(_file, $"unexpected {tag} outside a sequence", tag, start);
        }

        DicomVR vr;
        uint length;
        var vrExplicit = false;
        var vrBytes = explicitVr ? Peek(2) : default;
        if (vrBytes.Length == 2 && IsVrBytes(vrBytes[0], vrBytes[1]))
        {
            var v = Take(2, tag);
            vr = new DicomVR((ushort)((v[0] << 8) | v[1]));
            vrExplicit = true;
            if (vr.HasLongLength)
            {
                Skip(2, tag, Length);
                length = U32(le, tag);
            }
            else
            {
                length = U16(le, tag);
            }
        }
        else
        {
            // Implicit VR, or an explicit-VR file with an element written implicitly (pydicom and DCMTK fall back the same way).
            vr = DicomDictionary.ImplicitVR(tag);
            length = U32(le, tag);
        }

        var valueOffset = _position;
        var undefinedLength = length == DicomElement.UndefinedLength;

        // Pixel data: encapsulated fragments, or a value left in the file.
        if (tag == DicomTag.PixelData && depth == 0)
        {
            if (_options.StopBeforePixelData && topLevel)
            {
                _position = start;
                return null;
            }

            if (undefinedLength)
            {
                return new DicomElement(tag, vr, length, valueOffset, le, null, fragments: ReadFragments(tag, le));
            }

            // A pixel data value that runs past the end of the file is kept (the header is still useful, as in
            // pydicom); decoding it then fails with LC-DICOM-002 naming the missing bytes.
            var available = Math.Min((long)length, Length - _position);
            _position += available;
            return new DicomElement(tag, vr, length, valueOffset, le, null) { AvailableLength = available };
        }

        if ((tag == DicomTag.FloatPixelData || tag == DicomTag.DoubleFloatPixelData) && depth == 0 && !undefinedLength)
        {
            Skip(length, tag, end);
            return new DicomElement(tag, vr, length, valueOffset, le, null);
        }

        // A sequence: SQ; or UN / implicit VR with undefined length (PS3.5 §6.2.2: such a UN value is an implicit VR
        // little endian sequence); or UN whose tag the dictionary knows as SQ (as pydicom's replace_un_with_known_vr).
        var isSequence = vr == DicomVR.SQ
            || (undefinedLength && (vr == DicomVR.UN || !vrExplicit || !vr.IsKnown))
            || (vr == DicomVR.UN && DicomDictionary.ImplicitVR(tag) == DicomVR.SQ);
        if (isSequence)
        {
            // UN sequences are always implicit VR little endian (PS3.5 §6.2.2 note).
            var itemsExplicit = vr != DicomVR.UN && explicitVr;
            var itemsLe = vr == DicomVR.UN || le;
            var items = ReadSequence(ds, tag, length, itemsExplicit, itemsLe, end, depth);
            return new DicomElement(tag, vrExplicit || vr == DicomVR.SQ ? vr : DicomVR.SQ, length, valueOffset, itemsLe, null, items);
        }

        if (undefinedLength)
        {
            throw DicomThrowHelper.Malformed(_file, $"undefined length is not allowed for VR {vr}", tag, start);
        }

        if (length > MaxInMemoryValue)
        {
            // A huge non-pixel value (e.g. an embedded document) stays in the file; DicomFile.ReadValue reads it on demand.
            Skip(length, tag, end);
            return new DicomElement(tag, vr, length, valueOffset, le, null) { AvailableLength = length };
        }

        var bytes = ReadBytes(length, tag, end);
        return new DicomElement(tag, vr, length, valueOffset, le, bytes);
    }

    private List<DicomDataset> ReadSequence(DicomDataset parent, DicomTag seqTag, uint length, bool explicitVr, bool le, long end, int depth)
    {
        if (depth + 1 > _options.MaxSequenceDepth)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.TooDeep,
                $"sequences are nested more than {_options.MaxSequenceDepth} deep", _file, seqTag, _position);
        }

        var outerLimit = end;
        var undefined = length == DicomElement.UndefinedLength;
        long seqEnd;
        if (undefined)
        {
            seqEnd = outerLimit;
        }
        else
        {
            if (length > outerLimit - _position)
            {
                throw DicomThrowHelper.Truncated(_file, seqTag, _position, length, outerLimit - _position);
            }

            seqEnd = _position + length;
        }

        var items = new List<DicomDataset>();
        while (true)
        {
            if (!undefined && _position >= seqEnd)
            {
                return items;
            }

            if (seqEnd - _position < 8)
            {
                throw undefined
                    ? DicomThrowHelper.Malformed(_file, "an undefined-length sequence ends without its sequence delimiter (FFFE,E0DD)", seqTag, _position)
                    : DicomThrowHelper.Malformed(_file, "a sequence's length leaves a partial item header", seqTag, _position);
            }

            var itemStart = _position;
            var g = U16(le, seqTag);
            var e = U16(le, seqTag);
            var itemLength = U32(le, seqTag);
            if (g == 0xFFFE && e == 0xE0DD)
            {
                if (undefined)
                {
                    return items;
                }

                throw DicomThrowHelper.Malformed(_file, "sequence delimiter inside a defined-length sequence", seqTag, itemStart);
            }

            if (g != 0xFFFE || e != 0xE000)
            {
                throw DicomThrowHelper.Malformed(_file,
                    $"expected an item tag (FFFE,E000) in the sequence, found {new DicomTag(g, e)}", seqTag, itemStart);
            }

            var item = new DicomDataset(parent);
            if (itemLength == DicomElement.UndefinedLength)
            {
                ReadItemUndefined(item, explicitVr, le, seqEnd, depth + 1, seqTag);
            }
            else
            {
                if (itemLength > seqEnd - _position)
                {
                    throw DicomThrowHelper.Truncated(_file, DicomTag.Item, _position, itemLength, seqEnd - _position);
                }

                ReadDatasetBody(item, explicitVr, le, _position + itemLength, depth + 1, topLevel: false);
            }

            items.Add(item);
        }
    }

    private void ReadItemUndefined(DicomDataset item, bool explicitVr, bool le, long limit, int depth, DicomTag seqTag)
    {
        while (true)
        {
            if (limit - _position < 8)
            {
                throw DicomThrowHelper.Malformed(_file, "an undefined-length item ends without its item delimiter (FFFE,E00D)", seqTag, _position);
            }

            // The item delimiter closes this item; every length inside is checked against the enclosing limit.
            var element = ReadElementWithin(item, explicitVr, le, limit, depth);
            if (element is null)
            {
                return;
            }

            item.Add(element);
        }
    }

    private DicomElement? ReadElementWithin(DicomDataset item, bool explicitVr, bool le, long limit, int depth)
    {
        // Peek for the item delimiter first, then read a normal element bounded by the enclosing limit.
        var s = Peek(8);
        if (s.Length >= 8)
        {
            var g = le ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);
            var e = le ? BinaryPrimitives.ReadUInt16LittleEndian(s[2..]) : BinaryPrimitives.ReadUInt16BigEndian(s[2..]);
            if (g == 0xFFFE && e == 0xE00D)
            {
                _position += 8;
                return null;
            }
        }

        return ReadElement(item, explicitVr, le, limit, depth, topLevel: false);
    }

    private List<DicomFragment> ReadFragments(DicomTag tag, bool le)
    {
        var fragments = new List<DicomFragment>();
        while (true)
        {
            if (Remaining < 8)
            {
                throw DicomThrowHelper.Malformed(_file, "encapsulated pixel data ends without its sequence delimiter (FFFE,E0DD)", tag, _position);
            }

            var at = _position;
            var g = U16(le, tag);
            var e = U16(le, tag);
            var len = U32(le, tag);
            if (g == 0xFFFE && e == 0xE0DD)
            {
                return fragments;
            }

            if (g != 0xFFFE || e != 0xE000)
            {
                throw DicomThrowHelper.Malformed(_file, $"expected a fragment item (FFFE,E000) in encapsulated pixel data, found {new DicomTag(g, e)}", tag, at);
            }

            if (len == DicomElement.UndefinedLength)
            {
                throw DicomThrowHelper.Malformed(_file, "a pixel data fragment has undefined length", tag, at);
            }

            fragments.Add(new DicomFragment(_position, len));
            Skip(len, tag, Length);
        }
    }
}
