using System.Numerics;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Tests;

/// <summary>The drying model of the microwave source: its dielectric numbers and how it moves the absorption.</summary>
public class MicrowaveDryingTests
{
    [Theory]
    [InlineData(43.0, 1.69)]
    [InlineData(7.0, 0.3)]
    [InlineData(58.3, 2.54)]
    public void The_attenuation_constant_equals_the_real_part_of_the_complex_propagation_constant(double permittivity, double conductivity)
    {
        // Independent route: γ = jω √(μ₀ ε₀ (ε_r − jσ/(ωε₀))), α = Re γ.
        const double mu0 = 4e-7 * Math.PI;
        const double eps0 = 8.8541878128e-12;
        var omega = 2 * Math.PI * 2.45e9;
        var gamma = Complex.ImaginaryOne * omega * Complex.Sqrt(mu0 * eps0 * new Complex(permittivity, -conductivity / (omega * eps0)));
        Assert.Equal(gamma.Real, MicrowaveDrying.AttenuationNpPerM(permittivity, conductivity), 0.001 * gamma.Real);
    }

    [Fact]
    public void Liver_gives_the_documented_penetration_depth_and_dried_liver_less_than_half_the_loss()
    {
        var alpha = MicrowaveDrying.AttenuationNpPerM(MicrowaveDrying.LiverPermittivity, MicrowaveDrying.LiverConductivitySPerM);
        Assert.Equal(10.4, 1000 / (2 * alpha), 0.1); // the catalogue's penetrationMm
        Assert.InRange(MicrowaveDrying.DriedLossRatio, 0.40, 0.48);
    }

    [Fact]
    public void The_loss_stays_native_until_water_boils_then_falls_monotonically_to_the_dried_value()
    {
        Assert.Equal(1f, MicrowaveDrying.RelativeLoss(37));
        Assert.True(MicrowaveDrying.RelativeLoss(90) > 0.98f);
        Assert.Equal((1 + MicrowaveDrying.DriedLossRatio) / 2, MicrowaveDrying.RelativeLoss(100), 1e-4);
        Assert.Equal(MicrowaveDrying.DriedLossRatio, MicrowaveDrying.RelativeLoss(130), 1e-3);
        var previous = 1f;
        for (var t = 20f; t <= 200f; t += 0.25f)
        {
            var g = MicrowaveDrying.RelativeLoss(t);
            Assert.True(g <= previous + 1e-7f, $"{t} C: {g} after {previous}");
            previous = g;
        }
    }

    private static ThermalSetup PointRadiator(int n = 61)
    {
        var roi = RegionOfInterest.Cube(Vector3D.Zero, n - 1, 1.0);
        var tip = new Vector3D(0, 0, 0); // a voxel centre
        return new ThermalSetup
        {
            Roi = roi,
            Material = new byte[roi.VoxelCount],
            Tissues = [TissueTable.Default["liver"]],
            Modality = AblationModality.Mwa,
            Microwave = new MicrowaveModel(EffectivePowerW: 30, RadiatingLengthMm: 0, FeedOffsetMm: 0, PenetrationMm: 10.4, Perfused: true),
            Probes = [new ProbePose(tip, tip - new Vector3D(0, 0, -1) * 100)],
            HeatingSeconds = 60,
        };
    }

    private static int Index(RegionOfInterest roi, Vector3D p)
    {
        var v = roi.Nearest(p)!.Value;
        return ((v.K * roi.Ny) + v.J) * roi.Nx + v.I;
    }

    [Fact]
    public void Nothing_dried_leaves_the_homogeneous_source_as_it_is()
    {
        var setup = PointRadiator(31);
        var field = MicrowaveField.For(setup);
        var temperature = Enumerable.Repeat(60f, field.Source.Length).ToArray();
        var state = new MicrowaveDryingState(field, temperature, 2);
        var source = (float[])field.Source.Clone();
        Assert.False(state.Update(temperature, source));
        Assert.Equal(field.Source, source);
    }

    [Fact]
    public void In_uniformly_dried_tissue_a_point_radiator_falls_off_with_the_dried_penetration_depth()
    {
        // Analytic: a point source in a medium of uniform relative loss g deposits ∝ g e^(−g R/δ)/R².
        var setup = PointRadiator();
        var field = MicrowaveField.For(setup);
        var temperature = Enumerable.Repeat(160f, field.Source.Length).ToArray();
        var state = new MicrowaveDryingState(field, temperature, 2);
        var source = new float[field.Source.Length];
        Assert.True(state.Update(temperature, source));

        var roi = setup.Roi;
        var g = MicrowaveDrying.DriedLossRatio;
        foreach (var direction in new[] { new Vector3D(1, 0, 0), new Vector3D(0, -1, 0), new Vector3D(0, 0, 1), new Vector3D(0, 0, -1) })
        {
            double r1 = 8, r2 = 20;
            var model = source[Index(roi, direction * r2)] / source[Index(roi, direction * r1)];
            var analytic = Math.Exp(-g * (r2 - r1) / 10.4) * (r1 * r1) / (r2 * r2);
            var homogeneous = Math.Exp(-(r2 - r1) / 10.4) * (r1 * r1) / (r2 * r2);
            Assert.True(Math.Abs(model / analytic - 1) < 0.04, $"{direction}: model {model:G4}, dried analytic {analytic:G4}, undried {homogeneous:G4}");
        }

        // The block still takes the antenna's power.
        var total = source.Sum(q => (double)q) * 1e-9;
        Assert.Equal(30, total, 0.01);
    }

    [Fact]
    public void A_dried_core_moves_the_absorption_outward_and_keeps_the_power()
    {
        var setup = PointRadiator();
        var field = MicrowaveField.For(setup);
        var roi = setup.Roi;
        var temperature = new float[field.Source.Length];
        var distance = new double[field.Source.Length];
        for (var k = 0; k < roi.Nz; k++)
        {
            for (var j = 0; j < roi.Ny; j++)
            {
                for (var i = 0; i < roi.Nx; i++)
                {
                    var v = ((k * roi.Ny) + j) * roi.Nx + i;
                    distance[v] = roi.PointLps(i, j, k).Length;
                    temperature[v] = distance[v] <= 6 ? 150f : 70f;
                }
            }
        }

        var state = new MicrowaveDryingState(field, temperature, 2);
        var source = new float[field.Source.Length];
        Assert.True(state.Update(temperature, source));
        double Outside(float[] q, double r)
        {
            var s = 0.0;
            for (var v = 0; v < q.Length; v++)
            {
                s += distance[v] > r ? q[v] : 0;
            }

            return s * 1e-9;
        }

        Assert.Equal(30, source.Sum(q => (double)q) * 1e-9, 0.01);
        Assert.True(Outside(source, 8) > 1.2 * Outside(field.Source, 8), $"beyond 8 mm: dried {Outside(source, 8):0.00} W vs {Outside(field.Source, 8):0.00} W");

        // Just outside the dried core the wet tissue absorbs more than it did; inside, the dried tissue less.
        var wet = Index(roi, new Vector3D(8, 0, 0));
        var dry = Index(roi, new Vector3D(4, 0, 0));
        Assert.True(source[wet] > field.Source[wet]);
        Assert.True(source[dry] < field.Source[dry]);
    }
}
