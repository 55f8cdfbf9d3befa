using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Tests.Support;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

/// <summary>
/// Runs the independent encoders and decoders (dcmtk's dcmcjpeg/dcmdjpeg/dcmcjpls/dcmdjpls/dcmcrle, OpenJPEG's
/// opj_compress/opj_decompress) and rewrites the encapsulated pixel data of a file (offset tables, fragments, a
/// foreign codestream) for the compressed-DICOM tests.
/// </summary>
internal static class CompressedDicomSupport
{
    public static string CtSlice(int n) => Path.Combine(DicomTestData.Dcmqi, "ct-3slice", $"0{n}.dcm");

    /// <summary>Runs a tool from /usr/bin; fails the test with its stderr on a non-zero exit.</summary>
    public static string Tool(string name, params string[] args)
    {
        var path = Path.Combine("/usr/bin", name);
        Assert.True(File.Exists(path), $"{path} is missing: run scripts/install-test-deps.sh (dcmtk, libopenjp2-tools)");
        var psi = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{name} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        return stdout;
    }

    /// <summary>Every frame's stored values (no rescale).</summary>
    public static double[][] Frames(string path)
    {
        var f = DicomReader.Read(path);
        var d = DicomPixelDescription.From(f.Dataset, path);
        return [.. Enumerable.Range(0, d.NumberOfFrames).Select(i => DicomPixelDecoder.DecodeFrame(f, i))];
    }

    public static void AssertSameFrames(string expectedPath, string actualPath)
    {
        var expected = Frames(expectedPath);
        var actual = Frames(actualPath);
        Assert.Equal(expected.Length, actual.Length);
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k].Length, actual[k].Length);
            var diff = Enumerable.Range(0, expected[k].Length).FirstOrDefault(i => expected[k][i] != actual[k][i], -1);
            Assert.True(diff < 0, diff < 0 ? null : $"frame {k}, sample {diff}: expected {expected[k][diff]}, decoded {actual[k][diff]} ({actualPath})");
        }
    }

    /// <summary>The fragments' bytes of the file's pixel data (item values, in order, without the offset table).</summary>
    public static List<byte[]> Fragments(string path)
    {
        var f = DicomReader.Read(path);
        var e = f.Dataset.Find(DicomTag.PixelData)!;
        return [.. e.Fragments!.Skip(1).Select(x => f.ReadRange(x.Offset, x.Length, DicomTag.PixelData))];
    }

    /// <summary>
    /// Writes a copy of <paramref name="source"/> (an encapsulated file) whose transfer syntax is
    /// <paramref name="syntaxUid"/> (same length as the source's) and whose pixel data holds
    /// <paramref name="fragments"/>, with the given basic offset table entries (null: empty) and, optionally,
    /// an extended offset table (offsets and lengths) written before the pixel data.
    /// </summary>
    public static void Rewrite(string source, string target, string? syntaxUid, IReadOnlyList<byte[]> fragments,
        uint[]? basicOffsets = null, (ulong[] Offsets, ulong[] Lengths)? extended = null, int? numberOfFrames = null)
    {
        var f = DicomReader.Read(source);
        var pixel = f.Dataset.Find(DicomTag.PixelData)!;
        var bytes = File.ReadAllBytes(source);
        var head = bytes.AsSpan(0, (int)pixel.ValueOffset - 12).ToArray(); // the explicit VR OB header is 12 bytes
        if (syntaxUid is not null)
        {
            var old = Encoding.ASCII.GetBytes(f.TransferSyntax.Uid);
            var now = Encoding.ASCII.GetBytes(syntaxUid);
            Assert.Equal(old.Length, now.Length);
            var at = head.AsSpan().IndexOf(old);
            Assert.True(at > 0);
            now.CopyTo(head, at);
        }

        if (numberOfFrames is { } nf)
        {
            // (0028,0008) IS of the source, rewritten in place (same length, space padded).
            var tag = new byte[] { 0x28, 0x00, 0x08, 0x00, (byte)'I', (byte)'S' };
            var at = head.AsSpan().IndexOf(tag);
            Assert.True(at > 0, "NumberOfFrames not found");
            var len = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(at + 6));
            var text = nf.ToString(System.Globalization.CultureInfo.InvariantCulture).PadRight(len);
            Assert.Equal(len, text.Length);
            Encoding.ASCII.GetBytes(text).CopyTo(head, at + 8);
        }

        using var o = new MemoryStream();
        o.Write(head);
        if (extended is { } eot)
        {
            WriteOv(o, 0x0001, eot.Offsets);
            WriteOv(o, 0x0002, eot.Lengths);
        }

        o.Write([0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
        var table = basicOffsets ?? [];
        WriteItem(o, [.. table.SelectMany(BitConverter.GetBytes)]);
        foreach (var fr in fragments)
        {
            WriteItem(o, fr.Length % 2 == 0 ? fr : [.. fr, 0]);
        }

        o.Write([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        File.WriteAllBytes(target, o.ToArray());
    }

    /// <summary>Byte offsets of each fragment's item from the first fragment item (what offset tables hold), with padding.</summary>
    public static uint[] ItemOffsets(IReadOnlyList<byte[]> fragments)
    {
        var result = new uint[fragments.Count];
        uint at = 0;
        for (var i = 0; i < fragments.Count; i++)
        {
            result[i] = at;
            at += 8 + (uint)(fragments[i].Length + (fragments[i].Length % 2));
        }

        return result;
    }

    private static void WriteItem(Stream o, byte[] value)
    {
        o.Write([0xFE, 0xFF, 0x00, 0xE0]);
        o.Write(BitConverter.GetBytes((uint)value.Length));
        o.Write(value);
    }

    private static void WriteOv(Stream o, ushort element, ulong[] values)
    {
        o.Write([0xE0, 0x7F, (byte)element, (byte)(element >> 8), (byte)'O', (byte)'V', 0, 0]);
        o.Write(BitConverter.GetBytes((uint)(8 * values.Length)));
        foreach (var v in values)
        {
            o.Write(BitConverter.GetBytes(v));
        }
    }

    /// <summary>A raw little-endian file of the file's first frame (stored values), for opj_compress -F.</summary>
    public static void WriteRaw(string dicom, string raw)
    {
        var f = DicomReader.Read(dicom);
        var e = f.Dataset.Find(DicomTag.PixelData)!;
        File.WriteAllBytes(raw, f.ReadRange(e.ValueOffset, e.Length, DicomTag.PixelData));
    }

    /// <summary>The first frame of a file as a JPEG 2000 codestream made by opj_compress (lossless unless a rate is given).</summary>
    public static byte[] OpenJpegCodestream(TempDir dir, string dicom, string? rate = null)
    {
        var f = DicomReader.Read(dicom);
        var d = DicomPixelDescription.From(f.Dataset, dicom);
        var raw = dir.File("frame.rawl"); // .rawl: little endian (.raw is big endian)
        WriteRaw(dicom, raw);
        var j2k = dir.File("frame.j2k");
        var format = $"{d.Columns},{d.Rows},1,{d.BitsStored},{(d.IsSigned ? 's' : 'u')}";
        string[] args = ["-i", raw, "-o", j2k, "-F", format];
        Tool("opj_compress", rate is null ? args : [.. args, "-r", rate]);
        return File.ReadAllBytes(j2k);
    }
}
