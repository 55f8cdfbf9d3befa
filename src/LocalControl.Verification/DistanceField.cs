using System.Numerics;
using System.Runtime.InteropServices;
using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Verification;

/// <summary>
/// The signed distance (mm, negative inside) to a mask's boundary, on a box of the mask's grid, from two exact EDTs
/// (Felzenszwalb &amp; Huttenlocher 2012, <see cref="EuclideanDistance"/>): φ = ∓ ½ (d_in + d_out), where d_in is the
/// distance to the nearest inside boundary voxel centre and d_out to the nearest outside boundary voxel centre. For a
/// plane between voxel layers this is exact at every voxel centre whatever the spacing along the normal (the boundary
/// lies half-way between the layers), and linear between them, so trilinear sampling recovers the distance of any
/// point. The grid edge is not a boundary (an organ cut by the field of view has no surface there). Values are exact
/// wherever the nearest boundary lies inside the box; a voxel with no boundary in the box gets ±∞.
/// </summary>
internal sealed class DistanceField
{
    private readonly float[] _phi;
    private readonly VolumeSize _size;
    private readonly Matrix3D _gradientToLps;

    private DistanceField(ImageGeometry boxGeometry, float[] phi, long insideVoxels, long boundaryVoxels)
    {
        Geometry = boxGeometry;
        _phi = phi;
        _size = boxGeometry.Size;
        var indexToPoint = boxGeometry.Direction * new Matrix3D(boxGeometry.SpacingMm.X, 0, 0, 0, boxGeometry.SpacingMm.Y, 0, 0, 0, boxGeometry.SpacingMm.Z);
        _gradientToLps = indexToPoint.Inverse().Transpose();
        InsideVoxels = insideVoxels;
        BoundaryVoxels = boundaryVoxels;
    }

    /// <summary>The geometry of the box the field covers.</summary>
    public ImageGeometry Geometry { get; }

    /// <summary>Mask voxels inside the box.</summary>
    public long InsideVoxels { get; }

    /// <summary>Boundary voxels (inside and outside layers) inside the box.</summary>
    public long BoundaryVoxels { get; }

    /// <summary>φ at voxel (i, j, k) of the box.</summary>
    public float this[int i, int j, int k] => _phi[_size.LinearIndex(i, j, k)];

    /// <summary>
    /// Builds the field of the voxels of <paramref name="labels"/> whose value is in <paramref name="values"/>, on
    /// <paramref name="box"/> of that grid; <paramref name="grid"/> may be the labels' own geometry or that grid moved
    /// rigidly (the field then lives in the moved frame).
    /// </summary>
    public static DistanceField Build(Volume<int> labels, IReadOnlyList<int> values, VolumeBox box, ImageGeometry grid, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var size = labels.Size;
        // The mask with a one-voxel halo, so that boundary voxels on the box edge are classified by their true neighbours.
        var halo = new VolumeBox(Math.Max(0, box.I0 - 1), Math.Max(0, box.J0 - 1), Math.Max(0, box.K0 - 1),
            Math.Min(size.I, box.I1 + 1), Math.Min(size.J, box.J1 + 1), Math.Min(size.K, box.K1 + 1));
        return Build(MaskRegion.FromLabels(labels, values, halo), box, grid, threads);
    }

    /// <summary>Builds the field of a mask region (outside its box = outside the mask) on <paramref name="box"/> of its grid.</summary>
    public static DistanceField Build(MaskRegion region, VolumeBox box, ImageGeometry grid, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(grid);
        var size = region.Grid.Size;
        var b = box.Size;
        var inner = new byte[b.VoxelCount];
        var outer = new byte[b.VoxelCount];
        var inside = new byte[b.VoxelCount];
        long insideCount = 0, boundaryCount = 0;
        var counts = new long[b.K * 2];
        var h = region.Box;
        var hs = h.Size;
        var mask = region.Mask;
        long strideJ = hs.I, strideK = (long)hs.I * hs.J;
        // Every in-grid neighbour of a box voxel lies in the region's box when that box holds the halo; otherwise
        // (a region smaller than the box) fall back to the bounds-checked lookup.
        var haloCovers = h.I0 <= Math.Max(0, box.I0 - 1) && h.J0 <= Math.Max(0, box.J0 - 1) && h.K0 <= Math.Max(0, box.K0 - 1)
            && h.I1 >= Math.Min(size.I, box.I1 + 1) && h.J1 >= Math.Min(size.J, box.J1 + 1) && h.K1 >= Math.Min(size.K, box.K1 + 1);
        Parallel.For(0, b.K, new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount }, k =>
        {
            long nIn = 0, nBoundary = 0;
            var gk = box.K0 + k;
            for (var j = 0; j < b.J; j++)
            {
                var gj = box.J0 + j;
                var n = b.LinearIndex(0, j, k);
                for (var i = 0; i < b.I; i++, n++)
                {
                    var gi = box.I0 + i;
                    byte here;
                    bool differs;
                    if (haloCovers)
                    {
                        var at = (gi - h.I0) + strideJ * (gj - h.J0) + strideK * (gk - h.K0);
                        here = mask[at];
                        differs = (gi > 0 && mask[at - 1] != here) || (gi + 1 < size.I && mask[at + 1] != here)
                            || (gj > 0 && mask[at - strideJ] != here) || (gj + 1 < size.J && mask[at + strideJ] != here)
                            || (gk > 0 && mask[at - strideK] != here) || (gk + 1 < size.K && mask[at + strideK] != here);
                    }
                    else
                    {
                        here = region.At(gi, gj, gk);
                        differs = Differs(region, size, gi, gj, gk, here);
                    }

                    inside[n] = here;
                    nIn += here;
                    if (differs)
                    {
                        nBoundary++;
                        if (here != 0)
                        {
                            inner[n] = 1;
                        }
                        else
                        {
                            outer[n] = 1;
                        }
                    }
                }
            }

            counts[2 * k] = nIn;
            counts[2 * k + 1] = nBoundary;
        });
        for (var k = 0; k < b.K; k++)
        {
            insideCount += counts[2 * k];
            boundaryCount += counts[2 * k + 1];
        }

        var options = new EdtOptions { MaxDegreeOfParallelism = threads };
        var whole = VolumeBox.Whole(b);
        var spacing = grid.SpacingMm;
        var dIn = EuclideanDistance.SquaredDistance(inner, b, whole, spacing, sitesAreForeground: true, options);
        var dOut = EuclideanDistance.SquaredDistance(outer, b, whole, spacing, sitesAreForeground: true, options);
        var phi = dIn; // reuse the buffer
        Parallel.For(0, b.K, new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount }, k =>
        {
            var start = b.LinearIndex(0, 0, k);
            var end = start + (long)b.I * b.J;
            for (var n = start; n < end; n++)
            {
                var half = 0.5f * (MathF.Sqrt(dIn[n]) + MathF.Sqrt(dOut[n]));
                phi[n] = inside[n] != 0 ? -half : half;
            }
        });

        var origin = grid.IndexToPointLps(box.I0, box.J0, box.K0);
        var boxGeometry = new ImageGeometry(b, spacing, origin, grid.Direction);
        return new DistanceField(boxGeometry, phi, insideCount, boundaryCount);
    }

    /// <summary>
    /// Every <paramref name="fi"/>-th, <paramref name="fj"/>-th, <paramref name="fk"/>-th voxel of φ along each axis: a
    /// coarser field for work at a scale well above the voxel (φ is a distance, 1-Lipschitz, so this loses nothing
    /// that a later smoothing by more than the new spacing would keep).
    /// </summary>
    public DistanceField Subsampled(int fi, int fj, int fk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fi, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fj, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fk, 1);
        var size = new VolumeSize((_size.I + fi - 1) / fi, (_size.J + fj - 1) / fj, (_size.K + fk - 1) / fk);
        var phi = new float[size.VoxelCount];
        var source = _phi;
        var from = _size;
        Parallel.For(0, size.K, k =>
        {
            for (var j = 0; j < size.J; j++)
            {
                for (var i = 0; i < size.I; i++)
                {
                    phi[size.LinearIndex(i, j, k)] = source[from.LinearIndex(i * fi, j * fj, k * fk)];
                }
            }
        });
        var g = Geometry;
        var geometry = new ImageGeometry(size, new Vector3D(g.SpacingMm.X * fi, g.SpacingMm.Y * fj, g.SpacingMm.Z * fk), g.OriginLps, g.Direction);
        return new DistanceField(geometry, phi, InsideVoxels, BoundaryVoxels);
    }

    /// <summary>
    /// Smooths φ with a Gaussian of <paramref name="sigmaMm"/> (separable, edges replicated), after clamping it to
    /// ±<paramref name="clampMm"/>. The zero level of the smoothed field is the mask's surface without the voxel
    /// staircase: smoothing keeps a plane's distance function exactly (it is linear) and moves a sphere's surface by
    /// only about σ²/r. Values within <paramref name="clampMm"/> − 3σ of the surface stay exact distances for planes.
    /// </summary>
    public DistanceField Smoothed(double sigmaMm, double clampMm, int? threads = null)
    {
        var phi = new float[_phi.Length];
        var c = (float)clampMm;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount };
        long plane = (long)_size.I * _size.J;
        var source = _phi;
        Parallel.For(0, _size.K, parallel, k =>
        {
            var from = source.AsSpan((int)(k * plane), (int)plane);
            var to = phi.AsSpan((int)(k * plane), (int)plane);
            for (var n = 0; n < from.Length; n++)
            {
                var v = from[n];
                to[n] = float.IsNaN(v) ? c : Math.Clamp(v, -c, c);
            }
        });

        var sp = Geometry.SpacingMm;
        for (var axis = 0; axis < 3; axis++)
        {
            var n = axis == 0 ? _size.I : axis == 1 ? _size.J : _size.K;
            if (n < 2)
            {
                continue;
            }

            var sigma = sigmaMm / sp[axis];
            var radius = Math.Min(n - 1, (int)Math.Ceiling(3 * sigma));
            var kernel = new float[2 * radius + 1];
            var sum = 0.0;
            for (var t = -radius; t <= radius; t++)
            {
                var w = Math.Exp(-0.5 * t * t / (sigma * sigma));
                kernel[t + radius] = (float)w;
                sum += w;
            }

            for (var t = 0; t < kernel.Length; t++)
            {
                kernel[t] /= (float)sum;
            }

            // Each output value is Σ_u w_u · x(clamp(t + u)), summed in the order u = −r … r, as whole contiguous
            // lines at a time (rows along i padded with replicated ends; i-rows for j; i×j planes for k), so the
            // inner loop is a SIMD multiply-add over a span.
            var src = phi;
            var dst = new float[phi.Length];
            var size = _size;
            switch (axis)
            {
                case 0:
                    Parallel.For(0, size.K, parallel, () => new float[size.I + 2 * radius], (k, _, padded) =>
                    {
                        for (var j = 0; j < size.J; j++)
                        {
                            var start = (int)size.LinearIndex(0, j, k);
                            var row = src.AsSpan(start, size.I);
                            padded.AsSpan(0, radius).Fill(row[0]);
                            row.CopyTo(padded.AsSpan(radius));
                            padded.AsSpan(radius + size.I).Fill(row[^1]);
                            var output = dst.AsSpan(start, size.I);
                            for (var u = 0; u < kernel.Length; u++)
                            {
                                AddScaled(output, padded.AsSpan(u, size.I), kernel[u]);
                            }
                        }

                        return padded;
                    }, _ => { });
                    break;
                case 1:
                    Parallel.For(0, size.K, parallel, k =>
                    {
                        for (var j = 0; j < size.J; j++)
                        {
                            var output = dst.AsSpan((int)size.LinearIndex(0, j, k), size.I);
                            for (var u = -radius; u <= radius; u++)
                            {
                                var from = Math.Clamp(j + u, 0, size.J - 1);
                                AddScaled(output, src.AsSpan((int)size.LinearIndex(0, from, k), size.I), kernel[u + radius]);
                            }
                        }
                    });
                    break;
                default:
                    Parallel.For(0, size.K, parallel, k =>
                    {
                        var output = dst.AsSpan((int)(k * plane), (int)plane);
                        for (var u = -radius; u <= radius; u++)
                        {
                            var from = Math.Clamp(k + u, 0, size.K - 1);
                            AddScaled(output, src.AsSpan((int)(from * plane), (int)plane), kernel[u + radius]);
                        }
                    });
                    break;
            }

            phi = dst;
        }

        return new DistanceField(Geometry, phi, InsideVoxels, BoundaryVoxels);
    }

    /// <summary>
    /// Moves a point onto the zero level of φ along its gradient (two Newton steps); returns the point unchanged where
    /// φ is undefined.
    /// </summary>
    public Vector3D ProjectToSurface(Vector3D pointLps)
    {
        var p = pointLps;
        for (var step = 0; step < 2; step++)
        {
            var phi = SampleWithGradient(p, out var g);
            var g2 = g.Dot(g);
            if (!double.IsFinite(phi) || g2 < 1e-12)
            {
                return p;
            }

            p -= g * (phi / g2);
        }

        return p;
    }

    // output += w · input, element-wise (Vector<float> lanes, then the tail).
    private static void AddScaled(Span<float> output, ReadOnlySpan<float> input, float w)
    {
        var n = 0;
        if (Vector.IsHardwareAccelerated && output.Length >= Vector<float>.Count)
        {
            var wv = new Vector<float>(w);
            var outs = MemoryMarshal.Cast<float, Vector<float>>(output);
            var ins = MemoryMarshal.Cast<float, Vector<float>>(input);
            for (var v = 0; v < outs.Length; v++)
            {
                outs[v] += ins[v] * wv;
            }

            n = outs.Length * Vector<float>.Count;
        }

        for (; n < output.Length; n++)
        {
            output[n] += input[n] * w;
        }
    }

    private static bool Differs(MaskRegion region, VolumeSize size, int i, int j, int k, byte here) =>
        (i > 0 && region.At(i - 1, j, k) != here) || (i + 1 < size.I && region.At(i + 1, j, k) != here)
        || (j > 0 && region.At(i, j - 1, k) != here) || (j + 1 < size.J && region.At(i, j + 1, k) != here)
        || (k > 0 && region.At(i, j, k - 1) != here) || (k + 1 < size.K && region.At(i, j, k + 1) != here);

    /// <summary>φ at an LPS point by trilinear interpolation; NaN outside the box, ±∞ where no boundary is in reach.</summary>
    public double Sample(Vector3D pointLps) => SampleWithGradient(pointLps, out _);

    /// <summary>φ and its gradient (per mm, LPS) at an LPS point; NaN outside the box.</summary>
    public double SampleWithGradient(Vector3D pointLps, out Vector3D gradientLps)
    {
        var idx = Geometry.PointLpsToIndex(pointLps);
        gradientLps = Vector3D.Zero;
        if (idx.X < 0 || idx.Y < 0 || idx.Z < 0 || idx.X > _size.I - 1 || idx.Y > _size.J - 1 || idx.Z > _size.K - 1)
        {
            return double.NaN;
        }

        int i0 = Math.Min((int)idx.X, Math.Max(0, _size.I - 2)), j0 = Math.Min((int)idx.Y, Math.Max(0, _size.J - 2)), k0 = Math.Min((int)idx.Z, Math.Max(0, _size.K - 2));
        int i1 = Math.Min(i0 + 1, _size.I - 1), j1 = Math.Min(j0 + 1, _size.J - 1), k1 = Math.Min(k0 + 1, _size.K - 1);
        double fx = idx.X - i0, fy = idx.Y - j0, fz = idx.Z - k0;
        long sj = _size.I, sk = (long)_size.I * _size.J;
        var p = _phi;
        double c000 = p[i0 + j0 * sj + k0 * sk], c100 = p[i1 + j0 * sj + k0 * sk], c010 = p[i0 + j1 * sj + k0 * sk], c110 = p[i1 + j1 * sj + k0 * sk];
        double c001 = p[i0 + j0 * sj + k1 * sk], c101 = p[i1 + j0 * sj + k1 * sk], c011 = p[i0 + j1 * sj + k1 * sk], c111 = p[i1 + j1 * sj + k1 * sk];
        var c00 = c000 + (c100 - c000) * fx;
        var c10 = c010 + (c110 - c010) * fx;
        var c01 = c001 + (c101 - c001) * fx;
        var c11 = c011 + (c111 - c011) * fx;
        var c0 = c00 + (c10 - c00) * fy;
        var c1 = c01 + (c11 - c01) * fy;
        var value = c0 + (c1 - c0) * fz;
        if (!double.IsFinite(value))
        {
            return value;
        }

        // d/d(index), then to LPS: ∇_p φ = (∂index/∂p)ᵀ ∇_index φ, with ∂index/∂p = (D·S)⁻¹.
        var gx = ((c100 - c000) * (1 - fy) + (c110 - c010) * fy) * (1 - fz) + ((c101 - c001) * (1 - fy) + (c111 - c011) * fy) * fz;
        var gy = (c10 - c00) * (1 - fz) + (c11 - c01) * fz;
        var gz = c1 - c0;
        gradientLps = _gradientToLps * new Vector3D(gx, gy, gz);
        return value;
    }
}
