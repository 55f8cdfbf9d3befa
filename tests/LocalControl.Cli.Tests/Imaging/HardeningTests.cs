using System.Diagnostics;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Imaging;

/// <summary>
/// Issue 8 against the CLI: inputs that point outside their folder or never end, and outputs that must never clobber
/// a link, FIFO or device, never leave a temp file, and turn a full disk or Ctrl+C into a clear exit code.
/// </summary>
public sealed class HardeningTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lc-cli-hard-" + Guid.NewGuid().ToString("N"));

    public HardeningTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    private static void Exec(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} failed");
    }

    /// <summary>Our own character device (as /dev/full or /dev/null) in the test folder, so no system device is ever at risk.</summary>
    private string Device(string name, int minor)
    {
        var path = F(name);
        Exec("mknod", path, "c", "1", minor.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return path;
    }

    private static (int Code, string Out, string Err) RunWithin(params string[] args) => Within(Task.Run(() => Run(args)));

    private static T Within<T>(Task<T> task)
    {
        Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "the command hung (more than 20 s)");
        return task.Result;
    }

    private string SmallNifti(string name = "in.nii")
    {
        var v = new Volume<byte>(new ImageGeometry(new VolumeSize(4, 4, 4), new Vector3D(1, 1, 1), Vector3D.Zero, Matrix3D.Identity));
        v.Buffer[21] = 1;
        NiftiWriter.Write(F(name), v);
        return F(name);
    }

    private string[] StrayFiles() => [.. Directory.GetFiles(_dir, "*tmp*", SearchOption.AllDirectories)];

    [Fact]
    public void Convert_of_a_nrrd_whose_data_file_is_etc_passwd_exits_2_without_naming_it()
    {
        File.WriteAllText(F("p.nrrd"), "NRRD0004\ntype: uchar\ndimension: 1\nsizes: 64\nencoding: raw\ndata file: /etc/passwd\n");
        var (code, _, err) = RunWithin("convert", F("p.nrrd"), F("o.nii"));
        Assert.Equal(2, code);
        Assert.Contains("LC-IMG-004", err, StringComparison.Ordinal);
        Assert.DoesNotContain("/etc/passwd", err, StringComparison.Ordinal);
        Assert.False(File.Exists(F("o.nii")));
        var (code2, _, _) = RunWithin("info", F("p.nrrd"));
        Assert.Equal(2, code2);
    }

    [Fact]
    public void A_nrrd_data_file_that_is_a_fifo_exits_2_instead_of_hanging()
    {
        Exec("mkfifo", F("pipe.raw"));
        File.WriteAllText(F("p.nhdr"), "NRRD0004\ntype: uchar\ndimension: 1\nsizes: 64\nencoding: raw\ndata file: pipe.raw\n");
        var (code, _, err) = RunWithin("convert", F("p.nhdr"), F("o.nii"));
        Assert.Equal(2, code);
        Assert.Contains("named pipe", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("rules")]
    [InlineData("label-table")]
    public void Text_inputs_that_never_end_exit_2_quickly(string which)
    {
        var args = which switch
        {
            "validate" => new[] { "validate", "/dev/zero" },
            "rules" => ["assess", Sample("01-small-liver-ablatable"), "--rules", "/dev/zero"],
            _ => ["measure", "--labels", SmallNifti(), "--label-table", "/dev/zero"],
        };
        var (code, _, err) = RunWithin(args);
        Assert.Equal(2, code);
        Assert.Contains("/dev/zero: is a character device", err, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_case_file_and_a_folder_are_not_reported_as_missing()
    {
        File.WriteAllText(F("empty.json"), "");
        var (code, _, err) = Run("validate", F("empty.json"));
        Assert.Equal(2, code);
        Assert.Contains("the file is empty", err, StringComparison.Ordinal);
        Assert.DoesNotContain("does not exist", err, StringComparison.Ordinal);
        var (code2, _, err2) = Run("validate", _dir);
        Assert.Equal(2, code2);
        Assert.Contains("is a folder", err2, StringComparison.Ordinal);
        Assert.DoesNotContain("no such", err2, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_naming_a_folder_is_refused_with_a_message_and_no_stray_temp_file()
    {
        Directory.CreateDirectory(F("out"));
        var (code, _, err) = Run("assess", Sample("01-small-liver-ablatable"), "-o", F("out"));
        Assert.Equal(2, code);
        Assert.Contains("is a folder", err, StringComparison.Ordinal);
        Assert.DoesNotContain("bug", err, StringComparison.OrdinalIgnoreCase);
        var (code2, _, err2) = Run("convert", SmallNifti(), F("out"));
        Assert.Equal(2, code2);
        Assert.Empty(StrayFiles());
        Assert.Empty(Directory.GetFileSystemEntries(F("out")));
        Assert.NotNull(err2);
    }

    [Fact]
    public void Output_through_a_symlink_replaces_its_target_and_keeps_the_link()
    {
        File.WriteAllText(F("target.txt"), "old");
        File.CreateSymbolicLink(F("link.txt"), F("target.txt"));
        var (code, _, err) = Run("assess", Sample("01-small-liver-ablatable"), "-o", F("link.txt"));
        Assert.True(code == 0, err);
        Assert.NotNull(new FileInfo(F("link.txt")).LinkTarget);
        Assert.NotEqual("old", File.ReadAllText(F("target.txt")));
        Assert.Empty(StrayFiles());
    }

    [Fact]
    public void Output_to_a_device_is_streamed_and_the_device_is_not_replaced()
    {
        var devNull = Device("null", 3);
        var (code, _, err) = Run("convert", SmallNifti(), devNull);
        Assert.True(code == 0, err);
        var (code2, _, err2) = Run("assess", Sample("01-small-liver-ablatable"), "-o", devNull);
        Assert.True(code2 == 0, err2);
        Assert.Equal(LocalControl.Core.IO.FileKind.CharacterDevice, LocalControl.Core.IO.InputFiles.KindOf(devNull, followLinks: false));
    }

    [Fact]
    public void Output_to_a_fifo_is_streamed_to_its_reader_and_the_fifo_stays()
    {
        Exec("mkfifo", F("pipe.json"));
        var reader = Task.Run(() => File.ReadAllText(F("pipe.json")));
        var (code, _, err) = RunWithin("assess", Sample("01-small-liver-ablatable"), "--format", "json", "-o", F("pipe.json"));
        Assert.True(code == 0, err);
        Assert.StartsWith("{", Within(reader).TrimStart(), StringComparison.Ordinal);
        Assert.Equal(LocalControl.Core.IO.FileKind.Fifo, LocalControl.Core.IO.InputFiles.KindOf(F("pipe.json"), followLinks: false));
    }

    [Fact]
    public void A_full_disk_exits_2_naming_the_users_path_not_a_bug()
    {
        var full = Device("full", 7);
        var (code, _, err) = Run("convert", SmallNifti(), full);
        Assert.Equal(2, code);
        Assert.Contains($"{full}: cannot write: no space left on the device", err, StringComparison.Ordinal);
        Assert.DoesNotContain("bug", err, StringComparison.OrdinalIgnoreCase);
        var (code2, _, err2) = Run("assess", Sample("01-small-liver-ablatable"), "-o", full);
        Assert.Equal(2, code2);
        Assert.Contains("no space left", err2, StringComparison.Ordinal);
        Assert.Equal(LocalControl.Core.IO.FileKind.CharacterDevice, LocalControl.Core.IO.InputFiles.KindOf(full, followLinks: false));
    }

    [Fact]
    public void A_dash_reads_the_case_from_standard_input_and_writes_to_standard_output()
    {
        var previous = LocalControl.Core.IO.InputFiles.StandardInput;
        try
        {
            var text = File.ReadAllBytes(Sample("01-small-liver-ablatable"));
            LocalControl.Core.IO.InputFiles.StandardInput = () => new MemoryStream(text);
            var (code, stdout, err) = Run("assess", "-", "--format", "json", "-o", "-");
            Assert.True(code == 0, err);
            Assert.StartsWith("{", stdout.TrimStart(), StringComparison.Ordinal);
            Assert.False(File.Exists("-"));
        }
        finally
        {
            LocalControl.Core.IO.InputFiles.StandardInput = previous;
        }
    }

    [Theory]
    [InlineData("SIGINT")]
    [InlineData("SIGTERM")]
    public void A_signal_while_writing_exits_130_and_leaves_no_temp_file(string signal)
    {
        // A 256³ distance map written as .nii.gz takes long enough to be interrupted mid-write.
        var labels = new Volume<byte>(new ImageGeometry(new VolumeSize(256, 256, 256), new Vector3D(1, 1, 1), Vector3D.Zero, Matrix3D.Identity));
        labels.Buffer[labels.Buffer.Length / 2] = 1;
        NiftiWriter.Write(F("mask.nii"), labels);
        var exe = Path.Combine(AppContext.BaseDirectory, "localcontrol");
        using var process = Process.Start(new ProcessStartInfo(exe, ["distance", F("mask.nii"), F("out.nii.gz")])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var watch = Stopwatch.StartNew();
        while (StrayFiles().Length == 0 && !process.HasExited && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(2);
        }

        Assert.False(process.HasExited, "the command finished before it could be interrupted");
        Exec("kill", "-s", signal[3..], process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(process.WaitForExit(30_000));
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("interrupted", process.StandardError.ReadToEnd(), StringComparison.Ordinal);
        Assert.Empty(StrayFiles());
        Assert.False(File.Exists(F("out.nii.gz")));
    }
}
