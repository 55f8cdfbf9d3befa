using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// The CPU kernel: 7-point stencil with face conductivities (k_c + k_n)/2, eight voxels per <see cref="Vector256{T}"/>
/// along i, z-planes in parallel. It allocates nothing per step beyond what <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> does.
/// Memory traffic is about 32 B per voxel (T, k, A, B, C, Q read, T′ written; Ω only where hot), so at the machine's
/// ~20 GB/s the roofline is ~0.6 G voxel-updates/s (research/performance-anchors.md §0, §2c).
/// </summary>
public sealed class SimdBioheatKernel : IBioheatKernel
{
    private readonly ParallelOptions _options;
    private readonly Action<int> _plane;
    private BioheatGrid? _grid;
    private float _scale;
    private float _dt;
    private float _halfInvH2;

    /// <summary>Creates the kernel; <paramref name="maxDegreeOfParallelism"/> = null uses every core.</summary>
    public SimdBioheatKernel(int? maxDegreeOfParallelism = null)
    {
        _options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount };
        _plane = Plane;
    }

    /// <inheritdoc />
    public void Step(BioheatGrid grid, float sourceScale, float dtSeconds)
    {
        ArgumentNullException.ThrowIfNull(grid);
        _grid = grid;
        _scale = sourceScale;
        _dt = dtSeconds;
        _halfInvH2 = (float)(0.5 / (grid.SpacingM * grid.SpacingM));
        Parallel.For(1, grid.Nz - 1, _options, _plane);
        grid.Swap();
    }

    private void Plane(int k)
    {
        var g = _grid!;
        for (var j = 1; j < g.Ny - 1; j++)
        {
            Row(g, j, k);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Row(BioheatGrid g, int j, int k)
    {
        ref var t = ref MemoryMarshal.GetArrayDataReference(g.Temperature);
        ref var tn = ref MemoryMarshal.GetArrayDataReference(g.Next);
        ref var kk = ref MemoryMarshal.GetArrayDataReference(g.Conductivity);
        ref var ca = ref MemoryMarshal.GetArrayDataReference(g.CoefficientA);
        ref var cb = ref MemoryMarshal.GetArrayDataReference(g.CoefficientB);
        ref var cc = ref MemoryMarshal.GetArrayDataReference(g.CoefficientC);
        ref var q = ref MemoryMarshal.GetArrayDataReference(g.Source);
        ref var om = ref MemoryMarshal.GetArrayDataReference(g.Damage);
        var sx = 1;
        var sy = g.Nx;
        var sz = g.Nx * g.Ny;
        var rowStart = g.Index(1, j, k);
        var rowEnd = g.Index(g.Nx - 1, j, k); // exclusive
        var n = rowStart;

        var vHalf = Vector256.Create(_halfInvH2);
        var vScale = Vector256.Create(_scale);
        var vDt = Vector256.Create(_dt);
        var vLnA = Vector256.Create((float)ArrheniusDamage.LnFrequencyFactor);
        var vEa = Vector256.Create((float)ArrheniusDamage.ActivationTemperatureK);
        var vKelvin = Vector256.Create(273.15f);
        var vMaxExp = Vector256.Create(ArrheniusDamage.MaxExponent);
        var vThreshold = Vector256.Create((float)ArrheniusDamage.ThresholdCelsius);

        for (; n + Vector256<float>.Count <= rowEnd; n += Vector256<float>.Count)
        {
            var u = (nuint)n;
            var tc = Vector256.LoadUnsafe(ref t, u);
            var kc = Vector256.LoadUnsafe(ref kk, u);
            var flux = Face(ref t, ref kk, u - (nuint)sx, tc, kc)
                + Face(ref t, ref kk, u + (nuint)sx, tc, kc)
                + Face(ref t, ref kk, u - (nuint)sy, tc, kc)
                + Face(ref t, ref kk, u + (nuint)sy, tc, kc)
                + Face(ref t, ref kk, u - (nuint)sz, tc, kc)
                + Face(ref t, ref kk, u + (nuint)sz, tc, kc);
            var next = (Vector256.LoadUnsafe(ref cb, u) * tc)
                + (Vector256.LoadUnsafe(ref ca, u) * ((flux * vHalf) + (vScale * Vector256.LoadUnsafe(ref q, u))))
                + Vector256.LoadUnsafe(ref cc, u);
            next.StoreUnsafe(ref tn, u);

            // Damage only where some lane is above the threshold: most of the block stays near body temperature.
            var hot = Vector256.GreaterThanOrEqual(next, vThreshold);
            if (hot != Vector256<float>.Zero)
            {
                var exponent = Vector256.Min(vLnA - (vEa / (next + vKelvin)), vMaxExp);
                var rate = Vector256.Exp(exponent);
                var omega = Vector256.LoadUnsafe(ref om, u) + Vector256.ConditionalSelect(hot, rate * vDt, Vector256<float>.Zero);
                omega.StoreUnsafe(ref om, u);
            }
        }

        for (; n < rowEnd; n++)
        {
            var tc = Unsafe.Add(ref t, n);
            var kc = Unsafe.Add(ref kk, n);
            var flux = ((kc + Unsafe.Add(ref kk, n - sx)) * (Unsafe.Add(ref t, n - sx) - tc))
                + ((kc + Unsafe.Add(ref kk, n + sx)) * (Unsafe.Add(ref t, n + sx) - tc))
                + ((kc + Unsafe.Add(ref kk, n - sy)) * (Unsafe.Add(ref t, n - sy) - tc))
                + ((kc + Unsafe.Add(ref kk, n + sy)) * (Unsafe.Add(ref t, n + sy) - tc))
                + ((kc + Unsafe.Add(ref kk, n - sz)) * (Unsafe.Add(ref t, n - sz) - tc))
                + ((kc + Unsafe.Add(ref kk, n + sz)) * (Unsafe.Add(ref t, n + sz) - tc));
            var next = (Unsafe.Add(ref cb, n) * tc) + (Unsafe.Add(ref ca, n) * ((flux * _halfInvH2) + (_scale * Unsafe.Add(ref q, n)))) + Unsafe.Add(ref cc, n);
            Unsafe.Add(ref tn, n) = next;
            if (next >= ArrheniusDamage.ThresholdCelsius)
            {
                Unsafe.Add(ref om, n) += _dt * MathF.Exp(MathF.Min((float)ArrheniusDamage.LnFrequencyFactor - ((float)ArrheniusDamage.ActivationTemperatureK / (next + 273.15f)), ArrheniusDamage.MaxExponent));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Face(ref float t, ref float k, nuint at, Vector256<float> tc, Vector256<float> kc) =>
        (kc + Vector256.LoadUnsafe(ref k, at)) * (Vector256.LoadUnsafe(ref t, at) - tc);
}
