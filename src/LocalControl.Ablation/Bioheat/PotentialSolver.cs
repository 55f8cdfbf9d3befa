using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// The quasi-static electric potential of RF ablation and electroporation: ∇·(σ∇V) = 0 on the grid, V fixed on the
/// electrodes and on the outer layer (the return pad is far away), solved by conjugate gradients with a Jacobi
/// preconditioner (the finite-volume matrix is symmetric positive definite). Faces take the harmonic mean of σ, so a
/// desiccated voxel blocks current as a series resistor does. Warm starts make the re-solves during heating cheap.
/// </summary>
public sealed class PotentialSolver
{
    private readonly int _nx, _ny, _nz;
    private readonly double _h;
    private readonly float[] _fx, _fy, _fz, _diag, _r, _z, _p, _ap;
    private readonly double[] _partial;
    private readonly double[] _partialSecond;
    private readonly ParallelOptions _options;

    /// <summary>Creates a solver for an <paramref name="nx"/> × <paramref name="ny"/> × <paramref name="nz"/> grid of spacing <paramref name="spacingM"/>.</summary>
    public PotentialSolver(int nx, int ny, int nz, double spacingM, int? maxDegreeOfParallelism = null)
    {
        _nx = nx;
        _ny = ny;
        _nz = nz;
        _h = spacingM;
        var n = nx * ny * nz;
        Conductivity = new float[n];
        Potential = new float[n];
        Fixed = new bool[n];
        _fx = new float[n];
        _fy = new float[n];
        _fz = new float[n];
        _diag = new float[n];
        _r = new float[n];
        _z = new float[n];
        _p = new float[n];
        _ap = new float[n];
        _partial = new double[nz];
        _partialSecond = new double[nz];
        _options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount };
        for (var k = 0; k < nz; k++)
        {
            for (var j = 0; j < ny; j++)
            {
                for (var i = 0; i < nx; i++)
                {
                    if (i == 0 || j == 0 || k == 0 || i == nx - 1 || j == ny - 1 || k == nz - 1)
                    {
                        Fixed[Index(i, j, k)] = true;
                    }
                }
            }
        }
    }

    /// <summary>σ per voxel (S/m); set before <see cref="Solve"/>.</summary>
    public float[] Conductivity { get; }

    /// <summary>V per voxel (V): fixed values on <see cref="Fixed"/> voxels, the solution elsewhere (also the warm start).</summary>
    public float[] Potential { get; }

    /// <summary>Voxels whose potential is prescribed (the outer layer is always fixed at its value).</summary>
    public bool[] Fixed { get; }

    /// <summary>Iterations of the last solve.</summary>
    public int LastIterations { get; private set; }

    private int Index(int i, int j, int k) => ((k * _ny) + j) * _nx + i;

    /// <summary>Solves to a relative residual of <paramref name="tolerance"/>; returns the iterations used.</summary>
    public int Solve(double tolerance = 1e-5, int maxIterations = 5000)
    {
        BuildFaces();
        // r = −A x on free voxels (b = 0 because the prescribed values are carried by x itself).
        Apply(Potential, _r, negate: true);
        var rz = 0.0;
        var rr0 = 0.0;
        For(k =>
        {
            double s = 0, s2 = 0;
            for (var n = k * _nx * _ny; n < (k + 1) * _nx * _ny; n++)
            {
                var d = _diag[n];
                var z = d > 0 ? _r[n] / d : 0;
                _z[n] = z;
                _p[n] = z;
                s += _r[n] * (double)z;
                s2 += _r[n] * (double)_r[n];
            }

            _partial[k] = s;
            return s2;
        }, out rr0);
        rz = SumPartial();
        var bNorm = Math.Sqrt(DrivingNorm());
        var target = tolerance * Math.Max(bNorm, 1e-30);
        var it = 0;
        var rr = rr0;
        while (it < maxIterations && Math.Sqrt(rr) > target)
        {
            Apply(_p, _ap, negate: false);
            For(k =>
            {
                double s = 0;
                for (var n = k * _nx * _ny; n < (k + 1) * _nx * _ny; n++)
                {
                    s += _p[n] * (double)_ap[n];
                }

                return s;
            }, out var pap);
            var alpha = (float)(rz / pap);
            var rzNew = 0.0;
            For(k =>
            {
                double s = 0, s2 = 0;
                for (var n = k * _nx * _ny; n < (k + 1) * _nx * _ny; n++)
                {
                    if (Fixed[n])
                    {
                        continue;
                    }

                    Potential[n] += alpha * _p[n];
                    var r = _r[n] - (alpha * _ap[n]);
                    _r[n] = r;
                    var z = r / _diag[n];
                    _z[n] = z;
                    s += r * (double)z;
                    s2 += r * (double)r;
                }

                _partial[k] = s;
                return s2;
            }, out rr);
            rzNew = SumPartial();
            var beta = (float)(rzNew / rz);
            rz = rzNew;
            Parallel.For(0, _nz, _options, k =>
            {
                for (var n = k * _nx * _ny; n < (k + 1) * _nx * _ny; n++)
                {
                    _p[n] = Fixed[n] ? 0 : _z[n] + (beta * _p[n]);
                }
            });
            it++;
        }

        LastIterations = it;
        return it;
    }

    /// <summary>
    /// Joule heating σ|∇V|² per voxel (W/m³), each face's power split between its two voxels, so the sum times the voxel
    /// volume equals the total power exactly. Returns that total (W).
    /// </summary>
    public double JouleHeating(Span<float> powerDensity)
    {
        powerDensity.Clear();
        var h2 = _h * _h;
        var total = 0.0;
        for (var k = 0; k < _nz; k++)
        {
            for (var j = 0; j < _ny; j++)
            {
                for (var i = 0; i < _nx; i++)
                {
                    var n = Index(i, j, k);
                    if (i + 1 < _nx)
                    {
                        total += Split(powerDensity, n, n + 1, _fx[n]);
                    }

                    if (j + 1 < _ny)
                    {
                        total += Split(powerDensity, n, n + _nx, _fy[n]);
                    }

                    if (k + 1 < _nz)
                    {
                        total += Split(powerDensity, n, n + (_nx * _ny), _fz[n]);
                    }
                }
            }
        }

        return total * h2 * _h;

        double Split(Span<float> q, int a, int b, float sigma)
        {
            var dv = Potential[a] - (double)Potential[b];
            var density = sigma * dv * dv / h2; // W/m³ of face power spread over one voxel volume
            q[a] += (float)(0.5 * density);
            q[b] += (float)(0.5 * density);
            return density;
        }
    }

    /// <summary>The electric field magnitude |∇V| (V/m) per voxel by central differences (one-sided at the edges).</summary>
    public void FieldMagnitude(Span<float> field)
    {
        for (var k = 0; k < _nz; k++)
        {
            for (var j = 0; j < _ny; j++)
            {
                for (var i = 0; i < _nx; i++)
                {
                    var n = Index(i, j, k);
                    var ex = Derivative(n, i, _nx, 1);
                    var ey = Derivative(n, j, _ny, _nx);
                    var ez = Derivative(n, k, _nz, _nx * _ny);
                    field[n] = (float)Math.Sqrt((ex * ex) + (ey * ey) + (ez * ez));
                }
            }
        }

        double Derivative(int n, int c, int size, int stride)
        {
            if (c == 0)
            {
                return (Potential[n + stride] - Potential[n]) / _h;
            }

            if (c == size - 1)
            {
                return (Potential[n] - Potential[n - stride]) / _h;
            }

            return (Potential[n + stride] - Potential[n - stride]) / (2 * _h);
        }
    }

    private void BuildFaces()
    {
        var sigma = Conductivity;
        Parallel.For(0, _nz, _options, k =>
        {
            for (var j = 0; j < _ny; j++)
            {
                for (var i = 0; i < _nx; i++)
                {
                    var n = Index(i, j, k);
                    _fx[n] = i + 1 < _nx ? Harmonic(sigma[n], sigma[n + 1]) : 0;
                    _fy[n] = j + 1 < _ny ? Harmonic(sigma[n], sigma[n + _nx]) : 0;
                    _fz[n] = k + 1 < _nz ? Harmonic(sigma[n], sigma[n + (_nx * _ny)]) : 0;
                }
            }
        });
        Parallel.For(0, _nz, _options, k =>
        {
            for (var j = 0; j < _ny; j++)
            {
                for (var i = 0; i < _nx; i++)
                {
                    var n = Index(i, j, k);
                    if (Fixed[n])
                    {
                        _diag[n] = 0;
                        continue;
                    }

                    _diag[n] = _fx[n] + _fx[n - 1] + _fy[n] + _fy[n - _nx] + _fz[n] + _fz[n - (_nx * _ny)];
                }
            }
        });
    }

    private double DrivingNorm()
    {
        // ‖A_fd x_d‖²: the part of the right-hand side the prescribed voxels drive; the residual's scale.
        For(k =>
        {
            double s = 0;
            var plane = _nx * _ny;
            for (var j = 1; j < _ny - 1; j++)
            {
                for (var i = 1; i < _nx - 1; i++)
                {
                    var n = (k * plane) + (j * _nx) + i;
                    if (Fixed[n])
                    {
                        continue;
                    }

                    double b = 0;
                    b += Fixed[n - 1] ? _fx[n - 1] * Potential[n - 1] : 0;
                    b += Fixed[n + 1] ? _fx[n] * Potential[n + 1] : 0;
                    b += Fixed[n - _nx] ? _fy[n - _nx] * Potential[n - _nx] : 0;
                    b += Fixed[n + _nx] ? _fy[n] * Potential[n + _nx] : 0;
                    b += Fixed[n - plane] ? _fz[n - plane] * Potential[n - plane] : 0;
                    b += Fixed[n + plane] ? _fz[n] * Potential[n + plane] : 0;
                    s += b * b;
                }
            }

            return s;
        }, out var norm, interiorOnly: true);
        return norm;
    }

    private void Apply(float[] x, float[] y, bool negate)
    {
        var sign = negate ? -1f : 1f;
        Parallel.For(0, _nz, _options, k =>
        {
            var plane = _nx * _ny;
            ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
            for (var j = 0; j < _ny; j++)
            {
                for (var i = 0; i < _nx; i++)
                {
                    var n = (k * plane) + (j * _nx) + i;
                    if (Fixed[n])
                    {
                        y[n] = 0;
                        continue;
                    }

                    var c = Unsafe.Add(ref xr, n);
                    var s = (_fx[n] * (c - Unsafe.Add(ref xr, n + 1))) + (_fx[n - 1] * (c - Unsafe.Add(ref xr, n - 1)))
                        + (_fy[n] * (c - Unsafe.Add(ref xr, n + _nx))) + (_fy[n - _nx] * (c - Unsafe.Add(ref xr, n - _nx)))
                        + (_fz[n] * (c - Unsafe.Add(ref xr, n + plane))) + (_fz[n - plane] * (c - Unsafe.Add(ref xr, n - plane)));
                    y[n] = sign * s;
                }
            }
        });
    }

    private void For(Func<int, double> plane, out double sum, bool interiorOnly = false)
    {
        var partial = _partialSecond;
        Array.Clear(partial);
        var from = interiorOnly ? 1 : 0;
        var to = interiorOnly ? _nz - 1 : _nz;
        Parallel.For(from, to, _options, k => partial[k] = plane(k));
        sum = 0;
        foreach (var p in partial)
        {
            sum += p;
        }
    }

    private double SumPartial()
    {
        var s = 0.0;
        foreach (var p in _partial)
        {
            s += p;
        }

        return s;
    }

    private static float Harmonic(float a, float b) => a + b > 0 ? 2 * a * b / (a + b) : 0;
}
