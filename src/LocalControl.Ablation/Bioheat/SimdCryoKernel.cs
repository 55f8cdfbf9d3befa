using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// The CPU freezing kernel: 7-point stencil with face conductivities (k_c + k_n)/2 plus the probe surface's sub-voxel conductance, the branch-free enthalpy update of
/// <see cref="CryoGrid"/> eight voxels per <see cref="Vector256{T}"/> along i, z-planes in parallel. Nothing is allocated
/// per step beyond what <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> does. Traffic is about 56 B per
/// voxel (T, k, k_u, k_f, C_u, C_f, L_v, W, active, T_min, probe gain read; T′, k′, T_min written). Only the grid's
/// <see cref="CryoGrid.UpdateBox"/> is swept (the interior by default).
/// </summary>
public sealed class SimdCryoKernel : ICryoKernel
{
    private readonly ParallelOptions _options;
    private readonly Action<int> _plane;
    private CryoGrid? _grid;
    private float _dt;
    private float _halfInvH2;

    /// <summary>Creates the kernel; <paramref name="maxDegreeOfParallelism"/> = null uses every core.</summary>
    public SimdCryoKernel(int? maxDegreeOfParallelism = null)
    {
        _options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount };
        _plane = Plane;
    }

    /// <inheritdoc />
    public void Step(CryoGrid grid, float dtSeconds)
    {
        ArgumentNullException.ThrowIfNull(grid);
        _grid = grid;
        _dt = dtSeconds;
        _halfInvH2 = (float)(0.5 / (grid.SpacingM * grid.SpacingM));
        var b = grid.UpdateBox;
        Parallel.For(b.KLo, b.KHi + 1, _options, _plane);
        grid.Swap();
    }

    private void Plane(int k)
    {
        var g = _grid!;
        var b = g.UpdateBox;
        for (var j = b.JLo; j <= b.JHi; j++)
        {
            Row(g, j, k);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Row(CryoGrid g, int j, int k)
    {
        ref var t = ref MemoryMarshal.GetArrayDataReference(g.Temperature);
        ref var tn = ref MemoryMarshal.GetArrayDataReference(g.Next);
        ref var kk = ref MemoryMarshal.GetArrayDataReference(g.Conductivity);
        ref var kn = ref MemoryMarshal.GetArrayDataReference(g.NextConductivity);
        ref var ku = ref MemoryMarshal.GetArrayDataReference(g.UnfrozenConductivity);
        ref var kf = ref MemoryMarshal.GetArrayDataReference(g.FrozenConductivity);
        ref var cu = ref MemoryMarshal.GetArrayDataReference(g.UnfrozenHeatCapacity);
        ref var cf = ref MemoryMarshal.GetArrayDataReference(g.FrozenHeatCapacity);
        ref var lv = ref MemoryMarshal.GetArrayDataReference(g.LatentHeat);
        ref var w = ref MemoryMarshal.GetArrayDataReference(g.Sink);
        ref var act = ref MemoryMarshal.GetArrayDataReference(g.Active);
        ref var tmin = ref MemoryMarshal.GetArrayDataReference(g.MinTemperature);
        ref var gain = ref MemoryMarshal.GetArrayDataReference(g.ProbeGain);
        var sy = g.Nx;
        var sz = g.Nx * g.Ny;
        var rowStart = g.Index(g.UpdateBox.ILo, j, k);
        var rowEnd = g.Index(g.UpdateBox.IHi + 1, j, k); // exclusive
        var n = rowStart;

        var ts = (float)g.SolidusCelsius;
        var tl = (float)g.LiquidusCelsius;
        var dT = tl - ts;
        var invDT = 1 / dT;
        var tb = (float)g.BloodCelsius;
        var tp = (float)g.ProbeCelsius;
        var vTp = Vector256.Create(tp);
        var vTwo = Vector256.Create(2f);
        var vHalf = Vector256.Create(_halfInvH2);
        var vDt = Vector256.Create(_dt);
        var vTs = Vector256.Create(ts);
        var vTl = Vector256.Create(tl);
        var vDT = Vector256.Create(dT);
        var vInvDT = Vector256.Create(invDT);
        var vTb = Vector256.Create(tb);
        var vHalfC = Vector256.Create(0.5f);
        var zero = Vector256<float>.Zero;
        var one = Vector256<float>.One;

        for (; n + Vector256<float>.Count <= rowEnd; n += Vector256<float>.Count)
        {
            var u = (nuint)n;
            var tc = Vector256.LoadUnsafe(ref t, u);
            var kc = Vector256.LoadUnsafe(ref kk, u);
            var flux = Face(ref t, ref kk, u - 1, tc, kc)
                + Face(ref t, ref kk, u + 1, tc, kc)
                + Face(ref t, ref kk, u - (nuint)sy, tc, kc)
                + Face(ref t, ref kk, u + (nuint)sy, tc, kc)
                + Face(ref t, ref kk, u - (nuint)sz, tc, kc)
                + Face(ref t, ref kk, u + (nuint)sz, tc, kc)
                + (vTwo * kc * Vector256.LoadUnsafe(ref gain, u) * (vTp - tc));
            var cU = Vector256.LoadUnsafe(ref cu, u);
            var cF = Vector256.LoadUnsafe(ref cf, u);
            var cA = (vHalfC * (cU + cF)) + (Vector256.LoadUnsafe(ref lv, u) * vInvDT);
            var x = tc - vTs;
            var f = Vector256.Min(Vector256.Max(x * vInvDT, zero), one);
            var h = (cF * Vector256.Min(x, zero)) + (cA * Vector256.Min(Vector256.Max(x, zero), vDT)) + (cU * Vector256.Max(tc - vTl, zero));
            var rate = (flux * vHalf) + (f * Vector256.LoadUnsafe(ref w, u) * (vTb - tc));
            var hNew = h + (vDt * rate);
            var hl = cA * vDT;
            var next = vTs + (Vector256.Min(hNew, zero) / cF) + (Vector256.Min(Vector256.Max(hNew, zero), hl) / cA) + (Vector256.Max(hNew - hl, zero) / cU);
            var active = Vector256.GreaterThan(Vector256.LoadUnsafe(ref act, u), zero);
            next = Vector256.ConditionalSelect(active, next, tc);
            var fNew = Vector256.Min(Vector256.Max((next - vTs) * vInvDT, zero), one);
            var kF = Vector256.LoadUnsafe(ref kf, u);
            var kNew = kF + ((Vector256.LoadUnsafe(ref ku, u) - kF) * fNew);
            next.StoreUnsafe(ref tn, u);
            kNew.StoreUnsafe(ref kn, u);
            Vector256.Min(Vector256.LoadUnsafe(ref tmin, u), next).StoreUnsafe(ref tmin, u);
        }

        for (; n < rowEnd; n++)
        {
            var tc = Unsafe.Add(ref t, n);
            var kc = Unsafe.Add(ref kk, n);
            var flux = ((kc + Unsafe.Add(ref kk, n - 1)) * (Unsafe.Add(ref t, n - 1) - tc))
                + ((kc + Unsafe.Add(ref kk, n + 1)) * (Unsafe.Add(ref t, n + 1) - tc))
                + ((kc + Unsafe.Add(ref kk, n - sy)) * (Unsafe.Add(ref t, n - sy) - tc))
                + ((kc + Unsafe.Add(ref kk, n + sy)) * (Unsafe.Add(ref t, n + sy) - tc))
                + ((kc + Unsafe.Add(ref kk, n - sz)) * (Unsafe.Add(ref t, n - sz) - tc))
                + ((kc + Unsafe.Add(ref kk, n + sz)) * (Unsafe.Add(ref t, n + sz) - tc))
                + (2 * kc * Unsafe.Add(ref gain, n) * (tp - tc));
            var cU = Unsafe.Add(ref cu, n);
            var cF = Unsafe.Add(ref cf, n);
            var cA = (0.5f * (cU + cF)) + (Unsafe.Add(ref lv, n) * invDT);
            var x = tc - ts;
            var f = Math.Clamp(x * invDT, 0f, 1f);
            var h = (cF * MathF.Min(x, 0)) + (cA * Math.Clamp(x, 0, dT)) + (cU * MathF.Max(tc - tl, 0));
            var hNew = h + (_dt * ((flux * _halfInvH2) + (f * Unsafe.Add(ref w, n) * (tb - tc))));
            var hl = cA * dT;
            var next = Unsafe.Add(ref act, n) > 0
                ? ts + (MathF.Min(hNew, 0) / cF) + (Math.Clamp(hNew, 0, hl) / cA) + (MathF.Max(hNew - hl, 0) / cU)
                : tc;
            var fNew = Math.Clamp((next - ts) * invDT, 0f, 1f);
            var kF = Unsafe.Add(ref kf, n);
            Unsafe.Add(ref tn, n) = next;
            Unsafe.Add(ref kn, n) = kF + ((Unsafe.Add(ref ku, n) - kF) * fNew);
            Unsafe.Add(ref tmin, n) = MathF.Min(Unsafe.Add(ref tmin, n), next);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Face(ref float t, ref float k, nuint at, Vector256<float> tc, Vector256<float> kc) =>
        (kc + Vector256.LoadUnsafe(ref k, at)) * (Vector256.LoadUnsafe(ref t, at) - tc);
}
