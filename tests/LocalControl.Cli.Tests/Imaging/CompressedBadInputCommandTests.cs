using System.Buffers.Binary;
using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Imaging;

/// <summary>
/// One CLI test per class of bad compressed input (the frame-size class is in <see cref="DicomCommandTests"/>): a
/// truncated stream, an offset table pointing past the end, a TotalSegmentator folder whose masks disagree in
/// geometry. Each exits 2 with one line naming the file and the tag, and writes no output.
/// </summary>
public sealed class CompressedBadInputCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lc-cli-badjpeg-" + Guid.NewGuid().ToString("N"));

    public CompressedBadInputCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Dcmqi => Path.Combine(RepoRoot(), "tests", "data", "dcmqi");

    private string F(string name) => Path.Combine(_dir, name);

    [Fact]
    public void A_truncated_jpeg_lossless_stream_exits_2_naming_the_file_and_tag()
    {
        var folder = F("truncated");
        Directory.CreateDirectory(folder);
        var good = F("01.dcm");
        Tool("dcmcjpeg", "+e1", Path.Combine(Dcmqi, "ct-3slice", "01.dcm"), good);
        // Keep the pixel data well formed (items and delimiter) but halve the one fragment's JPEG stream.
        var bytes = File.ReadAllBytes(good);
        var (itemsStart, fragments) = Items(bytes);
        var stream = fragments[1];
        var half = stream[..(stream.Length / 2 & ~1)];
        File.WriteAllBytes(Path.Combine(folder, "01.dcm"), Encapsulate(bytes[..itemsStart], [fragments[0], half]));

        var (code, _, err) = Run("convert", folder, F("x.nii.gz"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: LC-DICOM-016", err, StringComparison.Ordinal);
        Assert.Contains("01.dcm", err, StringComparison.Ordinal);
        Assert.Contains("(7FE0,0010)", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.False(File.Exists(F("x.nii.gz")));
    }

    [Fact]
    public void An_offset_table_entry_past_the_end_exits_2_naming_the_entry()
    {
        var mf = F("mf.dcm");
        Tool("dcmcjpeg", "+e1", Path.Combine(Dcmqi, "23x38x3", "multiframe", "mf.dcm"), mf);
        var bytes = File.ReadAllBytes(mf);
        var (itemsStart, fragments) = Items(bytes);
        Assert.Equal(3 * 4, fragments[0].Length); // dcmcjpeg writes a basic offset table for the 3 frames
        BinaryPrimitives.WriteUInt32LittleEndian(fragments[0].AsSpan(8), 1_000_000);
        File.WriteAllBytes(mf, Encapsulate(bytes[..itemsStart], fragments));

        var (code, _, err) = Run("convert", mf, F("x.nii.gz"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: LC-DICOM-003", err, StringComparison.Ordinal);
        Assert.Contains("Basic Offset Table entry 3 (1000000)", err, StringComparison.Ordinal);
        Assert.Contains("mf.dcm", err, StringComparison.Ordinal);
        Assert.Contains("(7FE0,0010)", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(F("x.nii.gz")));
    }

    [Fact]
    public void A_totalsegmentator_folder_with_masks_on_different_grids_exits_2_naming_the_mask()
    {
        var folder = F("segmentations");
        Python(Path.Combine(RepoRoot(), "tests", "LocalControl.Imaging.Tests", "Formats", "Segmentations", "make_totalseg_folder.py"), folder, F("expected.raw"), "bad-geometry");
        var (code, json, err) = Run("measure", "--labels", folder);
        Assert.Equal(2, code);
        Assert.Equal("", json);
        Assert.StartsWith("error: LC-SEG-", err, StringComparison.Ordinal);
        Assert.Contains("inferior_vena_cava.nii.gz", err, StringComparison.Ordinal);
        Assert.Contains("not on the grid of", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
    }

    /// <summary>
    /// The start of the encapsulated pixel data's items (after the (7FE0,0010) OB undefined-length header, the last in
    /// the file) and each item's value: [0] is the basic offset table, then the fragments.
    /// </summary>
    private static (int ItemsStart, List<byte[]> Items) Items(byte[] file)
    {
        var header = new byte[] { 0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF };
        var at = file.AsSpan().LastIndexOf(header);
        Assert.True(at > 0, "no encapsulated pixel data");
        var p = at + header.Length;
        var items = new List<byte[]>();
        while (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(p)) == 0xE000FFFE)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(p + 4));
            items.Add(file[(p + 8)..(p + 8 + length)]);
            p += 8 + length;
        }

        Assert.Equal(0xE0DDFFFEu, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(p)));
        return (at + header.Length, items);
    }

    private static byte[] Encapsulate(byte[] head, IEnumerable<byte[]> items)
    {
        using var o = new MemoryStream();
        o.Write(head);
        foreach (var item in items)
        {
            o.Write([0xFE, 0xFF, 0x00, 0xE0]);
            o.Write(BitConverter.GetBytes((uint)item.Length));
            o.Write(item);
        }

        o.Write([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        return o.ToArray();
    }

    private static void Tool(string name, params string[] args) => Exec(Path.Combine("/usr/bin", name), args);

    private static void Python(params string[] args) => Exec("/usr/bin/python3", args);

    private static void Exec(string program, string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{program} failed: {stderr.Result}");
    }
}
