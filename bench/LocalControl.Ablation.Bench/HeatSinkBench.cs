using System.Globalization;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Bench;

/// <summary>
/// The heat-sink problem of the tests (HeatSinkTests): a 6 mm portal branch parallel to the probe with its axis 10 mm
/// away in a 90 mm block of perfused liver; prints each MW and in-vivo RF setting's shrink toward it against its radius,
/// to set beside Primavesi et al. 2017 (RF cut clearly, MW hardly).
/// </summary>
internal static class HeatSinkBench
{
    public static void Run()
    {
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        var map = Phantom(90, 10, 6);
        foreach (var device in DeviceCatalogue.Default.Devices.Where(d => d.Modality is AblationModality.Mwa or AblationModality.Rfa))
        {
            foreach (var setting in device.Settings.Where(s => (s.Microwave?.Perfused ?? s.Radiofrequency?.Perfused) == true))
            {
                // HEATSINK_ONLY=text runs only the settings whose device/setting contains it.
                if (Environment.GetEnvironmentVariable("HEATSINK_ONLY") is { Length: > 0 } only && !$"{device.Id}/{setting.Id}".Contains(only, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var p = ZonePredictor.Predict(new ZoneRequest
                {
                    Labels = map,
                    Probes = [new ProbePose(new Vector3D(0, 0, -10), new Vector3D(0, 0, 60))],
                    Device = device,
                    Setting = setting,
                });
                var v = p.Vessels.Single();
                if (Environment.GetEnvironmentVariable("HEATSINK_PROFILE") is not null)
                {
                    // Dead (#) or alive (.) along x through the zone centre, the vessel at x = 7..13 mm.
                    var roi = p.Roi;
                    var c = roi.Nearest(new Vector3D(0, 0, -10 + (setting.ExpectedZone.TipOffsetMm ?? 10)))!.Value;
                    var row = new System.Text.StringBuilder();
                    for (var i = 0; i < roi.Nx; i++)
                    {
                        var n = ((c.K * roi.Ny) + c.J) * roi.Nx + i;
                        row.Append(p.Outcome.IsDead(n) ? '#' : '.');
                    }

                    Console.WriteLine($"  x from {roi.OriginLps.X:0} mm: {row}");
                }

                var radius = setting.ExpectedZone.DiameterMm / 2;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{device.Id}/{setting.Id}: calibre {v.CalibreMm:0.0} mm at {v.DistanceMm:0.0} mm, shrink {v.ShrinkMm:0.0} mm of a {radius:0.0} mm radius ({100 * v.ShrinkMm / radius:0} %), zone {p.ZoneVolumeMl:0.0} mL, peak {p.Outcome.PeakTemperatureCelsius:0} C, {p.WallSeconds:0.0} s"));
            }
        }
    }

    private static LabelMap Phantom(int size, double x, double calibreMm)
    {
        var g = ImageGeometry.AxisAligned(new VolumeSize(size, size, size), new Vector3D(1, 1, 1), new Vector3D(-45, -45, -45));
        var labels = new Volume<int>(g);
        for (var k = 0; k < size; k++)
        {
            for (var j = 0; j < size; j++)
            {
                for (var i = 0; i < size; i++)
                {
                    var p = g.IndexToPointLps(i, j, k);
                    labels[i, j, k] = ((p.X - x) * (p.X - x)) + (p.Y * p.Y) <= calibreMm * calibreMm / 4 ? 3 : 1;
                }
            }
        }

        return new LabelMap(labels, new LabelTable().Set(new LabelEntry(1, "liver", LabelRole.Liver)).Set(new LabelEntry(3, "portal vein", LabelRole.PortalVein)));
    }
}
