using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;
using LocalControl.Verification.Registration;

namespace LocalControl.Verification.Margins;

/// <summary>Settings of the margin computation.</summary>
public sealed record MarginOptions
{
    /// <summary>Margins are exact up to this distance (mm); the EDTs cover the tumour's neighbourhood this far (and no further, for speed).</summary>
    public double ReachMm { get; init; } = 20;

    /// <summary>The registration error whose effect the sensitivity reports (mm).</summary>
    public double SensitivityShiftMm { get; init; } = 2;

    /// <summary>How many directions of that error are tried (spread evenly over the sphere).</summary>
    public int SensitivityDirections { get; init; } = 98;

    /// <summary>Liver segment map on the pre grid (voxel = Couinaud segment 1–8), or null.</summary>
    public Volume<int>? SegmentMap { get; init; }

    /// <summary>Threads; null = all cores.</summary>
    public int? Threads { get; init; }
}

/// <summary>The margins of every tumour and a margin map.</summary>
/// <param name="Tumours">One entry per tumour (26-connected component of the tumour labels), in <c>measure</c>'s order.</param>
/// <param name="MarginMap">The margin (mm) at each tumour-surface voxel on the pre grid, cropped to the tumours'
/// neighbourhood (same spacing and direction, origin moved); NaN elsewhere.</param>
public sealed record MarginResult(IReadOnlyList<TumourMargin> Tumours, Volume<float> MarginMap);

/// <summary>
/// Signed surface margins as in the open QAM method (Sandu et al., Front Oncol 2021) but with the zone's distance field
/// from two exact EDTs on the zone's own grid (<see cref="DistanceField"/>) sampled at the tumour's voxel-face centres,
/// so that neither mask is resampled: the post grid is moved by the registration (an exact change of geometry) and the
/// tumour's surface points are looked up in it. Only a box around each tumour, as far as <see cref="MarginOptions.ReachMm"/>
/// plus the sensitivity shift, is transformed.
/// </summary>
public static class MarginAnalysis
{
    /// <summary>Computes the margins of every tumour of <paramref name="pre"/> against the ablation zone of <paramref name="post"/>.</summary>
    /// <exception cref="VerificationException">LC-VERIFY-002 no tumour, 003 no zone, 006 zone far from a tumour or a tumour outside the post scan, 007 segment map on another grid.</exception>
    public static MarginResult Compute(LabelMap pre, LabelMap post, RigidTransform postToPre, MarginOptions? options = null, RegistrationResult? registration = null)
    {
        ArgumentNullException.ThrowIfNull(pre);
        ArgumentNullException.ThrowIfNull(post);
        options ??= new MarginOptions();
        var tumourValues = pre.Table.ValuesWithRole(LabelRole.Tumour);
        if (tumourValues.Count == 0)
        {
            throw new VerificationException("LC-VERIFY-002", "the pre label table names no 'tumour' label: there is no tumour to verify.", field: "tumour");
        }

        var zoneValues = post.Table.ValuesWithRole(LabelRole.AblationZone);
        if (zoneValues.Count == 0)
        {
            throw new VerificationException("LC-VERIFY-003", "the post label table names no 'ablation-zone' label: there is no zone to measure the margin to.", field: "ablation-zone");
        }

        var preGrid = pre.Labels.Geometry;
        if (options.SegmentMap is { } seg && !seg.Geometry.IsSameGridAs(preGrid))
        {
            throw new VerificationException("LC-VERIFY-007", "the segment map is not on the pre scan's voxel grid.", field: "segments");
        }

        var tumourBox = MaskRegion.BoundingBox(pre.Labels, tumourValues);
        if (tumourBox.IsEmpty)
        {
            throw new VerificationException("LC-VERIFY-002", "the tumour mask of the pre scan is empty.", field: "tumour");
        }

        var zoneBox = MaskRegion.BoundingBox(post.Labels, zoneValues);
        if (zoneBox.IsEmpty)
        {
            throw new VerificationException("LC-VERIFY-003", "the ablation-zone mask of the post scan is empty.", field: "ablation-zone");
        }

        var zoneGrid = postToPre.MoveGrid(post.Labels.Geometry);
        var tumours = TumourRegions(pre.Labels, tumourValues, tumourBox);
        var directions = SphereDirections(options.SensitivityDirections);
        var results = new List<TumourMargin>(tumours.Count);
        var faceSets = new List<(SurfaceFaces Faces, double[] Margins)>(tumours.Count);
        for (var n = 0; n < tumours.Count; n++)
        {
            var id = $"T{n + 1}";
            var (margin, faces, margins) = Measure(id, tumours[n], post.Labels, zoneValues, zoneGrid, directions, options);
            results.Add(margin with { RegistrationUncertaintyMm = registration?.UncertaintyAt(margin.CentroidLps) ?? double.NaN });
            faceSets.Add((faces, margins));
        }

        return new MarginResult(results, MarginMap(preGrid, tumourBox, faceSets));
    }

    // Margins are exact within the reach; when the MAM reaches it (a zone that misses the tumour by far, or a tumour
    // deep inside a large zone) the reach is doubled and the tumour measured again, up to 160 mm.
    private static (TumourMargin Margin, SurfaceFaces Faces, double[] Margins) Measure(string id, MaskRegion tumour, Volume<int> postLabels, IReadOnlyList<int> zoneValues,
        ImageGeometry zoneGrid, Vector3D[] directions, MarginOptions options)
    {
        var faces = SurfaceFaces.Of(tumour, includeGridEdge: true);
        var reach = options.ReachMm;
        while (true)
        {
            var result = MeasureWithin(id, tumour, faces, postLabels, zoneValues, zoneGrid, directions, options, reach, out var farFromZone);
            if (farFromZone)
            {
                throw new VerificationException("LC-VERIFY-006", $"every point of tumour {id} lies {options.ReachMm:0} mm or more outside the ablation zone after registration: the zone is far from the tumour (wrong files, or a registration that makes no sense).", field: "ablation-zone");
            }

            if (Math.Abs(result.Margin.MinimalMarginMm) < reach - 1e-6 || reach >= 160)
            {
                return result;
            }

            reach *= 2;
        }
    }

    private static (TumourMargin Margin, SurfaceFaces Faces, double[] Margins) MeasureWithin(string id, MaskRegion tumour, SurfaceFaces faces, Volume<int> postLabels,
        IReadOnlyList<int> zoneValues, ImageGeometry zoneGrid, Vector3D[] directions, MarginOptions options, double reach, out bool farFromZone)
    {
        farFromZone = false;
        var shift = options.SensitivityShiftMm;

        // The box of the (moved) post grid that holds every face point, grown by the reach and the shift.
        var size = zoneGrid.Size;
        double i0 = double.PositiveInfinity, j0 = double.PositiveInfinity, k0 = double.PositiveInfinity, i1 = double.NegativeInfinity, j1 = double.NegativeInfinity, k1 = double.NegativeInfinity;
        foreach (var p in faces.CentresLps)
        {
            var x = zoneGrid.PointLpsToIndex(p);
            i0 = Math.Min(i0, x.X);
            j0 = Math.Min(j0, x.Y);
            k0 = Math.Min(k0, x.Z);
            i1 = Math.Max(i1, x.X);
            j1 = Math.Max(j1, x.Y);
            k1 = Math.Max(k1, x.Z);
        }

        var sp = zoneGrid.SpacingMm;
        var grow = reach + shift;
        var box = new VolumeBox(
            Math.Max(0, (int)Math.Floor(i0 - grow / sp.X) - 1), Math.Max(0, (int)Math.Floor(j0 - grow / sp.Y) - 1), Math.Max(0, (int)Math.Floor(k0 - grow / sp.Z) - 1),
            Math.Min(size.I, (int)Math.Ceiling(i1 + grow / sp.X) + 2), Math.Min(size.J, (int)Math.Ceiling(j1 + grow / sp.Y) + 2), Math.Min(size.K, (int)Math.Ceiling(k1 + grow / sp.Z) + 2));
        if (box.IsEmpty || i0 < -0.5 || j0 < -0.5 || k0 < -0.5 || i1 > size.I - 0.5 || j1 > size.J - 0.5 || k1 > size.K - 0.5)
        {
            throw new VerificationException("LC-VERIFY-006", $"tumour {id} lies (partly) outside the post scan after registration: its margin cannot be verified there.", field: "post");
        }

        var raw = DistanceField.Build(postLabels, zoneValues, box, zoneGrid, options.Threads);
        if (raw.InsideVoxels == 0 && raw.BoundaryVoxels == 0)
        {
            throw new VerificationException("LC-VERIFY-006", $"no ablation zone lies within {options.ReachMm:0} mm of tumour {id} after registration: the zone is far from the tumour (wrong files, or a registration that makes no sense).", field: "ablation-zone");
        }

        // Both surfaces without the voxel staircase: the zone's field smoothed, the tumour's face centres moved onto the
        // zero level of its own smoothed field (which also gives the normals for the surface areas).
        var sigma = SmoothingSigmaMm(tumour.Grid.SpacingMm, zoneGrid.SpacingMm);
        var field = raw.Smoothed(sigma, reach + shift + 4 * sigma + 1, options.Threads);
        var (points, weights) = TumourSurface(tumour, faces, sigma, options.Threads);
        var count = faces.Count;
        var margins = new double[count];
        var correction = new double[count];
        for (var n = 0; n < count; n++)
        {
            margins[n] = MarginAt(field, points[n], reach);
            correction[n] = margins[n] - Math.Clamp(-field.Sample(points[n]), -reach, reach);
        }

        var thinnest = 0;
        for (var n = 1; n < count; n++)
        {
            if (margins[n] < margins[thinnest])
            {
                thinnest = n;
            }
        }

        var mam = margins[thinnest];
        if (margins.Max() <= -options.ReachMm)
        {
            farFromZone = true; // no point of the tumour within the reach of the zone
        }

        // Sensitivity: the MAM with every face point moved by the same error vector, over evenly spread directions.
        double worst = double.PositiveInfinity, bestMam = double.NegativeInfinity;
        foreach (var d in directions)
        {
            var offset = d * shift;
            var m = double.PositiveInfinity;
            for (var n = 0; n < count; n++)
            {
                var phi = field.Sample(points[n] + offset);
                m = Math.Min(m, double.IsNaN(phi) ? -reach : Math.Clamp(-phi + correction[n], -reach, reach));
            }

            worst = Math.Min(worst, m);
            bestMam = Math.Max(bestMam, m);
        }

        var totalArea = 0.0;
        double below0 = 0, below5 = 0, below10 = 0;
        for (var n = 0; n < count; n++)
        {
            var a = weights[n];
            totalArea += a;
            below0 += margins[n] < 0 ? a : 0;
            below5 += margins[n] < 5 ? a : 0;
            below10 += margins[n] < 10 ? a : 0;
        }

        var order = Enumerable.Range(0, count).OrderBy(n => margins[n]).ToArray();
        double Percentile(double q)
        {
            var target = q * totalArea;
            var cumulative = 0.0;
            foreach (var n in order)
            {
                cumulative += weights[n];
                if (cumulative >= target)
                {
                    return margins[n];
                }
            }

            return margins[order[^1]];
        }

        var centroid = Centroid(tumour);
        var point = points[thinnest];
        var towards = point - centroid;
        var segment = options.SegmentMap is { } segments ? SegmentAt(segments, faces, thinnest) : null;
        var margin = new TumourMargin
        {
            Id = id,
            CentroidLps = centroid,
            VolumeMl = tumour.Count() * tumour.Grid.VoxelVolumeMm3 / 1000,
            SurfaceAreaMm2 = totalArea,
            MinimalMarginMm = mam,
            SurfaceBelow0Percent = 100 * below0 / totalArea,
            SurfaceBelow5Percent = 100 * below5 / totalArea,
            SurfaceBelow10Percent = 100 * below10 / totalArea,
            Distribution = new MarginDistribution(Percentile(0.05), Percentile(0.25), Percentile(0.5), Percentile(0.75), Percentile(0.95), margins[order[^1]]),
            ThinnestPointLps = point,
            ThinnestDirectionLps = towards.Length > 0 ? towards * (1 / towards.Length) : Vector3D.Zero,
            Segment = segment,
            SensitivityMinusMm = worst,
            SensitivityPlusMm = bestMam,
            ReachMm = reach,
            SurfacePoints = count,
        };
        return (margin, faces, margins);
    }

    /// <summary>The Gaussian σ (mm) that removes the staircase of the coarser of two grids: half its largest voxel side (more would erode one-voxel caps).</summary>
    internal static double SmoothingSigmaMm(Vector3D a, Vector3D b) =>
        0.5 * Math.Max(Math.Max(a.X, Math.Max(a.Y, a.Z)), Math.Max(b.X, Math.Max(b.Y, b.Z)));

    // The tumour surface points (face centres moved onto the smoothed zero level) and the area each stands for: a voxel
    // face of axis a stands for 1 / ‖n‖₁ of its own area of the smooth surface with unit normal n (a staircase
    // over-counts an oblique surface by ‖n‖₁ in grid axes).
    private static (Vector3D[] Points, double[] Weights) TumourSurface(MaskRegion tumour, SurfaceFaces faces, double sigmaMm, int? threads)
    {
        var size = tumour.Grid.Size;
        var box = tumour.Box.Grow(4 * sigmaMm + 2 * Math.Max(tumour.Grid.SpacingMm.X, Math.Max(tumour.Grid.SpacingMm.Y, tumour.Grid.SpacingMm.Z)), tumour.Grid.SpacingMm, size);
        var field = DistanceField.Build(tumour, box, tumour.Grid, threads).Smoothed(sigmaMm, 4 * sigmaMm + 10, threads);
        var toGrid = tumour.Grid.Direction.Transpose();
        var points = new Vector3D[faces.Count];
        var weights = new double[faces.Count];
        for (var n = 0; n < faces.Count; n++)
        {
            var p = field.ProjectToSurface(faces.CentresLps[n]);
            // Never move a point by more than one voxel diagonal (a thin part of the mask can confuse the projection).
            points[n] = (p - faces.CentresLps[n]).Length <= 2 * sigmaMm ? p : faces.CentresLps[n];
            var phi = field.SampleWithGradient(points[n], out var gradient);
            var g = toGrid * gradient;
            var l2 = g.Length;
            var l1 = double.IsFinite(phi) && l2 > 1e-9 ? (Math.Abs(g.X) + Math.Abs(g.Y) + Math.Abs(g.Z)) / l2 : 1;
            weights[n] = faces.AreasMm2[n] / l1;
        }

        return (points, weights);
    }

    // The margin: the distance from the point to the zone's (smoothed) surface, positive inside the zone, clamped to
    // ±reach (exact within it). A distance read straight off an EDT of voxel layers comes out short by up to half a
    // voxel for oblique surfaces (the nearest voxel of a staircase is always one of its protruding corners), so the
    // field only gives the direction and a first guess: the point is moved along its gradient onto the surface, snapped
    // to the zero level there (where the field is accurate), and the margin is the length of that path.
    private static double MarginAt(DistanceField field, Vector3D pointLps, double reach)
    {
        var phi = field.SampleWithGradient(pointLps, out var g);
        if (double.IsNaN(phi))
        {
            return -reach; // beyond the post scan: nothing there is known to be ablated
        }

        if (Math.Abs(phi) >= reach)
        {
            return Math.Clamp(-phi, -reach, reach);
        }

        var length = g.Length;
        if (length < 1e-9)
        {
            return -phi;
        }

        var foot = field.ProjectToSurface(pointLps - g * (phi / length));
        var d = (foot - pointLps).Length;
        if (!double.IsFinite(d) || Math.Abs(d - Math.Abs(phi)) > 2)
        {
            return -phi; // no clean foot point (e.g. near the zone's medial axis): keep the field's value
        }

        return Math.Clamp(phi < 0 ? d : -d, -reach, reach);
    }

    private static int? SegmentAt(Volume<int> segments, SurfaceFaces faces, int face)
    {
        var outside = faces.OutsideVoxel[face];
        var value = outside >= 0 ? segments.Buffer[outside] : 0;
        if (value == 0)
        {
            value = segments.Buffer[faces.InsideVoxel[face]];
        }

        return value is >= 1 and <= 9 ? value : null;
    }

    private static Vector3D Centroid(MaskRegion region)
    {
        var s = region.Box.Size;
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

        return region.Grid.IndexToPointLps(new Vector3D(region.Box.I0 + si / n, region.Box.J0 + sj / n, region.Box.K0 + sk / n));
    }

    // Each 26-connected component of the tumour labels, as a mask in its own bounding box (numbered as `measure` does).
    private static List<MaskRegion> TumourRegions(Volume<int> labels, IReadOnlyList<int> tumourValues, VolumeBox box)
    {
        var all = MaskRegion.FromLabels(labels, tumourValues, box);
        var (components, count) = ConnectedComponents.Label26(all.Mask, box.Size, VolumeBox.Whole(box.Size));
        var s = box.Size;
        var boxes = new VolumeBox[count + 1];
        Array.Fill(boxes, VolumeBox.Empty);
        for (var k = 0; k < s.K; k++)
        {
            for (var j = 0; j < s.J; j++)
            {
                for (var i = 0; i < s.I; i++)
                {
                    var c = components[i + s.I * (j + (long)s.J * k)];
                    if (c != 0)
                    {
                        boxes[c] = boxes[c].Include(box.I0 + i, box.J0 + j, box.K0 + k);
                    }
                }
            }
        }

        var regions = new List<MaskRegion>(count);
        for (var c = 1; c <= count; c++)
        {
            var b = boxes[c];
            var bs = b.Size;
            var mask = new byte[bs.VoxelCount];
            for (var k = 0; k < bs.K; k++)
            {
                for (var j = 0; j < bs.J; j++)
                {
                    for (var i = 0; i < bs.I; i++)
                    {
                        var src = (b.I0 - box.I0 + i) + s.I * ((b.J0 - box.J0 + j) + (long)s.J * (b.K0 - box.K0 + k));
                        mask[i + bs.I * (j + (long)bs.J * k)] = (byte)(components[src] == c ? 1 : 0);
                    }
                }
            }

            regions.Add(new MaskRegion(labels.Geometry, b, mask));
        }

        return regions;
    }

    private static Volume<float> MarginMap(ImageGeometry preGrid, VolumeBox tumourBox, List<(SurfaceFaces Faces, double[] Margins)> sets)
    {
        var box = tumourBox.Grow(5, preGrid.SpacingMm, preGrid.Size);
        var origin = preGrid.IndexToPointLps(box.I0, box.J0, box.K0);
        var geometry = new ImageGeometry(box.Size, preGrid.SpacingMm, origin, preGrid.Direction);
        var map = new Volume<float>(geometry);
        map.Voxels.Fill(float.NaN);
        var size = preGrid.Size;
        var b = box.Size;
        foreach (var (faces, margins) in sets)
        {
            for (var n = 0; n < faces.Count; n++)
            {
                var v = faces.InsideVoxel[n];
                var i = (int)(v % size.I);
                var j = (int)(v / size.I % size.J);
                var k = (int)(v / ((long)size.I * size.J));
                ref var cell = ref map.Buffer[b.LinearIndex(i - box.I0, j - box.J0, k - box.K0)];
                var m = (float)margins[n];
                if (float.IsNaN(cell) || m < cell)
                {
                    cell = m;
                }
            }
        }

        return map;
    }

    /// <summary>Evenly spread unit vectors (a Fibonacci lattice), deterministic.</summary>
    internal static Vector3D[] SphereDirections(int count)
    {
        var result = new Vector3D[Math.Max(6, count)];
        var golden = Math.PI * (3 - Math.Sqrt(5));
        for (var n = 0; n < result.Length; n++)
        {
            var z = 1 - (2 * n + 1.0) / result.Length;
            var r = Math.Sqrt(1 - z * z);
            result[n] = new Vector3D(r * Math.Cos(golden * n), r * Math.Sin(golden * n), z);
        }

        return result;
    }
}
