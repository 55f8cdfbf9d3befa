using LocalControl.Ablation.Bioheat;
using Xunit.Abstractions;

namespace LocalControl.Ablation.Tests;

/// <summary>
/// The freezing kernel against the two-phase Neumann solution of the Stefan problem (Carslaw &amp; Jaeger, Conduction of
/// Heat in Solids, §11.2; Alexiades &amp; Solomon 1993): a half-space of liquid at T_i, its face held at T_w below the
/// melting point T_m from t = 0. The front is at X = 2λ√(α_s t) with λ the root of
/// <code>e^(−λ²)/erf λ − (k_l √α_s (T_i − T_m)) / (k_s √α_l (T_m − T_w)) · e^(−λ²α_s/α_l)/erfc(λ√(α_s/α_l)) = λ√π / St,  St = C_s (T_m − T_w) / L_v</code>
/// found here by bisection. The kernel runs on a 3-D grid one voxel thick: the rows around the computed one are
/// refreshed from it after every step, so no heat crosses y or z (zero flux).
/// </summary>
public class CryoStefanTests(ITestOutputHelper output)
{
    // Liver-like: unfrozen k 0.5 W/m/K, C 3.6 MJ/m³/K; frozen k 2 W/m/K, C 1.8 MJ/m³/K; L_v 250 MJ/m³.
    private const double Ku = 0.5, Cu = 3.6e6, Kf = 2.0, Cf = 1.8e6, Lv = 250e6;
    private const double Tw = -100, Ti = 37, Ts = -0.1, Tl = 0.0, Tm = -0.05;
    private const double LengthM = 0.08, Seconds = 600;

    [Fact]
    public void The_freezing_front_follows_the_Neumann_solution_and_its_error_falls_on_two_refinements()
    {
        var lambda = NeumannLambda();
        var exactFront = 2 * lambda * Math.Sqrt(Kf / Cf * Seconds);
        var errors = new List<double>();
        var temperatureErrors = new List<double>();
        foreach (var hMm in new[] { 2.0, 1.0, 0.5 })
        {
            var (front, rmsT) = Run(hMm * 1e-3, lambda);
            errors.Add(Math.Abs(front - exactFront) / exactFront);
            temperatureErrors.Add(rmsT);
        }

        var report = $"lambda {lambda:0.0000}, exact front {exactFront * 1000:0.000} mm, front errors {string.Join(", ", errors.Select(e => e.ToString("0.00000")))}, RMS T errors {string.Join(", ", temperatureErrors.Select(e => e.ToString("0.000")))} K";

        output.WriteLine(report);

        // The enthalpy method is first order in h for the front: each halving must cut the error by at least 1.5.
        Assert.True(errors[1] < errors[0] / 1.5, report);
        Assert.True(errors[2] < errors[1] / 1.5, report);
        Assert.True(errors[2] < 0.01, report);

        // The temperature field converges too (RMS over the domain).
        Assert.True(temperatureErrors[1] < temperatureErrors[0], report);
        Assert.True(temperatureErrors[2] < temperatureErrors[1], report);
        Assert.True(temperatureErrors[2] < 0.5, report);
    }

    [Fact]
    public void Lambda_solves_the_transcendental_equation_and_lies_below_the_one_phase_bound()
    {
        var lambda = NeumannLambda();
        Assert.True(Math.Abs(Residual(lambda)) < 1e-9);

        // Heat arriving from the warm liquid slows the front: λ is below the one-phase root (Ti = Tm).
        var onePhase = Bisect(l => (Math.Exp(-l * l) / Erf(l)) - (l * Math.Sqrt(Math.PI) / Stefan()), 1e-6, 3);
        Assert.True(lambda < onePhase);
        Assert.True(lambda > 0.1);
    }

    private static double Stefan() => Cf * (Tm - Tw) / Lv;

    private static double Residual(double l)
    {
        double alphaS = Kf / Cf, alphaL = Ku / Cu;
        var nu = Math.Sqrt(alphaS / alphaL);
        var liquid = Ku * Math.Sqrt(alphaS) * (Ti - Tm) / (Kf * Math.Sqrt(alphaL) * (Tm - Tw));
        return (Math.Exp(-l * l) / Erf(l)) - (liquid * Math.Exp(-l * l * nu * nu) / Erfc(l * nu)) - (l * Math.Sqrt(Math.PI) / Stefan());
    }

    private static double NeumannLambda() => Bisect(Residual, 1e-6, 3);

    private static double Bisect(Func<double, double> f, double a, double b)
    {
        var fa = f(a);
        for (var i = 0; i < 200; i++)
        {
            var m = 0.5 * (a + b);
            var fm = f(m);
            if (Math.Sign(fm) == Math.Sign(fa))
            {
                a = m;
                fa = fm;
            }
            else
            {
                b = m;
            }
        }

        return 0.5 * (a + b);
    }

    private static double Exact(double x, double t, double lambda)
    {
        double alphaS = Kf / Cf, alphaL = Ku / Cu;
        var front = 2 * lambda * Math.Sqrt(alphaS * t);
        return x <= front
            ? Tw + ((Tm - Tw) * Erf(x / (2 * Math.Sqrt(alphaS * t))) / Erf(lambda))
            : Ti - ((Ti - Tm) * Erfc(x / (2 * Math.Sqrt(alphaL * t))) / Erfc(lambda * Math.Sqrt(alphaS / alphaL)));
    }

    /// <summary>Runs the kernel on a 1-D column of <paramref name="h"/> m voxels; returns the frozen depth (m) and the RMS temperature error (K).</summary>
    private static (double Front, double RmsT) Run(double h, double lambda)
    {
        var n = (int)Math.Round(LengthM / h);
        var g = new CryoGrid(n + 2, 3, 3, h, Ts, Tl);
        for (var v = 0; v < g.Count; v++)
        {
            var i = v % g.Nx;
            g.UnfrozenConductivity[v] = (float)Ku;
            g.FrozenConductivity[v] = (float)Kf;
            g.UnfrozenHeatCapacity[v] = (float)Cu;
            g.FrozenHeatCapacity[v] = (float)Cf;
            g.LatentHeat[v] = (float)Lv;
            g.Temperature[v] = (float)(i == 0 ? Tw : Ti);
            g.Active[v] = i > 0 && i < g.Nx - 1 && v / g.Nx % 3 == 1 && v / (3 * g.Nx) == 1 ? 1 : 0;
        }

        g.Initialise();
        var steps = (int)Math.Ceiling(Seconds / g.StableTimeStepSeconds());
        var dt = (float)(Seconds / steps);
        var kernel = new SimdCryoKernel(1);
        for (var s = 0; s < steps; s++)
        {
            kernel.Step(g, dt);
            Mirror(g);
        }

        // Frozen depth: the wall voxel's half plus each voxel's solid fraction.
        var front = h / 2;
        double sum2 = 0;
        for (var i = 1; i <= n; i++)
        {
            var t = g.Temperature[g.Index(i, 1, 1)];
            front += (1 - Math.Clamp((t - Ts) / (Tl - Ts), 0, 1)) * h;
            var e = t - Exact(i * h, Seconds, lambda);
            sum2 += e * e;
        }

        return (front, Math.Sqrt(sum2 / n));
    }

    /// <summary>Copies the computed row into the 8 rows around it (temperature and conductivity): zero flux across y and z.</summary>
    private static void Mirror(CryoGrid g)
    {
        for (var k = 0; k < 3; k++)
        {
            for (var j = 0; j < 3; j++)
            {
                if (j == 1 && k == 1)
                {
                    continue;
                }

                Array.Copy(g.Temperature, g.Index(0, 1, 1), g.Temperature, g.Index(0, j, k), g.Nx);
                Array.Copy(g.Conductivity, g.Index(0, 1, 1), g.Conductivity, g.Index(0, j, k), g.Nx);
            }
        }
    }

    /// <summary>erf by its Maclaurin series (|x| ≤ 3) or 1 − erfc.</summary>
    internal static double Erf(double x)
    {
        if (x < 0)
        {
            return -Erf(-x);
        }

        if (x > 3)
        {
            return 1 - Erfc(x);
        }

        double term = x, sum = x;
        for (var k = 1; k < 200; k++)
        {
            term *= -x * x / k;
            var add = term / ((2 * k) + 1);
            sum += add;
            if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
            {
                break;
            }
        }

        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    /// <summary>erfc: 1 − erf below 3, the continued fraction (Abramowitz &amp; Stegun 7.1.14) above.</summary>
    internal static double Erfc(double x)
    {
        if (x < 3)
        {
            return 1 - Erf(x);
        }

        // erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated from the tail.
        var f = x;
        for (var k = 60; k >= 1; k--)
        {
            f = x + (k / 2.0 / f);
        }

        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }
}
