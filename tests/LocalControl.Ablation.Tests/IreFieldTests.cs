using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Tests;

/// <summary>
/// The IRE field against the analytic field of two parallel cylinders (bipolar coordinates: the equivalent line
/// charges at ±c, c = √((s/2)² − a²)), and the predictor's zone against monotony and translation.
/// </summary>
public class IreFieldTests
{
    private const double SideMm = 40, RadiusMm = 2, SpacingMm = 12, VoltageV = 1000;

    private static double HalfC => Math.Sqrt((SpacingMm / 2 * (SpacingMm / 2)) - (RadiusMm * RadiusMm));

    private static double K => VoltageV / (2 * Math.Acosh(SpacingMm / (2 * RadiusMm)));

    /// <summary>Exact potential (V): anode (+V) centred at x = −s/2, cathode (0) at +s/2.</summary>
    private static double Exact(double x, double y)
    {
        var c = HalfC;
        var r1 = Math.Sqrt(((x + c) * (x + c)) + (y * y));
        var r2 = Math.Sqrt(((x - c) * (x - c)) + (y * y));
        return (VoltageV / 2) + (K * Math.Log(r2 / r1));
    }

    /// <summary>Exact |E| on the bisector x = 0 (V/mm).</summary>
    private static double ExactBisectorField(double y) => K * 2 * HalfC / ((HalfC * HalfC) + (y * y));

    /// <summary>A 2-D slab (one free layer, the z-layers insulating), the outer ring at the exact potential.</summary>
    private static (float[] Potential, float[] Field, int N, double H) Solve(double hMm)
    {
        var n = (int)Math.Round(SideMm / hMm) + 1;
        var field = new ElectroporationField(n, n, 3, hMm / 1000, 1);
        var count = n * n * 3;
        var sigma = new float[count];
        var anode = new List<int>();
        var cathode = new List<int>();
        var v = field.Solver.Potential;
        for (var k = 0; k < 3; k++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var i = 0; i < n; i++)
                {
                    var idx = ((k * n) + j) * n + i;
                    double x = -SideMm / 2 + (i * hMm), y = -SideMm / 2 + (j * hMm);
                    sigma[idx] = k == 1 ? 0.2f : 0f; // no flux through the z-layers: a 2-D problem
                    v[idx] = (float)Exact(x, y);
                    if (k == 1 && i > 0 && j > 0 && i < n - 1 && j < n - 1)
                    {
                        if (Math.Sqrt(((x + (SpacingMm / 2)) * (x + (SpacingMm / 2))) + (y * y)) <= RadiusMm)
                        {
                            anode.Add(idx);
                        }
                        else if (Math.Sqrt(((x - (SpacingMm / 2)) * (x - (SpacingMm / 2))) + (y * y)) <= RadiusMm)
                        {
                            cathode.Add(idx);
                        }
                    }
                }
            }
        }

        var e = new float[count];
        field.SolvePair(sigma, [.. anode], [.. cathode], VoltageV, e, tolerance: 1e-8, keepOuterLayer: true);
        return (field.Potential.ToArray(), e, n, hMm);
    }

    private static double RmsPotentialError((float[] Potential, float[] Field, int N, double H) s)
    {
        double sum = 0;
        var count = 0;
        for (var j = 1; j < s.N - 1; j++)
        {
            for (var i = 1; i < s.N - 1; i++)
            {
                double x = -SideMm / 2 + (i * s.H), y = -SideMm / 2 + (j * s.H);
                var d1 = Math.Sqrt(((x + (SpacingMm / 2)) * (x + (SpacingMm / 2))) + (y * y));
                var d2 = Math.Sqrt(((x - (SpacingMm / 2)) * (x - (SpacingMm / 2))) + (y * y));
                if (d1 <= RadiusMm + 1 || d2 <= RadiusMm + 1)
                {
                    continue;
                }

                var err = s.Potential[((1 * s.N) + j) * s.N + i] - Exact(x, y);
                sum += err * err;
                count++;
            }
        }

        return Math.Sqrt(sum / count) / VoltageV;
    }

    /// <summary>Half-width of {|E| ≥ threshold} along the bisector, interpolated between grid points (mm).</summary>
    private static double BisectorHalfWidth((float[] Potential, float[] Field, int N, double H) s, double thresholdVPerMm)
    {
        var i = (s.N - 1) / 2;
        var thresholdVPerM = thresholdVPerMm * 1000;
        for (var j = (s.N - 1) / 2; j < s.N - 2; j++)
        {
            var a = s.Field[((1 * s.N) + j) * s.N + i];
            var b = s.Field[((1 * s.N) + j + 1) * s.N + i];
            if (a >= thresholdVPerM && b < thresholdVPerM)
            {
                return ((j - ((s.N - 1) / 2)) + ((a - thresholdVPerM) / (a - b))) * s.H;
            }
        }

        return double.NaN;
    }

    [Fact]
    public void Two_cylinder_potential_error_falls_on_two_refinements()
    {
        var e1 = RmsPotentialError(Solve(1.0));
        var e2 = RmsPotentialError(Solve(0.5));
        var e3 = RmsPotentialError(Solve(0.25));
        Assert.True(e2 < 0.8 * e1 && e3 < 0.8 * e2, $"rms error / V: h=1 {e1:E2}, 0.5 {e2:E2}, 0.25 {e3:E2}");
        Assert.True(e3 < 0.01, $"h=0.25 rms error {e3:E2} of V");
    }

    [Fact]
    public void Threshold_zone_half_width_on_the_bisector_matches_the_analytic_one()
    {
        // Choose the threshold whose analytic half-width is 5 mm: y*² = 2cK/E − c².
        const double yStar = 5;
        var threshold = ExactBisectorField(yStar);
        var coarse = Math.Abs(BisectorHalfWidth(Solve(0.5), threshold) - yStar);
        var fine = Math.Abs(BisectorHalfWidth(Solve(0.25), threshold) - yStar);
        Assert.True(fine < 0.25, $"half-width error {fine:0.000} mm at h = 0.25 (analytic {yStar} mm, threshold {threshold * 10:0} V/cm)");
        Assert.True(fine <= coarse + 0.02, $"error {coarse:0.000} mm at 0.5, {fine:0.000} mm at 0.25");
    }

    private static ZonePrediction Run(double? voltage = null, double? threshold = null, Vector3D? shift = null)
    {
        var device = DeviceCatalogue.Default.Find("nanoknife-2")!;
        var setting = device.FindSetting("15mm-2250v")!;
        if (voltage is { } v)
        {
            setting = setting with { Electroporation = setting.Electroporation! with { VoltageV = v } };
        }

        var d = shift ?? Vector3D.Zero;
        var phantom = new Phantom(size: 70, spacingMm: 1.0, originLps: new Vector3D(-35, -35, -35));
        return ZonePredictor.Predict(new ZoneRequest
        {
            Labels = phantom.Map,
            Probes = [new ProbePose(new Vector3D(-7.5, 0, -10) + d, new Vector3D(-7.5, 0, 40) + d), new ProbePose(new Vector3D(7.5, 0, -10) + d, new Vector3D(7.5, 0, 40) + d)],
            Device = device,
            Setting = setting,
            FieldThresholdVPerCm = threshold,
            MaxDegreeOfParallelism = 1,
        });
    }

    [Fact]
    public void Zone_grows_with_voltage_and_shrinks_with_the_threshold()
    {
        var low = Run(voltage: 1500).ZoneVolumeMl;
        var mid = Run().ZoneVolumeMl;
        var high = Run(voltage: 3000).ZoneVolumeMl;
        Assert.True(low < mid && mid < high, $"{low} < {mid} < {high} mL");
        var strict = Run(threshold: 900).ZoneVolumeMl;
        var lax = Run(threshold: 450).ZoneVolumeMl;
        Assert.True(strict < mid && mid < lax, $"{strict} < {mid} < {lax} mL");
    }

    [Fact]
    public void Translating_the_electrodes_moves_the_zone_by_the_same_amount()
    {
        var a = Run();
        var b = Run(shift: new Vector3D(3, -2, 4));
        Assert.Equal(a.ZoneVolumeMl, b.ZoneVolumeMl, 2);
        var ca = Centroid(a);
        var cb = Centroid(b);
        var moved = cb - ca;
        Assert.True((moved - new Vector3D(3, -2, 4)).Length < 0.5, $"moved {moved.X:0.00}, {moved.Y:0.00}, {moved.Z:0.00}");
    }

    private static Vector3D Centroid(ZonePrediction p)
    {
        var g = p.Zone.Geometry;
        var sum = Vector3D.Zero;
        var count = 0;
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    if (p.Zone[i, j, k] != 0)
                    {
                        sum += g.IndexToPointLps(i, j, k);
                        count++;
                    }
                }
            }
        }

        return sum * (1.0 / count);
    }
}
