using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Verify;

/// <summary>The verify command and its JSON contract, on label maps drawn from analytic shapes.</summary>
public sealed class VerifyCommandTests : IDisposable
{
    private static readonly Vector3D C = new(10, -20, 40);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lc-cli-verify-" + Guid.NewGuid().ToString("N"));

    public VerifyCommandTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(F("pre.json"), "{\"1\": \"liver\", \"2\": \"tumour\"}");
        File.WriteAllText(F("post.json"), "{\"1\": \"liver\", \"3\": \"ablation-zone\"}");
        File.WriteAllText(F("tumour-only.json"), "{\"2\": \"tumour\"}");
        File.WriteAllText(F("zone-only.json"), "{\"3\": \"ablation-zone\"}");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    private static bool Liver(Vector3D p)
    {
        var d = p - C;
        return (d.X * d.X / (60.0 * 60) + d.Y * d.Y / (45.0 * 45) + d.Z * d.Z / (38.0 * 38) <= 1) || (p - (C + new Vector3D(-40, -15, 18))).Length <= 24;
    }

    private string Write(string name, ImageGeometry g, Func<Vector3D, int> label)
    {
        var v = new Volume<byte>(g);
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    v[i, j, k] = (byte)label(g.IndexToPointLps(i, j, k));
                }
            }
        }

        var path = F(name);
        NiftiWriter.Write(path, v);
        return path;
    }

    private static ImageGeometry Grid(VolumeSize size, Vector3D spacing, Vector3D centre, Matrix3D direction)
    {
        var half = new Vector3D((size.I - 1) * spacing.X / 2, (size.J - 1) * spacing.Y / 2, (size.K - 1) * spacing.Z / 2);
        return new ImageGeometry(size, spacing, centre - direction * half, direction);
    }

    private static ImageGeometry SmallGrid() => Grid(new VolumeSize(64, 64, 40), new Vector3D(1, 1, 1), C, Matrix3D.Identity);

    // A pre/post pair with the post scan moved by 4° and (3, -2, 4) mm and stored RAS-first at other spacings; the zone
    // is a 14 mm sphere 2 mm to the left of the 10 mm tumour (a 2 mm margin on the right, by construction).
    private (string Pre, string Post) MovedPair(double zoneRadius = 14, Vector3D? zoneShift = null)
    {
        var tumour = C + new Vector3D(15, 5, 0);
        var zone = tumour + (zoneShift ?? new Vector3D(2, 0, 0));
        var rotation = Matrix3DFromAxisAngle(new Vector3D(0.3, -0.5, 1), 4 * Math.PI / 180);
        Vector3D PostToPre(Vector3D q) => rotation * (q - C) + C + new Vector3D(3, -2, 4);
        var pre = Write("pre.nii", Grid(new VolumeSize(100, 80, 48), new Vector3D(1.4, 1.4, 2.0), C, Matrix3D.Identity),
            p => (p - tumour).Length <= 10 ? 2 : Liver(p) ? 1 : 0);
        var post = Write("post.nii.gz", Grid(new VolumeSize(110, 90, 52), new Vector3D(1.3, 1.3, 1.8), C, new Matrix3D(-1, 0, 0, 0, -1, 0, 0, 0, 1)), q =>
        {
            var p = PostToPre(q);
            return (p - zone).Length <= zoneRadius ? 3 : Liver(p) ? 1 : 0;
        });
        return (pre, post);
    }

    // CT-like values at a pre-scan point: body, liver, and blobs of other density inside the liver.
    private static double Hu(Vector3D p)
    {
        if (!Liver(p))
        {
            return (p - C).Length < 90 ? 40 + 15 * Math.Sin(p.X / 13) : -1000;
        }

        var v = 100.0;
        foreach (var (offset, sigma, hu) in new[] { (new Vector3D(20, 10, 5), 7.0, 90.0), (new Vector3D(-30, -5, 10), 9.0, -45.0), (new Vector3D(5, -20, -10), 6.0, 70.0), (new Vector3D(-40, -15, 18), 8.0, 60.0) })
        {
            var d = p - (C + offset);
            v += hu * Math.Exp(-0.5 * d.Dot(d) / (sigma * sigma));
        }

        return v;
    }

    private string WriteImage(string name, string likeLabels, Func<Vector3D, double> value)
    {
        var g = VolumeFormats.Load(likeLabels).ToLabelVolume().Geometry;
        var v = new Volume<float>(g);
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    v[i, j, k] = (float)value(g.IndexToPointLps(i, j, k));
                }
            }
        }

        var path = F(name);
        NiftiWriter.Write(path, v);
        return path;
    }

    [Fact]
    public void Pre_and_post_images_refine_the_registration_by_mutual_information()
    {
        var (pre, post) = MovedPair();
        var rotation = Matrix3DFromAxisAngle(new Vector3D(0.3, -0.5, 1), 4 * Math.PI / 180);
        Vector3D PostToPre(Vector3D q) => rotation * (q - C) + C + new Vector3D(3, -2, 4);
        var preImage = WriteImage("pre-ct.nii", pre, Hu);
        var postImage = WriteImage("post-ct.nii", post, q => 300 - 0.7 * Hu(PostToPre(q)));
        var (code, text, err) = Run("verify", "--pre", pre, "--pre-table", F("pre.json"), "--post", post, "--post-table", F("post.json"),
            "--pre-image", preImage, "--post-image", postImage, "--format", "json");
        Assert.True(code == 0, err);
        var json = JsonNode.Parse(text)!;
        var reg = json["registration"]!;
        Assert.Equal("rigid-liver-surface+mutual-information", (string?)reg["method"]);
        Assert.Contains(reg["notes"]!.AsArray(), n => ((string?)n)!.StartsWith("Refined on intensities", StringComparison.Ordinal));
        var m = reg["postToPre"]!.AsArray().Select(v => (double)v!).ToArray();
        var t = new Vector3D(m[3], m[7], m[11]);
        var expected = PostToPre(Vector3D.Zero);
        Assert.True((t - expected).Length < 1.0, $"translation {t} against {expected}"); // on 1.3–2 mm voxels
        Assert.InRange((double)json["minimalMarginMm"]!, 1.0, 3.0);
    }

    private static Matrix3D Matrix3DFromAxisAngle(Vector3D axis, double angle) => LocalControl.Verification.Registration.RigidTransform.AxisAngle(axis, angle);

    [Fact]
    public void Json_follows_the_contract_on_moved_differently_stored_scans()
    {
        var (pre, post) = MovedPair();
        var (code, text, err) = Run("verify", "--pre", pre, "--pre-table", F("pre.json"), "--post", post, "--post-table", F("post.json"),
            "-o", F("margin.nii.gz"), "--pictures", F("pictures"), "--format", "json");
        Assert.True(code == 0, err);
        var json = JsonNode.Parse(text)!;
        var mam = (double)json["minimalMarginMm"]!;
        Assert.InRange(mam, 1.0, 3.0); // 2 mm by construction, on 1.3–2 mm voxels
        var tumour = Assert.Single(json["tumours"]!.AsArray())!;
        Assert.Equal("T1", (string?)tumour["id"]);
        Assert.Equal(mam, (double)tumour["minimalMarginMm"]!);
        foreach (var field in new[] { "surfaceBelow0Percent", "surfaceBelow5Percent", "surfaceBelow10Percent" })
        {
            Assert.Equal((double)tumour[field]!, (double)json[field]!);
        }

        Assert.Equal(100, (double)json["surfaceBelow10Percent"]!);
        Assert.Equal(0, (double)json["surfaceBelow0Percent"]!);
        var thinnest = tumour["thinnestPointLps"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.Equal(3, thinnest.Length);
        Assert.InRange(thinnest[0], C.X + 15 - 10 - 2, C.X + 15 - 10 + 2); // on the tumour's right pole
        var direction = tumour["thinnestDirection"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.True(direction[0] < -0.8, $"direction {string.Join(", ", direction)}");
        var reg = json["registration"]!;
        Assert.Equal("rigid-liver-surface", (string?)reg["method"]);
        var m = reg["postToPre"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.Equal(16, m.Length);
        Assert.Equal([0, 0, 0, 1], m[12..]);
        Assert.Equal(3, m[3] + (m[0] - 1) * C.X + m[1] * C.Y + m[2] * C.Z, 0.6); // translation at the centre C
        Assert.InRange((double)reg["residualMeanMm"]!, 0, 1.0);
        Assert.True((double)reg["residualP95Mm"]! < 2.5, reg.ToJsonString());
        Assert.True((double)reg["uncertaintyMm"]! is > 0 and < 3, reg.ToJsonString());
        Assert.True((double)json["sensitivityMm"]!["minus2"]! < mam);
        Assert.True((double)json["sensitivityMm"]!["plus2"]! > mam);
        Assert.Contains("Additional ablation advised", (string?)json["recommendation"], StringComparison.Ordinal);
        Assert.Contains("M2", json["evidence"]!.AsArray().Select(v => (string?)v));
        Assert.True((double)json["wallSeconds"]! > 0);

        var map = VolumeFormats.Load(F("margin.nii.gz")).ToFloatVolume();
        var finite = map.Buffer.Where(float.IsFinite).ToArray();
        Assert.NotEmpty(finite);
        Assert.Equal(mam, finite.Min(), 0.05);
        Assert.Equal(3, Directory.GetFiles(F("pictures"), "T1-*.png").Length);
    }

    [Theory]
    [InlineData(false, false)] // no case file: 5 mm threshold
    [InlineData(true, true)]   // RAS-mutant case: 10 mm
    public void Ras_mutant_case_raises_the_threshold_to_10_mm(bool withCase, bool advised)
    {
        // Same grid, no liver: nothing to register; a 7 mm margin (8 mm tumour, 15 mm zone, concentric).
        var grid = SmallGrid();
        var pre = Write("t.nii", grid, p => (p - C).Length <= 8 ? 2 : 0);
        var post = Write("z.nii", grid, p => (p - C).Length <= 15 ? 3 : 0);
        var args = new List<string> { "verify", "--pre", pre, "--pre-table", F("tumour-only.json"), "--post", post, "--post-table", F("zone-only.json"), "--format", "json" };
        if (withCase)
        {
            args.AddRange(["--case", Sample("10-ras-mutant-liver")]);
        }

        var (code, text, err) = Run([.. args]);
        Assert.True(code == 0, err);
        var json = JsonNode.Parse(text)!;
        Assert.InRange((double)json["minimalMarginMm"]!, 6.5, 7.5);
        Assert.Equal(withCase ? 10 : 5, (double)json["thresholdMm"]!);
        Assert.Equal(advised, (bool)json["additionalAblationAdvised"]!);
        Assert.Equal(advised, ((string?)json["recommendation"])!.Contains("Additional ablation advised", StringComparison.Ordinal));
        Assert.Equal("identity-same-grid", (string?)json["registration"]!["method"]);
        Assert.Null(json["registration"]!["residualMeanMm"]);
    }

    [Fact]
    public void Text_report_names_the_margin_and_the_recommendation()
    {
        var grid = SmallGrid();
        var pre = Write("t.nii", grid, p => (p - C).Length <= 8 ? 2 : 0);
        var post = Write("z.nii", grid, p => (p - (C + new Vector3D(0, 0, 4))).Length <= 11 ? 3 : 0);
        var (code, text, err) = Run("verify", "--pre", pre, "--pre-table", F("tumour-only.json"), "--post", post, "--post-table", F("zone-only.json"));
        Assert.True(code == 0, err);
        Assert.Contains("Minimal ablative margin: -1.", text, StringComparison.Ordinal); // 11 − 4 − 8 = −1 mm at the inferior pole
        Assert.Contains("not A0", text, StringComparison.Ordinal);
        Assert.Contains("Additional ablation advised", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Zone_that_misses_the_tumour_entirely_is_reported_with_a_negative_margin()
    {
        // An 8 mm tumour and a 6 mm zone 20 mm apart: 6 mm short of the facing pole, 22 mm short of the far pole.
        var grid = SmallGrid();
        var pre = Write("t.nii", grid, p => (p - (C + new Vector3D(-10, 0, 0))).Length <= 8 ? 2 : 0);
        var post = Write("z.nii", grid, p => (p - (C + new Vector3D(10, 0, 0))).Length <= 6 ? 3 : 0);
        var (code, text, err) = Run("verify", "--pre", pre, "--pre-table", F("tumour-only.json"), "--post", post, "--post-table", F("zone-only.json"), "--format", "json");
        Assert.True(code == 0, err);
        var json = JsonNode.Parse(text)!;
        Assert.Equal(-22, (double)json["minimalMarginMm"]!, 1.0);
        Assert.Equal(-6, (double)json["tumours"]![0]!["distributionMm"]!["max"]!, 1.0);
        Assert.Equal(100, (double)json["surfaceBelow0Percent"]!);
        Assert.False((bool)json["a0"]!);
        Assert.True((bool)json["additionalAblationAdvised"]!);
    }

    [Fact]
    public void Empty_zone_is_refused_with_exit_2()
    {
        var grid = SmallGrid();
        var pre = Write("t.nii", grid, p => (p - C).Length <= 8 ? 2 : 0);
        var post = Write("z.nii", grid, _ => 0);
        var (code, _, err) = Run("verify", "--pre", pre, "--pre-table", F("tumour-only.json"), "--post", post, "--post-table", F("zone-only.json"));
        Assert.Equal(2, code);
        Assert.Contains("LC-VERIFY-003", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_tumour_is_refused_with_exit_2()
    {
        var grid = SmallGrid();
        var pre = Write("t.nii", grid, _ => 0);
        var post = Write("z.nii", grid, p => (p - C).Length <= 15 ? 3 : 0);
        var (code, _, err) = Run("verify", "--pre", pre, "--pre-table", F("tumour-only.json"), "--post", post, "--post-table", F("zone-only.json"));
        Assert.Equal(2, code);
        Assert.Contains("LC-VERIFY-002", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Zone_far_from_the_tumour_is_refused_with_exit_2()
    {
        var grid = SmallGrid();
        var pre = Write("t.nii", grid, p => (p - (C + new Vector3D(-20, 0, 0))).Length <= 6 ? 2 : 0);
        var post = Write("z.nii", grid, p => (p - (C + new Vector3D(22, 0, 0))).Length <= 6 ? 3 : 0); // 30 mm beyond the tumour
        var (code, _, err) = Run("verify", "--pre", pre, "--pre-table", F("tumour-only.json"), "--post", post, "--post-table", F("zone-only.json"));
        Assert.Equal(2, code);
        Assert.Contains("LC-VERIFY-006", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Different_grids_without_liver_masks_are_refused_with_exit_2()
    {
        var pre = Write("t.nii", SmallGrid(), p => (p - C).Length <= 8 ? 2 : 0);
        var post = Write("z.nii", Grid(new VolumeSize(50, 50, 30), new Vector3D(1.2, 1.2, 1.5), C, Matrix3D.Identity), p => (p - C).Length <= 15 ? 3 : 0);
        var (code, _, err) = Run("verify", "--pre", pre, "--pre-table", F("tumour-only.json"), "--post", post, "--post-table", F("zone-only.json"));
        Assert.Equal(2, code);
        Assert.Contains("LC-VERIFY-001", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Post_table_without_a_zone_role_is_refused_with_exit_2()
    {
        var grid = SmallGrid();
        var pre = Write("t.nii", grid, p => (p - C).Length <= 8 ? 2 : 0);
        var post = Write("z.nii", grid, p => (p - C).Length <= 15 ? 3 : 0);
        var (code, _, err) = Run("verify", "--pre", pre, "--pre-table", F("tumour-only.json"), "--post", post, "--post-table", F("tumour-only.json"));
        Assert.Equal(2, code);
        Assert.Contains("ablation-zone", err, StringComparison.Ordinal);
    }
    // A same-grid pair with a 7 mm margin (8 mm tumour, 15 mm zone, concentric), and a copy of the follow-up sample case
    // (lesion L1 ablated once, by treatment T1, which holds 4.2 mm).
    private (string[] Args, string Case) CaseUpdateSetup(int tumours = 1, Action<JsonNode>? editCase = null)
    {
        var grid = SmallGrid();
        var second = C + new Vector3D(0, 24, 0);
        var pre = Write("t.nii", grid, p => (p - C).Length <= 8 || (tumours > 1 && (p - second).Length <= 3) ? 2 : 0);
        var post = Write("z.nii", grid, p => (p - C).Length <= 15 || (tumours > 1 && (p - second).Length <= 7) ? 3 : 0);
        var json = JsonNode.Parse(File.ReadAllText(Sample("14-liver-mwa-follow-up")))!;
        editCase?.Invoke(json);
        var casePath = F("case.json");
        File.WriteAllText(casePath, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return (["verify", "--pre", pre, "--pre-table", F("tumour-only.json"), "--post", post, "--post-table", F("zone-only.json"), "--case", casePath, "--update-case"], casePath);
    }

    private static JsonNode WithoutMargin(JsonNode caseJson, string treatmentId)
    {
        var copy = caseJson.DeepClone();
        foreach (var t in copy["treatments"]!.AsArray())
        {
            if ((string?)t!["id"] == treatmentId)
            {
                t.AsObject().Remove("minimalAblativeMarginMm");
            }
        }

        return copy;
    }

    [Fact]
    public void Update_case_writes_the_margin_into_the_only_ablation_of_the_lesion_and_keeps_every_other_field()
    {
        var (args, casePath) = CaseUpdateSetup();
        var before = JsonNode.Parse(File.ReadAllText(casePath))!;
        var (code, text, err) = Run([.. args, "--format", "json"]);
        Assert.True(code == 0, err);
        var json = JsonNode.Parse(text)!;
        var mam = (double)json["minimalMarginMm"]!;
        Assert.InRange(mam, 6.5, 7.5); // 15 − 8 mm by construction
        var update = json["caseUpdate"]!;
        Assert.Equal("L1", (string?)update["lesionId"]);
        Assert.Equal("T1", (string?)update["treatmentId"]);
        Assert.Equal("T1", (string?)update["tumour"]);
        Assert.Equal(4.2, (double)update["previousMarginMm"]!);
        Assert.Contains("treatment 'T1' of lesion 'L1'", err, StringComparison.Ordinal);

        var after = JsonNode.Parse(File.ReadAllText(casePath))!;
        var record = after["treatments"]!.AsArray().Single(t => (string?)t!["id"] == "T1")!;
        Assert.Equal(Math.Round(mam, 2), (double)record["minimalAblativeMarginMm"]!, 1e-9);
        Assert.True(JsonNode.DeepEquals(WithoutMargin(before, "T1"), WithoutMargin(after, "T1")), "a field other than the margin changed");
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp-*", SearchOption.AllDirectories)); // the temp file was renamed, not left behind
        // The case reader (and so `follow`) reads the new value.
        var read = LocalControl.Core.Cases.CaseFileReader.Read(File.ReadAllText(casePath));
        Assert.True(read.IsValid, string.Join("; ", read.Errors));
        Assert.Equal(Math.Round(mam, 2), read.Case!.FollowUp!.Treatments.Single(t => t.Id == "T1").MinimalAblativeMarginMm!.Value, 1e-9);
    }

    [Theory]
    [InlineData("--lesion", "L2", "no ablation of lesion 'L2'")]          // a lesion of the case that was not ablated
    [InlineData("--lesion", "L9", "no lesion with id 'L9'")]               // not a lesion of the case
    [InlineData("--treatment", "T2", "not an ablation")]                   // the systemic therapy cannot hold a margin
    [InlineData("--treatment", "T7", "no treatment with id 'T7'")]
    public void Update_case_refuses_a_lesion_or_treatment_it_cannot_identify_and_leaves_the_file_alone(string option, string value, string message)
    {
        var (args, casePath) = CaseUpdateSetup();
        var before = File.ReadAllBytes(casePath);
        var (code, _, err) = Run([.. args, option, value]);
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(casePath));
    }

    [Fact]
    public void Update_case_asks_which_session_when_the_lesion_was_ablated_twice()
    {
        var (args, casePath) = CaseUpdateSetup(editCase: c =>
        {
            var repeat = c["treatments"]![0]!.DeepClone();
            repeat["id"] = "T3";
            repeat["date"] = "2025-01-20";
            repeat.AsObject().Remove("minimalAblativeMarginMm");
            c["treatments"]!.AsArray().Insert(1, repeat);
        });
        var before = File.ReadAllBytes(casePath);
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("ablated 2 times (T1 on 2025-01-15, T3 on 2025-01-20)", err, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(casePath));

        (code, var text, err) = Run([.. args, "--treatment", "T3"]);
        Assert.True(code == 0, err);
        Assert.Contains("to treatment 'T3' of lesion 'L1'", text, StringComparison.Ordinal);
        var after = JsonNode.Parse(File.ReadAllText(casePath))!["treatments"]!.AsArray();
        Assert.Equal(4.2, (double)after.Single(t => (string?)t!["id"] == "T1")!["minimalAblativeMarginMm"]!); // the other session untouched
        Assert.InRange((double)after.Single(t => (string?)t!["id"] == "T3")!["minimalAblativeMarginMm"]!, 6.5, 7.5);
    }

    [Fact]
    public void Update_case_with_several_tumours_needs_the_tumour_named()
    {
        var (args, casePath) = CaseUpdateSetup(tumours: 2);
        var before = File.ReadAllBytes(casePath);
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("shows 2 tumours (T1, T2)", err, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(casePath));

        (code, var text, err) = Run([.. args, "--tumour", "T2", "--format", "json"]);
        Assert.True(code == 0, err);
        var json = JsonNode.Parse(text)!;
        var t2 = json["tumours"]!.AsArray().Single(t => (string?)t!["id"] == "T2")!;
        Assert.InRange((double)t2["minimalMarginMm"]!, 3.5, 4.5); // 7 − 3 mm
        var record = JsonNode.Parse(File.ReadAllText(casePath))!["treatments"]![0]!;
        Assert.Equal((double)t2["minimalMarginMm"]!, (double)record["minimalAblativeMarginMm"]!, 1e-9);
    }

    [Fact]
    public void Update_case_options_without_a_case_file_are_refused()
    {
        var (args, _) = CaseUpdateSetup();
        var withoutCase = args.Where((a, n) => a != "--case" && (n == 0 || args[n - 1] != "--case")).ToArray();
        var (code, _, err) = Run(withoutCase);
        Assert.Equal(2, code);
        Assert.Contains("--case", err, StringComparison.Ordinal);
        (code, _, err) = Run([.. withoutCase.Where(a => a != "--update-case"), "--lesion", "L1"]);
        Assert.Equal(2, code);
        Assert.Contains("--update-case", err, StringComparison.Ordinal);
    }
}
