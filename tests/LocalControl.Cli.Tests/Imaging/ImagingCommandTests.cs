using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Imaging;

public sealed class ImagingCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lc-cli-img-" + Guid.NewGuid().ToString("N"));

    public ImagingCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Phantom_then_measure_writes_case_file_lesions_close_to_the_analytic_answers()
    {
        var (code, _, err) = Run("phantom", "-o", _dir, "--size", "160,128,64", "--spacing", "1,1,2");
        Assert.True(code == 0, err);
        var (code2, _, err2) = Run("measure", "--labels", F("labels.nii.gz"), "--label-table", F("label-table.json"), "-o", F("lesions.json"));
        Assert.True(code2 == 0, err2);
        var lesions = JsonNode.Parse(File.ReadAllText(F("lesions.json")))!["lesions"]!.AsArray();
        var answers = JsonNode.Parse(File.ReadAllText(F("answers.json")))!["lesions"]!.AsArray();
        Assert.Equal(answers.Count, lesions.Count);
        var voxel = Math.Sqrt(1 + 1 + 4);
        foreach (var a in answers)
        {
            var centre = a!["centroidMm"]!.AsArray().Select(x => (double)x!).ToArray();
            var m = lesions.MinBy(l => Dist(l!["centroidMm"]!.AsArray().Select(x => (double)x!).ToArray(), centre))!;
            Assert.Equal("liver", (string)m["organ"]!);
            foreach (var field in new[] { "longestDiameterMm", "distanceToAnyVesselMm", "distanceToLargeVesselMm", "largeVesselCalibreMm", "distanceToHilumMm", "depthFromCapsuleMm" })
            {
                Assert.True(Math.Abs((double)m[field]! - (double)a[field]!) <= voxel, $"{field}: measured {m[field]}, analytic {a[field]}");
            }
        }
    }

    private static double Dist(double[] a, double[] b) => Math.Sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));

    [Fact]
    public void Info_json_gives_the_geometry_and_the_nibabel_affine()
    {
        var path = "/usr/lib/python3/dist-packages/nibabel/tests/data/example4d.nii.gz";
        var (code, stdout, err) = Run("info", path, "--format", "json");
        Assert.True(code == 0, err);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal([128, 96, 24], json["size"]!.AsArray().Select(x => (int)x!));
        Assert.Equal("int16", (string)json["dataType"]!);
        Assert.Equal(4, json["affineRas"]!.AsArray().Count);
        Assert.Equal(3, json["direction"]!.AsArray().Count);
        // nibabel: affine[0][0] of example4d is -2.0 (x flipped), qform only.
        Assert.Equal(-2.0, (double)json["affineRas"]![0]![0]!, 4);
        var (code2, text, _) = Run("info", path);
        Assert.Equal(0, code2);
        Assert.Contains("128 x 96 x 24 x 2", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Distance_writes_a_float32_map_in_mm()
    {
        var mask = new Volume<byte>(ImageGeometry.AxisAligned(new VolumeSize(10, 10, 5), new Vector3D(0.5, 0.5, 2)));
        mask[5, 5, 2] = 3;
        NiftiWriter.Write(F("mask.nii.gz"), mask);
        var (code, _, err) = Run("distance", F("mask.nii.gz"), F("d.nii.gz"), "--label", "3");
        Assert.True(code == 0, err);
        var d = VolumeFormats.Load(F("d.nii.gz"));
        Assert.Equal(VoxelType.Float32, d.Info.StoredType);
        var map = d.ToFloatVolume();
        Assert.Equal(0f, map[5, 5, 2]);
        Assert.Equal((float)Math.Sqrt(1.5 * 1.5 + 4 * 4), map[8, 5, 4], 4);
        var (code2, _, _) = Run("distance", F("mask.nii.gz"), F("s.nii.gz"), "--signed");
        Assert.Equal(0, code2);
        Assert.Equal(-0.5f, VolumeFormats.Load(F("s.nii.gz")).ToFloatVolume()[5, 5, 2]);
        var (code3, _, err3) = Run("distance", F("mask.nii.gz"), F("x.nii.gz"), "--label", "9");
        Assert.Equal(2, code3);
        Assert.Contains("label 9", err3, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_keeps_values_and_geometry()
    {
        var src = Path.Combine(RepoRoot(), "tests", "data", "dcmqi", "liver_spine_seg.nrrd");
        var (code, _, err) = Run("convert", src, F("seg.nii.gz"));
        Assert.True(code == 0, err);
        var a = VolumeFormats.Load(src);
        var b = VolumeFormats.Load(F("seg.nii.gz"));
        Assert.True(a.Info.Geometry.IsSameGridAs(b.Info.Geometry, 1e-4, 1e-6));
        Assert.Equal(a.ToDoubleArray(), b.ToDoubleArray());
    }

    [Theory]
    [InlineData("not a nifti at all")]
    [InlineData("")]
    public void Bad_files_exit_2_with_a_one_line_message(string content)
    {
        File.WriteAllText(F("bad.nii"), content);
        foreach (var args in new[] { new[] { "info", F("bad.nii") }, ["convert", F("bad.nii"), F("o.nii")], ["distance", F("bad.nii"), F("o.nii")], ["measure", "--labels", F("bad.nii")] })
        {
            var (code, stdout, err) = Run(args);
            Assert.Equal(2, code);
            Assert.StartsWith("error: LC-", err, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
            Assert.Equal("", stdout);
        }
    }

    [Fact]
    public void Missing_file_and_unknown_role_exit_2()
    {
        Assert.Equal(2, Run("info", F("nope.nii")).ExitCode);
        Run("phantom", "-o", _dir, "--size", "40,40,20", "--spacing", "2,2,4");
        File.WriteAllText(F("t.json"), """{"1": "liver", "2": "spleen-ish"}""");
        var (code, _, err) = Run("measure", "--labels", F("labels.nii.gz"), "--label-table", F("t.json"));
        Assert.Equal(2, code);
        Assert.Contains("unknown role", err, StringComparison.Ordinal);
        var (code2, _, err2) = Run("measure", "--labels", F("labels.nii.gz"));
        Assert.Equal(2, code2);
        Assert.Contains("--label-table", err2, StringComparison.Ordinal);
    }
}
