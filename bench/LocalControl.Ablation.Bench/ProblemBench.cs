using System.Diagnostics;
using System.Globalization;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Bench;

/// <summary>
/// The issue's speed problems: a 10-min MW ablation on a 1 mm grid in a 100 mm block with a vessel tree, and a 12-min
/// RF ablation with the potential solve; peak memory; and a plain numpy explicit stencil of the same MW heat problem
/// (same coefficient arrays, same steps) timed in the same run.
/// </summary>
internal static class ProblemBench
{
    public static void Run(string which)
    {
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}; cores: {Environment.ProcessorCount}");
        if (which is "mw" or "all")
        {
            Microwave();
        }

        if (which is "rf" or "all")
        {
            Radiofrequency();
        }
    }

    /// <summary>A liver block with a branching tree: a 10 mm trunk, 6 and 4 mm branches, one passing 12 mm from the probe.</summary>
    private static LabelMap VesselTree()
    {
        var g = ImageGeometry.AxisAligned(new VolumeSize(120, 120, 120), new Vector3D(1, 1, 1), new Vector3D(-60, -60, -60));
        var labels = new Volume<int>(g);
        labels.Voxels.Fill(1);
        (Vector3D A, Vector3D B, double R)[] segments =
        [
            (new(-60, 25, -10), new(0, 25, -10), 5),
            (new(0, 25, -10), new(12, 0, -60), 3),
            (new(0, 25, -10), new(12, 0, 60), 3),
            (new(0, 25, -10), new(-30, -40, 20), 2),
        ];
        for (var k = 0; k < 120; k++)
        {
            for (var j = 0; j < 120; j++)
            {
                for (var i = 0; i < 120; i++)
                {
                    var p = g.IndexToPointLps(i, j, k);
                    foreach (var (a, b, r) in segments)
                    {
                        var d = b - a;
                        var t = Math.Clamp((p - a).Dot(d) / d.Dot(d), 0, 1);
                        if ((p - (a + d * t)).Length <= r)
                        {
                            labels[i, j, k] = 3;
                        }
                    }
                }
            }
        }

        var table = new LabelTable().Set(new LabelEntry(1, "liver", LabelRole.Liver)).Set(new LabelEntry(3, "portal vein", LabelRole.PortalVein));
        return new LabelMap(labels, table);
    }

    private static void Microwave()
    {
        var device = DeviceCatalogue.Default.Find("emprint")!;
        var setting = device.FindSetting("100w-10min")!;
        var map = VesselTree();
        var request = new ZoneRequest
        {
            Labels = map,
            Probes = [new ProbePose(new Vector3D(0, 0, -15), new Vector3D(0, 0, 60))],
            Device = device,
            Setting = setting,
            RoiMm = 100,
        };

        // The heat-sink run alone (what one zone costs), then the whole prediction (which adds the no-vessel reference).
        var roi = ZonePredictor.Validate(request);
        GC.Collect();
        var before = Process.GetCurrentProcess().PeakWorkingSet64;
        var sw = Stopwatch.StartNew();
        var prediction = ZonePredictor.Predict(request);
        var total = sw.Elapsed.TotalSeconds;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        var o = prediction.Outcome;
        var perRun = total / 2;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MW 10 min, 1 mm, {roi.Nx}^3 block with a vessel tree: prediction {total:0.00} s (two runs: with vessels and the no-vessel reference, {perRun:0.00} s each); {o.VoxelUpdates / 1e6:0} M voxel-updates per run = {o.VoxelUpdates / perRun / 1e9:0.00} G/s; zone {prediction.ZoneVolumeMl:0.0} mL; peak working set {peak / 1e6:0} MB (before {before / 1e6:0} MB)"));
        foreach (var v in prediction.Vessels)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  vessel {v.Label}: calibre {v.CalibreMm:0.0} mm, {v.DistanceMm:0.0} mm from the shaft, shrink {v.ShrinkMm:0.0} mm"));
        }

        DryingCost(request, roi);
        NumpyPeer(request, roi);
    }

    private static void DryingCost(ZoneRequest request, RegionOfInterest roi)
    {
        // One run on the same block in homogeneous liver with the drying model and without it, side by side.
        var (setup, _) = HomogeneousLiver.Setup(request.Device, request.Setting, 1.0);
        setup = setup with { Roi = roi, Material = new byte[roi.VoxelCount], Probes = request.Probes };
        var times = new double[2];
        var outcomes = new ThermalOutcome[2];
        for (var d = 0; d < 2; d++)
        {
            var sw = Stopwatch.StartNew();
            outcomes[d] = ThermalSimulation.Run(setup with { MicrowaveDrying = d == 0 });
            times[d] = sw.Elapsed.TotalSeconds;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"one MW run, homogeneous liver on the same block: with drying {times[0]:0.00} s ({outcomes[0].DryingUpdates} absorption updates, {outcomes[0].DriedVoxels} voxels dried, peak {outcomes[0].PeakTemperatureCelsius:0} C), fixed SAR {times[1]:0.00} s (peak {outcomes[1].PeakTemperatureCelsius:0} C): ratio {times[0] / times[1]:0.00}"));
    }

    private static void NumpyPeer(ZoneRequest request, RegionOfInterest roi)
    {
        // The same heat problem (homogeneous liver, MW source, perfusion), stencil only, C# vs numpy, same steps.
        var dir = Directory.CreateTempSubdirectory("lc-ablation-bench-").FullName;
        try
        {
            var (setup, _) = HomogeneousLiver.Setup(request.Device, request.Setting, 1.0);
            setup = setup with { Roi = roi, Material = new byte[roi.VoxelCount] };
            var grid = new BioheatGrid(roi.Nx, roi.Ny, roi.Nz, 1e-3);
            var liver = TissueTable.Default["liver"];
            Array.Fill(grid.Conductivity, (float)liver.ConductivityWPerMK);
            Array.Fill(grid.HeatCapacity, (float)(liver.DensityKgPerM3 * liver.SpecificHeatJPerKgK));
            Array.Fill(grid.Sink, (float)(liver.PerfusionPerS * TissueTable.BloodDensityKgPerM3 * TissueTable.BloodSpecificHeatJPerKgK));
            Array.Fill(grid.Temperature, 37f);
            Array.Fill(grid.Next, 37f);
            ThermalSimulation.BuildMicrowaveSource(setup, grid);
            grid.PrepareCoefficients(1.0, default, 37);
            Save(dir, "t", grid.Temperature);
            Save(dir, "k", grid.Conductivity);
            Save(dir, "a", grid.CoefficientA);
            Save(dir, "b", grid.CoefficientB);
            Save(dir, "c", grid.CoefficientC);
            Save(dir, "q", grid.Source);
            File.WriteAllText(Path.Combine(dir, "h2.txt"), (0.5 / (1e-3 * 1e-3)).ToString("R", CultureInfo.InvariantCulture));
            const int Steps = 600;
            var kernel = new SimdBioheatKernel();
            var sw = Stopwatch.StartNew();
            for (var s = 0; s < Steps; s++)
            {
                kernel.Step(grid, 1, 1);
            }

            var csharp = sw.Elapsed.TotalSeconds;
            var script = Path.Combine(AppContext.BaseDirectory, "numpy_stencil.py");
            var psi = new ProcessStartInfo("/usr/bin/python3", [script, dir, $"{roi.Nx}", $"{roi.Ny}", $"{roi.Nz}", $"{Steps}", "1"]) { RedirectStandardOutput = true };
            using var p = Process.Start(psi)!;
            var line = p.StandardOutput.ReadToEnd().Trim().Split(' ');
            p.WaitForExit();
            var numpy = double.Parse(line[0], CultureInfo.InvariantCulture);
            var reference = Load(Path.Combine(dir, "t_numpy.f32"), grid.Count);
            var maxDiff = 0.0;
            for (var n = 0; n < grid.Count; n++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(reference[n] - grid.Temperature[n]));
            }

            var updates = (double)(roi.Nx - 2) * (roi.Ny - 2) * (roi.Nz - 2) * Steps;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"stencil {Steps} steps on {roi.Nx}^3 (heat only): C# SIMD {csharp:0.00} s ({updates / csharp / 1e9:0.00} G voxel-updates/s), numpy {numpy:0.00} s ({updates / numpy / 1e9:0.000} G/s): ratio {numpy / csharp:0.0}x; max |T_C# - T_numpy| = {maxDiff:0.0000} K"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Radiofrequency()
    {
        var device = DeviceCatalogue.Default.Find("rf-cooled-2cm")!;
        var setting = device.FindSetting("12min-in-vivo")!;
        var (setup, _) = HomogeneousLiver.Setup(device, setting, 1.0);
        var sw = Stopwatch.StartNew();
        var o = ThermalSimulation.Run(setup);
        var t = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RF 12 min, 1 mm, {setup.Roi.Nx}^3 block: {t:0.00} s, of which potential {o.PotentialSeconds:0.00} s ({o.PotentialSolves} solves, {o.PotentialIterations} CG iterations); roll-offs {o.RollOffs}; peak {o.PeakTemperatureCelsius:0} C; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB"));
    }

    private static void Save(string dir, string name, float[] data)
    {
        using var f = File.Create(Path.Combine(dir, name + ".f32"));
        f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
    }

    private static float[] Load(string path, int count)
    {
        var bytes = File.ReadAllBytes(path);
        var data = new float[count];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()).Clear();
        bytes.AsSpan(0, count * 4).CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        return data;
    }
}
