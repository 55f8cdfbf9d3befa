using System.Diagnostics;
using System.Globalization;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Bench;

/// <summary>
/// Cryoablation: (1) the calibration of each setting's probe temperature on the source's phantom (agar gel at 39 °C,
/// no perfusion), by bisection on the lethal diameter; (2) the speed case: a 15-min 2-probe freeze (probes 20 mm apart)
/// on a 1 mm grid, a 100 mm block of perfused liver with a 6 mm portal branch parallel to them, its wall 3 mm beyond
/// probe 2, with the
/// heat-sink run and its no-vessel reference (the whole prediction, as <c>simulate</c> runs it).
/// </summary>
internal static class CryoBench
{
    public static void Calibrate(string? only)
    {
        var device = DeviceCatalogue.Default.Devices.First(d => d.Modality == AblationModality.Cryoablation);
        foreach (var setting in device.Settings)
        {
            if (only is not null && !$"{device.Id}/{setting.Id}".Contains(only, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var m = setting.Cryo!;
            var target = setting.ExpectedZone.DiameterMm;

            // Argon boils at -186 C at 1 atm: no probe surface is colder. The lethal diameter grows as the probe cools;
            // six halvings (2.3 C) move the diameter by well under a voxel.
            double warm = -40, cold = -186;
            for (var it = 0; it < 6; it++)
            {
                var mid = Math.Round((warm + cold) / 2, 1);
                var (lethal, ice, _) = CryoPhantom.Simulate(device, setting, 1.0, m with { ProbeCelsius = mid });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{device.Id}/{setting.Id} it{it}: probe {mid:0.0} C -> lethal ({m.IsothermCelsius} C) D={lethal.DiameterMm:0.0}/{lethal.SecondDiameterMm:0.0} L={lethal.LengthMm:0.0}, ice (0 C) D={ice.DiameterMm:0.0} (target D={target})"));
                if (lethal.DiameterMm > target)
                {
                    cold = mid;
                }
                else
                {
                    warm = mid;
                }
            }

            var best = Math.Round((warm + cold) / 2, 1);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {device.Id}/{setting.Id}: \"probeCelsius\": {best:0.0}"));
        }
    }

    public static void Run()
    {
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}; cores: {Environment.ProcessorCount}");
        var device = DeviceCatalogue.Default.Find("cryo-2.4mm")!;
        var setting = device.FindSetting("2-probes-15min")!;
        var map = Phantom();
        ProbePose P(double x) => new(new Vector3D(x, 0, -15), new Vector3D(x, 0, 60));
        var request = new ZoneRequest { Labels = map, Probes = [P(-10), P(10)], Device = device, Setting = setting, RoiMm = 100 };
        var times = new List<double>();
        ZonePrediction? p = null;
        for (var r = 0; r < 2; r++)
        {
            var sw = Stopwatch.StartNew();
            p = ZonePredictor.Predict(request);
            times.Add(sw.Elapsed.TotalSeconds);
        }

        var o = p!.Cryo!;
        var runs = p.Vessels.Count > 0 ? 2 : 1;
        var updates = o.VoxelUpdates * runs;
        var full = o.FullBlockVoxelUpdates * runs;
        var v = p.Vessels.FirstOrDefault();
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        Console.WriteLine(
            $"cryo 2 probes 15 min: block {p.Roi.Nx}^3 = {p.Roi.VoxelCount / 1e6:0.00} M voxels, dt {o.TimeStepSeconds:0.000} s, {o.SimulatedSeconds / o.TimeStepSeconds:0} steps x {runs} runs, wall {times.Min():0.00}/{times.Max():0.00} s (min/max of {times.Count}), "
            + $"swept {updates / 1e9:0.00} G voxel-updates of {full / 1e9:0.00} G for the whole block every step, {updates / times.Min() / 1e9:0.00} G voxel-updates/s, lethal (-40 C) {p.ZoneVolumeMl:0.0} mL {p.Shape.LengthMm:0.0} x {p.Shape.DiameterMm:0.0} x {p.Shape.SecondDiameterMm:0.0} mm, "
            + $"ice (0 C) {p.IceBall!.VolumeMl:0.0} mL {p.IceBall.LengthMm:0.0} x {p.IceBall.DiameterMm:0.0} x {p.IceBall.SecondDiameterMm:0.0} mm"
            + (v is null ? "" : $", vessel calibre {v.CalibreMm:0.0} mm at {v.DistanceMm:0.0} mm, shrink {v.ShrinkMm:0.0} mm")
            + $", peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB");
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");

        // The swept box against a sweep of the whole block, same problem (the 2-probe phantom at 1 mm).
        var setup = CryoPhantom.Setup(device, setting, 1.0);
        var clock = Stopwatch.StartNew();
        var narrow = CryoSimulation.Run(setup);
        var tNarrow = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var whole = CryoSimulation.Run(setup with { NarrowUpdate = false });
        var tWhole = clock.Elapsed.TotalSeconds;
        var maxDiff = 0f;
        var lethalDiffer = 0;
        for (var n = 0; n < whole.MinTemperature.Length; n++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(whole.MinTemperature[n] - narrow.MinTemperature[n]));
            lethalDiffer += (whole.MinTemperature[n] <= -30) != (narrow.MinTemperature[n] <= -30) ? 1 : 0;
        }

        Console.WriteLine($"phantom 2 probes ({setup.Roi.Nx}x{setup.Roi.Ny}x{setup.Roi.Nz}): swept box {tNarrow:0.00} s ({narrow.VoxelUpdates / 1e9:0.00} G updates, {narrow.VoxelUpdates / tNarrow / 1e9:0.00} G/s), whole block {tWhole:0.00} s ({whole.VoxelUpdates / 1e9:0.00} G, {whole.VoxelUpdates / tWhole / 1e9:0.00} G/s); max |dTmin| {maxDiff:0.000000} K, -30 C voxels differing {lethalDiffer}");
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>The speed case's geometry without the heat sink (one run) on 2, 1 and 0.5 mm grids: how the lethal zone converges.</summary>
    public static void Grids()
    {
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        var device = DeviceCatalogue.Default.Find("cryo-2.4mm")!;
        var setting = device.FindSetting("2-probes-15min")!;
        var map = Phantom();
        ProbePose P(double x) => new(new Vector3D(x, 0, -15), new Vector3D(x, 0, 60));
        foreach (var h in new[] { 2.0, 1.0, 0.5 })
        {
            var sw = Stopwatch.StartNew();
            var p = ZonePredictor.Predict(new ZoneRequest { Labels = map, Probes = [P(-10), P(10)], Device = device, Setting = setting, RoiMm = 100, GridMm = h, HeatSink = false });
            Console.WriteLine(FormattableString.Invariant(
                $"grid {h} mm: lethal (-40 C) {p.ZoneVolumeMl:0.00} mL {p.Shape.LengthMm:0.0} x {p.Shape.DiameterMm:0.0} x {p.Shape.SecondDiameterMm:0.0} mm, ice {p.IceBall!.VolumeMl:0.0} mL {p.IceBall.DiameterMm:0.0} x {p.IceBall.SecondDiameterMm:0.0} mm, {sw.Elapsed.TotalSeconds:0.0} s"));
        }

        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>
    /// How much the lethal zone of each cluster in homogeneous perfused liver (the planner's search zone) depends on where
    /// the probe axes fall on the 1 mm grid: on voxel centres, half a voxel off across, and a quarter off.
    /// </summary>
    public static void Alignment()
    {
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        var device = DeviceCatalogue.Default.Find("cryo-2.4mm")!;
        foreach (var setting in device.Settings)
        {
            var line = new System.Text.StringBuilder($"{setting.Id}:");
            foreach (var (name, shift) in new[] { ("on centres", 0.0), ("quarter off", 0.25), ("half off", 0.5) })
            {
                var z = LocalControl.Ablation.Planning.CryoSearchZone.Simulate(device, setting, 1.0, -40, LocalControl.Ablation.Planning.ProbePlanner.CryoRoiMarginMm, null, default, new Vector3D(shift, shift, 0.5));
                line.Append(CultureInfo.InvariantCulture, $" {name} {z.VolumeMl:0.00} mL;");
            }

            Console.WriteLine(line);
        }

        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static LabelMap Phantom()
    {
        const int Size = 120;
        var g = ImageGeometry.AxisAligned(new VolumeSize(Size, Size, Size), new Vector3D(1, 1, 1), new Vector3D(-60, -60, -60));
        var labels = new Volume<int>(g);
        for (var k = 0; k < Size; k++)
        {
            for (var j = 0; j < Size; j++)
            {
                for (var i = 0; i < Size; i++)
                {
                    var q = g.IndexToPointLps(i, j, k);
                    labels[i, j, k] = ((q.X - 16) * (q.X - 16)) + (q.Y * q.Y) <= 9 ? 3 : 1;
                }
            }
        }

        return new LabelMap(labels, new LabelTable().Set(new LabelEntry(1, "liver", LabelRole.Liver)).Set(new LabelEntry(3, "portal vein", LabelRole.PortalVein)));
    }
}
