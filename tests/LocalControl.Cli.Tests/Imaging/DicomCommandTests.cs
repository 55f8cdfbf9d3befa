using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Dicom;

using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Imaging;

/// <summary>info, convert and measure take DICOM folders, files, SEG and RTSTRUCT wherever they take NIfTI.</summary>
public sealed class DicomCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lc-cli-dcm-" + Guid.NewGuid().ToString("N"));

    public DicomCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Dcmqi => Path.Combine(RepoRoot(), "tests", "data", "dcmqi");

    private string F(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Info_on_a_folder_lists_each_series_and_needs_series_to_pick_one()
    {
        var folder = Path.Combine(Dcmqi, "23x38x3");
        var (code, text, err) = Run("info", folder);
        Assert.True(code == 0, err);
        Assert.Contains("2 series:", text, StringComparison.Ordinal);
        Assert.Contains("[0] CT  'Image 23x38x3' 23 x 38 x 3, 0.7 x 0.7 x 2.5 mm", text, StringComparison.Ordinal);
        Assert.Contains("[1] CT  'Multiframe image 23x38x3'", text, StringComparison.Ordinal);
        Assert.Contains("--series", text, StringComparison.Ordinal);

        var (code2, json, err2) = Run("info", folder, "--series", "1", "--format", "json");
        Assert.True(code2 == 0, err2);
        var node = JsonNode.Parse(json)!;
        Assert.Equal("dicom", (string?)node["format"]);
        Assert.Equal([23, 38, 3], node["size"]!.AsArray().Select(v => (int)v!));
        Assert.Equal(2, node["series"]!.AsArray().Count);
        Assert.Equal("float32", (string?)node["dataType"]);
    }

    [Fact]
    public void Convert_writes_the_dicom_series_as_nifti_in_hu_and_the_seg_on_the_ct_grid()
    {
        var ct = Path.Combine(Dcmqi, "ct-3slice");
        var (code, _, err) = Run("convert", ct, F("ct.nii.gz"));
        Assert.True(code == 0, err);
        var written = VolumeFormats.Load(F("ct.nii.gz"));
        var direct = DicomSeriesBuilder.Load(ct);
        Assert.True(written.Info.Geometry.IsSameGridAs(direct.Geometry, 1e-4));
        Assert.Equal(direct.Voxels.Buffer, written.ToFloatVolume().Buffer);

        var (code2, _, err2) = Run("convert", Path.Combine(Dcmqi, "liver.dcm"), F("liver.nii.gz"), "--reference", ct);
        Assert.True(code2 == 0, err2);
        var seg = VolumeFormats.Load(F("liver.nii.gz"));
        Assert.True(seg.Info.Geometry.IsSameGridAs(direct.Geometry, 1e-4));
        Assert.Contains(seg.ToLabelVolume().Buffer, v => v == 1);
    }

    [Fact]
    public void Measure_takes_a_dicom_seg_with_its_ct()
    {
        File.WriteAllText(F("table.json"), """{"1": "tumour"}""");
        // The tiny SEG's one segment (322 voxels of 0.7 x 0.7 x 2.5 mm) measured as if it were a tumour.
        var tiny = Path.Combine(Dcmqi, "23x38x3");
        var (code, json, err) = Run("measure", "--labels", Path.Combine(tiny, "seg", "label.seg"), "--image", Path.Combine(tiny, "image"), "--label-table", F("table.json"));
        Assert.True(code == 0, err);
        var lesions = JsonNode.Parse(json)!["lesions"]!.AsArray();
        var volumes = lesions.Select(l => (double)l!["volumeMl"]!).ToList();
        Assert.InRange(volumes.Sum(), (322 * 0.7 * 0.7 * 2.5 / 1000) - 0.01, (322 * 0.7 * 0.7 * 2.5 / 1000) + 0.01); // the JSON rounds each volume
    }

    [Fact]
    public void Convert_rasterises_an_rtstruct_on_the_grid_of_its_reference_series()
    {
        var oracle = Path.Combine(RepoRoot(), "tests", "LocalControl.Imaging.Tests", "Formats", "Dicom", "Oracle");
        var series = F("ct");
        Python(Path.Combine(oracle, "make_series.py"), series, "20", "16", "6", "2.5", "ok");
        // Sphere of radius 4 mm around (-93, -114, 56) and a ring on the first plane (z = 50).
        Python(Path.Combine(oracle, "make_rtstruct.py"), F("rs.dcm"), "-93", "-114", "56", "4", "50", "2.5", "6", "3", "1.5");
        var (code, _, err) = Run("convert", F("rs.dcm"), F("rs.nii.gz"), "--reference", series);
        Assert.True(code == 0, err);
        var labels = VolumeFormats.Load(F("rs.nii.gz")).ToLabelVolume();
        Assert.True(labels.Geometry.IsSameGridAs(DicomSeriesBuilder.Load(series).Geometry, 1e-4));
        Assert.Contains(labels.Buffer, v => v == 1);
        Assert.Contains(labels.Buffer, v => v == 2);
        Assert.Equal(0, labels[10, 8, 0]); // the ring's hole: (-93, -114) is voxel (10, 8) at 0.7 x 0.75 mm from (-100, -120)
    }

    private static void Python(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void An_rtstruct_without_an_image_is_a_one_line_error()
    {
        var (code, _, err) = Run("info", "/usr/lib/python3/dist-packages/pydicom/data/test_files/rtstruct.dcm");
        Assert.Equal(2, code);
        Assert.Contains("LC-DICOM-021", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_on_a_compressed_series_says_how_it_is_compressed_and_convert_decodes_it_voxel_for_voxel()
    {
        var ct = Path.Combine(Dcmqi, "ct-3slice");
        var folder = F("jpeg-series");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(ct))
        {
            Tool("dcmcjpeg", "+e1", file, Path.Combine(folder, Path.GetFileName(file)));
        }

        var (code, text, err) = Run("info", folder);
        Assert.True(code == 0, err);
        Assert.Contains("LC-DICOM-W10: pixel data compressed: JPEG Lossless, Non-Hierarchical, First-Order Prediction", text, StringComparison.Ordinal);
        Assert.Contains("(1.2.840.10008.1.2.4.70) in 3 file(s)", text, StringComparison.Ordinal);

        var (code2, json, err2) = Run("info", folder, "--format", "json");
        Assert.True(code2 == 0, err2);
        var syntax = JsonNode.Parse(json)!["series"]![0]!["transferSyntaxes"]![0]!;
        Assert.Equal("1.2.840.10008.1.2.4.70", (string?)syntax["uid"]);
        Assert.True((bool)syntax["decoded"]!);
        Assert.False((bool)syntax["lossy"]!);

        var (code3, _, err3) = Run("convert", folder, F("ct.nii.gz"));
        Assert.True(code3 == 0, err3);
        Assert.Equal(DicomSeriesBuilder.Load(ct).Voxels.Buffer, VolumeFormats.Load(F("ct.nii.gz")).ToFloatVolume().Buffer);
    }

    [Fact]
    public void A_compressed_frame_disagreeing_with_rows_is_a_one_line_error_naming_the_file_and_tag()
    {
        var folder = F("bad-series");
        Directory.CreateDirectory(folder);
        var bad = Path.Combine(folder, "01.dcm");
        Tool("dcmcjpeg", "+e1", Path.Combine(Dcmqi, "ct-3slice", "01.dcm"), bad);
        var bytes = File.ReadAllBytes(bad);
        var sof = bytes.AsSpan().IndexOf((byte[])[0xFF, 0xC3, 0x00, 0x0B]);
        Assert.True(sof > 0);
        bytes[sof + 5] = 0x04; // frame height 1024 (0x0400); Rows says 512
        bytes[sof + 6] = 0x00;
        File.WriteAllBytes(bad, bytes);
        var (code, _, err) = Run("convert", folder, F("x.nii.gz"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: LC-DICOM-016", err, StringComparison.Ordinal);
        Assert.Contains("01.dcm", err, StringComparison.Ordinal);
        Assert.Contains("(7FE0,0010)", err, StringComparison.Ordinal);
        Assert.Contains("1024 rows x 512 columns", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(F("x.nii.gz")));
    }

    private static void Tool(string name, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Path.Combine("/usr/bin", name)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{name} failed: {stderr.Result}");
    }
}
