using System.Runtime.CompilerServices;

namespace LocalControl.Imaging.Formats.Dicom.Codecs;

/// <summary>
/// A JPEG Huffman table (ITU-T T.81 annex C): code lengths and symbols from a DHT segment, with a 9-bit lookup table
/// for the short codes (most lossless difference categories) and the canonical max-code search for the rest.
/// </summary>
internal sealed class JpegHuffmanTable
{
    public const int FastBits = 9;

    // (length << 8) | symbol for codes of at most FastBits bits, 0 where the code is longer.
    private readonly ushort[] _fast = new ushort[1 << FastBits];
    private readonly int[] _maxCode = new int[18];
    private readonly int[] _valueOffset = new int[17];
    private readonly byte[] _values;

    public JpegHuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
    {
        _values = values.ToArray();
        var code = 0;
        var k = 0;
        for (var length = 1; length <= 16; length++)
        {
            int n = counts[length - 1];
            _valueOffset[length] = k - code;
            if (code + n > (1 << length))
            {
                throw new JpegDataException("Huffman code lengths overflow (more codes of a length than the bits allow)", 0);
            }

            if (n > 0)
            {
                if (length <= FastBits)
                {
                    for (var i = 0; i < n; i++)
                    {
                        var first = (code + i) << (FastBits - length);
                        var span = 1 << (FastBits - length);
                        _fast.AsSpan(first, span).Fill((ushort)((length << 8) | values[k + i]));
                    }
                }

                code += n;
                k += n;
                _maxCode[length] = code - 1;
            }
            else
            {
                _maxCode[length] = -1;
            }

            code <<= 1;
        }

        _maxCode[17] = int.MaxValue;
    }

    /// <summary>Decodes one symbol; throws <see cref="JpegDataException"/> for a code no table entry has.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Decode(ref JpegBitReader bits)
    {
        bits.EnsureBits(16);
        var peek = bits.Peek(16);
        var entry = _fast[peek >> (16 - FastBits)];
        if (entry != 0)
        {
            bits.Skip(entry >> 8);
            return entry & 0xFF;
        }

        return DecodeSlow(ref bits, peek);
    }

    private int DecodeSlow(ref JpegBitReader bits, int peek16)
    {
        for (var length = FastBits + 1; length <= 16; length++)
        {
            var code = peek16 >> (16 - length);
            if (code <= _maxCode[length])
            {
                bits.Skip(length);
                var index = code + _valueOffset[length];
                if ((uint)index >= (uint)_values.Length)
                {
                    break;
                }

                return _values[index];
            }
        }

        throw new JpegDataException("a Huffman code that the table does not define (corrupt entropy-coded data)", bits.Position);
    }
}

/// <summary>
/// Reads the entropy-coded segment of a JPEG scan bit by bit, most significant bit first: removes the stuffed zero
/// after each 0xFF, stops at a marker (feeding zero bits past it, as T.81 F.2.2.5 allows decoders to do, and
/// counting them so that a stream that runs out is detected).
/// </summary>
internal ref struct JpegBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private ulong _buffer;
    private int _count;

    public JpegBitReader(ReadOnlySpan<byte> data, int position)
    {
        _data = data;
        Position = position;
    }

    /// <summary>Byte position of the next unread byte of the stream.</summary>
    public int Position { get; private set; }

    /// <summary>Zero bits fed past the end of the segment (a marker or the end of the data).</summary>
    public int PaddingBits { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EnsureBits(int n)
    {
        if (_count < n)
        {
            Fill();
        }
    }

    private void Fill()
    {
        while (_count <= 56)
        {
            int b;
            if (Position < _data.Length && (b = _data[Position]) != 0xFF)
            {
                Position++;
            }
            else if (Position + 1 < _data.Length && _data[Position] == 0xFF && _data[Position + 1] == 0x00)
            {
                b = 0xFF;
                Position += 2;
            }
            else
            {
                // A marker (or the end): stay before it and feed zeros.
                b = 0;
                PaddingBits += 8;
            }

            _buffer |= (ulong)(uint)b << (56 - _count);
            _count += 8;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Peek(int n) => (int)(_buffer >> (64 - n));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Skip(int n)
    {
        _buffer <<= n;
        _count -= n;
    }

    /// <summary>Reads <paramref name="n"/> (0..16) bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Read(int n)
    {
        if (n == 0)
        {
            return 0;
        }

        EnsureBits(n);
        var v = Peek(n);
        Skip(n);
        return v;
    }

    /// <summary>Reads the <paramref name="category"/> extra bits of a difference and extends the sign (T.81 F.2.2.1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReceiveExtend(int category)
    {
        if (category == 0)
        {
            return 0;
        }

        var v = Read(category);
        return v < (1 << (category - 1)) ? v - (1 << category) + 1 : v;
    }

    /// <summary>True when more zero bits were fed than the bits still buffered: the decoder read past the segment's end.</summary>
    public readonly bool Overran => PaddingBits > _count;

    /// <summary>
    /// Drops the buffered bits (the byte padding before a restart marker). Filling never reads past a marker, so
    /// <see cref="Position"/> is then at the marker or at bytes before it that the caller skips.
    /// </summary>
    public void Reset()
    {
        _buffer = 0;
        _count = 0;
        PaddingBits = 0;
    }

    /// <summary>Moves to <paramref name="position"/> (after a marker) with an empty buffer.</summary>
    public void Seek(int position)
    {
        Reset();
        Position = position;
    }
}
