using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Verification.Registration;

/// <summary>What the intensity refinement did.</summary>
/// <param name="PostToPre">The refined motion.</param>
/// <param name="MutualInformationStart">Mutual information (nats) at the starting motion, on the finest level's samples.</param>
/// <param name="MutualInformationEnd">Mutual information (nats) of the finest level at the end.</param>
/// <param name="Evaluations">Cost evaluations over all levels.</param>
/// <param name="Converged">True when the finest level's simplex shrank below the tolerance within its budget.</param>
/// <param name="Levels">Resolution levels used (coarse to fine).</param>
/// <param name="Samples">Samples of the finest level.</param>
public sealed record IntensityRefinement(RigidTransform PostToPre, double MutualInformationStart, double MutualInformationEnd, int Evaluations, bool Converged, int Levels, int Samples);

/// <summary>
/// Rigid refinement on intensities by mutual information, in the manner of Mattes et al. (IEEE TMI 22, 2003, 120–128):
/// a joint histogram of a fixed set of samples of the post image (hard bins) against the pre image interpolated
/// trilinearly at the moved sample points (linear Parzen window over the bins, so the cost is continuous in the
/// motion), maximised over the six rigid parameters. Coarse to fine: the images are block-averaged to about 4 mm and
/// 2 mm voxels and then used at full resolution, each level starting where the last stopped; the optimiser is
/// Nelder–Mead on the rotation vector (scaled to mm of motion at 50 mm) and the translation. It starts from the mask
/// registration and only refines it: the caller decides whether the result is kept (<see cref="MaskRegistration"/>).
/// </summary>
public static class MutualInformationRegistration
{
    private const int Bins = 32;
    private const double RotationScaleMm = 50; // one rotation unit = 1 mm of motion 50 mm from the centre

    /// <summary>
    /// Refines <paramref name="start"/> (post → pre). Samples are post voxels inside <paramref name="postBox"/> for which
    /// <paramref name="inRegion"/> holds (e.g. the liver and a band around it; null = all); the pre image is read inside
    /// <paramref name="preBox"/> (null = whole).
    /// </summary>
    public static IntensityRefinement Refine(Volume<float> preImage, Volume<float> postImage, RigidTransform start,
        Func<Vector3D, bool>? inRegion = null, VolumeBox? postBox = null, VolumeBox? preBox = null, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(preImage);
        ArgumentNullException.ThrowIfNull(postImage);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount };
        var pb = postBox ?? VolumeBox.Whole(postImage.Size);
        var qb = preBox ?? VolumeBox.Whole(preImage.Size);
        var (preLo, preHi) = Range(preImage, qb);
        var (postLo, postHi) = Range(postImage, pb);
        if (!(preHi > preLo) || !(postHi > postLo))
        {
            throw new VerificationException("LC-VERIFY-007", $"the {(preHi > preLo ? "post" : "pre")} image has no contrast in the liver's neighbourhood: it cannot refine the registration.", field: preHi > preLo ? "post-image" : "pre-image");
        }

        var levels = new List<(double TargetMm, int MaxSamples, double StepMm, double TolMm, int MaxEvaluations)>
        {
            (4, 20_000, 4, 0.2, 400),
            (2, 40_000, 1.5, 0.1, 400),
            (0, 80_000, 0.6, 0.03, 500),
        };
        var t = start;
        var evaluations = 0;
        double miStart = double.NaN, miEnd = double.NaN;
        var converged = false;
        var samplesUsed = 0;
        var used = 0;
        (int, int, int)? lastFactors = null;
        foreach (var (targetMm, maxSamples, stepMm, tolMm, maxEvaluations) in levels)
        {
            var fPost = Factors(postImage.Geometry.SpacingMm, targetMm);
            var fPre = Factors(preImage.Geometry.SpacingMm, targetMm);
            if (lastFactors == fPost && targetMm > 0)
            {
                continue;
            }

            lastFactors = fPost;
            // Full resolution reads the images where they are (the boxes only bound the samples); coarser levels are block averages of the boxes.
            var pre = fPre == (1, 1, 1) ? preImage : Downsample(preImage, qb, fPre);
            var fullPost = fPost == (1, 1, 1);
            var post = fullPost ? postImage : Downsample(postImage, pb, fPost);
            var samples = Samples(post, fullPost ? pb : VolumeBox.Whole(post.Size), inRegion, maxSamples, postLo, postHi);
            if (samples.Count < 500)
            {
                continue; // too coarse for this region; the next level has more
            }

            used++;
            var centre = Vector3D.Zero;
            foreach (var p in samples.PointsLps)
            {
                centre += t.Apply(p);
            }

            centre *= 1.0 / samples.Count;
            var baseT = t;
            RigidTransform Motion(ReadOnlySpan<double> x)
            {
                var rotation = RigidTransform.FromRotationVector(new Vector3D(x[0], x[1], x[2]) * (1 / RotationScaleMm));
                var inc = new RigidTransform(rotation, centre - rotation * centre + new Vector3D(x[3], x[4], x[5]));
                return inc.After(baseT);
            }

            var cost = new CostFunction(pre, samples, preLo, preHi, parallel);
            double F(double[] x) => -cost.MutualInformation(Motion(x));
            var x0 = new double[6];
            if (targetMm == 0)
            {
                miStart = cost.MutualInformation(start); // the mask fit's value, on the finest level's samples
            }

            var (best, value, count, done) = NelderMead(F, x0, stepMm, tolMm, maxEvaluations);
            evaluations += count;
            t = Motion(best);
            if (targetMm == 0)
            {
                miEnd = -value;
                converged = done;
                samplesUsed = samples.Count;
            }
        }

        if (used == 0 || samplesUsed == 0)
        {
            throw new VerificationException("LC-VERIFY-007", "the images overlap the liver region in too few voxels to refine the registration on intensities.", field: "post-image");
        }

        return new IntensityRefinement(t, miStart, miEnd, evaluations, converged, used, samplesUsed);
    }

    private static (int, int, int) Factors(Vector3D spacing, double targetMm) => targetMm <= 0
        ? (1, 1, 1)
        : (Math.Max(1, (int)Math.Round(targetMm / spacing.X)), Math.Max(1, (int)Math.Round(targetMm / spacing.Y)), Math.Max(1, (int)Math.Round(targetMm / spacing.Z)));

    // The 0.5th and 99.5th percentiles of a regular subset of the box (robust to metal and air).
    private static (double Lo, double Hi) Range(Volume<float> image, VolumeBox box)
    {
        var s = box.Size;
        var stride = Math.Max(1, (int)Math.Cbrt(s.VoxelCount / 200_000.0));
        var values = new List<float>();
        for (var k = box.K0; k < box.K1; k += stride)
        {
            for (var j = box.J0; j < box.J1; j += stride)
            {
                var row = image.Size.LinearIndex(0, j, k);
                for (var i = box.I0; i < box.I1; i += stride)
                {
                    var v = image.Buffer[row + i];
                    if (float.IsFinite(v))
                    {
                        values.Add(v);
                    }
                }
            }
        }

        if (values.Count == 0)
        {
            return (0, 0);
        }

        values.Sort();
        return (values[(int)(0.005 * (values.Count - 1))], values[(int)Math.Ceiling(0.995 * (values.Count - 1))]);
    }

    // The box of the image averaged over blocks of f voxels (a voxel of the result stands at its block's centre).
    private static Volume<float> Downsample(Volume<float> image, VolumeBox box, (int I, int J, int K) f)
    {
        var s = box.Size;
        var size = new VolumeSize((s.I + f.I - 1) / f.I, (s.J + f.J - 1) / f.J, (s.K + f.K - 1) / f.K);
        var g = image.Geometry;
        var origin = g.IndexToPointLps(new Vector3D(box.I0 + (f.I - 1) / 2.0, box.J0 + (f.J - 1) / 2.0, box.K0 + (f.K - 1) / 2.0));
        var geometry = new ImageGeometry(size, new Vector3D(g.SpacingMm.X * f.I, g.SpacingMm.Y * f.J, g.SpacingMm.Z * f.K), origin, g.Direction);
        var result = new Volume<float>(geometry);
        var src = image.Buffer;
        var dst = result.Buffer;
        var full = image.Size;
        Parallel.For(0, size.K, k =>
        {
            for (var j = 0; j < size.J; j++)
            {
                for (var i = 0; i < size.I; i++)
                {
                    double sum = 0;
                    var n = 0;
                    for (var c = k * f.K; c < Math.Min(s.K, (k + 1) * f.K); c++)
                    {
                        for (var b = j * f.J; b < Math.Min(s.J, (j + 1) * f.J); b++)
                        {
                            var row = full.LinearIndex(box.I0, box.J0 + b, box.K0 + c);
                            for (var a = i * f.I; a < Math.Min(s.I, (i + 1) * f.I); a++)
                            {
                                var v = src[row + a];
                                if (float.IsFinite(v))
                                {
                                    sum += v;
                                    n++;
                                }
                            }
                        }
                    }

                    dst[size.LinearIndex(i, j, k)] = n > 0 ? (float)(sum / n) : float.NaN;
                }
            }
        });
        return result;
    }

    private sealed record SampleSet(Vector3D[] PointsLps, int[] FixedBins)
    {
        public int Count => PointsLps.Length;
    }

    // Post voxels in the region, on a regular stride when there are more than maxSamples; each with its intensity bin.
    private static SampleSet Samples(Volume<float> post, VolumeBox box, Func<Vector3D, bool>? inRegion, int maxSamples, double lo, double hi)
    {
        var size = post.Size;
        var g = post.Geometry;
        var points = new List<Vector3D>();
        var bins = new List<int>();
        // Look at about four candidates per sample wanted (the region test is the costly part).
        var stride = Math.Max(1, (int)Math.Floor(Math.Cbrt(box.Size.VoxelCount / (4.0 * maxSamples))));
        for (var k = box.K0; k < box.K1; k += stride)
        {
            for (var j = box.J0; j < box.J1; j += stride)
            {
                for (var i = box.I0; i < box.I1; i += stride)
                {
                    var v = post.Buffer[size.LinearIndex(i, j, k)];
                    if (!float.IsFinite(v))
                    {
                        continue;
                    }

                    var p = g.IndexToPointLps(i, j, k);
                    if (inRegion is null || inRegion(p))
                    {
                        points.Add(p);
                        bins.Add(Bin(v, lo, hi));
                    }
                }
            }
        }

        if (points.Count <= maxSamples)
        {
            return new SampleSet([.. points], [.. bins]);
        }

        // A deterministic, evenly spread subset.
        var step = points.Count / (double)maxSamples;
        var chosen = new Vector3D[maxSamples];
        var chosenBins = new int[maxSamples];
        for (var m = 0; m < maxSamples; m++)
        {
            var index = (int)(m * step);
            chosen[m] = points[index];
            chosenBins[m] = bins[index];
        }

        return new SampleSet(chosen, chosenBins);
    }

    private static int Bin(double v, double lo, double hi) => (int)Math.Clamp((v - lo) / (hi - lo) * (Bins - 1) + 0.5, 0, Bins - 1);

    private sealed class CostFunction(Volume<float> pre, SampleSet samples, double lo, double hi, ParallelOptions parallel)
    {
        private readonly int _chunks = Math.Max(1, Math.Min(16, samples.Count / 2000));

        public double MutualInformation(RigidTransform t)
        {
            var partial = new double[_chunks][];
            var g = pre.Geometry;
            // Pre index of a post point: the two geometries composed into one affine map.
            var toIndex = g.PointLpsToIndex(Vector3D.Zero);
            var m = new Matrix3D(
                (g.PointLpsToIndex(new Vector3D(1, 0, 0)) - toIndex).X, (g.PointLpsToIndex(new Vector3D(0, 1, 0)) - toIndex).X, (g.PointLpsToIndex(new Vector3D(0, 0, 1)) - toIndex).X,
                (g.PointLpsToIndex(new Vector3D(1, 0, 0)) - toIndex).Y, (g.PointLpsToIndex(new Vector3D(0, 1, 0)) - toIndex).Y, (g.PointLpsToIndex(new Vector3D(0, 0, 1)) - toIndex).Y,
                (g.PointLpsToIndex(new Vector3D(1, 0, 0)) - toIndex).Z, (g.PointLpsToIndex(new Vector3D(0, 1, 0)) - toIndex).Z, (g.PointLpsToIndex(new Vector3D(0, 0, 1)) - toIndex).Z);
            var a = m * t.Rotation;
            var b = m * t.TranslationMm + toIndex;
            var size = pre.Size;
            var buffer = pre.Buffer;
            var points = samples.PointsLps;
            var fixedBins = samples.FixedBins;
            var scale = (Bins - 1) / (hi - lo);
            Parallel.For(0, _chunks, parallel, chunk =>
            {
                var joint = new double[Bins * Bins];
                var n0 = (int)((long)points.Length * chunk / _chunks);
                var n1 = (int)((long)points.Length * (chunk + 1) / _chunks);
                long sj = size.I, sk = (long)size.I * size.J;
                for (var n = n0; n < n1; n++)
                {
                    var x = a * points[n] + b;
                    if (x.X < 0 || x.Y < 0 || x.Z < 0 || x.X > size.I - 1 || x.Y > size.J - 1 || x.Z > size.K - 1)
                    {
                        continue;
                    }

                    int i0 = Math.Min((int)x.X, Math.Max(0, size.I - 2)), j0 = Math.Min((int)x.Y, Math.Max(0, size.J - 2)), k0 = Math.Min((int)x.Z, Math.Max(0, size.K - 2));
                    int i1 = Math.Min(i0 + 1, size.I - 1), j1 = Math.Min(j0 + 1, size.J - 1), k1 = Math.Min(k0 + 1, size.K - 1);
                    double fx = x.X - i0, fy = x.Y - j0, fz = x.Z - k0;
                    double c00 = buffer[i0 + j0 * sj + k0 * sk] + (buffer[i1 + j0 * sj + k0 * sk] - buffer[i0 + j0 * sj + k0 * sk]) * fx;
                    double c10 = buffer[i0 + j1 * sj + k0 * sk] + (buffer[i1 + j1 * sj + k0 * sk] - buffer[i0 + j1 * sj + k0 * sk]) * fx;
                    double c01 = buffer[i0 + j0 * sj + k1 * sk] + (buffer[i1 + j0 * sj + k1 * sk] - buffer[i0 + j0 * sj + k1 * sk]) * fx;
                    double c11 = buffer[i0 + j1 * sj + k1 * sk] + (buffer[i1 + j1 * sj + k1 * sk] - buffer[i0 + j1 * sj + k1 * sk]) * fx;
                    var c0 = c00 + (c10 - c00) * fy;
                    var c1 = c01 + (c11 - c01) * fy;
                    var v = c0 + (c1 - c0) * fz;
                    if (!double.IsFinite(v))
                    {
                        continue;
                    }

                    var u = Math.Clamp((v - lo) * scale, 0, Bins - 1);
                    var lower = Math.Min((int)u, Bins - 2);
                    var w = u - lower;
                    var row = fixedBins[n] * Bins;
                    joint[row + lower] += 1 - w;
                    joint[row + lower + 1] += w;
                }

                partial[chunk] = joint;
            });

            var total = new double[Bins * Bins];
            foreach (var p in partial)
            {
                for (var x = 0; x < total.Length; x++)
                {
                    total[x] += p[x];
                }
            }

            Span<double> pf = stackalloc double[Bins];
            Span<double> pm = stackalloc double[Bins];
            var sum = 0.0;
            for (var r = 0; r < Bins; r++)
            {
                for (var c = 0; c < Bins; c++)
                {
                    var v = total[r * Bins + c];
                    pf[r] += v;
                    pm[c] += v;
                    sum += v;
                }
            }

            // Too few samples inside the pre image: no information (the optimiser is pushed back towards overlap).
            if (sum < 0.25 * points.Length)
            {
                return 0;
            }

            var mi = 0.0;
            for (var r = 0; r < Bins; r++)
            {
                for (var c = 0; c < Bins; c++)
                {
                    var v = total[r * Bins + c];
                    if (v > 0)
                    {
                        mi += v / sum * Math.Log(v * sum / (pf[r] * pm[c]));
                    }
                }
            }

            return mi;
        }
    }

    /// <summary>Nelder–Mead (standard coefficients) from <paramref name="x0"/> with an axis-aligned simplex of <paramref name="step"/>.</summary>
    internal static (double[] Best, double Value, int Evaluations, bool Converged) NelderMead(Func<double[], double> f, double[] x0, double step, double tolerance, int maxEvaluations)
    {
        var n = x0.Length;
        var simplex = new double[n + 1][];
        var values = new double[n + 1];
        var evaluations = 0;
        for (var v = 0; v <= n; v++)
        {
            simplex[v] = (double[])x0.Clone();
            if (v > 0)
            {
                simplex[v][v - 1] += step;
            }

            values[v] = f(simplex[v]);
            evaluations++;
        }

        var order = new int[n + 1];
        var centroid = new double[n];
        var trial = new double[n];
        var trial2 = new double[n];
        while (true)
        {
            for (var v = 0; v <= n; v++)
            {
                order[v] = v;
            }

            Array.Sort(order, (p, q) => values[p].CompareTo(values[q]));
            var bestIndex = order[0];
            var worstIndex = order[n];
            var size = 0.0;
            for (var v = 1; v <= n; v++)
            {
                for (var d = 0; d < n; d++)
                {
                    size = Math.Max(size, Math.Abs(simplex[order[v]][d] - simplex[bestIndex][d]));
                }
            }

            if (size < tolerance)
            {
                return ((double[])simplex[bestIndex].Clone(), values[bestIndex], evaluations, true);
            }

            if (evaluations >= maxEvaluations)
            {
                return ((double[])simplex[bestIndex].Clone(), values[bestIndex], evaluations, false);
            }

            Array.Clear(centroid);
            for (var v = 0; v < n; v++)
            {
                for (var d = 0; d < n; d++)
                {
                    centroid[d] += simplex[order[v]][d] / n;
                }
            }

            for (var d = 0; d < n; d++)
            {
                trial[d] = centroid[d] + (centroid[d] - simplex[worstIndex][d]);
            }

            var fr = f(trial);
            evaluations++;
            if (fr < values[bestIndex])
            {
                for (var d = 0; d < n; d++)
                {
                    trial2[d] = centroid[d] + 2 * (centroid[d] - simplex[worstIndex][d]);
                }

                var fe = f(trial2);
                evaluations++;
                if (fe < fr)
                {
                    Array.Copy(trial2, simplex[worstIndex], n);
                    values[worstIndex] = fe;
                }
                else
                {
                    Array.Copy(trial, simplex[worstIndex], n);
                    values[worstIndex] = fr;
                }

                continue;
            }

            if (fr < values[order[n - 1]])
            {
                Array.Copy(trial, simplex[worstIndex], n);
                values[worstIndex] = fr;
                continue;
            }

            // Contraction (outside when the reflection beat the worst, inside otherwise).
            var outside = fr < values[worstIndex];
            for (var d = 0; d < n; d++)
            {
                trial2[d] = outside ? centroid[d] + 0.5 * (trial[d] - centroid[d]) : centroid[d] + 0.5 * (simplex[worstIndex][d] - centroid[d]);
            }

            var fc = f(trial2);
            evaluations++;
            if (fc < (outside ? fr : values[worstIndex]))
            {
                Array.Copy(trial2, simplex[worstIndex], n);
                values[worstIndex] = fc;
                continue;
            }

            // Shrink towards the best vertex.
            for (var v = 1; v <= n; v++)
            {
                var idx = order[v];
                for (var d = 0; d < n; d++)
                {
                    simplex[idx][d] = simplex[bestIndex][d] + 0.5 * (simplex[idx][d] - simplex[bestIndex][d]);
                }

                values[idx] = f(simplex[idx]);
                evaluations++;
            }
        }
    }
}
