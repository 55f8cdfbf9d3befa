using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;
using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Imaging;

/// <summary>These tests set LOCALCONTROL_PROGRESS for the whole process, so they run alone.</summary>
[CollectionDefinition(nameof(ProgressEnvironment), DisableParallelization = true)]
public sealed class ProgressEnvironment;

/// <summary>Progress goes to standard error only (JSON on standard output stays parseable), and is silent when off.</summary>
[Collection(nameof(ProgressEnvironment))]
public sealed class ProgressTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lc-cli-progress-" + Guid.NewGuid().ToString("N"));
    private readonly string? _saved = Environment.GetEnvironmentVariable(Progress.Variable);

    public ProgressTests()
    {
        Directory.CreateDirectory(_dir);
        var mask = new Volume<byte>(ImageGeometry.AxisAligned(new VolumeSize(12, 10, 6), new Vector3D(0.8, 0.8, 2)));
        mask[5, 5, 3] = 1;
        mask[6, 5, 3] = 2;
        NiftiWriter.Write(F("mask.nii.gz"), mask);
        File.WriteAllText(F("table.json"), """{"1": "liver", "2": "tumour"}""");
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Progress.Variable, _saved);
        Directory.Delete(_dir, recursive: true);
    }

    private string F(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Always_shows_every_step_on_stderr_and_leaves_stdout_clean()
    {
        Environment.SetEnvironmentVariable(Progress.Variable, "always");
        var (code, json, err) = Run("info", F("mask.nii.gz"), "--format", "json");
        Assert.True(code == 0, err);
        Assert.Equal(12, (int)JsonNode.Parse(json)!["size"]![0]!); // stdout is JSON and nothing else
        Assert.Contains("info: reading the header of", err, StringComparison.Ordinal);
        Assert.Contains("info: done (", err, StringComparison.Ordinal);
        Assert.DoesNotContain("info:", json, StringComparison.Ordinal);

        var (code2, measured, err2) = Run("measure", "--labels", F("mask.nii.gz"), "--label-table", F("table.json"));
        Assert.True(code2 == 0, err2);
        Assert.Single(JsonNode.Parse(measured)!["lesions"]!.AsArray());
        Assert.Contains("measure: measuring lesions", err2, StringComparison.Ordinal);

        var (code3, out3, err3) = Run("distance", F("mask.nii.gz"), F("d.nii"), "--signed");
        Assert.True(code3 == 0, err3);
        Assert.Equal("", out3);
        var lines = err3.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("distance: reading ", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("distance: signed distance transform (", StringComparison.Ordinal));
        Assert.StartsWith("wrote ", lines[^1], StringComparison.Ordinal); // the summary comes after progress ends

        var (code4, out4, err4) = Run("convert", F("mask.nii.gz"), F("m.seg.nrrd"), "--label-table", F("table.json"));
        Assert.True(code4 == 0, err4);
        Assert.Equal("", out4);
        Assert.Contains("convert: writing ", err4, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("off")]
    [InlineData("OFF")]
    [InlineData(null)] // default: a command under two seconds shows nothing
    public void Off_or_a_quick_command_is_silent(string? mode)
    {
        Environment.SetEnvironmentVariable(Progress.Variable, mode);
        var (code, _, err) = Run("info", F("mask.nii.gz"), "--format", "json");
        Assert.True(code == 0, err);
        Assert.Equal("", err);
        var (code2, _, err2) = Run("distance", F("mask.nii.gz"), F("d.nii"));
        Assert.Equal(0, code2);
        Assert.Equal($"wrote {F("d.nii")} (2 structure voxels)", err2.TrimEnd());
    }

    [Fact]
    public void A_failure_ends_progress_before_the_error_line()
    {
        Environment.SetEnvironmentVariable(Progress.Variable, "always");
        File.WriteAllText(F("bad.nii"), "not an image");
        var (code, stdout, err) = Run("distance", F("bad.nii"), F("o.nii"));
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: ", err.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void After_the_delay_the_step_under_way_appears_then_every_step()
    {
        using var error = new StringWriter();
        using (var progress = new Progress(error, "test", enabled: true, TimeSpan.FromMilliseconds(150), terminal: false))
        {
            progress.Step("first");
            Assert.Equal("", error.ToString()); // nothing before the delay
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!error.ToString().Contains("test: first (", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }

            Assert.Contains("test: first (", error.ToString(), StringComparison.Ordinal);
            progress.Step("second");
            Assert.Contains("test: second (", error.ToString(), StringComparison.Ordinal);
            progress.Done();
        }

        Assert.StartsWith("test: done (", error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void On_a_terminal_one_line_is_redrawn_and_closed()
    {
        using var error = new StringWriter();
        using (var progress = new Progress(error, "t", enabled: true, TimeSpan.Zero, terminal: true))
        {
            progress.Step("a");
            progress.Step("b");
            progress.Done();
        }

        var text = error.ToString();
        Assert.Equal(3, text.Split("\r\u001b[K").Length - 1); // a, b, done: each redraws the same line
        Assert.EndsWith(Environment.NewLine, text, StringComparison.Ordinal);
        Assert.Single(text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
