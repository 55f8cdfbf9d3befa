using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Verification.Registration;

/// <summary>Settings of the rigid registration from the liver masks.</summary>
public sealed record RegistrationOptions
{
    /// <summary>How far around the pre liver the distance map reaches (mm); larger initial misalignments are outside its reach.</summary>
    public double ReachMm { get; init; } = 30;

    /// <summary>Most Gauss–Newton iterations per start before the fit counts as not converged.</summary>
    public int MaxIterations { get; init; } = 150;

    /// <summary>Most surface points used (a regular subset of the post liver surface beyond that).</summary>
    public int MaxSurfacePoints { get; init; } = 40_000;

    /// <summary>Landmark pairs (optional): three or more give a starting pose and a landmark error in the report.</summary>
    public IReadOnlyList<LandmarkPair> Landmarks { get; init; } = [];

    /// <summary>The pre CT/MR on the pre labels' grid; with <see cref="PostImage"/> the mask fit is refined on intensities.</summary>
    public Volume<float>? PreImage { get; init; }

    /// <summary>The post CT/MR on the post labels' grid.</summary>
    public Volume<float>? PostImage { get; init; }

    /// <summary>Threads; null = all cores.</summary>
    public int? Threads { get; init; }
}

/// <summary>
/// Rigid registration of the post-procedure scan to the pre-procedure scan from the two liver masks, by distance-map
/// alignment: the post liver surface (voxel-face centres) is moved to minimise the squared signed distance to the
/// pre liver surface (<see cref="DistanceField"/>, exact EDTs), by Gauss–Newton with Tukey weights (IRLS) whose cut-off
/// shrinks from the reach of the map to a few mm. The robust weights and the rule that the grid edge is no surface
/// make it tolerate a liver that one scan shows only in part. Two starts (the scanners' own frames, and the liver
/// centroids aligned; a landmark fit as a third when given) and the lower robust cost wins. The reported uncertainty
/// comes from how well the surface pins the pose (<see cref="ConstraintCovariance"/>), not from the fit's steps.
/// </summary>
public static class MaskRegistration
{
    private const double TukeyC = 4.685;

    /// <summary>Registers <paramref name="post"/> onto <paramref name="pre"/> (both need a <c>liver</c> label).</summary>
    /// <exception cref="VerificationException">LC-VERIFY-001 no liver to register, 004 no convergence, 005 an implausible result.</exception>
    public static RegistrationResult Register(LabelMap pre, LabelMap post, RegistrationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pre);
        ArgumentNullException.ThrowIfNull(post);
        options ??= new RegistrationOptions();
        if (pre.Table.ValuesWithRole(LabelRole.Liver).Count == 0 || post.Table.ValuesWithRole(LabelRole.Liver).Count == 0)
        {
            throw new VerificationException("LC-VERIFY-001", $"the {(pre.Table.ValuesWithRole(LabelRole.Liver).Count == 0 ? "pre" : "post")} label table names no liver label, and the two scans are on different grids: there is nothing to register them by (give both a 'liver' label).", field: "liver");
        }

        // The organ is the liver with everything segmented inside it: a tumour (pre) or a zone (post) is a hole in the
        // liver label whose walls do not match between the scans, so it must not count as liver surface.
        var preLiver = OrganValues(pre.Table);
        var postLiver = OrganValues(post.Table);
        var preBox = MaskRegion.BoundingBox(pre.Labels, preLiver);
        var postBox = MaskRegion.BoundingBox(post.Labels, postLiver);
        var preLiverOnly = MaskRegion.BoundingBox(pre.Labels, pre.Table.ValuesWithRole(LabelRole.Liver));
        var postLiverOnly = MaskRegion.BoundingBox(post.Labels, post.Table.ValuesWithRole(LabelRole.Liver));
        if (preLiverOnly.IsEmpty || postLiverOnly.IsEmpty)
        {
            preBox = preLiverOnly;
            postBox = postLiverOnly;
        }

        if (preBox.IsEmpty || postBox.IsEmpty)
        {
            throw new VerificationException("LC-VERIFY-001", $"the {(preBox.IsEmpty ? "pre" : "post")} liver mask is empty: there is nothing to register the scans by.", field: "liver");
        }

        var preGrid = pre.Labels.Geometry;
        var field = DistanceField.Build(pre.Labels, preLiver, preBox.Grow(options.ReachMm, preGrid.SpacingMm, preGrid.Size), preGrid, options.Threads);
        var faces = SurfaceFaces.Of(MaskRegion.FromLabels(post.Labels, postLiver, postBox), includeGridEdge: false);
        if (faces.Count < 200)
        {
            throw new VerificationException("LC-VERIFY-001", $"the post liver mask has only {faces.Count} surface faces: too small to register by.", field: "liver");
        }

        var stride = (faces.Count + options.MaxSurfacePoints - 1) / options.MaxSurfacePoints;
        var points = new Vector3D[(faces.Count + stride - 1) / stride];
        for (var n = 0; n < points.Length; n++)
        {
            points[n] = faces.CentresLps[n * stride];
        }

        var starts = new List<(string Name, RigidTransform Start)> { ("scanner frames", RigidTransform.Identity) };
        var preCentre = MaskCentroid(pre.Labels, preLiver, preBox);
        var postCentre = MaskCentroid(post.Labels, postLiver, postBox);
        starts.Add(("liver centroids", new RigidTransform(Matrix3D.Identity, preCentre - postCentre)));
        if (options.Landmarks.Count >= 3)
        {
            starts.Add(("landmarks", LandmarkFit.Fit(options.Landmarks)));
        }

        // Coarse to fine: every start is fitted on a regular eighth of the surface points (the wide capture range is
        // what the starts need, not the density), then the winner is refined on all of them from a 10 mm cut-off.
        var coarseStride = points.Length >= 16_000 ? 8 : 1;
        var coarse = new Vector3D[(points.Length + coarseStride - 1) / coarseStride];
        for (var n = 0; n < coarse.Length; n++)
        {
            coarse[n] = points[n * coarseStride];
        }

        Fit? best = null;
        foreach (var (_, start) in starts)
        {
            var fit = Optimise(field, coarse, start, options, options.ReachMm);
            if (fit.Converged && (best is null || fit.Score < best.Score))
            {
                best = fit;
            }
        }

        // The refinement on all points is made on the pre map smoothed by one voxel (its zero level is the surface
        // without the staircase; a plane's distance is kept exactly): on the exact map the post surface's voxel
        // staircase can lock onto the pre staircase in a wrong pose (seen: 2° off on a phantom moved by half a 1.6 mm
        // slice, with a 0.26 mm residual), while on the smoothed map it is symmetric noise about the true surface.
        // Only if that fit does not converge is the exact map tried, and a fit that converges on neither is refused.
        if (best is not null)
        {
            var voxelMax = Math.Max(preGrid.SpacingMm.X, Math.Max(preGrid.SpacingMm.Y, preGrid.SpacingMm.Z));
            var cutoffMm = Math.Min(options.ReachMm, 10);
            var fine = Optimise(SmoothedMap(field, voxelMax, voxelMax, 12 * voxelMax, options.Threads), points, best.Transform, options, cutoffMm);
            if (!fine.Converged && coarseStride > 1)
            {
                fine = Optimise(field, points, best.Transform, options, cutoffMm);
            }

            best = fine.Converged ? fine : coarseStride > 1 ? null : best;
        }

        if (best is null)
        {
            throw new VerificationException("LC-VERIFY-004", $"the rigid registration of the liver masks did not converge within {options.MaxIterations} iterations from any start: check that both masks show the same liver.", field: "liver");
        }

        var residuals = Residuals(field, points, best.Transform);
        var finite = residuals.Where(double.IsFinite).Select(Math.Abs).Order().ToArray();
        var reachedShare = finite.Length / (double)points.Length;
        if (reachedShare < 0.5)
        {
            throw new VerificationException("LC-VERIFY-005", $"after registration only {reachedShare:P0} of the post liver surface lies near the pre liver: the masks do not show the same liver, or they are too far apart.", field: "liver");
        }

        var mean = finite.Average();
        var p95 = finite[(int)Math.Min(finite.Length - 1, Math.Ceiling(0.95 * finite.Length) - 1)];
        if (p95 > 15)
        {
            throw new VerificationException("LC-VERIFY-005", $"after registration the liver surfaces are still {p95:0.#} mm apart at the 95th percentile: the registration makes no sense (different livers, or a very large deformation).", field: "liver");
        }

        var notes = new List<string> { "Rigid registration only: liver deformation between the scans is not modelled (deformable registration is a later step)." };
        var method = "rigid-liver-surface";
        var transform = best.Transform;
        if (options.PreImage is { } preImage && options.PostImage is { } postImage)
        {
            var refined = RefineOnIntensities(preImage, postImage, field, points, best.Transform, postBox, preGrid, post.Labels.Geometry, mean, p95, options, notes);
            if (refined is { } r)
            {
                transform = r.Transform;
                mean = r.MeanMm;
                p95 = r.P95Mm;
                method = "rigid-liver-surface+mutual-information";
            }
        }

        double? landmarkError = null;
        if (options.Landmarks.Count > 0)
        {
            landmarkError = options.Landmarks.Average(l => (transform.Apply(l.PostLps) - l.PreLps).Length);
        }

        var voxelMm = Math.Max(preGrid.SpacingMm.X, Math.Max(preGrid.SpacingMm.Y, preGrid.SpacingMm.Z));
        var (covariance, rotationCentre) = ConstraintCovariance(field, points, transform, best.RmsMm, voxelMm, options);
        return new RegistrationResult(transform, method, mean, p95, best.RmsMm, covariance, rotationCentre, best.Iterations,
            100.0 * best.Inliers / points.Length, points.Length)
        {
            LandmarkErrorMm = landmarkError,
            Notes = notes,
        };
    }

    /// <summary>How far outside the pre liver surface the intensity samples reach (mm): the liver and its capsule, not the ribs.</summary>
    private const double IntensityBandMm = 10;

    // Mutual-information refinement from the mask fit; kept only when it converged, raised the mutual information, and
    // left the liver surfaces as well aligned as the masks had them (mean within 0.5 mm, p95 within 1 mm, no liver
    // surface point moved more than 5 mm): the intensities refine the masks' answer, they never overrule it.
    private static (RigidTransform Transform, double MeanMm, double P95Mm)? RefineOnIntensities(Volume<float> preImage, Volume<float> postImage, DistanceField field,
        Vector3D[] points, RigidTransform maskFit, VolumeBox postOrganBox, ImageGeometry preGrid, ImageGeometry postGrid, double mean, double p95, RegistrationOptions options, List<string> notes)
    {
        if (!preImage.Geometry.IsSameGridAs(preGrid))
        {
            throw new VerificationException("LC-VERIFY-007", "the pre image is not on the pre segmentation's voxel grid.", field: "pre-image");
        }

        if (!postImage.Geometry.IsSameGridAs(postGrid))
        {
            throw new VerificationException("LC-VERIFY-007", "the post image is not on the post segmentation's voxel grid.", field: "post-image");
        }

        var preBox = BoxOf(preImage.Geometry, field.Geometry);
        var postBox = postOrganBox.Grow(IntensityBandMm, postGrid.SpacingMm, postGrid.Size);
        bool InRegion(Vector3D q) => field.Sample(maskFit.Apply(q)) is var phi && phi <= IntensityBandMm;
        var refinement = MutualInformationRegistration.Refine(preImage, postImage, maskFit, InRegion, postBox, preBox, options.Threads);
        var describe = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"mutual information {refinement.MutualInformationStart:0.000} → {refinement.MutualInformationEnd:0.000} nats over {refinement.Samples} samples, {refinement.Levels} levels, {refinement.Evaluations} evaluations");
        if (!refinement.Converged)
        {
            notes.Add($"Intensity refinement did not converge ({describe}): the liver-mask registration is reported.");
            return null;
        }

        var residuals = Residuals(field, points, refinement.PostToPre);
        var finite = residuals.Where(double.IsFinite).Select(Math.Abs).Order().ToArray();
        var moved = 0.0;
        foreach (var p in points)
        {
            moved = Math.Max(moved, (refinement.PostToPre.Apply(p) - maskFit.Apply(p)).Length);
        }

        var newMean = finite.Length > 0 ? finite.Average() : double.PositiveInfinity;
        var newP95 = finite.Length > 0 ? finite[(int)Math.Min(finite.Length - 1, Math.Ceiling(0.95 * finite.Length) - 1)] : double.PositiveInfinity;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (!(refinement.MutualInformationEnd > refinement.MutualInformationStart) || finite.Length < 0.9 * points.Length
            || newMean > mean + 0.5 || newP95 > p95 + 1 || moved > 5)
        {
            notes.Add(string.Create(inv, $"Intensity refinement rejected ({describe}; liver surface residual mean {mean:0.00} → {newMean:0.00} mm, p95 {p95:0.00} → {newP95:0.00} mm, largest move {moved:0.0} mm): it would have made the liver alignment worse, so the liver-mask registration is reported."));
            return null;
        }

        notes.Add(string.Create(inv, $"Refined on intensities ({describe}); liver surface residual mean {mean:0.00} → {newMean:0.00} mm; largest move {moved:0.00} mm."));
        return (refinement.PostToPre, newMean, newP95);
    }

    // The box of `grid` covered by `sub`, a box-shaped grid with the same spacing and direction (a crop of it).
    private static VolumeBox BoxOf(ImageGeometry grid, ImageGeometry sub)
    {
        var a = grid.PointLpsToIndex(sub.OriginLps);
        int i0 = (int)Math.Round(a.X), j0 = (int)Math.Round(a.Y), k0 = (int)Math.Round(a.Z);
        return new VolumeBox(Math.Clamp(i0, 0, grid.Size.I), Math.Clamp(j0, 0, grid.Size.J), Math.Clamp(k0, 0, grid.Size.K),
            Math.Clamp(i0 + sub.Size.I, 0, grid.Size.I), Math.Clamp(j0 + sub.Size.J, 0, grid.Size.J), Math.Clamp(k0 + sub.Size.K, 0, grid.Size.K));
    }

    /// <summary>The label values that make up the liver as an organ: liver, tumours, ablation zones, vessels and bile ducts.</summary>
    internal static IReadOnlyList<int> OrganValues(LabelTable table) =>
        [.. table.Entries.Where(e => e.Role is LabelRole.Liver or LabelRole.Tumour or LabelRole.AblationZone or LabelRole.BileDuct || e.Role.IsVessel()).Select(e => e.Value)];

    private sealed record Fit(RigidTransform Transform, bool Converged, int Iterations, double Score, double RmsMm, int Inliers);

    private static Fit Optimise(DistanceField field, Vector3D[] points, RigidTransform start, RegistrationOptions options, double startCutoffMm)
    {
        var t = start;
        var centre = Vector3D.Zero;
        foreach (var p in points)
        {
            centre += p;
        }

        centre *= 1.0 / points.Length;
        var residuals = new double[points.Length];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads ?? Environment.ProcessorCount };
        var chunks = Math.Max(1, Math.Min(64, points.Length / 512));
        var converged = false;
        var iterations = 0;
        var cutoff = startCutoffMm;
        var h = new double[36];
        var g = new double[6];
        var inliers = 0;
        double sumW = 0, sumWr2 = 0;
        var cutoffSettled = false;
        var bestCost = double.PositiveInfinity;
        var bestPose = t;
        var sinceBest = 0;
        for (var it = 0; it < options.MaxIterations; it++)
        {
            iterations = it + 1;
            var cq = t.Apply(centre);
            Array.Clear(h);
            Array.Clear(g);
            var partH = new double[chunks][];
            var partG = new double[chunks][];
            var partN = new int[chunks];
            var partW = new double[chunks * 3];
            var tt = t;
            var c = cutoff;
            Parallel.For(0, chunks, parallel, chunk =>
            {
                var lh = new double[36];
                var lg = new double[6];
                var n0 = (int)((long)points.Length * chunk / chunks);
                var n1 = (int)((long)points.Length * (chunk + 1) / chunks);
                var count = 0;
                double sw = 0, swr2 = 0, rho = 0;
                Span<double> jac = stackalloc double[6];
                for (var n = n0; n < n1; n++)
                {
                    var q = tt.Apply(points[n]);
                    var r = field.SampleWithGradient(q, out var grad);
                    residuals[n] = r;
                    if (!double.IsFinite(r) || Math.Abs(r) >= c)
                    {
                        rho += c * c / 6;
                        continue;
                    }

                    var u = r / c;
                    var w = (1 - u * u) * (1 - u * u);
                    rho += c * c / 6 * (1 - w * (1 - u * u));
                    var a = q - cq;
                    var rot = a.Cross(grad);
                    jac[0] = rot.X;
                    jac[1] = rot.Y;
                    jac[2] = rot.Z;
                    jac[3] = grad.X;
                    jac[4] = grad.Y;
                    jac[5] = grad.Z;
                    for (var x = 0; x < 6; x++)
                    {
                        lg[x] += w * jac[x] * r;
                        for (var y = x; y < 6; y++)
                        {
                            lh[x * 6 + y] += w * jac[x] * jac[y];
                        }
                    }

                    count++;
                    sw += w;
                    swr2 += w * r * r;
                }

                partH[chunk] = lh;
                partG[chunk] = lg;
                partN[chunk] = count;
                partW[3 * chunk] = sw;
                partW[3 * chunk + 1] = swr2;
                partW[3 * chunk + 2] = rho;
            });

            inliers = 0;
            sumW = 0;
            sumWr2 = 0;
            var cost = 0.0;
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                for (var x = 0; x < 36; x++)
                {
                    h[x] += partH[chunk][x];
                }

                for (var x = 0; x < 6; x++)
                {
                    g[x] += partG[chunk][x];
                }

                inliers += partN[chunk];
                sumW += partW[3 * chunk];
                sumWr2 += partW[3 * chunk + 1];
                cost += partW[3 * chunk + 2];
            }

            // Along a direction the surface does not constrain (a liver nearly symmetric about an axis) Gauss–Newton
            // wanders on the voxel staircase without its steps ever shrinking: once the cut-off has settled, the fit
            // has converged when the robust cost has not fallen by 1e-5 of itself in 10 iterations, and the best pose
            // seen is kept. The uncertainty (ConstraintCovariance) then says how loosely that pose is pinned.
            if (cutoffSettled)
            {
                if (cost < bestCost * (1 - 1e-5))
                {
                    bestCost = cost;
                    bestPose = t;
                    sinceBest = 0;
                }
                else if (cost < bestCost)
                {
                    bestCost = cost;
                    bestPose = t;
                    sinceBest++;
                }
                else
                {
                    sinceBest++;
                }

                if (sinceBest >= 10)
                {
                    t = bestPose;
                    converged = true;
                    break;
                }
            }

            if (inliers < 50)
            {
                return new Fit(t, false, iterations, double.PositiveInfinity, double.NaN, inliers);
            }

            for (var x = 0; x < 6; x++)
            {
                for (var y = 0; y < x; y++)
                {
                    h[x * 6 + y] = h[y * 6 + x];
                }
            }

            var step = Solve6(h, g);
            if (step is null)
            {
                return new Fit(t, false, iterations, double.PositiveInfinity, double.NaN, inliers);
            }

            var omega = new Vector3D(-step[0], -step[1], -step[2]);
            var delta = new Vector3D(-step[3], -step[4], -step[5]);
            // Trust region: a few mm and degrees per step, so one bad linearisation cannot throw the fit away.
            var scale = Math.Min(1, Math.Min(5 / Math.Max(1e-12, delta.Length), 0.05 / Math.Max(1e-12, omega.Length)));
            omega *= scale;
            delta *= scale;
            var rotation = RigidTransform.FromRotationVector(omega);
            t = new RigidTransform(RigidTransform.Orthonormalise(rotation * t.Rotation), rotation * (t.TranslationMm - cq) + cq + delta);

            // Shrink the cut-off towards 4.685 robust sigmas, never below 3 mm (voxel-scale noise of two masks).
            var sigma = RobustSigma(residuals);
            var floor = Math.Max(3, startCutoffMm * Math.Pow(0.8, it + 1));
            var next = Math.Max(floor, TukeyC * sigma);
            var settled = next >= cutoff * 0.999;
            if (!settled)
            {
                // A new cut-off is a new cost: costs under the old one do not compare.
                bestCost = double.PositiveInfinity;
                sinceBest = 0;
            }

            cutoffSettled = settled;
            cutoff = Math.Min(cutoff, next);
            if (settled && delta.Length < 1e-3 && omega.Length < 1e-5)
            {
                converged = true;
                break;
            }
        }

        // Score: mean of min(|r|, 5 mm) over every point (points out of reach count 5 mm).
        var final = Residuals(field, points, t);
        var score = final.Sum(r => double.IsFinite(r) ? Math.Min(Math.Abs(r), 5) : 5) / points.Length;
        var rms = Math.Sqrt(sumWr2 / Math.Max(1e-12, sumW));
        return new Fit(t, converged, iterations, score, rms, inliers);
    }

    private static double[] Residuals(DistanceField field, Vector3D[] points, RigidTransform t)
    {
        var r = new double[points.Length];
        Parallel.For(0, points.Length, n => r[n] = field.Sample(t.Apply(points[n])));
        return r;
    }

    private static double RobustSigma(double[] residuals)
    {
        var a = residuals.Where(double.IsFinite).Select(Math.Abs).ToArray();
        if (a.Length == 0)
        {
            return double.PositiveInfinity;
        }

        Array.Sort(a);
        return 1.4826 * a[a.Length / 2];
    }

    /// <summary>1-σ prior on the rotation between the two scans (degrees): bounds a direction the surface does not constrain.</summary>
    internal const double RotationPriorDegrees = 5;

    /// <summary>How far the curvature probe moves the liver surface (mm): well above the voxel staircase, within the fit's reach.</summary>
    internal const double ProbeMm = 5;

    private const int ProbePoints = 4000;

    /// <summary>
    /// The map smoothed by a Gaussian of <paramref name="sigmaMm"/> after clamping to ±<paramref name="clampMm"/>, on a
    /// grid no finer than <paramref name="voxelMm"/> (thinner voxels taken every ⌊voxel / side⌋-th: smoothing by a
    /// voxel or more needs no finer grid, and at 0.7 × 0.7 × 1.5 mm this is a quarter of the voxels).
    /// </summary>
    private static DistanceField SmoothedMap(DistanceField field, double voxelMm, double sigmaMm, double clampMm, int? threads)
    {
        var sp = field.Geometry.SpacingMm;
        int Every(double side) => Math.Max(1, (int)Math.Floor(voxelMm / side));
        return field.Subsampled(Every(sp.X), Every(sp.Y), Every(sp.Z)).Smoothed(sigmaMm, clampMm, threads);
    }

    /// <summary>
    /// How well the liver surface pins the pose: the covariance of the six parameters (rotation vector rad about the
    /// returned centre, translation mm) from the Gauss–Newton curvature JᵀWJ of the point-to-surface residuals at the
    /// optimum. The fit's own Jacobian cannot be used for this: on the exact distance map a voxelised surface's normal
    /// is the staircase's (along a grid axis), so a rotation about an axis of symmetry seems to move the surface
    /// through the staircase and looks well constrained when the cost is in truth flat along it. Here the normals come
    /// from the map smoothed by one voxel (the surface without its staircase). σ² is the robust residual variance,
    /// never below the quantisation of two masks (voxel/√6); neighbouring points are not independent (one sample per
    /// 5 mm cell); and a Gaussian prior (rotation <see cref="RotationPriorDegrees"/>°, translation the map's reach)
    /// keeps an unconstrained direction finite: there the uncertainty reads as the prior, i.e. "not measured".
    /// </summary>
    internal static (double[] Covariance, Vector3D RotationCentreLps) ConstraintCovariance(DistanceField field, Vector3D[] allPoints, RigidTransform t, double rmsMm, double voxelMm, RegistrationOptions options)
    {
        // A regular subset of 4000 points measures the curvature as well as all of them (the statistics below count
        // independent 5 mm cells, of which a liver has a few hundred to a thousand), at a tenth of the cost.
        var stride = Math.Max(1, (allPoints.Length + ProbePoints - 1) / ProbePoints);
        var points = new Vector3D[(allPoints.Length + stride - 1) / stride];
        for (var n = 0; n < points.Length; n++)
        {
            points[n] = allPoints[n * stride];
        }

        var moved = new Vector3D[points.Length];
        var r = new double[points.Length];
        Parallel.For(0, points.Length, n =>
        {
            moved[n] = t.Apply(points[n]);
            r[n] = field.Sample(moved[n]);
        });

        // Only points consistent with the fit speak for the pose: a zone or tumour bulge (a few mm off the other
        // surface) would otherwise pin a rotation that the liver itself leaves free.
        var floorMm = voxelMm / Math.Sqrt(6);
        var cutoff = Math.Max(voxelMm, 3 * Math.Max(floorMm, RobustSigma(r)));
        var centre = Vector3D.Zero;
        var weights = new double[points.Length];
        var inliers = 0;
        double sw = 0, swr2 = 0;
        for (var n = 0; n < moved.Length; n++)
        {
            if (double.IsFinite(r[n]) && Math.Abs(r[n]) < cutoff)
            {
                var u = r[n] / cutoff;
                weights[n] = (1 - u * u) * (1 - u * u);
                centre += moved[n];
                inliers++;
                sw += weights[n];
                swr2 += weights[n] * r[n] * r[n];
            }
        }

        centre *= 1.0 / Math.Max(1, inliers);
        var radius2 = 0.0;
        for (var n = 0; n < moved.Length; n++)
        {
            if (weights[n] > 0)
            {
                radius2 += (moved[n] - centre).Dot(moved[n] - centre);
            }
        }

        // The curvature of F(p) = Σ w r(p)² is taken by central differences over a probe that moves the surface by
        // ProbeMm, not from the analytic Jacobian: a voxelised surface's distance map has staircase normals and a
        // ripple at the voxel scale, which make a rotation about an axis of symmetry look pinned when on the scale
        // that matters (mm at a tumour) the cost is flat along it.
        var probe = new double[6];
        var radius = Math.Sqrt(radius2 / Math.Max(1, inliers));
        for (var x = 0; x < 6; x++)
        {
            probe[x] = x < 3 ? ProbeMm / Math.Max(1, radius) : ProbeMm;
        }

        // On the exact map the fitted staircase locks onto the other scan's staircase (a deep, narrow minimum where the
        // grids line up): the probe measures the cost on the map smoothed by two voxels, whose zero level is the
        // surface without its staircase.
        // The probe compares each point's distance with its own at the optimum, F(p) = Σ w (r(p) − r(0))² = pᵀ JᵀWJ p
        // for a linear r: no gradient term, and no dip below zero from the ripple.
        var smooth = SmoothedMap(field, voxelMm, 2 * voxelMm, 12 * voxelMm + ProbeMm, options.Threads);
        var r0 = new double[moved.Length];
        Parallel.For(0, moved.Length, n => r0[n] = weights[n] > 0 ? smooth.Sample(moved[n]) : 0);
        double Cost(double[] p)
        {
            var motion = new RigidTransform(RigidTransform.FromRotationVector(new Vector3D(p[0], p[1], p[2])), Vector3D.Zero);
            var shift = new Vector3D(p[3], p[4], p[5]);
            var partial = new double[Math.Max(1, Math.Min(16, moved.Length / 2048))];
            Parallel.For(0, partial.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Threads ?? Environment.ProcessorCount }, chunk =>
            {
                var n0 = (int)((long)moved.Length * chunk / partial.Length);
                var n1 = (int)((long)moved.Length * (chunk + 1) / partial.Length);
                var sum = 0.0;
                for (var n = n0; n < n1; n++)
                {
                    if (weights[n] == 0)
                    {
                        continue;
                    }

                    var q = motion.Apply(moved[n] - centre) + centre + shift;
                    var d = smooth.Sample(q) - r0[n];
                    // Out of the map's reach: as far as the reach (the probe never takes a fitted point there).
                    d = double.IsFinite(d) ? d : options.ReachMm;
                    // (A point the smoothed map does not reach at the optimum counts as unmoved.)
                    d = double.IsFinite(r0[n]) ? d : 0;
                    sum += weights[n] * d * d;
                }

                partial[chunk] = sum;
            });
            return partial.Sum();
        }

        var h = new double[36];
        var f0 = Cost(new double[6]);
        var step = new double[6];
        for (var x = 0; x < 6; x++)
        {
            for (var y = x; y < 6; y++)
            {
                double Shifted(int sx, int sy)
                {
                    Array.Clear(step);
                    step[x] += sx * probe[x];
                    step[y] += sy * probe[y];
                    return Cost(step);
                }

                // F ≈ F0 + gᵀp + pᵀHp (H = JᵀWJ, the Gauss–Newton matrix): second differences give H.
                h[x * 6 + y] = x == y
                    ? (Shifted(1, 0) + Shifted(-1, 0) - 2 * f0) / (2 * probe[x] * probe[x])
                    : (Shifted(1, 1) - Shifted(1, -1) - Shifted(-1, 1) + Shifted(-1, -1)) / (8 * probe[x] * probe[y]);
                h[y * 6 + x] = h[x * 6 + y];
            }
        }

        // Second differences of a cost at its minimum can dip below zero along a flat direction (the ripple): such a
        // direction carries no information, so negative curvatures are set to zero before the prior is added.
        ClampToPositiveSemidefinite(h);
        var sigma = Math.Max(double.IsFinite(rmsMm) ? rmsMm : 0, Math.Max(Math.Sqrt(swr2 / Math.Max(1e-12, sw)), floorMm));
        var cells = new HashSet<(int, int, int)>();
        foreach (var q in moved)
        {
            cells.Add(((int)Math.Floor(q.X / 5), (int)Math.Floor(q.Y / 5), (int)Math.Floor(q.Z / 5)));
        }

        var inflation = Math.Max(1, inliers / (double)Math.Max(1, cells.Count));
        var scale = 1 / (sigma * sigma * inflation);
        var rotationPrior = RotationPriorDegrees * Math.PI / 180;
        for (var x = 0; x < 36; x++)
        {
            h[x] *= scale;
        }

        for (var x = 0; x < 6; x++)
        {
            h[x * 6 + x] += x < 3 ? 1 / (rotationPrior * rotationPrior) : 1 / (options.ReachMm * options.ReachMm);
        }

        var cov = new double[36];
        for (var col = 0; col < 6; col++)
        {
            var e = new double[6];
            e[col] = 1;
            var x = Solve6(h, e);
            for (var row = 0; row < 6; row++)
            {
                cov[row * 6 + col] = x is null ? double.PositiveInfinity : x[row];
            }
        }

        return (cov, centre);
    }

    /// <summary>Replaces a symmetric 6 × 6 matrix by the nearest positive semidefinite one (cyclic Jacobi eigen-decomposition, negative eigenvalues set to 0).</summary>
    internal static void ClampToPositiveSemidefinite(double[] h)
    {
        var a = (double[])h.Clone();
        var v = new double[36];
        for (var x = 0; x < 6; x++)
        {
            v[x * 6 + x] = 1;
        }

        for (var sweep = 0; sweep < 50; sweep++)
        {
            var off = 0.0;
            var scale = 0.0;
            for (var x = 0; x < 6; x++)
            {
                scale += a[x * 6 + x] * a[x * 6 + x];
                for (var y = x + 1; y < 6; y++)
                {
                    off += a[x * 6 + y] * a[x * 6 + y];
                }
            }

            if (off <= 1e-30 * Math.Max(scale, 1e-300))
            {
                break;
            }

            for (var p = 0; p < 5; p++)
            {
                for (var q = p + 1; q < 6; q++)
                {
                    var apq = a[p * 6 + q];
                    if (apq == 0)
                    {
                        continue;
                    }

                    var theta = (a[q * 6 + q] - a[p * 6 + p]) / (2 * apq);
                    var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    var c = 1 / Math.Sqrt(t * t + 1);
                    var sn = t * c;
                    for (var k = 0; k < 6; k++)
                    {
                        var akp = a[k * 6 + p];
                        var akq = a[k * 6 + q];
                        a[k * 6 + p] = c * akp - sn * akq;
                        a[k * 6 + q] = sn * akp + c * akq;
                    }

                    for (var k = 0; k < 6; k++)
                    {
                        var apk = a[p * 6 + k];
                        var aqk = a[q * 6 + k];
                        a[p * 6 + k] = c * apk - sn * aqk;
                        a[q * 6 + k] = sn * apk + c * aqk;
                    }

                    for (var k = 0; k < 6; k++)
                    {
                        var vkp = v[k * 6 + p];
                        var vkq = v[k * 6 + q];
                        v[k * 6 + p] = c * vkp - sn * vkq;
                        v[k * 6 + q] = sn * vkp + c * vkq;
                    }
                }
            }
        }

        for (var x = 0; x < 6; x++)
        {
            for (var y = 0; y < 6; y++)
            {
                var sum = 0.0;
                for (var k = 0; k < 6; k++)
                {
                    sum += v[x * 6 + k] * Math.Max(0, a[k * 6 + k]) * v[y * 6 + k];
                }

                h[x * 6 + y] = sum;
            }
        }
    }

    /// <summary>Solves h·x = b (6 × 6, symmetric) by Gaussian elimination with partial pivoting and a tiny ridge; null if singular.</summary>
    internal static double[]? Solve6(double[] h, double[] b)
    {
        var a = new double[6, 7];
        var trace = 0.0;
        for (var x = 0; x < 6; x++)
        {
            trace += Math.Abs(h[x * 6 + x]);
        }

        for (var x = 0; x < 6; x++)
        {
            for (var y = 0; y < 6; y++)
            {
                a[x, y] = h[x * 6 + y] + (x == y ? 1e-12 * trace : 0);
            }

            a[x, 6] = b[x];
        }

        for (var col = 0; col < 6; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < 6; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            if (Math.Abs(a[pivot, col]) < 1e-300)
            {
                return null;
            }

            for (var c = 0; c < 7; c++)
            {
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            }

            for (var r = 0; r < 6; r++)
            {
                if (r == col)
                {
                    continue;
                }

                var f = a[r, col] / a[col, col];
                for (var c = col; c < 7; c++)
                {
                    a[r, c] -= f * a[col, c];
                }
            }
        }

        var result = new double[6];
        for (var x = 0; x < 6; x++)
        {
            result[x] = a[x, 6] / a[x, x];
        }

        return result;
    }

    private static Vector3D MaskCentroid(Volume<int> labels, IReadOnlyList<int> values, VolumeBox box)
    {
        var region = MaskRegion.FromLabels(labels, values, box);
        var s = box.Size;
        double si = 0, sj = 0, sk = 0;
        long n = 0;
        for (var k = 0; k < s.K; k++)
        {
            for (var j = 0; j < s.J; j++)
            {
                for (var i = 0; i < s.I; i++)
                {
                    if (region.Mask[i + s.I * (j + (long)s.J * k)] != 0)
                    {
                        si += i;
                        sj += j;
                        sk += k;
                        n++;
                    }
                }
            }
        }

        return labels.Geometry.IndexToPointLps(new Vector3D(box.I0 + si / n, box.J0 + sj / n, box.K0 + sk / n));
    }
}
