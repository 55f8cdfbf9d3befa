using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Imaging.Geometry;
using Xunit.Abstractions;

namespace LocalControl.Ablation.Tests;

/// <summary>
/// The cryoprobe's surface between voxel centres (<see cref="CryoSimulation.ProbeSurface"/>) against the steady Pennes
/// solution round a long cylinder held at a fixed temperature, θ(r) = θ_p·K₀(r/L)/K₀(a/L), L = √(k/W) (no phase change,
/// so the only error is the grid's): on an off-lattice axis the sub-voxel surface must beat the staircase of held voxels
/// and converge when the grid is refined.
/// </summary>
public class CryoProbeSurfaceTests(ITestOutputHelper output)
{
    private const double RadiusMm = 1.2;
    private const double ProbeCelsius = 0;

    [Fact]
    public void Steady_field_round_a_held_cylinder_matches_the_Bessel_solution_and_converges_with_the_grid()
    {
        // The oracle's Bessel function against tabulated values (Abramowitz & Stegun, table 9.8): K₀(1), K₀(0.2).
        Assert.Equal(0.4210244382, Bessel.K0(1), 8);
        Assert.Equal(1.7527038555, Bessel.K0(0.2), 8);

        // Axes placed anywhere on the lattice: on a node, half-way, and two irregular places.
        (double X, double Y)[] offsets = [(0, 0), (0.5, 0.5), (0.31, 0.12), (0.73, 0.41)];
        double staircase = 0, subVoxel = 0;
        foreach (var (x, y) in offsets)
        {
            var s = RmsError(1.0, x, y, subVoxel: false);
            var v = RmsError(1.0, x, y, subVoxel: true);
            output.WriteLine($"1 mm, axis at +({x}, {y}) voxel: staircase {s:P2}, sub-voxel {v:P2} of (T_b - T_probe)");
            staircase = Math.Max(staircase, s);
            subVoxel = Math.Max(subVoxel, v);
        }

        var fine = RmsError(0.5, 0.31, 0.12, subVoxel: true);
        output.WriteLine($"0.5 mm, axis at +(0.31, 0.12) voxel: sub-voxel {fine:P2}");

        // The staircase's radius is off by up to a voxel's fraction, which moves the whole field; the sub-voxel surface
        // must do clearly better wherever the axis lies, and its error must fall when the grid is halved.
        Assert.True(subVoxel < 0.5 * staircase, $"sub-voxel worst {subVoxel:P2} vs staircase worst {staircase:P2}");
        Assert.True(subVoxel < 0.02, $"sub-voxel worst {subVoxel:P2} at 1 mm");
        Assert.True(fine < 0.6 * RmsError(1.0, 0.31, 0.12, subVoxel: true), $"0.5 mm {fine:P2}: no convergence");
    }

    /// <summary>RMS of T − T_exact over 3 ≤ r ≤ 10 mm in the middle slab, relative to T_b − T_probe.</summary>
    private static double RmsError(double h, double offsetI, double offsetJ, bool subVoxel)
    {
        const double Side = 44, Length = 50;
        var n = (int)Math.Round(Side / h) + 1;
        var nz = (int)Math.Round(Length / h) + 1;
        var roi = new RegionOfInterest(new Vector3D(-(n - 1) * h / 2, -(n - 1) * h / 2, -(nz - 1) * h / 2), h, n, n, nz);
        var axisX = ((n / 2) + offsetI) * h + roi.OriginLps.X;
        var axisY = ((n / 2) + offsetJ) * h + roi.OriginLps.Y;
        var liver = TissueTable.Default["liver"];
        var noPhaseChange = new FreezingProperties(0, liver.ConductivityWPerMK, liver.DensityKgPerM3 * liver.SpecificHeatJPerKgK, "unfrozen liver throughout");
        var setup = new CryoSetup
        {
            Roi = roi,
            Material = new byte[roi.VoxelCount],
            Tissues = [liver],
            Freezing = [noPhaseChange],
            Probes = [new ProbePose(new Vector3D(axisX, axisY, -100), new Vector3D(axisX, axisY, 100))],
            Probe = new CryoModel(ProbeCelsius, 200, 0, 0, "single", -40, 37),
            ProbeDiameterMm = 2 * RadiusMm,
            FreezeSeconds = 1200,
            Perfused = true,
            SolidusCelsius = -60, // nothing freezes: perfusion acts everywhere, the field is linear Pennes
            LiquidusCelsius = -59,
            SubVoxelProbe = subVoxel,
        };
        var o = CryoSimulation.Run(setup);

        var w = liver.PerfusionPerS * TissueTable.BloodDensityKgPerM3 * TissueTable.BloodSpecificHeatJPerKgK;
        var lengthMm = Math.Sqrt(liver.ConductivityWPerMK / w) * 1e3;
        var k0a = Bessel.K0(RadiusMm / lengthMm);
        var tb = TissueTable.BloodTemperatureCelsius;
        double sum = 0;
        var count = 0;
        for (var k = (nz / 2) - (int)(3 / h); k <= (nz / 2) + (int)(3 / h); k++)
        {
            for (var j = 1; j < n - 1; j++)
            {
                for (var i = 1; i < n - 1; i++)
                {
                    var p = roi.PointLps(i, j, k);
                    var r = Math.Sqrt(((p.X - axisX) * (p.X - axisX)) + ((p.Y - axisY) * (p.Y - axisY)));
                    if (r is < 3 or > 10)
                    {
                        continue;
                    }

                    var exact = tb + ((ProbeCelsius - tb) * Bessel.K0(r / lengthMm) / k0a);
                    var e = (o.FinalTemperature[((k * n) + j) * n + i] - exact) / (tb - ProbeCelsius);
                    sum += e * e;
                    count++;
                }
            }
        }

        return Math.Sqrt(sum / count);
    }

    /// <summary>Modified Bessel function K₀ by its integral K₀(x) = ∫₀^∞ exp(−x cosh t) dt (trapezoid rule, exponentially convergent).</summary>
    private static class Bessel
    {
        public static double K0(double x)
        {
            const double Dt = 0.01;
            var sum = 0.5; // t = 0: exp(-x)·… taken as the half weight of exp(-x) below
            sum *= Math.Exp(-x);
            for (var t = Dt; t < 30; t += Dt)
            {
                var v = Math.Exp(-x * Math.Cosh(t));
                sum += v;
                if (v < 1e-18)
                {
                    break;
                }
            }

            return sum * Dt;
        }
    }
}
