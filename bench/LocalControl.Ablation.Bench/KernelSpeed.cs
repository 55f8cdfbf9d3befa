using System.Diagnostics;
using LocalControl.Ablation.Bioheat;

namespace LocalControl.Ablation.Bench;

/// <summary>Raw kernel rate (voxel-updates/s) on a homogeneous block, against the roofline.</summary>
internal static class KernelSpeed
{
    public static void Run()
    {
        foreach (var n in new[] { 64, 100, 128 })
        {
            var g = new BioheatGrid(n, n, n, 1e-3);
            Array.Fill(g.Conductivity, 0.52f);
            Array.Fill(g.HeatCapacity, 1079f * 3540f);
            Array.Fill(g.Temperature, 37f);
            Array.Fill(g.Next, 37f);
            g.PrepareCoefficients(1.0, default, 37);
            var kernel = new SimdBioheatKernel();
            for (var i = 0; i < 5; i++)
            {
                kernel.Step(g, 1, 1);
            }

            const int Steps = 100;
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < Steps; i++)
            {
                kernel.Step(g, 1, 1);
            }

            var rate = (double)(n - 2) * (n - 2) * (n - 2) * Steps / sw.Elapsed.TotalSeconds;
            Console.WriteLine($"kernel {n}^3: {rate / 1e6:0} M voxel-updates/s ({sw.Elapsed.TotalMilliseconds / Steps:0.00} ms/step)");
        }
    }
}
