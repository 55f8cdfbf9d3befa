using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Planning;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Tests;

/// <summary>
/// IRE electrode pairs in the planner: two parallel electrodes, spaced and level as the protocol says, each on its own
/// safe path; the search's zone is the catalogue's tri-axial ellipsoid (height along the shafts, width along the pair,
/// depth across both), checked against an independent rasterisation; the confirmation runs the field model on both
/// electrodes; a thermal probe wins when one puncture does what a pair does with two.
/// </summary>
public partial class PlanTests
{
    private static AblationDevice NanoKnife => DeviceCatalogue.Default.Find("nanoknife-2")!;

    [Fact]
    public void A_small_tumour_gets_an_electrode_pair_parallel_level_and_spaced_as_the_protocol()
    {
        var phantom = new PlanPhantom().TumourAt(Target, 5);
        var plan = Plan(phantom, marginMm: 2, maxProbes: 2, confirm: false, devices: [NanoKnife]);
        Assert.Equal(2, plan.Probes.Count);
        var (a, b) = (plan.Probes[0], plan.Probes[1]);
        Assert.All(plan.Probes, p => Assert.Equal(("nanoknife-2", "15mm-2250v", 1), (p.Device, p.Setting, p.ElectrodeGroup!.Value)));
        foreach (var p in plan.Probes)
        {
            AssertSafe(phantom, p);
        }

        var ua = Unit(a.TipLps - a.EntryLps);
        var ub = Unit(b.TipLps - b.EntryLps);
        Assert.True(ua.Dot(ub) > 1 - 1e-9, "the electrodes are not parallel");
        var across = b.TipLps - a.TipLps;
        Assert.Equal(15, across.Length, 6);         // the protocol's spacing
        Assert.Equal(0, across.Dot(ua), 6);          // tips level: the pair lies across the shafts

        // Independent rasterisation of the catalogue zone (30 mm along the shafts, 30 along the pair, 17 across
        // both, centred half the 20 mm exposure back from the tips) over the plan's goal voxels.
        var w = Unit(across);
        var v = ua.Cross(w);
        var centre = ((a.TipLps + b.TipLps) * 0.5) - (ua * 10);
        var g = phantom.Geometry;
        int total = 0, inside = 0;
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    if (plan.Goal[i, j, k] == 0)
                    {
                        continue;
                    }

                    total++;
                    var d = g.IndexToPointLps(i, j, k) - centre;
                    double s = d.Dot(ua) / 15, t = d.Dot(w) / 15, r = d.Dot(v) / 8.5;
                    if ((s * s) + (t * t) + (r * r) <= 1)
                    {
                        inside++;
                    }
                }
            }
        }

        Assert.True(total > 100);
        Assert.Equal(100.0 * inside / total, plan.EllipsoidCoveragePercent, 100.0 / total + 1e-9); // within one voxel (float vs double on the boundary)
        Assert.True(plan.EllipsoidCoveragePercent > 99, $"a 10 mm tumour + 2 mm fits the 30 x 17 x 30 mm zone: {plan.EllipsoidCoveragePercent:0.0} %");
        Assert.False(plan.HeatSinkLimited);
    }

    [Fact]
    public void The_confirmation_runs_the_field_model_on_both_electrodes_of_each_pair()
    {
        var phantom = new PlanPhantom().TumourAt(Target, 5);
        var plan = Plan(phantom, marginMm: 2, maxProbes: 4, confirm: true, devices: [NanoKnife]);
        Assert.True(plan.Confirmed, plan.Reason);
        Assert.Contains("V/cm", plan.ZoneModel!, StringComparison.Ordinal);
        Assert.True(plan.Probes.Count is 2 or 4);
        Assert.Equal(plan.Probes.Count / 2, plan.Probes.Select(p => p.ElectrodeGroup).Distinct().Count());

        // The zone is the union of the field model's zones of the pairs, each run on its own (as simulate would).
        var union = new byte[plan.Zone.Buffer.Length];
        foreach (var pair in plan.Probes.GroupBy(p => p.ElectrodeGroup))
        {
            var zone = ZonePredictor.Predict(new ZoneRequest
            {
                Labels = phantom.Map,
                Probes = [.. pair.Select(p => new ProbePose(p.TipLps, p.EntryLps))],
                Device = NanoKnife,
                Setting = NanoKnife.Settings.Single(s => s.Id == pair.First().Setting),
                GridMm = 2,
                HeatSink = true,
            }).Zone;
            for (var n = 0; n < union.Length; n++)
            {
                union[n] |= zone.Buffer[n];
            }
        }

        Assert.Equal(union, plan.Zone.Buffer);
        Assert.False(plan.HeatSinkLimited); // IRE is not thermal
        if (!plan.Feasible)
        {
            Assert.Contains("fall short", plan.Reason!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void One_thermal_puncture_is_preferred_to_a_pair_that_does_the_same()
    {
        var phantom = new PlanPhantom().TumourAt(Target, 5);
        var plan = Plan(phantom, marginMm: 2, maxProbes: 3, confirm: false, devices: [DeviceCatalogue.Default.Find("emprint")!, NanoKnife]);
        var probe = Assert.Single(plan.Probes);
        Assert.Equal("emprint", probe.Device);
        Assert.Null(probe.ElectrodeGroup);
    }

    [Fact]
    public void An_ire_pair_needs_two_probes_allowed()
    {
        var phantom = new PlanPhantom().TumourAt(Target, 5);
        var one = Assert.Throws<AblationInputException>(() => Plan(phantom, maxProbes: 1, confirm: false, devices: [NanoKnife]));
        Assert.Contains("--max-probes 1", one.Message, StringComparison.Ordinal);
        Assert.Contains("2 electrodes", one.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_catalogue_takes_a_depth_for_ire_pairs_only()
    {
        Assert.Equal(17, NanoKnife.Settings.Single(s => s.Id == "15mm-2250v").ExpectedZone.DepthMm);
        var json = System.Text.Encoding.UTF8.GetString(typeof(DeviceCatalogue).Assembly.GetManifestResourceStream(
            typeof(DeviceCatalogue).Assembly.GetManifestResourceNames().Single(n => n.EndsWith("devices.json", StringComparison.Ordinal)))!.ReadAllBytes());
        var bad = json.Replace("\"lengthMm\": 30.1, \"diameterMm\": 26.2,", "\"lengthMm\": 30.1, \"diameterMm\": 26.2, \"depthMm\": 5,", StringComparison.Ordinal);
        Assert.NotEqual(json, bad);
        var e = Assert.Throws<InvalidDataException>(() => DeviceCatalogue.Parse(bad));
        Assert.Contains("depthMm is for IRE electrode pairs only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tumour_one_pair_cannot_cover_gets_an_electrode_array_fired_across_pairs()
    {
        // 18 mm tumour + 2 mm margin: deeper than one pair's 17 mm zone across both electrodes.
        var phantom = new PlanPhantom().TumourAt(Target, 9);
        var plan = Plan(phantom, marginMm: 2, maxProbes: 4, confirm: false, devices: [NanoKnife]);
        var groups = plan.Probes.GroupBy(p => p.ElectrodeGroup).ToList();
        Assert.Contains(groups, g => g.Count() > 2);
        var inside = new HashSet<(int, int, int)>();
        foreach (var group in groups)
        {
            var e = group.ToList();
            var u = Unit(e[0].TipLps - e[0].EntryLps);
            var distances = new List<double>();
            foreach (var p in e)
            {
                AssertSafe(phantom, p);
                Assert.True(Unit(p.TipLps - p.EntryLps).Dot(u) > 1 - 1e-9, "the electrodes are not parallel");
            }

            for (var a = 0; a < e.Count; a++)
            {
                for (var b = a + 1; b < e.Count; b++)
                {
                    Assert.Equal(0, (e[b].TipLps - e[a].TipLps).Dot(u), 6);
                    distances.Add((e[b].TipLps - e[a].TipLps).Length);
                }
            }

            distances.Sort();
            double[] expected = e.Count switch
            {
                2 => [15],
                3 => [15, 15, 15],
                4 => [15, 15, 15, 15, 15 * Math.Sqrt(2), 15 * Math.Sqrt(2)],
                _ => throw new InvalidOperationException($"{e.Count} electrodes in a group"),
            };
            Assert.Equal(expected.Length, distances.Count);
            for (var n = 0; n < expected.Length; n++)
            {
                Assert.Equal(expected[n], distances[n], 6);
            }

            // Independent rasterisation of the search zone: the catalogue's pair ellipsoid (30 along the shafts, 30 along
            // the pair, 17 across both, centred 10 mm back from the tips) on every electrode pair 15 mm apart.
            var g = phantom.Geometry;
            for (var a = 0; a < e.Count; a++)
            {
                for (var b = a + 1; b < e.Count; b++)
                {
                    var across = e[b].TipLps - e[a].TipLps;
                    if (Math.Abs(across.Length - 15) > 1e-6)
                    {
                        continue;
                    }

                    var w = Unit(across);
                    var v = u.Cross(w);
                    var centre = ((e[a].TipLps + e[b].TipLps) * 0.5) - (u * 10);
                    for (var k = 0; k < g.Size.K; k++)
                    {
                        for (var j = 0; j < g.Size.J; j++)
                        {
                            for (var i = 0; i < g.Size.I; i++)
                            {
                                var d = g.IndexToPointLps(i, j, k) - centre;
                                double s = d.Dot(u) / 15, t = d.Dot(w) / 15, r = d.Dot(v) / 8.5;
                                if (plan.Goal[i, j, k] != 0 && (s * s) + (t * t) + (r * r) <= 1)
                                {
                                    inside.Add((i, j, k));
                                }
                            }
                        }
                    }
                }
            }
        }

        var total = plan.Goal.Buffer.Count(x => x != 0);
        Assert.Equal(100.0 * inside.Count / total, plan.EllipsoidCoveragePercent, (100.0 * groups.Count / total) + 1e-9); // within a voxel per group (float vs double on the boundary)
    }

    private static Vector3D Unit(Vector3D v) => v * (1 / v.Length);
}

internal static class StreamBytes
{
    public static byte[] ReadAllBytes(this Stream s)
    {
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }
}
