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
    public static void Run()
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}; cores: {Environment.ProcessorCount}");
        var map = Torso();
        var request = new PlanRequest { Labels = map, MaxDegreeOfParallelism = 2, Devices = [DeviceCatalogue.Default.Find("emprint")!] };
        var sw = Stopwatch.StartNew();
        var plan = ProbePlanner.Plan(request, Console.WriteLine);
        var planSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(inv,
            $"plan: {plan.Probes.Count} probe(s), feasible {plan.Feasible}, coverage {plan.CoveragePercent:0.0} % (ellipsoids {plan.EllipsoidCoveragePercent:0.0} %), minimal margin {plan.MinimalMarginMm:0.0} mm, heat sink {plan.HeatSinkLimited}"));
        Console.WriteLine(string.Create(inv,
            $"plan on 2 threads: search {plan.SearchSeconds:0.00} s, confirmation {plan.ConfirmationSeconds:0.00} s ({plan.ConfirmationGridMm} mm grid), total {planSeconds:0.00} s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB"));
        Console.WriteLine($"reason: {plan.Reason}");

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
