using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Cli.Tests;

/// <summary><c>localcontrol plan</c>: the JSON contract, the files it writes, the RAS-mutant margin and the bad-input list (exit 2, the field named, nothing written).</summary>
public sealed class PlanCommandTests : IDisposable
{
    private const int Liver = 1, Tumour = 2, Vessel = 3, Body = 4, Bowel = 5;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"lc-plan-{Guid.NewGuid():N}");

    public PlanCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A 3 mm torso: body cylinder, liver ellipsoid, a tumour of <paramref name="radiusMm"/> at (-20, -10, 0), optional second tumour and paint.</summary>
    private (string Labels, string Table) Phantom(double radiusMm = 6, bool secondTumour = false, bool bodyEverywhere = false, Action<Volume<int>>? paint = null, string? table = null)
    {
        const double h = 3;
        var g = ImageGeometry.AxisAligned(new VolumeSize(67, 55, 41), new Vector3D(h, h, h), new Vector3D(-99, -81, -60));
        var v = new Volume<int>(g);
        var target = new Vector3D(-20, -10, 0);
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    var p = g.IndexToPointLps(i, j, k);
                    var label = bodyEverywhere || ((p.X / 85) * (p.X / 85)) + ((p.Y / 65) * (p.Y / 65)) <= 1 ? Body : 0;
                    var d = p - new Vector3D(-20, 0, 0);
                    if (((d.X / 55) * (d.X / 55)) + ((d.Y / 45) * (d.Y / 45)) + ((d.Z / 45) * (d.Z / 45)) <= 1)
                    {
                        label = Liver;
                    }

                    if ((p - target).Length <= radiusMm || (secondTumour && (p - new Vector3D(-40, 20, 10)).Length <= 5))
                    {
                        label = Tumour;
                    }

                    v[i, j, k] = label;
                }
            }
        }

        paint?.Invoke(v);
        var labels = Path.Combine(_dir, "labels.nii.gz");
        NiftiWriter.Write(labels, v);
        var tablePath = Path.Combine(_dir, "table.json");
        File.WriteAllText(tablePath, table ?? "{\"1\": \"liver\", \"2\": \"tumour\", \"3\": \"portal-vein\", \"4\": \"body\", \"5\": \"bowel\"}");
        return (labels, tablePath);
    }

    [Fact]
    public void Plan_prints_the_contract_json_and_writes_plan_zone_and_pictures()
    {
        var (labels, table) = Phantom();
        var outDir = Path.Combine(_dir, "out");
        var (code, output, err) = CliRunner.Run("plan", "--labels", labels, "--label-table", table, "--devices", "emprint", "-o", outDir, "--format", "json");
        Assert.True(code == 0, err);
        var o = JsonNode.Parse(output)!.AsObject();
        Assert.True(o["feasible"]!.GetValue<bool>(), o["reason"]?.ToString());
        Assert.Equal("T1", o["target"]!.GetValue<string>());
        Assert.Equal(5, o["marginGoalMm"]!.GetValue<double>());
        var probe = Assert.Single(o["probes"]!.AsArray())!.AsObject();
        foreach (var field in new[] { "device", "setting", "tipLps", "entryLps", "depthMm", "anglesDeg", "passesNear" })
        {
            Assert.True(probe.ContainsKey(field), field);
        }

        Assert.Equal("emprint", probe["device"]!.GetValue<string>());
        Assert.Equal(3, probe["tipLps"]!.AsArray().Count);
        var tip = probe["tipLps"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        var entry = probe["entryLps"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        var depth = Math.Sqrt(Enumerable.Range(0, 3).Sum(a => (tip[a] - entry[a]) * (tip[a] - entry[a])));
        Assert.Equal(depth, probe["depthMm"]!.GetValue<double>(), 0);
        Assert.True(probe["anglesDeg"]!.AsObject().ContainsKey("cranioCaudal") && probe["anglesDeg"]!.AsObject().ContainsKey("inPlane"));
        Assert.True(o["coveragePercent"]!.GetValue<double>() >= 99);
        Assert.True(o["minimalMarginMm"]!.GetValue<double>() >= 5 - 3);
        Assert.True(o["wallSeconds"]!.GetValue<double>() > 0);

        // The same JSON in the folder; the zone on the input grid; three pictures.
        Assert.Equal(output.Trim(), File.ReadAllText(Path.Combine(outDir, "plan.json")).Trim());
        var zone = VolumeFormats.Load(Path.Combine(outDir, "zone.nii.gz")).ToLabelVolume();
        Assert.True(zone.Geometry.IsSameGridAs(VolumeFormats.Load(labels).ToLabelVolume().Geometry));
        Assert.Contains(zone.Buffer, x => x == 1);
        foreach (var view in new[] { "axial", "coronal", "sagittal" })
        {
            var png = File.ReadAllBytes(Path.Combine(outDir, $"plan-{view}.png"));
            Assert.Equal(0x89, png[0]);
            Assert.Equal((byte)'P', png[1]);
        }

        Assert.Empty(Directory.GetFiles(outDir, "*.tmp*"));
    }

    [Fact]
    public void Plan_with_cryoprobes_prints_each_probe_with_its_cluster_group_and_writes_the_files()
    {
        var (labels, table) = Phantom();
        var outDir = Path.Combine(_dir, "cryo");
        var (code, output, err) = CliRunner.Run("plan", "--labels", labels, "--label-table", table, "--devices", "cryo-2.4mm", "--max-probes", "4",
            "--margin-mm", "2", "--grid-mm", "2", "-o", outDir, "--format", "json");
        Assert.True(code == 0, err);
        var o = JsonNode.Parse(output)!.AsObject();
        Assert.True(o["confirmed"]!.GetValue<bool>());
        Assert.Equal(2, o["confirmationGridMm"]!.GetValue<double>());
        Assert.Contains("Cryoablation", o["zoneModel"]!.GetValue<string>(), StringComparison.Ordinal);
        var probes = o["probes"]!.AsArray().Select(p => p!.AsObject()).ToList();
        Assert.NotEmpty(probes);
        foreach (var probe in probes)
        {
            Assert.Equal("cryo-2.4mm", probe["device"]!.GetValue<string>());
            Assert.True(probe.ContainsKey("clusterGroup"), probe.ToJsonString());
            Assert.False(probe.ContainsKey("electrodeGroup"));
            foreach (var field in new[] { "setting", "tipLps", "entryLps", "depthMm", "anglesDeg", "passesNear" })
            {
                Assert.True(probe.ContainsKey(field), field);
            }
        }

        // Each cluster: as many probes as its setting names (n-probe(s)-15min), parallel, tips 20 mm apart at least.
        foreach (var cluster in probes.GroupBy(p => p["clusterGroup"]!.GetValue<int>()))
        {
            var setting = cluster.First()["setting"]!.GetValue<string>();
            Assert.All(cluster, p => Assert.Equal(setting, p["setting"]!.GetValue<string>()));
            Assert.Equal(int.Parse(setting[..1], System.Globalization.CultureInfo.InvariantCulture), cluster.Count());
            var tips = cluster.Select(p => p["tipLps"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray()).ToList();
            for (var a = 0; a < tips.Count; a++)
            {
                for (var b = a + 1; b < tips.Count; b++)
                {
                    var d = Math.Sqrt(Enumerable.Range(0, 3).Sum(x => (tips[a][x] - tips[b][x]) * (tips[a][x] - tips[b][x])));
                    Assert.True(d >= 20 - 0.2, $"tips {d:0.0} mm apart");
                }
            }
        }

        Assert.Contains(probes.GroupBy(p => p["clusterGroup"]!.GetValue<int>()), c => c.Count() >= 2);
        Assert.Equal(output.Trim(), File.ReadAllText(Path.Combine(outDir, "plan.json")).Trim());
        Assert.Contains(VolumeFormats.Load(Path.Combine(outDir, "zone.nii.gz")).ToLabelVolume().Buffer, x => x == 1);
        foreach (var view in new[] { "axial", "coronal", "sagittal" })
        {
            Assert.True(File.Exists(Path.Combine(outDir, $"plan-{view}.png")), view);
        }

        var (textCode, text, textErr) = CliRunner.Run("plan", "--labels", labels, "--label-table", table, "--devices", "cryo-2.4mm", "--max-probes", "4",
            "--margin-mm", "2", "--grid-mm", "2", "-o", Path.Combine(_dir, "cryo-text"));
        Assert.True(textCode == 0, textErr);
        Assert.Contains("cryo cluster 1", text, StringComparison.Ordinal);
        Assert.Contains("cryo search zone of", textErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_with_one_cryoprobe_allowed_for_a_tumour_needing_a_cluster_is_infeasible_not_an_error()
    {
        var (labels, table) = Phantom(radiusMm: 9);
        var (code, output, err) = CliRunner.Run("plan", "--labels", labels, "--label-table", table, "--devices", "cryo-2.4mm", "--max-probes", "1",
            "--grid-mm", "2", "--no-confirm", "-o", Path.Combine(_dir, "cryo1"), "--format", "json");
        Assert.True(code == 0, err);
        var o = JsonNode.Parse(output)!;
        Assert.False(o["feasible"]!.GetValue<bool>());
        Assert.Contains("size", o["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(o["probes"]!.AsArray().Count <= 1);
        Assert.Contains("cryo search zones", o["zoneModel"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_ras_mutant_case_raises_the_margin_goal_to_10_mm_unless_one_is_given()
    {
        var (labels, table) = Phantom();
        var sample = CliRunner.Sample("10-ras-mutant-liver");
        var (code, output, err) = CliRunner.Run("plan", "--labels", labels, "--label-table", table, "--devices", "emprint", "--case", sample, "--no-confirm", "-o", Path.Combine(_dir, "ras"), "--format", "json");
        Assert.True(code == 0, err);
        Assert.Equal(10, JsonNode.Parse(output)!["marginGoalMm"]!.GetValue<double>());

        (code, output, err) = CliRunner.Run("plan", "--labels", labels, "--label-table", table, "--devices", "emprint", "--case", sample, "--margin-mm", "7", "--no-confirm", "-o", Path.Combine(_dir, "ras7"), "--format", "json");
        Assert.True(code == 0, err);
        Assert.Equal(7, JsonNode.Parse(output)!["marginGoalMm"]!.GetValue<double>());
        Assert.Contains("RAS mutant", err, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_seed_prints_the_same_probes()
    {
        var (labels, table) = Phantom(radiusMm: 12);
        string Probes(string name)
        {
            var (code, output, err) = CliRunner.Run("plan", "--labels", labels, "--label-table", table, "--seed", "11", "--no-confirm", "-o", Path.Combine(_dir, name), "--format", "json");
            Assert.True(code == 0, err);
            return JsonNode.Parse(output)!["probes"]!.ToJsonString();
        }

        Assert.Equal(Probes("a"), Probes("b"));
    }

    [Fact]
    public void Behind_bowel_is_infeasible_with_the_reason_and_still_writes_the_plan()
    {
        var (labels, table) = Phantom(paint: v =>
        {
            var g = v.Geometry;
            for (var n = 0; n < v.Buffer.Length; n++)
            {
                var p = g.IndexToPointLps(n % g.Size.I, n / g.Size.I % g.Size.J, n / (g.Size.I * g.Size.J));
                if ((p - new Vector3D(-20, -10, 0)).Length is >= 21 and <= 30)
                {
                    v.Buffer[n] = Bowel;
                }
            }
        });
        var outDir = Path.Combine(_dir, "bowel");
        var (code, output, err) = CliRunner.Run("plan", "--labels", labels, "--label-table", table, "-o", outDir, "--format", "json");
        Assert.True(code == 0, err);
        var o = JsonNode.Parse(output)!;
        Assert.False(o["feasible"]!.GetValue<bool>());
        Assert.Contains("no safe path", o["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("bowel", o["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(o["probes"]!.AsArray());
        Assert.True(File.Exists(Path.Combine(outDir, "plan.json")));
    }

    public static TheoryData<string, string[], string> BadInputs() => new()
    {
        { "target", ["--target", "T3"], "--target T3" },
        { "two", [], "--target: the label map has 2 tumours" },
        { "outside", [], "does not lie in the liver, lung or bone" },
        { "nobody", [], "no body surface to enter from" },
        { "fullbody", [], "no body or skin voxel borders the background" },
        { "device", ["--devices", "no-such-probe"], "--devices no-such-probe" },
        { "cryogrid", ["--devices", "cryo-2.4mm", "--grid-mm", "5"], "--grid-mm 5" },
        { "negative", ["--margin-mm", "-1"], "--margin-mm -1" },
        { "wide", ["--margin-mm", "25"], "--margin-mm 25" },
        { "probes", ["--max-probes", "0"], "--max-probes 0" },
        { "notumour", [], "no voxel carries a tumour label" },
        { "depth", ["--max-depth-mm", "0"], "--max-depth-mm 0" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_exits_2_naming_the_field_and_writes_nothing(string what, string[] extra, string message)
    {
        var (labels, table) = what switch
        {
            "two" => Phantom(secondTumour: true),
            "outside" => Phantom(paint: v =>
            {
                // Move the tumour out of the liver, into the body wall.
                for (var n = 0; n < v.Buffer.Length; n++)
                {
                    v.Buffer[n] = v.Buffer[n] == Tumour ? Liver : v.Buffer[n];
                }

                v[60, 27, 20] = Tumour;
                v[59, 27, 20] = Tumour;
            }),
            "nobody" => Phantom(table: "{\"1\": \"liver\", \"2\": \"tumour\", \"3\": \"portal-vein\", \"4\": \"other\", \"5\": \"bowel\"}"),
            "fullbody" => Phantom(bodyEverywhere: true),
            "notumour" => Phantom(radiusMm: 0.1),
            _ => Phantom(),
        };
        var outDir = Path.Combine(_dir, "out");
        var (code, _, err) = CliRunner.Run(["plan", "--labels", labels, "--label-table", table, "--no-confirm", "-o", outDir, .. extra]);
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }
}
