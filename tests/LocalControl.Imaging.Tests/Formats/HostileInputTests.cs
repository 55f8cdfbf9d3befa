using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Tests.Support;

namespace LocalControl.Imaging.Tests.Formats;

/// <summary>
/// The attacks of issue 8 on the readers, each reproduced: second files outside the header's folder, FIFOs and
/// devices, headers that claim more than the budget, decompression bombs, DICOM frame-count and element bombs, and
/// folder walks through symbolic-link loops.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static string NrrdHeader(string dataFile, string sizes = "2 2 2", string type = "uchar", string encoding = "raw") =>
        $"NRRD0004\ntype: {type}\ndimension: 3\nspace: left-posterior-superior\nsizes: {sizes}\n" +
        $"space directions: (1,0,0) (0,1,0) (0,0,1)\nspace origin: (0,0,0)\nendian: little\nencoding: {encoding}\ndata file: {dataFile}\n";

    private string Write(string name, string text)
    {
        var path = _tmp.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, Encoding.Latin1);
        return path;
    }

    private static void MakeFifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    /// <summary>Runs <paramref name="action"/> on another thread and fails (instead of hanging the suite) if it takes longer than 10 s.</summary>
    private static T WithinSeconds<T>(Func<T> action)
    {
        var task = Task.Run(action);
        Assert.True(task.Wait(TimeSpan.FromSeconds(10)), "the reader hung (more than 10 s)");
        return task.Result;
    }

    private static ImagingException Refused(Action action) => WithinSeconds(() => Assert.ThrowsAny<ImagingException>(action));

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../outside.raw")]
    [InlineData("sub/../../outside.raw")]
    [InlineData("~/outside.raw")]
    public void A_detached_nrrd_data_file_outside_the_header_folder_is_refused_without_naming_it(string dataFile)
    {
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(_tmp.PathName)!, "outside.raw"), new byte[8]);
        var header = Write("scan/p.nhdr", NrrdHeader(dataFile));
        var ex = Refused(() => VolumeFormats.Load(header));
        Assert.Equal(ImagingFiles.CompanionRefusedCode, ex.Code);
        Assert.DoesNotContain("passwd", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("outside", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("exist", ex.Message, StringComparison.Ordinal);
        // Identify refuses it too: the header alone must not be usable to probe the file system.
        Assert.Equal(ImagingFiles.CompanionRefusedCode, Refused(() => VolumeFormats.Identify(header)).Code);
    }

    [Fact]
    public void A_data_file_link_leaving_the_folder_is_refused_with_the_same_message_whether_its_target_exists_or_not()
    {
        var outside = Path.Combine(Path.GetDirectoryName(_tmp.PathName)!, "lc-outside-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(outside, new byte[8]);
        try
        {
            Directory.CreateDirectory(_tmp.File("scan"));
            File.CreateSymbolicLink(_tmp.File("scan/exists.raw"), outside);
            File.CreateSymbolicLink(_tmp.File("scan/missing.raw"), outside + ".none");
            var a = Refused(() => VolumeFormats.Load(Write("scan/a.nhdr", NrrdHeader("exists.raw"))));
            var b = Refused(() => VolumeFormats.Load(Write("scan/b.nhdr", NrrdHeader("missing.raw"))));
            Assert.Equal(ImagingFiles.CompanionRefusedCode, a.Code);
            Assert.Equal(a.Message.Replace("a.nhdr", "", StringComparison.Ordinal).Replace("exists.raw", "", StringComparison.Ordinal),
                b.Message.Replace("b.nhdr", "", StringComparison.Ordinal).Replace("missing.raw", "", StringComparison.Ordinal));
            Assert.DoesNotContain("lc-outside", a.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public void A_data_file_in_the_header_folder_or_below_still_loads_and_a_link_inside_the_folder_is_followed()
    {
        File.WriteAllBytes(_tmp.File("d.raw"), [1, 2, 3, 4, 5, 6, 7, 8]);
        Directory.CreateDirectory(_tmp.File("sub"));
        File.WriteAllBytes(_tmp.File("sub/e.raw"), [8, 7, 6, 5, 4, 3, 2, 1]);
        File.CreateSymbolicLink(_tmp.File("link.raw"), _tmp.File("sub/e.raw"));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], (byte[])VolumeFormats.Load(Write("a.nhdr", NrrdHeader("d.raw"))).StoredVoxels);
        Assert.Equal([8, 7, 6, 5, 4, 3, 2, 1], (byte[])VolumeFormats.Load(Write("b.nhdr", NrrdHeader("sub/e.raw"))).StoredVoxels);
        Assert.Equal([8, 7, 6, 5, 4, 3, 2, 1], (byte[])VolumeFormats.Load(Write("c.nhdr", NrrdHeader("link.raw"))).StoredVoxels);
    }

    [Fact]
    public void A_missing_data_file_in_the_folder_is_named_as_written_not_as_a_full_path()
    {
        var ex = Refused(() => VolumeFormats.Load(Write("a.nhdr", NrrdHeader("none.raw"))));
        Assert.Contains("\"none.raw\" was not found in the header's folder", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.Combine(_tmp.PathName, "none.raw"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_data_file_that_is_a_fifo_or_a_folder_is_refused_without_blocking()
    {
        MakeFifo(_tmp.File("pipe.raw"));
        Directory.CreateDirectory(_tmp.File("dir.raw"));
        var fifo = Refused(() => VolumeFormats.Load(Write("a.nhdr", NrrdHeader("pipe.raw"))));
        Assert.Equal(ImagingFiles.NotRegularCode, fifo.Code);
        Assert.Contains("named pipe", fifo.Message, StringComparison.Ordinal);
        Assert.Contains("folder", Refused(() => VolumeFormats.Load(Write("b.nhdr", NrrdHeader("dir.raw")))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_path_that_is_a_fifo_or_a_device_is_refused_without_reading_it()
    {
        MakeFifo(_tmp.File("scan.nii"));
        Assert.Equal(ImagingFiles.NotRegularCode, Refused(() => VolumeFormats.Load(_tmp.File("scan.nii"))).Code);
        Assert.Equal(ImagingFiles.NotRegularCode, Refused(() => VolumeFormats.Load("/dev/zero")).Code);
        Assert.Equal(ImagingFiles.NotRegularCode, Refused(() => DicomReader.Read("/dev/zero")).Code is var c && c == DicomErrorCodes.NotDicom ? ImagingFiles.NotRegularCode : c);
    }

    [Fact]
    public void Uploads_refuse_detached_data_entirely()
    {
        File.WriteAllBytes(_tmp.File("d.raw"), new byte[8]);
        var header = Write("a.nhdr", NrrdHeader("d.raw"));
        Assert.Equal(ImagingFiles.ExternalDataRefusedCode, Refused(() => VolumeFormats.Load(header, ImagingReadOptions.ForUploads)).Code);
        Assert.Equal(ImagingFiles.ExternalDataRefusedCode, Refused(() => VolumeFormats.Identify(header, ImagingReadOptions.ForUploads)).Code);
    }

    [Fact]
    public void A_nifti_img_that_links_out_of_the_folder_is_refused()
    {
        var outside = Path.Combine(Path.GetDirectoryName(_tmp.PathName)!, "lc-outside-" + Guid.NewGuid().ToString("N") + ".img");
        File.WriteAllBytes(outside, new byte[64]);
        try
        {
            var h = SmallHeader(ni1: true);
            File.WriteAllBytes(_tmp.File("pair.hdr"), NiftiHeaderCodec.Serialize(h)[..348]);
            File.CreateSymbolicLink(_tmp.File("pair.img"), outside);
            var ex = Refused(() => VolumeFormats.Load(_tmp.File("pair.hdr")));
            Assert.Equal(ImagingFiles.CompanionRefusedCode, ex.Code);
            Assert.DoesNotContain("lc-outside", ex.Message, StringComparison.Ordinal);
            Assert.Equal(ImagingFiles.ExternalDataRefusedCode, Refused(() => VolumeFormats.Identify(_tmp.File("pair.hdr"), ImagingReadOptions.ForUploads)).Code);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    private static NiftiHeader SmallHeader(bool ni1 = false, short dx = 4, short dy = 4, short dz = 4)
    {
        var h = new NiftiHeader { Version = 1, Magic = ni1 ? "ni1" : "n+1", Datatype = 2, Bitpix = 8, VoxOffset = ni1 ? 0 : 352, SclSlope = 1 };
        h.Dim[0] = 3;
        h.Dim[1] = dx;
        h.Dim[2] = dy;
        h.Dim[3] = dz;
        h.Pixdim[0] = 1;
        h.Pixdim[1] = h.Pixdim[2] = h.Pixdim[3] = 1;
        h.QformCode = 1;
        return h;
    }

    [Fact]
    public void A_small_nii_gz_claiming_a_billion_voxels_is_refused_from_the_header_before_allocating()
    {
        // 1024³ uint8 in a 1 MB-class .nii.gz: over the CLI budget of 512 Mi voxels.
        var h = SmallHeader();
        h.Dim[1] = h.Dim[2] = h.Dim[3] = 1024;
        var path = _tmp.File("big.nii.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gz.Write(NiftiHeaderCodec.Serialize(h));
            gz.Write(new byte[1 << 20]);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<ImagingException>(() => VolumeFormats.Load(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8_000_000, "allocated before refusing");
        Assert.Equal(ImagingBudget.OverBudgetCode, ex.Code);
        Assert.Contains("1073741824 voxels", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ImagingBudget.OverBudgetCode, Assert.Throws<ImagingException>(() => VolumeFormats.Identify(path)).Code);
    }

    [Fact]
    public void The_upload_budget_refuses_what_the_cli_budget_accepts()
    {
        // 1000 x 1000 x 500 int16 (the 486 KB .nii.gz of the issue): 500 M voxels, 1 GB; within the CLI budget, not an upload's.
        var h = SmallHeader();
        h.Datatype = 4;
        h.Bitpix = 16;
        h.Dim[1] = h.Dim[2] = 1000;
        h.Dim[3] = 500;
        var path = _tmp.File("wide.nii");
        File.WriteAllBytes(path, [.. NiftiHeaderCodec.Serialize(h), 0, 0, 0, 0]);
        Assert.Equal(new LocalControl.Imaging.Geometry.VolumeSize(1000, 1000, 500), VolumeFormats.Identify(path).Geometry.Size);
        Assert.Equal(ImagingBudget.OverBudgetCode, Assert.Throws<ImagingException>(() => VolumeFormats.Identify(path, ImagingReadOptions.ForUploads)).Code);
    }

    [Fact]
    public void A_custom_budget_is_enforced_at_its_boundary()
    {
        var h = SmallHeader(dx: 10, dy: 10, dz: 10);
        var path = _tmp.File("k.nii");
        File.WriteAllBytes(path, [.. NiftiHeaderCodec.Serialize(h), 0, 0, 0, 0, .. new byte[1000]]);
        Assert.Equal(1000, VolumeFormats.Load(path, new ImagingReadOptions { Budget = new ImagingBudget(1000, 1000) }).StoredVoxels.Length);
        Assert.Equal(ImagingBudget.OverBudgetCode, Assert.Throws<ImagingException>(() => VolumeFormats.Load(path, new ImagingReadOptions { Budget = new ImagingBudget(999, 1000) })).Code);
        Assert.Equal(ImagingBudget.OverBudgetCode, Assert.Throws<ImagingException>(() => VolumeFormats.Load(path, new ImagingReadOptions { Budget = new ImagingBudget(1000, 999) })).Code);
    }

    [Fact]
    public void A_gzip_nrrd_whose_ascii_text_is_a_bomb_stops_at_the_budget()
    {
        // An ascii NRRD of 8 values whose data is followed by 64 MiB of spaces: text beyond the budget is not read.
        var path = _tmp.File("t.nrrd");
        using (var f = File.Create(path))
        {
            f.Write(Encoding.ASCII.GetBytes("NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 2\nspacings: 1 1 1\nencoding: ascii\n\n1 2 3 4 5 6 7 8"));
            f.Write(Encoding.ASCII.GetBytes(new string(' ', 64 << 20)));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<ImagingException>(() => VolumeFormats.Load(path, new ImagingReadOptions { Budget = new ImagingBudget(1000, 1 << 20) }));
        Assert.Equal(ImagingBudget.OverBudgetCode, ex.Code);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16_000_000, "read the whole text before refusing");
    }

    private static byte[] DicomMeta(string transferSyntax)
    {
        var ms = new MemoryStream();
        ms.Write(new byte[128]);
        ms.Write("DICM"u8);
        var uid = Encoding.ASCII.GetBytes(transferSyntax.Length % 2 == 1 ? transferSyntax + "\0" : transferSyntax);
        var group = new MemoryStream();
        group.Write([0x02, 0x00, 0x10, 0x00, (byte)'U', (byte)'I', (byte)uid.Length, 0]);
        group.Write(uid);
        ms.Write([0x02, 0x00, 0x00, 0x00, (byte)'U', (byte)'L', 4, 0]);
        ms.Write(BitConverter.GetBytes((uint)group.Length));
        group.WriteTo(ms);
        return ms.ToArray();
    }

    private static void Element(Stream s, ushort group, ushort element, string vr, byte[] value)
    {
        s.Write(BitConverter.GetBytes(group));
        s.Write(BitConverter.GetBytes(element));
        s.Write(Encoding.ASCII.GetBytes(vr));
        if (vr is "OB" or "OW" or "SQ" or "UN" or "UT")
        {
            s.Write([0, 0]);
            s.Write(BitConverter.GetBytes((uint)value.Length));
        }
        else
        {
            s.Write(BitConverter.GetBytes((ushort)value.Length));
        }

        s.Write(value);
    }

    private static byte[] Text(string s) => Encoding.ASCII.GetBytes(s.Length % 2 == 1 ? s + " " : s);

    private static byte[] U16(ushort v) => BitConverter.GetBytes(v);

    private static void ImageElements(Stream s, string frames, ushort rows = 512, ushort columns = 512, int pixelBytes = 16)
    {
        Element(s, 0x0008, 0x0060, "CS", Text("CT"));
        Element(s, 0x0020, 0x000E, "UI", Text("1.2.3.4"));
        Element(s, 0x0020, 0x0032, "DS", Text("0\\0\\0"));
        Element(s, 0x0020, 0x0037, "DS", Text("1\\0\\0\\0\\1\\0"));
        Element(s, 0x0028, 0x0002, "US", U16(1));
        Element(s, 0x0028, 0x0004, "CS", Text("MONOCHROME2"));
        Element(s, 0x0028, 0x0008, "IS", Text(frames));
        Element(s, 0x0028, 0x0010, "US", U16(rows));
        Element(s, 0x0028, 0x0011, "US", U16(columns));
        Element(s, 0x0028, 0x0030, "DS", Text("1\\1"));
        Element(s, 0x0028, 0x0100, "US", U16(16));
        Element(s, 0x0028, 0x0101, "US", U16(16));
        Element(s, 0x0028, 0x0102, "US", U16(15));
        Element(s, 0x0028, 0x0103, "US", U16(0));
        Element(s, 0x7FE0, 0x0010, "OW", new byte[pixelBytes]);
    }

    [Fact]
    public void A_dicom_claiming_two_billion_frames_is_refused_not_out_of_memory()
    {
        var path = _tmp.File("frames.dcm");
        using (var f = File.Create(path))
        {
            f.Write(DicomMeta("1.2.840.10008.1.2.1"));
            ImageElements(f, "2147483647");
        }

        var ex = Refused(() => VolumeFormats.Load(path));
        Assert.StartsWith("LC-", ex.Code, StringComparison.Ordinal);
        Assert.Contains("NumberOfFrames", ex.Message, StringComparison.Ordinal);
        Refused(() => VolumeFormats.Identify(path));
    }

    [Fact]
    public void A_deflated_dicom_with_a_huge_private_element_stops_inflating_at_the_budget()
    {
        // A 100 MiB private element deflates to ~100 KB; under a 16 MiB budget, reading stops at 16 MiB.
        var path = _tmp.File("deflated.dcm");
        using (var f = File.Create(path))
        {
            f.Write(DicomMeta("1.2.840.10008.1.2.1.99"));
            using var deflate = new DeflateStream(f, CompressionLevel.Optimal);
            Element(deflate, 0x0009, 0x0010, "LO", Text("EVIL"));
            deflate.Write(BitConverter.GetBytes((ushort)0x0009));
            deflate.Write(BitConverter.GetBytes((ushort)0x1010));
            deflate.Write("OB\0\0"u8);
            deflate.Write(BitConverter.GetBytes(100u << 20));
            var zeros = new byte[1 << 20];
            for (var n = 0; n < 100; n++)
            {
                deflate.Write(zeros);
            }
        }

        Assert.True(new FileInfo(path).Length < 1_000_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<ImagingException>(() => DicomReader.Read(path, new ImagingReadOptions { Budget = new ImagingBudget(1 << 20, 16 << 20) }));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(ImagingBudget.OverBudgetCode, ex.Code);
        Assert.True(allocated < 40_000_000, $"allocated {allocated} bytes before refusing");
    }

    [Fact]
    public void A_dicom_folder_with_symlink_loops_is_walked_once_and_ends()
    {
        var folder = _tmp.File("series");
        Directory.CreateDirectory(folder);
        foreach (var f in Directory.GetFiles(Path.Combine(TestPaths.SharedData, "dcmqi", "ct-3slice")))
        {
            File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        }

        Directory.CreateSymbolicLink(Path.Combine(folder, "a"), ".");
        Directory.CreateSymbolicLink(Path.Combine(folder, "b"), "..");
        Directory.CreateSymbolicLink(Path.Combine(folder, "root"), "/");
        Directory.CreateDirectory(Path.Combine(folder, "deep"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "deep", "up"), "../..");
        File.CreateSymbolicLink(Path.Combine(folder, "again.dcm"), Path.Combine(folder, "01.dcm"));
        MakeFifo(Path.Combine(folder, "pipe"));
        var image = WithinSeconds(() => VolumeFormats.Load(folder));
        Assert.Equal(3, image.Info.Geometry.Size.K);
        var scan = DicomSeriesScanner.Scan(folder);
        Assert.Contains(scan.Skipped, s => s.File.EndsWith("pipe", StringComparison.Ordinal));
        Assert.Contains(scan.Skipped, s => s.File.EndsWith("root", StringComparison.Ordinal));
    }

    [Fact]
    public void A_folder_with_more_files_than_allowed_is_refused()
    {
        var folder = _tmp.File("many");
        Directory.CreateDirectory(folder);
        for (var n = 0; n < 5; n++)
        {
            File.WriteAllBytes(Path.Combine(folder, $"{n}.dcm"), [1]);
        }

        var ex = Assert.Throws<ImagingException>(() => DicomSeriesScanner.Scan(folder, true, new ImagingReadOptions { MaxFolderFiles = 4 }));
        Assert.Equal(FolderWalk.TooManyFilesCode, ex.Code);
    }

    private string AttachedNrrd(string name, string fields) =>
        Write(name, "NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 2\nendian: little\nencoding: raw\n" + fields.TrimEnd('\n') + "\n\n\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008");

    [Theory]
    [InlineData("spacings: 1 1 1\nspacings: 2 2 2\n", "\"spacings\" is given twice, on header lines 7 and 8")]
    [InlineData("spacings: 1 1 1\nSpacings: 2 2 2\n", "is given twice, on header lines 7 and 8")]
    [InlineData("spacings: 1 1 1\nk:=a\nk:=b\n", "\"k\" is given twice, on header lines 8 and 9")]
    public void Duplicate_nrrd_fields_are_refused_naming_both_lines(string fields, string message)
    {
        var ex = Assert.Throws<ImagingException>(() => VolumeFormats.Load(AttachedNrrd("d.nrrd", fields)));
        Assert.Equal("LC-NRRD-002", ex.Code);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spacings: nan nan nan")]
    [InlineData("spacings: 1 1 nan")]
    [InlineData("spacings: 0 1 1")]
    [InlineData("spacings: 1 -1 1")]
    [InlineData("spacings: 1 1")]
    [InlineData("spacings: 1 x 1")]
    public void Nan_zero_or_missing_nrrd_spacings_are_refused_not_taken_as_1_mm(string spacings)
    {
        var ex = Assert.Throws<ImagingException>(() => VolumeFormats.Load(AttachedNrrd("s.nrrd", spacings)));
        Assert.Equal("LC-NRRD-006", ex.Code);
        Assert.Contains("spacings", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_spacings_and_a_nan_spacing_on_a_declared_list_axis_still_read()
    {
        var image = VolumeFormats.Load(AttachedNrrd("ok.nrrd", "spacings: 0.5 0.5 2"));
        Assert.Equal(new LocalControl.Imaging.Geometry.Vector3D(0.5, 0.5, 2), image.Info.Geometry.SpacingMm);
        var four = Write("four.nrrd", "NRRD0004\ntype: uchar\ndimension: 4\nsizes: 2 2 1 2\nspacings: 1 1 1 nan\nkinds: domain domain domain list\nencoding: raw\n\n\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008");
        Assert.Equal(2, VolumeFormats.Load(four).Info.FrameCount);
    }

    [Fact]
    public void Too_large_sizes_are_not_called_too_small()
    {
        var ex = Assert.Throws<ImagingException>(() => VolumeFormats.Load(Write("z.nrrd", "NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 3000000000\nencoding: raw\n\n")));
        Assert.Contains("at most 2147483647", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("at least 1", ex.Message, StringComparison.Ordinal);
    }

    // Found by the 1 M-execution fuzz run (bench/LocalControl.Fuzz.Bench, seed 20261202): both escaped as .NET exceptions.
    [Fact]
    public void A_two_dimensional_nrrd_with_oblique_directions_gets_an_orthogonal_third_axis()
    {
        var path = Write("oblique.nrrd", "NRRD0004\ntype: uchar\ndimension: 2\nspace: left-posterior-superior\nsizes: 2 2\n" +
            "space directions: (0.6,0.8,0) (0,0,2)\nspace origin: (0,0,0)\nendian: little\nencoding: raw\n\n\u0001\u0002\u0003\u0004");
        var loaded = VolumeFormats.Load(path);
        var spacing = loaded.Info.Geometry.SpacingMm;
        Assert.Equal(1.0, spacing.X, 9);
        Assert.Equal(2.0, spacing.Y, 9);
        Assert.Equal(1.0, spacing.Z, 9);
        Assert.Contains(loaded.Info.Warnings, w => w.Code == "LC-NRRD-W03");
    }

    [Fact]
    public void A_byte_skip_of_minus_one_with_too_few_bytes_is_refused_with_a_code()
    {
        var path = Write("short.nrrd", "NRRD0004\ntype: uchar\ndimension: 3\nspace: left-posterior-superior\nsizes: 4 4 4\n" +
            "space directions: (1,0,0) (0,1,0) (0,0,1)\nspace origin: (0,0,0)\nendian: little\nencoding: raw\nbyte skip: -1\n\nabc");
        Assert.Equal("LC-NRRD-009", Refused(() => VolumeFormats.Load(path)).Code);
    }
}
