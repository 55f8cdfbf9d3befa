using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Planning;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Tests;

/// <summary>
/// The probe planner on hand-made torsos (2 mm grid): one probe for a small tumour, several for a 40 mm one, no safe
/// path behind bowel, the heat sink of a large vessel found by the simulator, every trajectory re-checked by an
/// independent point sampler, and the same plan for the same seed.
/// </summary>
public partial class PlanTests
{
    private static readonly Vector3D Target = new(-20, -10, 0);

    private static readonly HashSet<int> ForbiddenLabels = [PlanPhantom.Bone, PlanPhantom.Bowel, PlanPhantom.Gallbladder];

    private static PlanResult Plan(PlanPhantom phantom, double marginMm = 5, int maxProbes = 3, bool confirm = true, int seed = 0, IReadOnlyList<AblationDevice>? devices = null) =>
        ProbePlanner.Plan(new PlanRequest
        {
            Labels = phantom.Map,
            MarginMm = marginMm,
            MaxProbes = maxProbes,
            Confirm = confirm,
            Seed = seed,
            Devices = devices ?? [DeviceCatalogue.Default.Find("emprint")!],
        });

    /// <summary>
    /// Independent check of a trajectory: points every 1/20 voxel from entry to tip, each looked up in its nearest
    /// voxel, must never fall on a forbidden structure, a vessel of the phantom (all are above the calibre limit) or
    /// outside the body; the point half a voxel beyond the entry must be outside (the needle enters at the skin).
    /// </summary>
    private static void AssertSafe(PlanPhantom phantom, PlannedProbe probe, bool vesselsForbidden = true)
    {
        var g = phantom.Geometry;
        var h = g.SpacingMm.X;
        var d = probe.TipLps - probe.EntryLps;
        var length = d.Length;
        Assert.Equal(length, probe.DepthMm, 6);
        var u = d * (1 / length);
        for (var t = 0.05; t <= length; t += h / 20)
        {
            var label = LabelAt(phantom, probe.EntryLps + u * t);
            Assert.False(label == 0, $"the path leaves the body {t:0.0} mm from the entry");
            Assert.False(ForbiddenLabels.Contains(label), $"the path crosses label {label} {t:0.0} mm from the entry");
            Assert.False(vesselsForbidden && label == PlanPhantom.Vessel, $"the path crosses the vessel {t:0.0} mm from the entry");
        }

        Assert.Equal(0, LabelAt(phantom, probe.EntryLps - u * (0.5 * h)));
        var tipLabel = LabelAt(phantom, probe.TipLps);
        Assert.True(tipLabel is PlanPhantom.Liver or PlanPhantom.Tumour, $"the tip lies in label {tipLabel}");
        Assert.True(Math.Abs(probe.CranioCaudalDeg) <= 40 + 1e-6);
    }

    private static int LabelAt(PlanPhantom phantom, Vector3D p)
    {
        var g = phantom.Geometry;
        var idx = g.PointLpsToIndex(p);
        int i = (int)Math.Round(idx.X), j = (int)Math.Round(idx.Y), k = (int)Math.Round(idx.Z);
        return i < 0 || j < 0 || k < 0 || i >= g.Size.I || j >= g.Size.J || k >= g.Size.K ? 0 : phantom.Labels[i, j, k];
    }

    [Fact]
    public void A_small_tumour_gets_one_probe_whose_simulated_zone_reaches_the_margin()
    {
        var phantom = new PlanPhantom().TumourAt(Target, 6);
        var plan = Plan(phantom);
        Assert.True(plan.Feasible, plan.Reason);
        Assert.True(plan.Confirmed);
        var probe = Assert.Single(plan.Probes);
        AssertSafe(phantom, probe);
        Assert.Equal("T1", plan.Target);
        Assert.Equal("liver", plan.Organ);

        // The zone the simulator predicts, on the input grid: every tumour voxel inside, and no living liver within
        // the goal minus a voxel of any tumour voxel (brute force over voxel pairs).
        var g = phantom.Geometry;
        var h = g.SpacingMm.X;
        var tumour = new List<Vector3D>();
        var alive = new List<Vector3D>();
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    var p = g.IndexToPointLps(i, j, k);
                    if ((p - Target).Length > 30)
                    {
                        continue;
                    }

                    var label = phantom.Labels[i, j, k];
                    var dead = plan.Zone[i, j, k] != 0;
                    if (label == PlanPhantom.Tumour)
                    {
                        Assert.True(dead, "a tumour voxel is left alive");
                        tumour.Add(p);
                    }
                    else if (label == PlanPhantom.Liver && !dead)
                    {
                        alive.Add(p);
                    }
                }
            }
        }

        var margin = tumour.Min(t => alive.Min(a => (a - t).Length));
        Assert.True(margin >= 5 - h, $"minimal margin {margin:0.0} mm");
        Assert.Equal(margin, plan.MinimalMarginMm!.Value, 3);
        Assert.True(plan.CoveragePercent >= 99);
    }

    [Fact]
    public void A_40_mm_tumour_needs_several_probes_and_each_path_is_safe()
    {
        var phantom = new PlanPhantom().TumourAt(Target, 20);
        var plan = Plan(phantom, maxProbes: 8, confirm: false);

        // The largest catalogue zone (39 mm across, 42 along) cannot hold a 50 mm sphere of tumour + margin.
        Assert.True(plan.Probes.Count >= 2, $"{plan.Probes.Count} probe(s)");
        Assert.True(plan.Feasible, plan.Reason);
        Assert.True(plan.EllipsoidCoveragePercent >= 99, $"{plan.EllipsoidCoveragePercent} %");
        Assert.True(plan.EllipsoidMinimalMarginMm >= 5 - phantom.Geometry.SpacingMm.X, $"{plan.EllipsoidMinimalMarginMm} mm");
        foreach (var p in plan.Probes)
        {
            AssertSafe(phantom, p);
        }

        for (var a = 0; a < plan.Probes.Count; a++)
        {
            for (var b = a + 1; b < plan.Probes.Count; b++)
            {
                Assert.True(ProbePlanner.SegmentDistance(plan.Probes[a].EntryLps, plan.Probes[a].TipLps, plan.Probes[b].EntryLps, plan.Probes[b].TipLps) >= 3 - 1e-9);
            }
        }
    }

    [Fact]
    public void A_target_behind_bowel_has_no_safe_straight_path_and_says_so()
    {
        // Bowel wraps the tumour: every straight line from the skin crosses it.
        var phantom = new PlanPhantom().TumourAt(Target, 6)
            .Paint(PlanPhantom.Bowel, p => (p - Target).Length is >= 22 and <= 28);
        var plan = Plan(phantom, confirm: false);
        Assert.False(plan.Feasible);
        Assert.Empty(plan.Probes);
        Assert.Contains("no safe path", plan.Reason, StringComparison.Ordinal);
        Assert.Contains("bowel", plan.Reason, StringComparison.Ordinal);
        Assert.Equal(0, plan.SafeTrajectories);
    }

    [Fact]
    public void Paths_go_round_bone_bowel_gallbladder_and_a_large_vessel_checked_voxel_by_voxel()
    {
        // Obstacles on the short anterior and lateral routes: a rib slab, bowel in front, the gallbladder, a 8 mm vessel.
        var phantom = new PlanPhantom().TumourAt(Target, 8)
            .Paint(PlanPhantom.Bone, p => p.Y is > -64 and < -56 && p.X < 0)
            .Paint(PlanPhantom.Bowel, p => (p - new Vector3D(-20, -45, 0)).Length < 12)
            .Paint(PlanPhantom.Gallbladder, p => (p - new Vector3D(-55, -20, 0)).Length < 10)
            .VesselAlongS(-20, 14, 8);
        var plan = Plan(phantom, confirm: false);
        Assert.NotEmpty(plan.Probes);
        foreach (var p in plan.Probes)
        {
            AssertSafe(phantom, p);
        }

        Assert.Contains(plan.Rejections.Keys, k => k.Contains("bone", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tumour_against_a_large_vessel_is_confirmed_by_the_simulator_and_the_plan_names_the_heat_sink()
    {
        // 10 mm vessel along S, its wall 1 mm from a 16 mm tumour; one probe allowed, so nothing can make up for it.
        var phantom = new PlanPhantom().TumourAt(Target, 8).VesselAlongS(Target.X + 14, Target.Y, 10);
        var plan = Plan(phantom, maxProbes: 1);
        Assert.True(plan.Confirmed);
        Assert.Single(plan.Probes);
        AssertSafe(phantom, plan.Probes[0], vesselsForbidden: true);
        Assert.True(plan.CoveragePercent < plan.EllipsoidCoveragePercent, $"simulated {plan.CoveragePercent} vs ellipsoid {plan.EllipsoidCoveragePercent}");
        Assert.True(plan.HeatSinkLimited, plan.Reason);
        Assert.False(plan.Feasible);
        Assert.Contains("vessel", plan.Reason, StringComparison.Ordinal);

        // A microwave plan limited by the heat sink says that this model overestimates the microwave heat sink.
        Assert.Equal([Zones.ModelCaveats.MicrowaveHeatSink], plan.Caveats);
    }

    [Fact]
    public void The_same_seed_gives_the_same_plan()
    {
        var phantom = new PlanPhantom().TumourAt(Target, 14);
        var a = Plan(phantom, maxProbes: 4, confirm: false, seed: 7);
        var b = Plan(phantom, maxProbes: 4, confirm: false, seed: 7);
        Assert.Equal(a.Probes.Count, b.Probes.Count);
        for (var n = 0; n < a.Probes.Count; n++)
        {
            Assert.Equal(a.Probes[n] with { PassesNear = [] }, b.Probes[n] with { PassesNear = [] });
            Assert.Equal(a.Probes[n].PassesNear, b.Probes[n].PassesNear);
        }

        Assert.Equal(a.Zone.Buffer, b.Zone.Buffer);
    }

    [Fact]
    public void The_walk_visits_every_voxel_a_dense_point_sampler_sees_on_random_segments()
    {
        // Random classes on an oblique grid; the DDA must stop no later than the first forbidden voxel the sampler meets.
        var rotation = 0.3;
        var direction = new Matrix3D(Math.Cos(rotation), -Math.Sin(rotation), 0, Math.Sin(rotation), Math.Cos(rotation), 0, 0, 0, 1);
        var g = new ImageGeometry(new VolumeSize(30, 25, 20), new Vector3D(1.5, 1.0, 2.0), new Vector3D(-20, -10, -15), direction);
        var random = new Random(3);
        var classes = new byte[g.Size.VoxelCount];
        for (var n = 0; n < classes.Length; n++)
        {
            classes[n] = random.NextDouble() < 0.03 ? (byte)1 : AccessMap.Passable;
        }

        for (var trial = 0; trial < 400; trial++)
        {
            var a = g.IndexToPointLps(new Vector3D(random.NextDouble() * 29, random.NextDouble() * 24, random.NextDouble() * 19));
            var b = g.IndexToPointLps(new Vector3D(random.NextDouble() * 29, random.NextDouble() * 24, random.NextDouble() * 19));
            var walk = TrajectoryWalk.Segment(classes, g, a, b);
            var length = (b - a).Length;
            double? firstHit = null;
            for (var t = 0.0; t <= length; t += 0.005)
            {
                var idx = g.PointLpsToIndex(a + (b - a) * (t / length));
                int i = (int)Math.Floor(idx.X + 0.5), j = (int)Math.Floor(idx.Y + 0.5), k = (int)Math.Floor(idx.Z + 0.5);
                if (classes[g.Size.LinearIndex(i, j, k)] != AccessMap.Passable)
                {
                    firstHit = t;
                    break;
                }
            }

            if (firstHit is null)
            {
                Assert.Equal(WalkEnd.Clear, walk.End);
            }
            else
            {
                Assert.Equal(WalkEnd.Blocked, walk.End);
                Assert.InRange(walk.DistanceMm, firstHit.Value - 0.01, firstHit.Value + 1e-9);
            }
        }
    }

    [Fact]
    public void Only_vessels_of_the_calibre_limit_or_more_block_and_all_of_their_voxels_do()
    {
        // 0.5 mm grid: a 2 mm vessel (crossable) and a 6 mm one (every voxel of it lies in a 3 mm ball inside it).
        var phantom = new PlanPhantom(spacingMm: 0.5, halfX: 20, halfY: 20, halfZ: 5)
            .Paint(PlanPhantom.Liver, _ => true)
            .VesselAlongS(-8, 0, 2)
            .VesselAlongS(8, 0, 6);
        var access = AccessMap.Build(phantom.Map, LabelRole.Liver, 3);
        var g = phantom.Geometry;
        int small = 0, large = 0;
        for (var n = 0; n < access.Classes.Length; n++)
        {
            if (phantom.Labels.Buffer[n] != PlanPhantom.Vessel)
            {
                Assert.Equal(AccessMap.Passable, access.Classes[n]);
                continue;
            }

            var p = g.IndexToPointLps(n % g.Size.I, n / g.Size.I % g.Size.J, n / (g.Size.I * g.Size.J));
            if (p.X < 0)
            {
                Assert.Equal(AccessMap.Passable, access.Classes[n]);
                small++;
            }
            else
            {
                Assert.StartsWith("vessel of 3 mm", access.NameOf(access.Classes[n]), StringComparison.Ordinal);
                large++;
            }
        }

        Assert.True(small > 0 && large > 0);
    }

    [Fact]
    public void Passes_near_gives_the_distance_from_the_shaft_to_the_nearest_structure_wall()
    {
        var phantom = new PlanPhantom().TumourAt(Target, 8)
            .Paint(PlanPhantom.Gallbladder, p => (p - new Vector3D(-45, -25, 0)).Length < 8)
            .VesselAlongS(-20, 14, 8);
        var plan = Plan(phantom, confirm: false);
        var g = phantom.Geometry;
        var h = g.SpacingMm.X;
        Assert.NotEmpty(plan.Probes);
        foreach (var probe in plan.Probes)
        {
            foreach (var (label, role) in new[] { (PlanPhantom.Gallbladder, "gallbladder"), (PlanPhantom.Vessel, "portal-vein") })
            {
                var best = double.MaxValue;
                var d = probe.TipLps - probe.EntryLps;
                for (var n = 0; n < phantom.Labels.Buffer.Length; n++)
                {
                    if (phantom.Labels.Buffer[n] != label)
                    {
                        continue;
                    }

                    var p = g.IndexToPointLps(n % g.Size.I, n / g.Size.I % g.Size.J, n / (g.Size.I * g.Size.J));
                    var t = Math.Clamp((p - probe.EntryLps).Dot(d) / d.Dot(d), 0, 1);
                    best = Math.Min(best, (p - (probe.EntryLps + d * t)).Length);
                }

                var wall = Math.Max(0, best - (h / 2));
                var listed = probe.PassesNear.FirstOrDefault(x => x.Structure == role);
                if (wall <= ProbePlanner.PassesNearReportMm)
                {
                    Assert.NotNull(listed);
                    Assert.Equal(wall, listed.DistanceMm, 6);
                }
                else
                {
                    Assert.Null(listed);
                }
            }
        }
    }

    public static TheoryData<string, string> BadRequests() => new()
    {
        { "margin", "--margin-mm" },
        { "target", "--target T4" },
        { "outside", "does not lie in the liver, lung or bone" },
        { "nobody", "no label has the role \"body\" or \"skin\"" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Bad_requests_are_refused_naming_the_field(string what, string message)
    {
        var phantom = new PlanPhantom(spacingMm: 3).TumourAt(Target, 6);
        var request = new PlanRequest { Labels = phantom.Map, Confirm = false };
        switch (what)
        {
            case "margin":
                request = request with { MarginMm = 21 };
                break;
            case "target":
                request = request with { TargetId = "T4" };
                break;
            case "outside":
                phantom.Paint(PlanPhantom.Tumour, p => (p - new Vector3D(60, 0, 0)).Length < 6);
                request = request with { TargetId = "T2" };
                break;
            case "nobody":
                var table = new LabelTable().Set(new LabelEntry(PlanPhantom.Liver, "liver", LabelRole.Liver)).Set(new LabelEntry(PlanPhantom.Tumour, "tumour", LabelRole.Tumour));
                request = request with { Labels = new LabelMap(phantom.Labels, table) };
                break;
        }

        var ex = Assert.Throws<AblationInputException>(() => ProbePlanner.Plan(request));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
