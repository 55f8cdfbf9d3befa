using LocalControl.Ablation.Bioheat;

namespace LocalControl.Ablation.Tests;

/// <summary>
/// The kernel against closed-form solutions of the Pennes equation (research/performance-anchors.md §3a), each on three
/// grids: the error must fall at second order (Δt ∝ h², so time error falls with it).
/// </summary>
public class AnalyticSolutionTests
{
    private const float Body = 37f;

    private static BioheatGrid Uniform(int n, double hM, double k, double rhoC, double w)
    {
        var g = new BioheatGrid(n, n, n, hM);
        Array.Fill(g.Conductivity, (float)k);
        Array.Fill(g.HeatCapacity, (float)rhoC);
        Array.Fill(g.Sink, (float)w);
        return g;
    }

    private static double Order(double coarse, double fine) => Math.Log(coarse / fine, 2);

    [Fact]
    public void Fourier_mode_decays_by_the_discrete_eigenvalue_to_round_off()
    {
        // θ = Π sin(π x_i / L) on nodes 0..N (walls held at 0); forward Euler multiplies it by exactly 1 − Δt λ_h each step.
        const int N = 20;
        var h = 1e-3;
        double k = 0.52, rhoC = 1079 * 3540.0, w = 0;
        var g = Uniform(N + 1, h, k, rhoC, w);
        var dt = 0.5;
        for (var z = 0; z <= N; z++)
        {
            for (var y = 0; y <= N; y++)
            {
                for (var x = 0; x <= N; x++)
                {
                    var v = Body + (float)(Math.Sin(Math.PI * x / N) * Math.Sin(Math.PI * y / N) * Math.Sin(Math.PI * z / N));
                    g.Temperature[g.Index(x, y, z)] = v;
                    g.Next[g.Index(x, y, z)] = v;
                }
            }
        }

        g.PrepareCoefficients(dt, default, Body);
        var kernel = new SimdBioheatKernel();
        const int Steps = 50;
        for (var s = 0; s < Steps; s++)
        {
            kernel.Step(g, 0, (float)dt);
        }

        var alpha = k / rhoC;
        var lambda = 3 * alpha * 4 / (h * h) * Math.Pow(Math.Sin(Math.PI / (2 * N)), 2);
        var factor = Math.Pow(1 - (dt * lambda), Steps);
        var centre = g.Temperature[g.Index(N / 2, N / 2, N / 2)] - Body;
        Assert.Equal(factor, centre, 4);
    }

    [Fact]
    public void Gaussian_diffuses_as_the_heat_kernel_at_second_order()
    {
        // θ(r, t) = (s0² / s²)^{3/2} exp(−r² / 2s²), s² = s0² + 2αt (no perfusion, no source).
        const double S0 = 2e-3, HalfWidth = 12e-3, Time = 18;
        double k = 0.52, rhoC = 1079 * 3540.0;
        var alpha = k / rhoC;
        var errors = new List<double>();
        foreach (var h in new[] { 1e-3, 0.5e-3, 0.25e-3 })
        {
            var n = (int)Math.Round(2 * HalfWidth / h) + 1;
            var g = Uniform(n, h, k, rhoC, 0);
            var c = (n - 1) / 2;
            for (var z = 0; z < n; z++)
            {
                for (var y = 0; y < n; y++)
                {
                    for (var x = 0; x < n; x++)
                    {
                        var r2 = (((x - c) * (x - c)) + ((y - c) * (y - c)) + ((z - c) * (z - c))) * h * h;
                        var v = Body + (float)(10 * Math.Exp(-r2 / (2 * S0 * S0)));
                        g.Temperature[g.Index(x, y, z)] = v;
                        g.Next[g.Index(x, y, z)] = v;
                    }
                }
            }

            var steps = (int)Math.Ceiling(Time / (0.9 * h * h / (6 * alpha)));
            var dt = Time / steps;
            g.PrepareCoefficients(dt, default, Body);
            var kernel = new SimdBioheatKernel();
            for (var s = 0; s < steps; s++)
            {
                kernel.Step(g, 0, (float)dt);
            }

            var s2 = (S0 * S0) + (2 * alpha * Time);
            double err = 0, norm = 0;
            for (var x = 0; x < n; x++)
            {
                var r2 = (x - c) * (x - c) * h * h;
                if (r2 > 64e-6)
                {
                    continue; // within 8 mm: the held outer layer's influence stays below the errors measured
                }

                var exact = 10 * Math.Pow(S0 * S0 / s2, 1.5) * Math.Exp(-r2 / (2 * s2));
                var d = g.Temperature[g.Index(x, c, c)] - Body - exact;
                err += d * d;
                norm += exact * exact;
            }

            errors.Add(Math.Sqrt(err / norm));
        }

        Assert.True(errors[2] < 0.01, $"errors {string.Join(", ", errors)}");
        Assert.True(Order(errors[0], errors[1]) > 1.7 && Order(errors[1], errors[2]) > 1.7, $"errors {string.Join(", ", errors)}");
    }

    [Fact]
    public void Heated_sphere_in_perfused_tissue_reaches_the_steady_Green_function_solution_at_second_order()
    {
        // Uniform power density q in r ≤ a, perfusion W, steady: outside θ = (q/W)[ma cosh(ma) − sinh(ma)] e^{−mr}/(mr).
        // Source voxels carry q times their volume fraction inside the sphere (sub-sampled), so the total power is right.
        const double A = 4e-3, HalfWidth = 16e-3, Q = 2e6;
        double k = 0.52, rhoC = 1079 * 3540.0;
        var perfusionLength = 3e-3;
        var w = k / (perfusionLength * perfusionLength);
        var m = 1 / perfusionLength;
        double Exact(double r) => r <= A
            ? Q / w * (1 - ((1 + (m * A)) * Math.Exp(-m * A) * Math.Sinh(m * r) / (m * r)))
            : Q / w * ((m * A * Math.Cosh(m * A)) - Math.Sinh(m * A)) * Math.Exp(-m * r) / (m * r);

        var errors = new List<double>();
        foreach (var h in new[] { 2e-3, 1e-3, 0.5e-3 })
        {
            var n = (int)Math.Round(2 * HalfWidth / h) + 1;
            var g = Uniform(n, h, k, rhoC, w);
            var c = (n - 1) / 2;
            for (var z = 0; z < n; z++)
            {
                for (var y = 0; y < n; y++)
                {
                    for (var x = 0; x < n; x++)
                    {
                        var idx = g.Index(x, y, z);
                        var r = Math.Sqrt(((x - c) * (x - c)) + ((y - c) * (y - c)) + ((z - c) * (z - c))) * h;
                        // Start from the analytic field: the run then only relaxes the discretisation error.
                        g.Temperature[idx] = g.Next[idx] = Body + (float)Exact(Math.Max(r, 1e-9));
                        g.Source[idx] = (float)(Q * InsideFraction(x - c, y - c, z - c, h, A));
                    }
                }
            }

            var dt = 0.9 / ((6 * k / (rhoC * h * h)) + 0);
            var steps = (int)Math.Ceiling(3 * rhoC / w / dt);
            g.PrepareCoefficients(dt, default, Body);
            var kernel = new SimdBioheatKernel();
            for (var s = 0; s < steps; s++)
            {
                kernel.Step(g, 1, (float)dt);
            }

            double err = 0, norm = 0;
            for (var x = c; x < n; x++)
            {
                var r = (x - c) * h;
                if (r < 1.5 * A || r > 3 * A)
                {
                    continue;
                }

                var exact = Exact(r);
                var d = g.Temperature[g.Index(x, c, c)] - Body - exact;
                err += d * d;
                norm += exact * exact;
            }

            errors.Add(Math.Sqrt(err / norm));
        }

        Assert.True(errors[2] < 0.02, $"errors {string.Join(", ", errors)}");
        Assert.True(Order(errors[0], errors[1]) > 1.5 && Order(errors[1], errors[2]) > 1.5, $"errors {string.Join(", ", errors)}");
    }

    [Fact]
    public void Manufactured_solution_with_perfusion_and_a_time_dependent_source_converges_at_second_order()
    {
        // T = T_b + θ0 S(x) (1 + t/t0), S = Π sin(π x_i / L): the source that makes it exact is
        // Q = θ0 S(x) [ρc/t0 + (3kπ²/L² + W)(1 + t/t0)], fed as shape θ0 S(x) times a per-step scale.
        const double L = 20e-3, Theta0 = 5, T0 = 60, Time = 30;
        double k = 0.52, rhoC = 1079 * 3540.0, w = 6.4e-3 * 1050 * 3617;
        var alpha = k / rhoC;
        var errors = new List<double>();
        foreach (var nCells in new[] { 10, 20, 40 })
        {
            var h = L / nCells;
            var g = Uniform(nCells + 1, h, k, rhoC, w);
            for (var z = 0; z <= nCells; z++)
            {
                for (var y = 0; y <= nCells; y++)
                {
                    for (var x = 0; x <= nCells; x++)
                    {
                        var s = Math.Sin(Math.PI * x / nCells) * Math.Sin(Math.PI * y / nCells) * Math.Sin(Math.PI * z / nCells);
                        var idx = g.Index(x, y, z);
                        g.Temperature[idx] = g.Next[idx] = Body + (float)(Theta0 * s);
                        g.Source[idx] = (float)(Theta0 * s);
                    }
                }
            }

            var steps = (int)Math.Ceiling(Time / (0.9 * h * h / (6 * alpha)));
            var dt = Time / steps;
            g.PrepareCoefficients(dt, default, Body);
            var kernel = new SimdBioheatKernel();
            for (var s = 0; s < steps; s++)
            {
                // Explicit in diffusion and source (time level n), implicit in perfusion (n+1): the source is evaluated
                // with the perfusion part at n+1 so that the exact solution is a fixed point up to O(Δt).
                var tn = s * dt;
                var scale = (rhoC / T0) + ((3 * k * Math.PI * Math.PI / (L * L)) * (1 + (tn / T0))) + (w * (1 + ((tn + dt) / T0)));
                kernel.Step(g, (float)scale, (float)dt);
            }

            var c = nCells / 2;
            var exactCentre = Theta0 * (1 + (Time / T0));
            double err = 0;
            for (var x = 1; x < nCells; x++)
            {
                var exact = exactCentre * Math.Sin(Math.PI * x / nCells);
                var d = g.Temperature[g.Index(x, c, c)] - Body - exact;
                err = Math.Max(err, Math.Abs(d) / exactCentre);
            }

            errors.Add(err);
        }

        // The finest grid reaches the float32 round-off floor of T ≈ 40 °C over thousands of steps, hence 1.6.
        Assert.True(errors[2] < 0.01, $"errors {string.Join(", ", errors)}");
        Assert.True(Order(errors[0], errors[1]) > 1.6 && Order(errors[1], errors[2]) > 1.6, $"errors {string.Join(", ", errors)}");
    }

    [Fact]
    public void Arrhenius_damage_at_constant_temperature_is_rate_times_time_and_nothing_below_threshold()
    {
        // Ω(t) = A exp(−Ea/RT) t exactly; at 60 °C that is 0.29 1/s (performance-anchors §3c), at 37 °C nothing.
        Assert.Equal(0.29, ArrheniusDamage.Rate(60), 2);
        Assert.Equal(0, ArrheniusDamage.Rate(37));
        var g = Uniform(10, 1e-3, 0.52, 1079 * 3540.0, 0);
        Array.Fill(g.Temperature, 60f);
        Array.Fill(g.Next, 60f);
        g.PrepareCoefficients(0.5, default, 60);
        var kernel = new SimdBioheatKernel();
        for (var s = 0; s < 10; s++)
        {
            kernel.Step(g, 0, 0.5f);
        }

        var expected = 5 * Math.Exp(ArrheniusDamage.LnFrequencyFactor - (ArrheniusDamage.ActivationTemperatureK / 333.15));
        Assert.Equal(expected, g.Damage[g.Index(5, 5, 5)], 2);
    }

    private static double InsideFraction(int i, int j, int k, double h, double a)
    {
        const int Sub = 4;
        var inside = 0;
        for (var u = 0; u < Sub; u++)
        {
            for (var v = 0; v < Sub; v++)
            {
                for (var w = 0; w < Sub; w++)
                {
                    var x = (i - 0.5 + ((u + 0.5) / Sub)) * h;
                    var y = (j - 0.5 + ((v + 0.5) / Sub)) * h;
                    var z = (k - 0.5 + ((w + 0.5) / Sub)) * h;
                    if ((x * x) + (y * y) + (z * z) <= a * a)
                    {
                        inside++;
                    }
                }
            }
        }

        return inside / (double)(Sub * Sub * Sub);
    }
}
