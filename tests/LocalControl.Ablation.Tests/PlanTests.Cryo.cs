using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Planning;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Tests;

/// <summary>
/// Cryo clusters in the planner: 2–4 parallel cryoprobes 2 cm apart at the setting's layout, each on its own path
/// (re-checked here by the point sampler), the search zone the cryo model's own lethal zone in homogeneous liver
/// (checked against a CryoPredictor run on an all-liver map), the confirmation the patient's CryoPredictor run with the
/// vessels (checked by rerunning it here), the same plan for the same seed, and a cluster refused by --max-probes 1
/// reported as infeasible. The cryo grid is 2 mm here for speed: the invariances hold on any grid (the 1 mm default is
/// the calibrated one, docs/ablation.md).
/// </summary>
public partial class PlanTests
{
    private static AblationDevice Cryo => DeviceCatalogue.Default.Find("cryo-2.4mm")!;

    private static PlanResult PlanCryo(PlanPhantom phantom, double marginMm, int maxProbes, bool confirm = true, int seed = 0) =>
        ProbePlanner.Plan(new PlanRequest
        {
            Labels = phantom.Map,
            MarginMm = marginMm,
            MaxProbes = maxProbes,
            Confirm = confirm,
            Seed = seed,
            Devices = [Cryo],
            CryoGridMm = 2,
        });

    /// <summary>Probe positions across the shaft of each setting, 2 cm sides, from the source's description (PMC2762356: probes 2 cm apart).</summary>
    private static double[] ExpectedPairDistancesMm(int probes) => probes switch
    {
        1 => [],
        2 => [20],
        3 => [20, 20, 20],
        4 => [20, 20, 20, 20, 20 * Math.Sqrt(2), 20 * Math.Sqrt(2)],
        _ => throw new ArgumentOutOfRangeException(nameof(probes)),
    };

    private static void AssertCluster(PlanPhantom phantom, IReadOnlyList<PlannedProbe> cluster)
    {
        var setting = Cryo.FindSetting(cluster[0].Setting)!;
        Assert.Equal(setting.ProbeCount, cluster.Count);
        Assert.All(cluster, p => Assert.Equal(cluster[0].Setting, p.Setting));
        var u = Unit(cluster[0].TipLps - cluster[0].EntryLps);
        var distances = new List<double>();
        for (var a = 0; a < cluster.Count; a++)
        {
            AssertSafe(phantom, cluster[a]);
            Assert.True(Unit(cluster[a].TipLps - cluster[a].EntryLps).Dot(u) > 1 - 1e-9, "the cryoprobes are not parallel");
            for (var b = a + 1; b < cluster.Count; b++)
            {
                var d = cluster[b].TipLps - cluster[a].TipLps;
                Assert.Equal(0, d.Dot(u), 6); // tips level
                distances.Add(d.Length);
            }
        }

        distances.Sort();
        var expected = ExpectedPairDistancesMm(cluster.Count);
        Assert.Equal(expected.Length, distances.Count);
        for (var n = 0; n < expected.Length; n++)
        {
            Assert.Equal(expected[n], distances[n], 6);
        }
    }

    [Fact]
    public void A_cryo_cluster_covers_a_tumour_that_a_single_cryoprobe_cannot_and_every_shaft_is_safe()
    {
        // 12 mm tumour + 2 mm margin: wider than one cryoprobe's lethal core, well inside a 3- or 4-probe cluster's. A rib
        // slab in the anterior wall and a gallbladder beside the tumour give the shafts something to avoid.
        var phantom = new PlanPhantom().TumourAt(Target, 6)
            .Paint(PlanPhantom.Bone, p => p.Y is > -64 and < -57 && p.X < -30 && Math.Abs(p.Z) < 50)
            .Paint(PlanPhantom.Gallbladder, p => (p - new Vector3D(Target.X, Target.Y - 22, Target.Z)).Length <= 6);
        var single = PlanCryo(phantom, marginMm: 2, maxProbes: 1);
        Assert.False(single.Feasible);
        var lone = Assert.Single(single.Probes);
        Assert.Equal("1-probe-15min", lone.Setting);

        var plan = PlanCryo(phantom, marginMm: 2, maxProbes: 4);
        Assert.True(plan.Feasible, plan.Reason);
        Assert.True(plan.Confirmed);
        Assert.Contains("Cryoablation", plan.ZoneModel!, StringComparison.Ordinal);
        Assert.True(plan.CoveragePercent > single.CoveragePercent + 5, $"{plan.CoveragePercent:0.0} vs {single.CoveragePercent:0.0} %");
        Assert.True(plan.Probes.Count is >= 2 and <= 4);
        Assert.All(plan.Probes, p => Assert.Equal("cryo-2.4mm", p.Device));
        Assert.All(plan.Probes, p => Assert.Null(p.ElectrodeGroup));
        Assert.Contains(plan.Probes.GroupBy(p => p.ClusterGroup), g => g.Count() >= 2);
        foreach (var cluster in plan.Probes.GroupBy(p => p.ClusterGroup))
        {
            Assert.NotNull(cluster.Key);
            AssertCluster(phantom, [.. cluster]);
        }

        Assert.Equal(plan.Probes.Count, plan.Probes.Count(p => p.ClusterGroup is not null));
        Assert.Equal(2, plan.ConfirmationGridMm);
    }

    [Fact]
    public void The_cryo_confirmation_is_the_patients_cryo_model_run_with_the_vessel_cluster_by_cluster()
    {
        // A 6 mm portal branch 4 mm from the tumour's edge: its warm blood shapes the confirmed zone.
        var phantom = new PlanPhantom().TumourAt(Target, 6).VesselAlongS(Target.X + 6 + 4 + 3, Target.Y, 6);
        var plan = PlanCryo(phantom, marginMm: 2, maxProbes: 4);
        Assert.True(plan.Confirmed, plan.Reason);
        Assert.NotEmpty(plan.Probes);

        // Independent: CryoPredictor on the same probes, one run per cluster, the block the planner documents (the
        // freezing segments, 30 mm back from each tip, plus 25 mm each side), the union on the label grid.
        var union = new byte[plan.Zone.Buffer.Length];
        foreach (var cluster in plan.Probes.GroupBy(p => p.ClusterGroup))
        {
            foreach (var p in cluster)
            {
                AssertSafe(phantom, p);
            }

            AssertCluster(phantom, [.. cluster]);
            var probes = cluster.Select(p => new ProbePose(p.TipLps, p.EntryLps)).ToList();
            var ends = probes.SelectMany(p => new[] { p.TipLps, p.TipLps - (p.Axis * 30) }).ToList();
            var extent = Math.Max(ends.Max(e => e.X) - ends.Min(e => e.X), Math.Max(ends.Max(e => e.Y) - ends.Min(e => e.Y), ends.Max(e => e.Z) - ends.Min(e => e.Z)));
            var zone = CryoPredictor.Predict(new ZoneRequest
            {
                Labels = phantom.Map,
                Probes = probes,
                Device = Cryo,
                Setting = Cryo.FindSetting(cluster.First().Setting)!,
                GridMm = 2,
                RoiMm = extent + 50,
                HeatSink = true,
            }).Zone;
            for (var n = 0; n < union.Length; n++)
            {
                union[n] |= zone.Buffer[n];
            }
        }

        Assert.Equal(union, plan.Zone.Buffer);
        Assert.Contains(union, v => v != 0);
    }

    [Fact]
    public void The_cryo_search_zone_is_the_cryo_models_lethal_zone_in_homogeneous_liver()
    {
        // An all-liver map, a 2-probe cluster along -S with the pair along L: CryoPredictor's zone (its own block and
        // resampling) against the planner's cached search zone looked up in the cluster's frame. The search zone puts the
        // probe axes half a voxel off the voxel centres across; a 98 mm block (50 voxels of 2 mm, centred on the
        // probes) does the same here. The label grid is a quarter voxel off both, so no lookup falls on a tie.
        var setting = Cryo.FindSetting("2-probes-15min")!;
        var g = ImageGeometry.AxisAligned(new VolumeSize(61, 61, 61), new Vector3D(2, 2, 2), new Vector3D(-59.5, -59.5, -59.5));
        var labels = new Volume<int>(g);
        Array.Fill(labels.Buffer, 1);
        var table = new LabelTable().Set(new LabelEntry(1, "liver", LabelRole.Liver));
        var u = new Vector3D(0, 0, -1);
        var probes = new[] { new Vector3D(-10, 0, 0), new Vector3D(10, 0, 0) }.Select(x => x + (u * 15)).Select(tip => new ProbePose(tip, tip - (u * 50))).ToList();
        var predicted = CryoPredictor.Predict(new ZoneRequest { Labels = new LabelMap(labels, table), Probes = probes, Device = Cryo, Setting = setting, GridMm = 2, RoiMm = 98 }).Zone;
        var search = CryoSearchZone.For(Cryo, setting, 2, CryoPredictor.DefaultLethalCelsius, ProbePlanner.CryoRoiMarginMm, null);
        int both = 0, onlyPredicted = 0, onlySearch = 0;
        var w = new Vector3D(1, 0, 0);
        var v = u.Cross(w);
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    var p = g.IndexToPointLps(i, j, k);
                    var inSearch = search.Contains((float)p.Dot(u), (float)p.Dot(w), (float)p.Dot(v));
                    var inPredicted = predicted[i, j, k] != 0;
                    both += inSearch && inPredicted ? 1 : 0;
                    onlyPredicted += inPredicted && !inSearch ? 1 : 0;
                    onlySearch += inSearch && !inPredicted ? 1 : 0;
                }
            }
        }

        Assert.True(both > 100, $"{both} voxels in both, {onlyPredicted} only CryoPredictor, {onlySearch} only the search zone ({search.VolumeMl} mL)");
        var dice = 2.0 * both / ((2 * both) + onlyPredicted + onlySearch);
        Assert.True(dice > 0.97, $"Dice {dice:0.000} ({both} both, {onlyPredicted} only CryoPredictor, {onlySearch} only the search zone)");
        Assert.Equal(both * 8 / 1000.0, search.VolumeMl, 0.05 * search.VolumeMl);
    }

    [Fact]
    public void With_microwave_and_cryo_allowed_one_microwave_puncture_wins_over_cryoprobes_for_a_small_tumour()
    {
        // A 10 mm tumour + 2 mm: one emprint probe covers it; cryo has no energy figure and ranks after it at equal gain.
        var phantom = new PlanPhantom().TumourAt(Target, 5);
        var plan = ProbePlanner.Plan(new PlanRequest
        {
            Labels = phantom.Map,
            MarginMm = 2,
            MaxProbes = 4,
            Confirm = false,
            Devices = [DeviceCatalogue.Default.Find("emprint")!, Cryo],
            CryoGridMm = 2,
        });
        var probe = Assert.Single(plan.Probes);
        Assert.Equal("emprint", probe.Device);
        Assert.Null(probe.ClusterGroup);
    }

    [Fact]
    public void The_same_seed_gives_the_same_cryo_plan()
    {
        var phantom = new PlanPhantom().TumourAt(Target, 6);
        var a = PlanCryo(phantom, marginMm: 2, maxProbes: 4, confirm: false, seed: 7);
        var b = PlanCryo(phantom, marginMm: 2, maxProbes: 4, confirm: false, seed: 7);
        Assert.NotEmpty(a.Probes);
        Assert.Equal(a.Probes.Select(p => (p.Setting, p.TipLps, p.EntryLps, p.ClusterGroup)), b.Probes.Select(p => (p.Setting, p.TipLps, p.EntryLps, p.ClusterGroup)));
        Assert.Equal(a.EllipsoidCoveragePercent, b.EllipsoidCoveragePercent);
    }

    [Fact]
    public void A_tumour_needing_a_cluster_with_one_cryoprobe_allowed_is_infeasible_with_the_reason()
    {
        var phantom = new PlanPhantom().TumourAt(Target, 8);
        var plan = PlanCryo(phantom, marginMm: 5, maxProbes: 1, confirm: false);
        Assert.False(plan.Feasible);
        Assert.Contains("size", plan.Reason!, StringComparison.Ordinal);
        Assert.Contains("at most 1 probe", plan.Reason!, StringComparison.Ordinal);
        Assert.True(plan.Probes.Count <= 1);
        Assert.All(plan.Probes, p => Assert.Equal("1-probe-15min", p.Setting));
    }
}
