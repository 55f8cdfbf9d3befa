using System.Globalization;
using System.Text;

namespace LocalControl.Web.Tests.Infrastructure;

/// <summary>
/// Writes a CT series as DICOM Part 10 files (explicit VR little endian, 16-bit signed pixels, rescale intercept
/// −1024), written byte by byte from the standard (PS3.5 §7.1.2, PS3.10 §7.1), not with the reader under test, so a
/// test knows every pixel, position and spacing it uploads.
/// </summary>
public static class TinyDicom
{
    /// <summary>One slice k of a series whose pixel (column i, row j) holds <paramref name="hu"/>(i, j, k).</summary>
    /// <param name="rows">Rows (j).</param>
    /// <param name="columns">Columns (i).</param>
    /// <param name="k">Slice index (positions z0 + k · sliceStepMm along the normal).</param>
    /// <param name="rowSpacingMm">Distance between rows (PixelSpacing[0]), along the column direction (j).</param>
    /// <param name="columnSpacingMm">Distance between columns (PixelSpacing[1]), along the row direction (i).</param>
    /// <param name="sliceStepMm">Distance between slice positions.</param>
    /// <param name="originLps">ImagePositionPatient of slice 0 (centre of pixel (0, 0)), LPS mm.</param>
    /// <param name="seriesUid">SeriesInstanceUID (the same for every slice of the series).</param>
    /// <param name="hu">The HU of pixel (i, j) of slice k.</param>
    public static byte[] Slice(int rows, int columns, int k, double rowSpacingMm, double columnSpacingMm, double sliceStepMm,
        (double X, double Y, double Z) originLps, string seriesUid, Func<int, int, int, int> hu)
    {
        ArgumentNullException.ThrowIfNull(hu);
        const string ct = "1.2.840.10008.5.1.4.1.1.2", explicitLe = "1.2.840.10008.1.2.1";
        var instance = seriesUid + "." + (k + 1).ToString(CultureInfo.InvariantCulture);
        var meta = new MemoryStream();
        Element(meta, 0x0002, 0x0001, "OB", [0, 1]);
        Element(meta, 0x0002, 0x0002, "UI", Uid(ct));
        Element(meta, 0x0002, 0x0003, "UI", Uid(instance));
        Element(meta, 0x0002, 0x0010, "UI", Uid(explicitLe));
        var data = new MemoryStream();
        Element(data, 0x0008, 0x0016, "UI", Uid(ct));
        Element(data, 0x0008, 0x0018, "UI", Uid(instance));
        Element(data, 0x0008, 0x0060, "CS", Text("CT"));
        Element(data, 0x0010, 0x0010, "PN", Text("Synthetic^Upload"));
        Element(data, 0x0020, 0x000D, "UI", Uid(seriesUid + ".0"));
        Element(data, 0x0020, 0x000E, "UI", Uid(seriesUid));
        Element(data, 0x0020, 0x0013, "IS", Text((k + 1).ToString(CultureInfo.InvariantCulture)));
        Element(data, 0x0020, 0x0032, "DS", Text(Ds(originLps.X) + "\\" + Ds(originLps.Y) + "\\" + Ds(originLps.Z + k * sliceStepMm)));
        Element(data, 0x0020, 0x0037, "DS", Text("1\\0\\0\\0\\1\\0"));
        Element(data, 0x0020, 0x0052, "UI", Uid(seriesUid + ".9"));
        Element(data, 0x0028, 0x0002, "US", U16(1));
        Element(data, 0x0028, 0x0004, "CS", Text("MONOCHROME2"));
        Element(data, 0x0028, 0x0010, "US", U16(rows));
        Element(data, 0x0028, 0x0011, "US", U16(columns));
        Element(data, 0x0028, 0x0030, "DS", Text(Ds(rowSpacingMm) + "\\" + Ds(columnSpacingMm)));
        Element(data, 0x0028, 0x0100, "US", U16(16));
        Element(data, 0x0028, 0x0101, "US", U16(16));
        Element(data, 0x0028, 0x0102, "US", U16(15));
        Element(data, 0x0028, 0x0103, "US", U16(1));
        Element(data, 0x0028, 0x1052, "DS", Text("-1024"));
        Element(data, 0x0028, 0x1053, "DS", Text("1"));
        var pixels = new byte[rows * columns * 2];
        for (var j = 0; j < rows; j++)
        {
            for (var i = 0; i < columns; i++)
            {
                var stored = checked((short)(hu(i, j, k) + 1024));
                BitConverter.TryWriteBytes(pixels.AsSpan((j * columns + i) * 2), stored);
            }
        }
        Element(data, 0x7FE0, 0x0010, "OW", pixels);

        var file = new MemoryStream();
        file.Write(new byte[128]);
        file.Write("DICM"u8);
        var metaBytes = meta.ToArray();
        Element(file, 0x0002, 0x0000, "UL", BitConverter.GetBytes((uint)metaBytes.Length));
        file.Write(metaBytes);
        file.Write(data.ToArray());
        return file.ToArray();
    }

    private static string Ds(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    private static byte[] U16(int v) => BitConverter.GetBytes((ushort)v);

    private static byte[] Uid(string uid) => Pad(Encoding.ASCII.GetBytes(uid), 0);

    private static byte[] Text(string s) => Pad(Encoding.ASCII.GetBytes(s), (byte)' ');

    private static byte[] Pad(byte[] b, byte with) => b.Length % 2 == 0 ? b : [.. b, with];

    // Explicit VR little endian: OB/OW/OF/SQ/UT/UN have two reserved bytes and a 32-bit length, the rest a 16-bit one.
    private static void Element(Stream s, int group, int element, string vr, byte[] value)
    {
        Span<byte> h = stackalloc byte[12];
        BitConverter.TryWriteBytes(h, (ushort)group);
        BitConverter.TryWriteBytes(h[2..], (ushort)element);
        h[4] = (byte)vr[0];
        h[5] = (byte)vr[1];
        if (vr is "OB" or "OW" or "OF" or "SQ" or "UT" or "UN")
        {
            h[6] = 0;
            h[7] = 0;
            BitConverter.TryWriteBytes(h[8..], (uint)value.Length);
            s.Write(h);
        }
        else
        {
            BitConverter.TryWriteBytes(h[6..], (ushort)value.Length);
            s.Write(h[..8]);
        }
        s.Write(value);
    }
}
