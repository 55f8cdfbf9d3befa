using System.Diagnostics;
using System.Globalization;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Planning;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Bench;

/// <summary>
/// The planning benchmark of issue 12: a 30 mm tumour with a 5 mm portal branch 2 mm from it, in a torso on a 1 mm grid
/// (201 x 161 x 121 voxels), a rib slab in front; the plan on 2 threads, search and confirmation apart, and, as the
/// peer in the same run, one probe of the chosen setting simulated on the 1 mm grid (the fine run the coarse
/// confirmation stands in for).
/// </summary>
internal static class PlanBench
{
    /// <summary>
    /// The cryo search zones (the cluster's lethal zone in homogeneous perfused liver, <see cref="CryoSearchZone"/>) of
    /// every cryo setting, with the planner's block margin and with CryoPredictor's default 35 mm, and how many voxels
    /// of the larger block's zone the smaller one misses or adds.
    /// </summary>
    public static void CryoSearchZones(double gridMm, double? marginMm = null, string? only = null)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}; cores: {Environment.ProcessorCount}");
        var device = DeviceCatalogue.Default.Find("cryo-2.4mm")!;
        var margin = marginMm ?? ProbePlanner.CryoRoiMarginMm;
        foreach (var setting in device.Settings.Where(s => only is null || s.Id.Contains(only, StringComparison.Ordinal)))
        {
            var sw = Stopwatch.StartNew();
            var small = CryoSearchZone.Simulate(device, setting, gridMm, CryoPredictor.DefaultLethalCelsius, margin, 2);
            var smallSeconds = sw.Elapsed.TotalSeconds;
            sw.Restart();
            var large = CryoSearchZone.Simulate(device, setting, gridMm, CryoPredictor.DefaultLethalCelsius, CryoPredictor.RoiMarginMm, 2);
            var largeSeconds = sw.Elapsed.TotalSeconds;
            var centred = CryoSearchZone.Simulate(device, setting, gridMm, CryoPredictor.DefaultLethalCelsius, margin, 2, default, Vector3D.Zero);
            var oneWay = CryoSearchZone.Simulate(device, setting, gridMm, CryoPredictor.DefaultLethalCelsius, margin, 2, default, new Vector3D(gridMm / 2, 0, 0));
            Console.WriteLine(string.Create(inv, $"{setting.Id}: probe axes on voxel centres: {centred.VolumeMl:0.000} mL, reach {centred.HalfLengthMm:0.0} / {centred.ReachAcrossMm:0.0}; half a voxel off one way: {oneWay.VolumeMl:0.000} mL, {oneWay.HalfLengthMm:0.0} / {oneWay.ReachAcrossMm:0.0} (the search zone: half a voxel off both ways)"));
            int missed = 0, extra = 0;
            var reach = (int)Math.Ceiling(Math.Max(large.HalfLengthMm, large.ReachAcrossMm) / gridMm) + 2;
            for (var a = -reach; a <= reach; a++)
            {
                for (var b = -reach; b <= reach; b++)
                {
                    for (var c = -reach; c <= reach; c++)
                    {
                        float s = (float)(a * gridMm), w = (float)(b * gridMm), v = (float)(c * gridMm);
                        bool x = small.Contains(s, w, v), y = large.Contains(s, w, v);
                        missed += y && !x ? 1 : 0;
                        extra += x && !y ? 1 : 0;
                    }
                }
            }

            Console.WriteLine(string.Create(inv,
                $"{setting.Id}: margin {margin} mm: {small.VolumeMl:0.000} mL, reach {small.HalfLengthMm:0.0} along / {small.ReachAcrossMm:0.0} across, {smallSeconds:0.00} s; margin {CryoPredictor.RoiMarginMm} mm: {large.VolumeMl:0.000} mL, {large.HalfLengthMm:0.0} / {large.ReachAcrossMm:0.0}, {largeSeconds:0.00} s; voxels missed {missed}, extra {extra} ({gridMm} mm grid, 2 threads)"));
        }

        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    public static void Run(string deviceId)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}; cores: {Environment.ProcessorCount}; device {deviceId}");
        var map = Torso();
        var request = new PlanRequest { Labels = map, MaxDegreeOfParallelism = 2, Devices = [DeviceCatalogue.Default.Find(deviceId)!], MaxProbes = deviceId == "emprint" ? 3 : 4 };
        var sw = Stopwatch.StartNew();
        var plan = ProbePlanner.Plan(request, Console.WriteLine);
        var planSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(inv,
            $"plan: {plan.Probes.Count} probe(s), feasible {plan.Feasible}, coverage {plan.CoveragePercent:0.0} % (ellipsoids {plan.EllipsoidCoveragePercent:0.0} %), minimal margin {plan.MinimalMarginMm:0.0} mm, heat sink {plan.HeatSinkLimited}"));
        Console.WriteLine(string.Create(inv,
            $"plan on 2 threads: search {plan.SearchSeconds:0.00} s, confirmation {plan.ConfirmationSeconds:0.00} s ({plan.ConfirmationGridMm} mm grid), total {planSeconds:0.00} s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB"));
        Console.WriteLine($"reason: {plan.Reason}");

        foreach (var q in plan.Probes)
        {
            Console.WriteLine(string.Create(inv, $"  {q.Device}/{q.Setting} tip ({q.TipLps.X:0.0}, {q.TipLps.Y:0.0}, {q.TipLps.Z:0.0}) depth {q.DepthMm:0} mm group {q.ClusterGroup ?? q.ElectrodeGroup}{(q.AddedOnConfirmation ? " added" : "")}"));
        }

        if (plan.Probes.Count > 0 && plan.Probes[0].ClusterGroup is not null)
        {
            // The same plan again in this process: the cryo search zones are cached (simulated once per setting and grid).
            sw.Restart();
            var again = ProbePlanner.Plan(request);
            Console.WriteLine(string.Create(inv,
                $"again (search zones cached): search {again.SearchSeconds:0.00} s, confirmation {again.ConfirmationSeconds:0.00} s, total {sw.Elapsed.TotalSeconds:0.00} s; same probes {again.Probes.Select(q => q.TipLps).SequenceEqual(plan.Probes.Select(q => q.TipLps))}"));
        }

        if (plan.Probes.Count == 0 || plan.Probes[0].ClusterGroup is not null || plan.Probes[0].ElectrodeGroup is not null)
        {
            Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
            return;
        }

        var first = plan.Probes[0];
        var device = DeviceCatalogue.Default.Find(first.Device)!;
        sw.Restart();
        var fine = ZonePredictor.Predict(new ZoneRequest
        {
            Labels = map,
            Probes = [new ProbePose(first.TipLps, first.EntryLps)],
            Device = device,
            Setting = device.FindSetting(first.Setting)!,
            GridMm = 1,
            MaxDegreeOfParallelism = 2,
        });
        var fineSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(inv,
            $"peer: one probe of {first.Setting} on the 1 mm grid, 2 threads: {fineSeconds:0.00} s; plan / peer = {planSeconds / fineSeconds:0.00}"));
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        _ = fine;
    }

    private static LabelMap Torso()
    {
        var g = ImageGeometry.AxisAligned(new VolumeSize(201, 161, 121), new Vector3D(1, 1, 1), new Vector3D(-100, -80, -60));
        var v = new Volume<int>(g);
        var t = new Vector3D(-20, -10, 0);
        var vx = t.X + 15 + 2 + 2.5;
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    var p = g.IndexToPointLps(i, j, k);
                    var label = 0;
                    if (((p.X / 85) * (p.X / 85)) + ((p.Y / 65) * (p.Y / 65)) <= 1)
                    {
                        label = p.Y is > -64 and < -57 && p.X < -30 && Math.Abs(p.Z) < 50 ? 6 : 4;
                    }

                    var d = p - new Vector3D(-20, 0, 0);
                    if (((d.X / 55) * (d.X / 55)) + ((d.Y / 45) * (d.Y / 45)) + ((d.Z / 45) * (d.Z / 45)) <= 1)
                    {
                        label = 1;
                    }

                    if ((p - t).Length <= 15)
                    {
                        label = 2;
                    }

                    if (((p.X - vx) * (p.X - vx)) + ((p.Y - t.Y) * (p.Y - t.Y)) <= 2.5 * 2.5 && Math.Abs(p.Z) < 40)
                    {
                        label = 3;
                    }

                    v[i, j, k] = label;
                }
            }
        }

        var table = new LabelTable()
            .Set(new LabelEntry(1, "liver", LabelRole.Liver))
            .Set(new LabelEntry(2, "tumour", LabelRole.Tumour))
            .Set(new LabelEntry(3, "portal vein", LabelRole.PortalVein))
            .Set(new LabelEntry(4, "body", LabelRole.Body))
            .Set(new LabelEntry(6, "rib", LabelRole.Bone));
        return new LabelMap(v, table);
    }
}
