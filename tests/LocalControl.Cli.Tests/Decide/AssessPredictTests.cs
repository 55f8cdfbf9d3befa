using System.Globalization;
using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Volumes;
using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Decide;

/// <summary>
/// <c>assess --predict</c> on the sample phantom: each rfa/mwa option carries the zone that <c>simulate</c> gives on the
/// same pose (same numbers), the coverage of lesion + 5 mm is checked by brute force over voxel pairs on the zone
/// <c>simulate</c> writes, and bad input exits 2.
/// </summary>
public sealed class AssessPredictTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"lc-predict-{Guid.NewGuid():N}");

    public AssessPredictTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Imaging(string file) => Path.Combine(RepoRoot(), "samples", "imaging", file);

    private static string Triple(JsonNode n) => string.Join(",", n.AsArray().Select(x => ((double)x!).ToString("R", CultureInfo.InvariantCulture)));

    [Fact]
    public void Each_thermal_option_shows_the_zone_simulate_gives_on_the_same_pose()
    {
        var (code, output, err) = Run("assess", Imaging("phantom-case.json"), "--labels", Imaging("labels.nii.gz"), "--label-table", Imaging("label-table.json"),
            "--predict", "--format", "json");
        Assert.True(code == 0, err);
        var lesions = JsonNode.Parse(output)!["lesions"]!.AsArray();
        var checkedOptions = 0;
        foreach (var lesion in lesions)
        {
            foreach (var option in lesion!["options"]!.AsArray())
            {
                var therapy = (string)option!["therapy"]!;
                if (therapy is not ("rfa" or "mwa"))
                {
                    Assert.Null(option["predictedZone"]);
                    continue;
                }

                var z = option["predictedZone"]!.AsObject();
                if (!(bool)z["predicted"]!)
                {
                    Assert.False(string.IsNullOrWhiteSpace((string?)z["reason"]));
                    continue;
                }

                // The same pose through simulate (same grid): the same zone, margin and heat sink.
                var zonePath = Path.Combine(_dir, $"zone-{lesion["id"]}-{therapy}.nii.gz");
                var (sc, sout, serr) = Run("simulate", "--labels", Imaging("labels.nii.gz"), "--label-table", Imaging("label-table.json"),
                    "--probe", $"tip={Triple(z["tipLps"]!)};entry={Triple(z["entryLps"]!)}", "--device", (string)z["device"]!, "--setting", (string)z["setting"]!,
                    "--grid-mm", ((double)z["gridMm"]!).ToString(CultureInfo.InvariantCulture), "-o", zonePath, "--format", "json");
                Assert.True(sc == 0, serr);
                var s = JsonNode.Parse(sout)!;
                Assert.Equal((double)s["zoneVolumeMl"]!, (double)z["zoneVolumeMl"]!);
                Assert.Equal(s["zoneAxesMm"]!.AsArray().Select(x => (double)x!), z["zoneAxesMm"]!.AsArray().Select(x => (double)x!));
                var tumour = s["tumours"]!.AsArray().Single(t => (string)t!["id"]! == (string)z["tumourId"]!)!;
                Assert.Equal((double?)tumour["minimalMarginMm"], (double?)z["minimalMarginMm"]);
                Assert.Equal((double)tumour["coveragePercent"]!, (double)z["tumourCoveragePercent"]!);
                var nearest = s["vessels"]!.AsArray().MinBy(v => (double)v!["distanceMm"]!)!;
                Assert.Equal((double)nearest["shrinkMm"]!, (double)z["nearestVessel"]!["shrinkMm"]!);
                Assert.Equal((double)nearest["calibreMm"]!, (double)z["nearestVessel"]!["calibreMm"]!);

                // Coverage of the lesion plus 5 mm, by brute force on the zone simulate wrote.
                var brute = BruteForceGoalCoverage(zonePath, (string)z["tumourId"]!);
                Assert.True(Math.Abs(brute - (double)z["goalCoveragePercent"]!) <= 0.05, $"{lesion["id"]} {therapy} {z["tumourId"]}: brute force {brute:0.000} %, assess {z["goalCoveragePercent"]} %");
                checkedOptions++;
            }
        }

        Assert.True(checkedOptions >= 4, $"only {checkedOptions} options were predicted");
        var (tc, text, terr) = Run("assess", Imaging("phantom-case.json"), "--labels", Imaging("labels.nii.gz"), "--label-table", Imaging("label-table.json"), "--predict");
        Assert.True(tc == 0, terr);
        Assert.Contains("Predicted ablation zones", text, StringComparison.Ordinal);
        Assert.Contains("minimal margin", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// The goal is the tumour component (26-connected, numbered in scan order as the tools do, found here by flood fill)
    /// plus every labelled voxel within 5 mm of one of its voxel centres; the share of it in the zone, in %.
    /// </summary>
    private static double BruteForceGoalCoverage(string zonePath, string tumourId)
    {
        var labels = VolumeFormats.Load(Imaging("labels.nii.gz")).ToLabelVolume();
        var zone = VolumeFormats.Load(zonePath).ToLabelVolume();
        var g = labels.Geometry;
        var size = g.Size;
        var component = new int[labels.Buffer.Length];
        var next = 0;
        var wanted = int.Parse(tumourId[1..], CultureInfo.InvariantCulture);
        var members = new List<(int I, int J, int K)>();
        for (var k = 0; k < size.K; k++)
        {
            for (var j = 0; j < size.J; j++)
            {
                for (var i = 0; i < size.I; i++)
                {
                    var n = (int)size.LinearIndex(i, j, k);
                    if (labels.Buffer[n] != 2 || component[n] != 0)
                    {
                        continue;
                    }

                    next++;
                    var stack = new Stack<(int, int, int)>();
                    stack.Push((i, j, k));
                    component[n] = next;
                    while (stack.Count > 0)
                    {
                        var (a, b, c) = stack.Pop();
                        if (next == wanted)
                        {
                            members.Add((a, b, c));
                        }

                        for (var dz = -1; dz <= 1; dz++)
                        {
                            for (var dy = -1; dy <= 1; dy++)
                            {
                                for (var dx = -1; dx <= 1; dx++)
                                {
                                    int x = a + dx, y = b + dy, w = c + dz;
                                    if (x < 0 || y < 0 || w < 0 || x >= size.I || y >= size.J || w >= size.K)
                                    {
                                        continue;
                                    }

                                    var m = (int)size.LinearIndex(x, y, w);
                                    if (labels.Buffer[m] == 2 && component[m] == 0)
                                    {
                                        component[m] = next;
                                        stack.Push((x, y, w));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        Assert.NotEmpty(members);
        var points = members.Select(v => g.IndexToPointLps(v.I, v.J, v.K)).ToList();
        long goal = 0, covered = 0;
        for (var n = 0; n < labels.Buffer.Length; n++)
        {
            if (labels.Buffer[n] == 0)
            {
                continue;
            }

            var i = n % size.I;
            var j = n / size.I % size.J;
            var k = n / (size.I * size.J);
            var p = g.IndexToPointLps(i, j, k);
            var inGoal = component[n] == wanted || points.Exists(q => (q - p).Length <= 5);
            if (inGoal)
            {
                goal++;
                covered += zone.Buffer[n] != 0 ? 1 : 0;
            }
        }

        return 100.0 * covered / goal;
    }

    [Theory]
    [InlineData("--predict needs --labels", "--predict")]
    [InlineData("--predict-grid-mm needs --predict", "LABELS", "--predict-grid-mm", "2")]
    [InlineData("--predict-grid-mm 0.1", "LABELS", "--predict", "--predict-grid-mm", "0.1")]
    [InlineData("text or json", "LABELS", "--predict", "--format", "html")]
    public void Bad_prediction_requests_exit_2_naming_the_option(string message, params string[] extra)
    {
        var args = new List<string> { "assess", Imaging("phantom-case.json") };
        foreach (var a in extra)
        {
            if (a == "LABELS")
            {
                args.AddRange(["--labels", Imaging("labels.nii.gz"), "--label-table", Imaging("label-table.json")]);
            }
            else
            {
                args.Add(a);
            }
        }

        var (code, output, err) = Run([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.Equal("", output);
    }
}
