using System.Diagnostics;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Bench;

/// <summary>
/// IRE on a 1 mm grid: 2 electrodes (one pair) and 4 electrodes in a 15 mm square (6 pairs: 4 sides, 2 diagonals of
/// 21.2 mm), 15mm-2250v, in a 100 mm block of liver with a 6 mm portal branch 12 mm from the array's centre. Each
/// case runs twice (with the vessel's conductivity and with it as liver, for shrinkMm); times are of the whole
/// prediction, three repeats after one warm-up.
/// </summary>
internal static class IreBench
{
    public static void Run()
    {
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        var device = DeviceCatalogue.Default.Find("nanoknife-2")!;
        var setting = device.FindSetting("15mm-2250v")!;
        var map = Phantom();
        ProbePose P(double x, double y) => new(new Vector3D(x, y, -10), new Vector3D(x, y, 40));
        var cases = new (string Name, ProbePose[] Probes)[]
        {
            ("2 electrodes", [P(-7.5, 0), P(7.5, 0)]),
            ("4 electrodes", [P(-7.5, -7.5), P(7.5, -7.5), P(7.5, 7.5), P(-7.5, 7.5)]),
        };
        foreach (var (name, probes) in cases)
        {
            var request = new ZoneRequest { Labels = map, Probes = probes, Device = device, Setting = setting };
            ZonePredictor.Predict(request);
            var times = new List<double>();
            ZonePrediction? p = null;
            for (var r = 0; r < 3; r++)
            {
                var sw = Stopwatch.StartNew();
                p = ZonePredictor.Predict(request);
                times.Add(sw.Elapsed.TotalSeconds);
            }

            var v = p!.Vessels.FirstOrDefault();
            Console.WriteLine($"{name}: block {p.Roi.Nx}^3 = {p.Roi.VoxelCount / 1e6:0.00} M voxels, solves {p.Outcome.PotentialSolves}, wall {times.Min():0.00}/{times.Average():0.00}/{times.Max():0.00} s (min/mean/max), "
                + $"zone {p.ZoneVolumeMl:0.0} mL, axes {p.Shape.LengthMm:0.0} x {p.Shape.DiameterMm:0.0} x {p.Shape.SecondDiameterMm:0.0} mm, max field {p.MaxFieldVPerCm:0} V/cm"
                + (v is null ? "" : $", vessel calibre {v.CalibreMm:0.0} mm at {v.DistanceMm:0.0} mm, shrink {v.ShrinkMm:0.0} mm")
                + $", peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB");
        }

        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static LabelMap Phantom()
    {
        const int Size = 100;
        var g = ImageGeometry.AxisAligned(new VolumeSize(Size, Size, Size), new Vector3D(1, 1, 1), new Vector3D(-50, -50, -50));
        var labels = new Volume<int>(g);
        for (var k = 0; k < Size; k++)
        {
            for (var j = 0; j < Size; j++)
            {
                for (var i = 0; i < Size; i++)
                {
                    var p = g.IndexToPointLps(i, j, k);
                    labels[i, j, k] = (p.X * p.X) + ((p.Y - 15) * (p.Y - 15)) <= 9 ? 3 : 1;
                }
            }
        }

        return new LabelMap(labels, new LabelTable().Set(new LabelEntry(1, "liver", LabelRole.Liver)).Set(new LabelEntry(3, "portal vein", LabelRole.PortalVein)));
    }
}
