using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Imaging;

/// <summary>
/// <c>phantom --body</c> (a skin for <c>plan</c>) and <c>phantom --ablated M [--post-shift]</c> (the scan after ablation for
/// <c>verify</c>), checked against the phantom's own analytic shapes read from answers.json, never against our output.
/// </summary>
public sealed class PhantomPairTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lc-cli-pair-" + Guid.NewGuid().ToString("N"));

    public PhantomPairTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    private static readonly string[] Small = ["--size", "100,80,40", "--spacing", "1.6,1.6,3.2"];

    [Fact]
    public void Body_outline_adds_a_skin_and_changes_no_other_voxel()
    {
        Assert.Equal(0, Run(["phantom", "-o", F("plain"), .. Small]).ExitCode);
        Assert.Equal(0, Run(["phantom", "-o", F("body"), "--body", .. Small]).ExitCode);
        var plain = VolumeFormats.Load(F("plain/labels.nii.gz")).ToLabelVolume();
        var body = VolumeFormats.Load(F("body/labels.nii.gz")).ToLabelVolume();
        long bodyVoxels = 0;
        for (var n = 0; n < plain.Buffer.Length; n++)
        {
            if (plain.Buffer[n] != 0)
            {
                Assert.Equal(plain.Buffer[n], body.Buffer[n]);
            }
            else
            {
                Assert.True(body.Buffer[n] is 0 or 5, $"voxel {n}: {body.Buffer[n]}");
                bodyVoxels += body.Buffer[n] == 5 ? 1 : 0;
            }
        }

        Assert.True(bodyVoxels > 0);
        // The field's corners stay background: the planner needs a skin that meets the outside.
        Assert.Equal(0, body[0, 0, 20]);
        Assert.Equal(0, body[99, 79, 20]);
        Assert.Equal("body", (string)JsonNode.Parse(File.ReadAllText(F("body/label-table.json")))!["5"]!);
    }

    [Fact]
    public void Scan_after_ablation_holds_each_tumour_inside_a_zone_exactly_the_margin_wider()
    {
        const double margin = 6;
        var shift = new Vector3D(3, -2, 4);
        Assert.Equal(0, Run(["phantom", "-o", _dir, "--ablated", "6", "--post-shift", "3,-2,4", .. Small]).ExitCode);
        var answers = JsonNode.Parse(File.ReadAllText(F("answers.json")))!;
        Assert.Equal(margin, (double)answers["afterAblation"]!["minimalAblativeMarginMm"]!);
        var table = JsonNode.Parse(File.ReadAllText(F("post-label-table.json")))!.AsObject();
        Assert.DoesNotContain(table, e => (string)e.Value! == "tumour");
        Assert.Equal("ablation-zone", (string)table["6"]!);

        var post = VolumeFormats.Load(F("post-labels.nii.gz")).ToLabelVolume();
        var tumours = answers["lesions"]!.AsArray()
            .Select(l => (Centre: Vec(l!["centroidMm"]!), RadiusMm: (double)l["longestDiameterMm"]! / 2))
            .ToArray();
        var g = post.Geometry;
        long zoneVoxels = 0;
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    var q = g.IndexToPointLps(i, j, k) - shift; // the pre point this post voxel shows
                    var nearest = tumours.Min(t => (q - t.Centre).Length - t.RadiusMm - margin);
                    var label = post[i, j, k];
                    Assert.NotEqual(2, label); // no tumour label after ablation
                    if (nearest < -0.01)
                    {
                        Assert.Equal(6, label);
                    }
                    else if (nearest > 0.01)
                    {
                        Assert.NotEqual(6, label);
                    }

                    zoneVoxels += label == 6 ? 1 : 0;
                }
            }
        }

        Assert.True(zoneVoxels > 0);
    }

    [Theory]
    [InlineData("--ablated", "-1")]
    [InlineData("--ablated", "31")]
    [InlineData("--post-shift", "1,2,3")]
    public void Bad_pair_options_exit_2_naming_the_option(string option, string value)
    {
        var (code, _, err) = Run(["phantom", "-o", _dir, option, value, .. Small]);
        Assert.Equal(2, code);
        Assert.Contains(option, err, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_on_the_phantom_with_a_body_reaches_the_margin_of_its_smallest_tumour()
    {
        Assert.Equal(0, Run("phantom", "-o", _dir, "--body").ExitCode);
        var (code, json, err) = Run("plan", "--labels", F("labels.nii.gz"), "--label-table", F("label-table.json"), "--target", "T3", "-o", F("plan"), "--format", "json");
        Assert.True(code == 0, err);
        var plan = JsonNode.Parse(json)!;
        Assert.True((bool)plan["feasible"]!, json);
        Assert.Single(plan["probes"]!.AsArray());
        Assert.True((double)plan["minimalMarginMm"]! >= 5 - 1.6, json); // the goal within one voxel diagonal of the 0.8 x 0.8 x 1.6 mm grid
        Assert.True(File.Exists(F("plan/plan.json")));
    }

    [Fact]
    public void Plan_with_an_entry_region_enters_the_skin_only_inside_it()
    {
        Assert.Equal(0, Run("phantom", "-o", _dir, "--body").ExitCode);
        // The patient's right flank (LPS x grows to the left): the unrestricted plan of T3 enters from the left.
        var (code, json, err) = Run("plan", "--labels", F("labels.nii.gz"), "--label-table", F("label-table.json"), "--target", "T3",
            "--entry-region", "40,0,0,0,128,128", "-o", F("plan"), "--format", "json", "--no-confirm");
        Assert.True(code == 0, err);
        var plan = JsonNode.Parse(json)!;
        var probes = plan["probes"]!.AsArray();
        Assert.True(probes.Count > 0 || ((string?)plan["reason"] ?? "").Contains("entry region", StringComparison.Ordinal), json);
        if ((bool)plan["feasible"]! && (double)plan["minimalMarginMm"]! < 5)
        {
            // Within a voxel of the goal counts as reached, but the plan must say it is short.
            Assert.Contains("short of the 5 mm goal", (string?)plan["reason"] ?? "", StringComparison.Ordinal);
        }

        foreach (var probe in probes)
        {
            var entry = Vec(probe!["entryLps"]!);
            Assert.True(entry.X is >= 0 and <= 40 && entry.Y is >= 0 and <= 128 && entry.Z is >= 0 and <= 128, $"entry {entry} outside the region");
        }

        var (bad, _, badErr) = Run("plan", "--labels", F("labels.nii.gz"), "--label-table", F("label-table.json"), "--target", "T3",
            "--entry-region", "0,0,0,40,128", "-o", F("plan2"));
        Assert.Equal(2, bad);
        Assert.Contains("--entry-region", badErr, StringComparison.Ordinal);
        var (flat, _, flatErr) = Run("plan", "--labels", F("labels.nii.gz"), "--label-table", F("label-table.json"), "--target", "T3",
            "--entry-region", "0,0,5,40,128,5", "-o", F("plan3"));
        Assert.Equal(2, flat);
        Assert.Contains("--entry-region", flatErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3,-2,4")] // half a 1.6 mm slice: the case where voxel staircases once locked the fit 2° off
    [InlineData("0,0,4")]
    [InlineData("3.2,-1.6,3.2")] // whole voxels
    public void Verify_recovers_the_phantom_motion_and_the_margin_built_into_it(string shiftText)
    {
        var shift = shiftText.Split(',').Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(0, Run("phantom", "-o", _dir, "--ablated", "6", "--post-shift", shiftText).ExitCode);
        var (code, json, err) = Run("verify", "--pre", F("labels.nii.gz"), "--pre-table", F("label-table.json"),
            "--post", F("post-labels.nii.gz"), "--post-table", F("post-label-table.json"), "--format", "json");
        Assert.True(code == 0, err);
        var report = JsonNode.Parse(json)!;
        var registration = report["registration"]!;
        var m = registration["postToPre"]!.AsArray().Select(x => (double)x!).ToArray();
        // The truth: post point = pre point + shift, so post -> pre is the identity rotation and a translation by -shift.
        Assert.True((double)registration["rotationDegrees"]! <= 0.5, json);
        for (var a = 0; a < 3; a++)
        {
            Assert.True(Math.Abs(m[(a * 4) + 3] + shift[a]) <= 0.5, $"translation {a}: {m[(a * 4) + 3]} against {-shift[a]}");
        }

        var voxelDiagonal = Math.Sqrt((0.8 * 0.8) + (0.8 * 0.8) + (1.6 * 1.6));
        var tumours = report["tumours"]!.AsArray();
        Assert.Equal(3, tumours.Count);
        foreach (var t in tumours)
        {
            var mam = (double)t!["minimalMarginMm"]!;
            Assert.True(mam <= 6 + 0.1 && mam >= 6 - voxelDiagonal, $"{t["id"]}: MAM {mam} mm for a 6 mm zone");
        }
    }

    private static Vector3D Vec(JsonNode node)
    {
        var a = node.AsArray();
        return new Vector3D((double)a[0]!, (double)a[1]!, (double)a[2]!);
    }
}
