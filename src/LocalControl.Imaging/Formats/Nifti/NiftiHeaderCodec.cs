using System.Buffers.Binary;
using System.Text;

namespace LocalControl.Imaging.Formats.Nifti;

/// <summary>Byte-level parsing and writing of the NIfTI-1/2 header (offsets from nifti1.h and nifti2.h).</summary>
internal static class NiftiHeaderCodec
{
    private static readonly byte[] Nifti2MagicTail = [0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Detects version and byte order from <c>sizeof_hdr</c>; null when the bytes are not NIfTI.</summary>
    public static (int Version, bool BigEndian)? Probe(ReadOnlySpan<byte> head)
    {
        if (head.Length < 4)
        {
            return null;
        }

        var le = BinaryPrimitives.ReadInt32LittleEndian(head);
        var be = BinaryPrimitives.ReadInt32BigEndian(head);
        (int, bool)? probe = le switch
        {
            348 => (1, false),
            540 => (2, false),
            _ => be switch { 348 => (1, true), 540 => (2, true), _ => null },
        };
        if (probe is not { } p)
        {
            return null;
        }

        // sizeof_hdr alone is weak evidence: require the magic too when it is present in the bytes we have.
        if (p.Item1 == 1 && head.Length >= 348)
        {
            var m = head.Slice(344, 4);
            if (!((m[0] == 'n' && (m[1] == '+' || m[1] == 'i') && m[2] == '1' && m[3] == 0)))
            {
                return null;
            }
        }
        else if (p.Item1 == 2 && head.Length >= 12)
        {
            var m = head.Slice(4, 8);
            if (!(m[0] == 'n' && (m[1] == '+' || m[1] == 'i') && m[2] == '2' && m[3] == 0 && m[4..].SequenceEqual(Nifti2MagicTail)))
            {
                return null;
            }
        }

        return p;
    }

    public static NiftiHeader Parse(ReadOnlySpan<byte> b, string file)
    {
        var probe = Probe(b) ?? throw new ImagingException(NiftiThrowHelper.BadMagic,
            "not a NIfTI-1 or NIfTI-2 file (sizeof_hdr must be 348 or 540 and the magic n+1/ni1/n+2/ni2).", file, "sizeof_hdr", 0);

        var size = probe.Version == 2 ? 540 : 348;
        if (b.Length < size)
        {
            NiftiThrowHelper.Throw(NiftiThrowHelper.Truncated, $"the file ends after {b.Length} bytes, inside the {size}-byte header.", file, offset: b.Length);
        }

        var r = new Reader(b, probe.BigEndian);
        var h = new NiftiHeader { Version = probe.Version, BigEndian = probe.BigEndian };
        if (probe.Version == 1)
        {
            h.DimInfo = b[39];
            for (var n = 0; n < 8; n++)
            {
                h.Dim[n] = r.I16(40 + 2 * n);
            }

            for (var n = 0; n < 3; n++)
            {
                h.IntentP[n] = r.F32(56 + 4 * n);
            }

            h.IntentCode = r.I16(68);
            h.Datatype = r.I16(70);
            h.Bitpix = r.I16(72);
            h.SliceStart = r.I16(74);
            for (var n = 0; n < 8; n++)
            {
                h.Pixdim[n] = r.F32(76 + 4 * n);
            }

            h.VoxOffset = r.F32(108);
            h.SclSlope = r.F32(112);
            h.SclInter = r.F32(116);
            h.SliceEnd = r.I16(120);
            h.SliceCode = b[122];
            h.XyztUnits = b[123];
            h.CalMax = r.F32(124);
            h.CalMin = r.F32(128);
            h.SliceDuration = r.F32(132);
            h.TOffset = r.F32(136);
            h.Descrip = Text(b.Slice(148, 80));
            h.AuxFile = Text(b.Slice(228, 24));
            h.QformCode = r.I16(252);
            h.SformCode = r.I16(254);
            for (var n = 0; n < 3; n++)
            {
                h.Quatern[n] = r.F32(256 + 4 * n);
                h.QOffset[n] = r.F32(268 + 4 * n);
            }

            for (var row = 0; row < 3; row++)
            {
                for (var c = 0; c < 4; c++)
                {
                    h.Srow[row, c] = r.F32(280 + 16 * row + 4 * c);
                }
            }

            h.IntentName = Text(b.Slice(328, 16));
            h.Magic = Text(b.Slice(344, 4));
        }
        else
        {
            h.Magic = Text(b.Slice(4, 4));
            h.Datatype = r.I16(12);
            h.Bitpix = r.I16(14);
            for (var n = 0; n < 8; n++)
            {
                h.Dim[n] = r.I64(16 + 8 * n);
            }

            for (var n = 0; n < 3; n++)
            {
                h.IntentP[n] = r.F64(80 + 8 * n);
            }

            for (var n = 0; n < 8; n++)
            {
                h.Pixdim[n] = r.F64(104 + 8 * n);
            }

            var off = r.I64(168);
            h.VoxOffset = off;
            h.SclSlope = r.F64(176);
            h.SclInter = r.F64(184);
            h.CalMax = r.F64(192);
            h.CalMin = r.F64(200);
            h.SliceDuration = r.F64(208);
            h.TOffset = r.F64(216);
            h.SliceStart = r.I64(224);
            h.SliceEnd = r.I64(232);
            h.Descrip = Text(b.Slice(240, 80));
            h.AuxFile = Text(b.Slice(320, 24));
            h.QformCode = r.I32(344);
            h.SformCode = r.I32(348);
            for (var n = 0; n < 3; n++)
            {
                h.Quatern[n] = r.F64(352 + 8 * n);
                h.QOffset[n] = r.F64(376 + 8 * n);
            }

            for (var row = 0; row < 3; row++)
            {
                for (var c = 0; c < 4; c++)
                {
                    h.Srow[row, c] = r.F64(400 + 32 * row + 8 * c);
                }
            }

            h.SliceCode = r.I32(496);
            h.XyztUnits = r.I32(500);
            h.IntentCode = r.I32(504);
            h.IntentName = Text(b.Slice(508, 16));
            h.DimInfo = b[524];
        }

        return h;
    }

    /// <summary>Serialises the header, followed by the 4-byte extension flag (all zero: no extensions).</summary>
    public static byte[] Serialize(NiftiHeader h)
    {
        var size = h.SizeOfHeader;
        var b = new byte[size + 4];
        var w = new Writer(b, h.BigEndian);
        w.I32(0, size);
        if (h.Version == 1)
        {
            b[38] = (byte)'r';
            b[39] = h.DimInfo;
            for (var n = 0; n < 8; n++)
            {
                w.I16(40 + 2 * n, (short)h.Dim[n]);
            }

            for (var n = 0; n < 3; n++)
            {
                w.F32(56 + 4 * n, h.IntentP[n]);
            }

            w.I16(68, (short)h.IntentCode);
            w.I16(70, (short)h.Datatype);
            w.I16(72, (short)h.Bitpix);
            w.I16(74, (short)h.SliceStart);
            for (var n = 0; n < 8; n++)
            {
                w.F32(76 + 4 * n, h.Pixdim[n]);
            }

            w.F32(108, h.VoxOffset);
            w.F32(112, h.SclSlope);
            w.F32(116, h.SclInter);
            w.I16(120, (short)h.SliceEnd);
            b[122] = (byte)h.SliceCode;
            b[123] = (byte)h.XyztUnits;
            w.F32(124, h.CalMax);
            w.F32(128, h.CalMin);
            w.F32(132, h.SliceDuration);
            w.F32(136, h.TOffset);
            PutText(b.AsSpan(148, 80), h.Descrip);
            PutText(b.AsSpan(228, 24), h.AuxFile);
            w.I16(252, (short)h.QformCode);
            w.I16(254, (short)h.SformCode);
            for (var n = 0; n < 3; n++)
            {
                w.F32(256 + 4 * n, h.Quatern[n]);
                w.F32(268 + 4 * n, h.QOffset[n]);
            }

            for (var row = 0; row < 3; row++)
            {
                for (var c = 0; c < 4; c++)
                {
                    w.F32(280 + 16 * row + 4 * c, h.Srow[row, c]);
                }
            }

            PutText(b.AsSpan(328, 16), h.IntentName);
            PutText(b.AsSpan(344, 4), h.Magic);
        }
        else
        {
            PutText(b.AsSpan(4, 4), h.Magic);
            Nifti2MagicTail.CopyTo(b.AsSpan(8));
            w.I16(12, (short)h.Datatype);
            w.I16(14, (short)h.Bitpix);
            for (var n = 0; n < 8; n++)
            {
                w.I64(16 + 8 * n, h.Dim[n]);
            }

            for (var n = 0; n < 3; n++)
            {
                w.F64(80 + 8 * n, h.IntentP[n]);
            }

            for (var n = 0; n < 8; n++)
            {
                w.F64(104 + 8 * n, h.Pixdim[n]);
            }

            w.I64(168, (long)h.VoxOffset);
            w.F64(176, h.SclSlope);
            w.F64(184, h.SclInter);
            w.F64(192, h.CalMax);
            w.F64(200, h.CalMin);
            w.F64(208, h.SliceDuration);
            w.F64(216, h.TOffset);
            w.I64(224, h.SliceStart);
            w.I64(232, h.SliceEnd);
            PutText(b.AsSpan(240, 80), h.Descrip);
            PutText(b.AsSpan(320, 24), h.AuxFile);
            w.I32(344, h.QformCode);
            w.I32(348, h.SformCode);
            for (var n = 0; n < 3; n++)
            {
                w.F64(352 + 8 * n, h.Quatern[n]);
                w.F64(376 + 8 * n, h.QOffset[n]);
            }

            for (var row = 0; row < 3; row++)
            {
                for (var c = 0; c < 4; c++)
                {
                    w.F64(400 + 32 * row + 8 * c, h.Srow[row, c]);
                }
            }

            w.I32(496, h.SliceCode);
            w.I32(500, h.XyztUnits);
            w.I32(504, h.IntentCode);
            PutText(b.AsSpan(508, 16), h.IntentName);
            b[524] = h.DimInfo;
        }

        return b;
    }

    private static string Text(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end < 0 ? bytes : bytes[..end]);
    }

    private static void PutText(Span<byte> target, string text)
    {
        var n = Math.Min(text.Length, target.Length - 1);
        Encoding.Latin1.GetBytes(text.AsSpan(0, n), target);
    }

    private readonly ref struct Reader(ReadOnlySpan<byte> b, bool bigEndian)
    {
        private readonly ReadOnlySpan<byte> _b = b;

        public short I16(int o) => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(_b[o..]) : BinaryPrimitives.ReadInt16LittleEndian(_b[o..]);

        public int I32(int o) => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(_b[o..]) : BinaryPrimitives.ReadInt32LittleEndian(_b[o..]);

        public long I64(int o) => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(_b[o..]) : BinaryPrimitives.ReadInt64LittleEndian(_b[o..]);

        public double F32(int o) => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(_b[o..]) : BinaryPrimitives.ReadSingleLittleEndian(_b[o..]);

        public double F64(int o) => bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(_b[o..]) : BinaryPrimitives.ReadDoubleLittleEndian(_b[o..]);
    }

    private readonly ref struct Writer(Span<byte> b, bool bigEndian)
    {
        private readonly Span<byte> _b = b;

        public void I16(int o, short v)
        {
            if (bigEndian) { BinaryPrimitives.WriteInt16BigEndian(_b[o..], v); } else { BinaryPrimitives.WriteInt16LittleEndian(_b[o..], v); }
        }

        public void I32(int o, int v)
        {
            if (bigEndian) { BinaryPrimitives.WriteInt32BigEndian(_b[o..], v); } else { BinaryPrimitives.WriteInt32LittleEndian(_b[o..], v); }
        }

        public void I64(int o, long v)
        {
            if (bigEndian) { BinaryPrimitives.WriteInt64BigEndian(_b[o..], v); } else { BinaryPrimitives.WriteInt64LittleEndian(_b[o..], v); }
        }

        public void F32(int o, double v)
        {
            if (bigEndian) { BinaryPrimitives.WriteSingleBigEndian(_b[o..], (float)v); } else { BinaryPrimitives.WriteSingleLittleEndian(_b[o..], (float)v); }
        }

        public void F64(int o, double v)
        {
            if (bigEndian) { BinaryPrimitives.WriteDoubleBigEndian(_b[o..], v); } else { BinaryPrimitives.WriteDoubleLittleEndian(_b[o..], v); }
        }
    }
}
