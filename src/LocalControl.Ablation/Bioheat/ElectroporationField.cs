namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// Optional rise of tissue conductivity with the local field during electroporation: σ(E) = σ₀(1 + (F − 1)s), s a
/// smoothstep of (E − E_low)/(E_high − E_low) clamped to [0, 1]. Off unless a caller asks for it (docs/ablation.md).
/// </summary>
/// <param name="Factor">σ after full electroporation over σ₀ (F ≥ 1).</param>
/// <param name="LowVPerM">Field below which σ stays σ₀ (V/m).</param>
/// <param name="HighVPerM">Field above which σ is F σ₀ (V/m).</param>
/// <param name="Iterations">Fixed-point iterations at most (each a warm-started re-solve).</param>
public sealed record ConductivityRise(double Factor, double LowVPerM, double HighVPerM, int Iterations = 8);

/// <summary>
/// The field of one electrode pair in electroporation: the quasi-static potential ∇·(σ∇V) = 0 of
/// <see cref="PotentialSolver"/> with the anode's exposed voxels at +V, the cathode's at 0 and the block's outer layer
/// at V/2 (the far-field potential of a symmetric pair), then |E| = |∇V| per voxel. One instance is reused for every
/// pair of a run (no allocation per pair).
/// </summary>
public sealed class ElectroporationField
{
    private readonly PotentialSolver _solver;
    private readonly bool[] _boundary;
    private readonly float[] _baseSigma;

    /// <summary>Creates the field solver for a block of <paramref name="nx"/> × <paramref name="ny"/> × <paramref name="nz"/> voxels of spacing <paramref name="spacingM"/> (m).</summary>
    public ElectroporationField(int nx, int ny, int nz, double spacingM, int? maxDegreeOfParallelism = null)
    {
        _solver = new PotentialSolver(nx, ny, nz, spacingM, maxDegreeOfParallelism);
        _boundary = (bool[])_solver.Fixed.Clone();
        _baseSigma = new float[nx * ny * nz];
    }

    /// <summary>The potential of the last solve (V).</summary>
    public ReadOnlySpan<float> Potential => _solver.Potential;

    /// <summary>Conjugate-gradient iterations over the last pair (all fixed-point re-solves).</summary>
    public int LastIterations { get; private set; }

    /// <summary>The solver itself (tests set the outer layer to analytic values through it).</summary>
    internal PotentialSolver Solver => _solver;

    /// <summary>
    /// Solves one pair and writes |E| (V/m) into <paramref name="fieldVPerM"/>. <paramref name="sigma"/> is σ₀ per voxel
    /// (S/m); <paramref name="anode"/> and <paramref name="cathode"/> are voxel indices. Unless
    /// <paramref name="keepOuterLayer"/> is set (tests: analytic values there) the outer layer is held at V/2.
    /// </summary>
    public void SolvePair(ReadOnlySpan<float> sigma, ReadOnlySpan<int> anode, ReadOnlySpan<int> cathode, double voltageV, Span<float> fieldVPerM,
        ConductivityRise? rise = null, double tolerance = 1e-6, bool keepOuterLayer = false)
    {
        var fixedMask = _solver.Fixed;
        var v = _solver.Potential;
        _boundary.CopyTo(fixedMask, 0);
        if (!keepOuterLayer)
        {
            Array.Fill(v, (float)(voltageV / 2));
        }
        else
        {
            for (var n = 0; n < v.Length; n++)
            {
                if (!_boundary[n])
                {
                    v[n] = (float)(voltageV / 2);
                }
            }
        }

        foreach (var n in anode)
        {
            fixedMask[n] = true;
            v[n] = (float)voltageV;
        }

        foreach (var n in cathode)
        {
            fixedMask[n] = true;
            v[n] = 0;
        }

        sigma.CopyTo(_baseSigma);
        sigma.CopyTo(_solver.Conductivity);
        LastIterations = _solver.Solve(tolerance, 20000);
        _solver.FieldMagnitude(fieldVPerM);
        if (rise is null || rise.Factor <= 1)
        {
            return;
        }

        var s = _solver.Conductivity;
        var width = Math.Max(rise.HighVPerM - rise.LowVPerM, 1e-9);
        for (var it = 0; it < rise.Iterations; it++)
        {
            var change = 0.0;
            for (var n = 0; n < s.Length; n++)
            {
                var x = Math.Clamp((fieldVPerM[n] - rise.LowVPerM) / width, 0, 1);
                var step = x * x * (3 - (2 * x));
                var next = (float)(_baseSigma[n] * (1 + ((rise.Factor - 1) * step)));
                change = Math.Max(change, Math.Abs(next - s[n]) / Math.Max(_baseSigma[n], 1e-12f));
                s[n] = next;
            }

            if (change < 0.01)
            {
                break;
            }

            LastIterations += _solver.Solve(tolerance, 20000);
            _solver.FieldMagnitude(fieldVPerM);
        }
    }
}
