using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Measurements;

/// <summary>Options of <see cref="LesionMeasurer.Measure"/>.</summary>
public sealed record MeasureOptions
{
    /// <summary>A critical structure within this distance (mm) is listed in <c>adjacentStructures</c>. Default: the rule
    /// set's <c>adjacencyDistanceMm</c> (5 mm), so that Measure and Decide use one threshold.</summary>
    public double AdjacencyDistanceMm { get; init; } = Core.Rules.RuleSet.Default.AdjacencyDistanceMm;

    /// <summary>Vessels of at least this calibre (mm) are "large". Default: the rule set's <c>largeVesselMinCalibreMm</c> (3 mm).</summary>
    public double LargeVesselCalibreMm { get; init; } = Core.Rules.RuleSet.Default.LargeVesselMinCalibreMm;

    /// <summary>Options whose thresholds come from <paramref name="rules"/> (a centre's rule set).</summary>
    public static MeasureOptions From(Core.Rules.RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return new MeasureOptions { AdjacencyDistanceMm = rules.AdjacencyDistanceMm, LargeVesselCalibreMm = rules.LargeVesselMinCalibreMm };
    }

    /// <summary>First margin (mm) of the region searched around each lesion; doubled until every answer is exact.</summary>
    public double InitialSearchMarginMm { get; init; } = 20.0;

    /// <summary>Optional liver-segment map on the same grid (voxel value = Couinaud segment number, 0 = none).</summary>
    public Volume<int>? SegmentMap { get; init; }

    /// <summary>Threads; null = all cores.</summary>
    public int? MaxDegreeOfParallelism { get; init; }
}

/// <summary>
/// Measures every lesion of a label map: each 26-connected component of the <c>tumour</c> labels is one lesion.
/// Distances come from the Euclidean distance transform of the lesion, computed only in a box around it (the lesion
/// plus a margin that doubles until every answer is provably exact: a voxel outside the box is farther than the
/// margin). Vessel calibre is 2 × the local radius on the vessel centreline, where the centreline is the set of local
/// maxima of the vessel's own inside distance map and the radius is that distance (to the nearest outside voxel
/// centre; on the phantoms this is unbiased to within a tenth of a voxel, because the half voxel by which the nearest
/// outside centre lies beyond the wall is offset by the centreline voxel lying off the true axis). The distance to a large vessel is
/// measured to the wall of the maximal balls centred on large-calibre centreline voxels.
/// </summary>
public static class LesionMeasurer
{
    private const int Background = -1;
    private const int Unlabelled = -2;

    /// <summary>Measures every lesion.</summary>
    /// <exception cref="ImagingException"><c>LC-MEAS-001</c>: the segment map is on another grid; <c>LC-MEAS-002</c>: no tumour label in the table.</exception>
    public static IReadOnlyList<MeasuredLesion> Measure(LabelMap map, MeasureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        options ??= new MeasureOptions();
        var labels = map.Labels;
        var geometry = labels.Geometry;
        if (options.SegmentMap is { } seg && !seg.Geometry.IsSameGridAs(geometry))
        {
            throw new ImagingException("LC-MEAS-001", "the segment map is not on the same voxel grid as the label map.", field: "segments");
        }

        if (map.Table.ValuesWithRole(LabelRole.Tumour).Count == 0)
        {
            throw new ImagingException("LC-MEAS-002", "the label table names no tumour label, so there is nothing to measure.", field: "label-table");
        }

        var context = new Context(map, options);
        context.ScanRoles();
        var lesions = context.FindLesions();
        context.FindLargeVesselCentres();
        var result = new List<MeasuredLesion>(lesions.Count);
        for (var n = 0; n < lesions.Count; n++)
        {
            result.Add(context.MeasureLesion(lesions[n], $"T{n + 1}"));
        }

        return result;
    }

    private sealed record Lesion(int Component, VolumeBox Box, long Count, Vector3D IndexSum);

    private sealed class Context
    {
        private readonly LabelMap _map;
        private readonly MeasureOptions _options;
        private readonly int[] _labels;
        private readonly VolumeSize _size;
        private readonly ImageGeometry _geometry;
        private readonly Vector3D _spacing;
        private readonly int[] _roleOfLabel; // role code per label value 0…max (Background for 0, Unlabelled if absent)
        private readonly int _roleCount = Enum.GetValues<LabelRole>().Length;
        private readonly EdtOptions _edt;
        private readonly ParallelOptions _parallel;
        private VolumeBox[] _roleBoxes = [];
        private VolumeBox _tumourBox;
        private int[] _components = [];
        private List<CentrelinePoint> _largeCentres = [];
        private double _largestRadiusMm;
        private readonly Dictionary<LabelRole, float[]> _roleDistances = [];

        public Context(LabelMap map, MeasureOptions options)
        {
            _map = map;
            _options = options;
            _labels = map.Labels.Buffer;
            _size = map.Labels.Size;
            _geometry = map.Labels.Geometry;
            _spacing = _geometry.SpacingMm;
            _edt = new EdtOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
            _parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount };
            var max = 0;
            foreach (var e in map.Table.Entries)
            {
                max = Math.Max(max, e.Value);
            }

            _roleOfLabel = new int[max + 1];
            Array.Fill(_roleOfLabel, Unlabelled);
            _roleOfLabel[0] = Background;
            foreach (var e in map.Table.Entries)
            {
                _roleOfLabel[e.Value] = (int)e.Role;
            }
        }

        private int RoleAt(long index)
        {
            var l = _labels[index];
            return (uint)l < (uint)_roleOfLabel.Length ? _roleOfLabel[l] : Unlabelled;
        }

        private static bool IsLiverRegion(int code) => code >= 0 && ((LabelRole)code is LabelRole.Liver or LabelRole.Tumour or LabelRole.Vessel
            or LabelRole.PortalVein or LabelRole.HepaticVein or LabelRole.Hilum or LabelRole.BileDuct or LabelRole.AblationZone);

        /// <summary>One pass over the map: the bounding box of every role present.</summary>
        public void ScanRoles()
        {
            var perSlice = new VolumeBox[_size.K][];
            Parallel.For(0, _size.K, _parallel, k =>
            {
                var boxes = new VolumeBox[_roleCount];
                Array.Fill(boxes, VolumeBox.Empty);
                for (var j = 0; j < _size.J; j++)
                {
                    var row = _size.LinearIndex(0, j, k);
                    for (var i = 0; i < _size.I; i++)
                    {
                        var l = _labels[row + i];
                        if (l == 0)
                        {
                            continue;
                        }

                        var code = (uint)l < (uint)_roleOfLabel.Length ? _roleOfLabel[l] : Unlabelled;
                        if (code >= 0)
                        {
                            boxes[code] = boxes[code].Include(i, j, k);
                        }
                    }
                }

                perSlice[k] = boxes;
            });
            _roleBoxes = new VolumeBox[_roleCount];
            Array.Fill(_roleBoxes, VolumeBox.Empty);
            foreach (var boxes in perSlice)
            {
                for (var r = 0; r < _roleCount; r++)
                {
                    _roleBoxes[r] = _roleBoxes[r].Union(boxes[r]);
                }
            }

            _tumourBox = _roleBoxes[(int)LabelRole.Tumour];
        }

        private bool Present(LabelRole role) => !_roleBoxes[(int)role].IsEmpty;

        /// <summary>26-connected components of the tumour voxels, labelled inside the tumour bounding box.</summary>
        public List<Lesion> FindLesions()
        {
            var result = new List<Lesion>();
            if (_tumourBox.IsEmpty)
            {
                return result;
            }

            var b = _tumourBox.Size;
            var mask = new byte[b.VoxelCount];
            for (var k = 0; k < b.K; k++)
            {
                for (var j = 0; j < b.J; j++)
                {
                    var src = _size.LinearIndex(_tumourBox.I0, _tumourBox.J0 + j, _tumourBox.K0 + k);
                    var dst = b.LinearIndex(0, j, k);
                    for (var i = 0; i < b.I; i++)
                    {
                        mask[dst + i] = (byte)(RoleAt(src + i) == (int)LabelRole.Tumour ? 1 : 0);
                    }
                }
            }

            var (components, count) = ConnectedComponents.Label26(mask, b, VolumeBox.Whole(b));
            _components = components;
            var boxes = new VolumeBox[count + 1];
            Array.Fill(boxes, VolumeBox.Empty);
            var counts = new long[count + 1];
            var sums = new Vector3D[count + 1];
            for (var k = 0; k < b.K; k++)
            {
                for (var j = 0; j < b.J; j++)
                {
                    var row = b.LinearIndex(0, j, k);
                    for (var i = 0; i < b.I; i++)
                    {
                        var c = components[row + i];
                        if (c == 0)
                        {
                            continue;
                        }

                        int gi = _tumourBox.I0 + i, gj = _tumourBox.J0 + j, gk = _tumourBox.K0 + k;
                        boxes[c] = boxes[c].Include(gi, gj, gk);
                        counts[c]++;
                        sums[c] += new Vector3D(gi, gj, gk);
                    }
                }
            }

            for (var c = 1; c <= count; c++)
            {
                result.Add(new Lesion(c, boxes[c], counts[c], sums[c]));
            }

            return result;
        }

        /// <summary>Centreline voxels of large vessels: local maxima of the vessels' inside distance map, with their radius.</summary>
        public void FindLargeVesselCentres()
        {
            var box = VolumeBox.Empty;
            foreach (var role in new[] { LabelRole.Vessel, LabelRole.PortalVein, LabelRole.HepaticVein })
            {
                box = box.Union(_roleBoxes[(int)role]);
            }

            if (box.IsEmpty)
            {
                return;
            }

            box = new VolumeBox(Math.Max(0, box.I0 - 1), Math.Max(0, box.J0 - 1), Math.Max(0, box.K0 - 1),
                Math.Min(_size.I, box.I1 + 1), Math.Min(_size.J, box.J1 + 1), Math.Min(_size.K, box.K1 + 1));
            var b = box.Size;
            var mask = new byte[b.VoxelCount];
            for (var k = 0; k < b.K; k++)
            {
                for (var j = 0; j < b.J; j++)
                {
                    var src = _size.LinearIndex(box.I0, box.J0 + j, box.K0 + k);
                    var dst = b.LinearIndex(0, j, k);
                    for (var i = 0; i < b.I; i++)
                    {
                        var code = RoleAt(src + i);
                        mask[dst + i] = (byte)(code >= 0 && ((LabelRole)code).IsVessel() ? 1 : 0);
                    }
                }
            }

            _largeCentres = VesselCentreline.Find(mask, b, box, _spacing, _options.LargeVesselCalibreMm / 2, _edt);
            _largestRadiusMm = _largeCentres.Count == 0 ? 0 : _largeCentres.Max(c => c.RadiusMm);
        }

        private bool InLesion(Lesion lesion, int i, int j, int k)
        {
            if (i < _tumourBox.I0 || j < _tumourBox.J0 || k < _tumourBox.K0 || i >= _tumourBox.I1 || j >= _tumourBox.J1 || k >= _tumourBox.K1)
            {
                return false;
            }

            return _components[_tumourBox.Size.LinearIndex(i - _tumourBox.I0, j - _tumourBox.J0, k - _tumourBox.K0)] == lesion.Component;
        }

        public MeasuredLesion MeasureLesion(Lesion lesion, string id)
        {
            var centroidIndex = lesion.IndexSum * (1.0 / lesion.Count);
            var centroid = _geometry.IndexToPointLps(centroidIndex);
            var (longest, axial) = Diameters(lesion);
            var distances = Distances(lesion);
            int? segment = null;
            if (_options.SegmentMap is { } segments)
            {
                segment = SegmentOf(lesion, segments, centroidIndex);
            }

            return (distances with
            {
                Id = id,
                VoxelCount = lesion.Count,
                VolumeMl = lesion.Count * _geometry.VoxelVolumeMm3 / 1000.0,
                CentroidLps = centroid,
                LongestDiameterMm = longest,
                LongestAxialDiameterMm = axial,
                Segment = segment,
            }).Build();
        }

        private int? SegmentOf(Lesion lesion, Volume<int> segments, Vector3D centroidIndex)
        {
            int ci = (int)Math.Round(centroidIndex.X), cj = (int)Math.Round(centroidIndex.Y), ck = (int)Math.Round(centroidIndex.Z);
            var atCentroid = _size.Contains(ci, cj, ck) ? segments[ci, cj, ck] : 0;
            if (atCentroid > 0)
            {
                return atCentroid;
            }

            // The centroid of a crescent may fall outside the segment map: take the segment holding most lesion voxels.
            var votes = new Dictionary<int, long>();
            var box = lesion.Box;
            for (var k = box.K0; k < box.K1; k++)
            {
                for (var j = box.J0; j < box.J1; j++)
                {
                    for (var i = box.I0; i < box.I1; i++)
                    {
                        if (InLesion(lesion, i, j, k) && segments[i, j, k] is > 0 and var s)
                        {
                            votes[s] = votes.GetValueOrDefault(s) + 1;
                        }
                    }
                }
            }

            return votes.Count == 0 ? null : votes.MaxBy(kv => kv.Value).Key;
        }

        /// <summary>Longest 3D diameter over surface-voxel centres, and the longest in-plane diameter per axial slice.</summary>
        private (double Longest, double Axial) Diameters(Lesion lesion)
        {
            var box = lesion.Box;
            var surface = new List<Vector3D>();
            // The voxel axis closest to the patient's S axis defines "axial" slices.
            var axialAxis = 2;
            var best = -1.0;
            for (var a = 0; a < 3; a++)
            {
                if (Math.Abs(_geometry.Direction[2, a]) > best)
                {
                    best = Math.Abs(_geometry.Direction[2, a]);
                    axialAxis = a;
                }
            }

            var sliceCount = axialAxis == 0 ? box.I1 - box.I0 : axialAxis == 1 ? box.J1 - box.J0 : box.K1 - box.K0;
            var inPlane = new List<Vector3D>[sliceCount];
            for (var s = 0; s < sliceCount; s++)
            {
                inPlane[s] = [];
            }

            for (var k = box.K0; k < box.K1; k++)
            {
                for (var j = box.J0; j < box.J1; j++)
                {
                    for (var i = box.I0; i < box.I1; i++)
                    {
                        if (!InLesion(lesion, i, j, k))
                        {
                            continue;
                        }

                        var outI = !InLesion(lesion, i - 1, j, k) || !InLesion(lesion, i + 1, j, k);
                        var outJ = !InLesion(lesion, i, j - 1, k) || !InLesion(lesion, i, j + 1, k);
                        var outK = !InLesion(lesion, i, j, k - 1) || !InLesion(lesion, i, j, k + 1);
                        if (!(outI || outJ || outK))
                        {
                            continue;
                        }

                        var p = _geometry.IndexToPointLps(i, j, k);
                        surface.Add(p);
                        var planeBoundary = axialAxis switch { 0 => outJ || outK, 1 => outI || outK, _ => outI || outJ };
                        if (planeBoundary)
                        {
                            var s = axialAxis switch { 0 => i - box.I0, 1 => j - box.J0, _ => k - box.K0 };
                            inPlane[s].Add(p);
                        }
                    }
                }
            }

            var longest = FarthestPair(surface);
            var axial = 0.0;
            foreach (var slice in inPlane)
            {
                axial = Math.Max(axial, FarthestPair(slice));
            }

            // A single-voxel lesion measures its voxel's extent, not 0 mm: the largest voxel edge in 3D, the largest
            // in-plane edge axially (distances between voxel centres are 0 for one voxel).
            if (lesion.Count == 1)
            {
                longest = Math.Max(_spacing.X, Math.Max(_spacing.Y, _spacing.Z));
                axial = axialAxis switch { 0 => Math.Max(_spacing.Y, _spacing.Z), 1 => Math.Max(_spacing.X, _spacing.Z), _ => Math.Max(_spacing.X, _spacing.Y) };
            }

            return (longest, axial);
        }

        /// <summary>The largest distance between two of the points, exactly (<see cref="PointSetDiameter"/>).</summary>
        private static double FarthestPair(List<Vector3D> points)
        {
            var n = points.Count;
            var x = new double[n];
            var y = new double[n];
            var z = new double[n];
            for (var p = 0; p < n; p++)
            {
                x[p] = points[p].X;
                y[p] = points[p].Y;
                z[p] = points[p].Z;
            }

            return PointSetDiameter.Compute(x, y, z);
        }

        private DistanceResult Distances(Lesion lesion)
        {
            var margin = Math.Max(_options.InitialSearchMarginMm, _options.AdjacencyDistanceMm + 2 * MaxSpacing());
            while (true)
            {
                var box = lesion.Box.Grow(margin + _largestRadiusMm, _spacing, _size);
                var covers = box.Covers(_size);
                var r = DistancesInBox(lesion, box);

                // A voxel outside the box is farther than `margin` from the lesion, so a minimum ≤ margin is exact.
                // Structures still unresolved once the box is large (an eighth of the volume) are measured from
                // their own whole-volume EDT instead, computed once per role and shared by all lesions: growing
                // every lesion's box to the whole volume would cost one full EDT per lesion.
                var large = box.Size.VoxelCount * 8 >= _size.VoxelCount;
                var exact = true;
                for (var role = 0; role < _roleCount; role++)
                {
                    if (covers || !Present((LabelRole)role) || (LabelRole)role == LabelRole.Tumour || r.MinSq[role] <= margin * margin)
                    {
                        continue;
                    }

                    if (large)
                    {
                        r.MinSq[role] = MinOverLesion(lesion, RoleDistance((LabelRole)role));
                    }
                    else
                    {
                        exact = false;
                    }
                }

                if (!covers && r.Organ == "liver" && !(r.OutsideSq <= margin * margin))
                {
                    exact = false;
                }

                if (!covers && _largeCentres.Count > 0 && !(r.LargeGapMm <= margin))
                {
                    exact = false;
                }

                if (exact)
                {
                    return r;
                }

                margin *= 2;
            }
        }

        /// <summary>Squared distance (mm²) from every voxel to the nearest voxel of <paramref name="role"/>, over the whole volume, cached.</summary>
        private float[] RoleDistance(LabelRole role)
        {
            lock (_roleDistances)
            {
                if (_roleDistances.TryGetValue(role, out var cached))
                {
                    return cached;
                }

                var mask = new byte[_size.VoxelCount];
                var code = (int)role;
                for (long n = 0; n < mask.LongLength; n++)
                {
                    mask[n] = (byte)(RoleAt(n) == code ? 1 : 0);
                }

                var d2 = EuclideanDistance.SquaredDistance(mask, _size, VolumeBox.Whole(_size), _spacing, sitesAreForeground: true, _edt);
                _roleDistances[role] = d2;
                return d2;
            }
        }

        private double MinOverLesion(Lesion lesion, float[] d2)
        {
            var best = double.PositiveInfinity;
            var box = lesion.Box;
            for (var k = box.K0; k < box.K1; k++)
            {
                for (var j = box.J0; j < box.J1; j++)
                {
                    for (var i = box.I0; i < box.I1; i++)
                    {
                        if (InLesion(lesion, i, j, k))
                        {
                            best = Math.Min(best, d2[_size.LinearIndex(i, j, k)]);
                        }
                    }
                }
            }

            return best;
        }

        private double MaxSpacing() => Math.Max(_spacing.X, Math.Max(_spacing.Y, _spacing.Z));

        private DistanceResult DistancesInBox(Lesion lesion, VolumeBox box)
        {
            var b = box.Size;
            var mask = new byte[b.VoxelCount];
            var lb = lesion.Box;
            for (var k = lb.K0; k < lb.K1; k++)
            {
                for (var j = lb.J0; j < lb.J1; j++)
                {
                    for (var i = lb.I0; i < lb.I1; i++)
                    {
                        if (InLesion(lesion, i, j, k))
                        {
                            mask[b.LinearIndex(i - box.I0, j - box.J0, k - box.K0)] = 1;
                        }
                    }
                }
            }

            var d2 = EuclideanDistance.SquaredDistance(mask, b, VolumeBox.Whole(b), _spacing, sitesAreForeground: true, _edt);

            // Per slice: the nearest voxel of every role, of the outside of the liver, and organ contacts.
            var contactSq = _spacing.X * _spacing.X + _spacing.Y * _spacing.Y + _spacing.Z * _spacing.Z + 1e-6;
            var partial = new (float[] MinSq, float OutsideSq, long[] Contacts)[b.K];
            Parallel.For(0, b.K, _parallel, k =>
            {
                var minSq = new float[_roleCount];
                Array.Fill(minSq, float.PositiveInfinity);
                var outside = float.PositiveInfinity;
                var contacts = new long[_roleCount];
                for (var j = 0; j < b.J; j++)
                {
                    var src = _size.LinearIndex(box.I0, box.J0 + j, box.K0 + k);
                    var row = b.LinearIndex(0, j, k);
                    for (var i = 0; i < b.I; i++)
                    {
                        var d = d2[row + i];
                        if (d == 0 && mask[row + i] != 0)
                        {
                            continue; // the lesion itself
                        }

                        var code = RoleAt(src + i);
                        if (code >= 0)
                        {
                            if (d < minSq[code])
                            {
                                minSq[code] = d;
                            }

                            if (d <= contactSq)
                            {
                                contacts[code]++;
                            }
                        }

                        if (!IsLiverRegion(code) && d < outside)
                        {
                            outside = d;
                        }
                    }
                }

                partial[k] = (minSq, outside, contacts);
            });

            var result = new DistanceResult(_roleCount);
            foreach (var (minSq, outsideSq, contacts) in partial)
            {
                for (var r = 0; r < _roleCount; r++)
                {
                    result.MinSq[r] = Math.Min(result.MinSq[r], minSq[r]);
                    result.Contacts[r] += contacts[r];
                }

                result.OutsideSq = Math.Min(result.OutsideSq, outsideSq);
            }

            // Organ: the organ role with the most voxels in contact with the lesion.
            long bestContacts = 0;
            foreach (var role in Enum.GetValues<LabelRole>())
            {
                if (role.OrganName() is { } organ && result.Contacts[(int)role] > bestContacts)
                {
                    bestContacts = result.Contacts[(int)role];
                    result.Organ = organ;
                }
            }

            // Large vessels: distance to the wall of the maximal ball of each large centreline voxel.
            CentrelinePoint? nearest = null;
            foreach (var c in _largeCentres)
            {
                if (c.I < box.I0 || c.J < box.J0 || c.K < box.K0 || c.I >= box.I1 || c.J >= box.J1 || c.K >= box.K1)
                {
                    continue;
                }

                var gap = Math.Max(0, Math.Sqrt(d2[b.LinearIndex(c.I - box.I0, c.J - box.J0, c.K - box.K0)]) - c.RadiusMm);
                if (gap < result.LargeGapMm)
                {
                    result.LargeGapMm = gap;
                    nearest = c;
                }
            }

            if (nearest is { } n)
            {
                // Many inscribed balls touch the wall next to the lesion with the same gap, some off the axis and
                // smaller: the calibre is that of the largest ball around the nearest one (the vessel's own radius).
                var reach = n.RadiusMm + MaxSpacing();
                var radius = n.RadiusMm;
                foreach (var c in _largeCentres)
                {
                    var offset = _geometry.IndexToPointLps(c.I, c.J, c.K) - _geometry.IndexToPointLps(n.I, n.J, n.K);
                    if (c.RadiusMm > radius && offset.Length <= reach)
                    {
                        radius = c.RadiusMm;
                    }
                }

                result.LargeCalibreMm = 2 * radius;
            }

            result.Present = _roleBoxes.Select(x => !x.IsEmpty).ToArray();
            result.Table = _map.Table;
            result.AdjacencyMm = _options.AdjacencyDistanceMm;
            return result;
        }
    }

    private sealed record DistanceResult
    {
        public DistanceResult(int roles)
        {
            MinSq = new double[roles];
            Array.Fill(MinSq, double.PositiveInfinity);
            Contacts = new long[roles];
        }

        public double[] MinSq { get; }

        public long[] Contacts { get; }

        public double OutsideSq { get; set; } = double.PositiveInfinity;

        public string? Organ { get; set; }

        public double LargeGapMm { get; set; } = double.PositiveInfinity;

        public double? LargeCalibreMm { get; set; }

        public bool[] Present { get; set; } = [];

        public LabelTable? Table { get; set; }

        public double AdjacencyMm { get; set; }

        public string Id { get; init; } = "";

        public long VoxelCount { get; init; }

        public double VolumeMl { get; init; }

        public Vector3D CentroidLps { get; init; }

        public double LongestDiameterMm { get; init; }

        public double LongestAxialDiameterMm { get; init; }

        public int? Segment { get; init; }

        private double? Mm(LabelRole role) =>
            Present[(int)role] && double.IsFinite(MinSq[(int)role]) ? Math.Sqrt(MinSq[(int)role]) : null;

        public MeasuredLesion Build()
        {
            var distances = new Dictionary<string, double>();
            double? anyVessel = null;
            List<string>? adjacent = null;
            var tableRoles = Table!.Entries.Select(e => e.Role).ToHashSet();
            foreach (var role in Enum.GetValues<LabelRole>())
            {
                // The lesion's own organ is always about one voxel away: it says nothing and is left out.
                if (role is LabelRole.Tumour or LabelRole.Other or LabelRole.Liver || Mm(role) is not { } d)
                {
                    continue;
                }

                distances[role.Name()] = d;
                if (role.IsVessel())
                {
                    anyVessel = anyVessel is null ? d : Math.Min(anyVessel.Value, d);
                }
            }

            // A structure absent from the label table was not segmented: unknown, never "not adjacent".
            var notSegmented = Enum.GetValues<LabelRole>().Where(r => r.IsCriticalStructure() && !tableRoles.Contains(r)).Select(r => r.Name()).ToList();
            if (tableRoles.Any(r => r.IsCriticalStructure()))
            {
                adjacent = [];
                foreach (var role in Enum.GetValues<LabelRole>())
                {
                    if (role.IsCriticalStructure() && Mm(role) is { } d && d <= AdjacencyMm)
                    {
                        adjacent.Add(role.Name());
                    }
                }
            }

            // distanceToAnyVesselMm is defined once: the smallest of distancesMm over the vessel roles (vessel, portal
            // vein, hepatic vein), the same voxel-centre estimator. The large-vessel distance is another estimator (to
            // the wall of inscribed balls) and is not mixed in: it may lie up to about a voxel below it.
            var inLiver = Organ == "liver";
            return new MeasuredLesion
            {
                Id = Id,
                VoxelCount = VoxelCount,
                VolumeMl = VolumeMl,
                CentroidLps = CentroidLps,
                LongestDiameterMm = LongestDiameterMm,
                LongestAxialDiameterMm = LongestAxialDiameterMm,
                Organ = Organ,
                Segment = Segment,
                DistanceToAnyVesselMm = anyVessel,
                DistanceToLargeVesselMm = double.IsFinite(LargeGapMm) ? LargeGapMm : null,
                LargeVesselCalibreMm = double.IsFinite(LargeGapMm) ? LargeCalibreMm : null,
                DistanceToHilumMm = Mm(LabelRole.Hilum),
                DepthFromCapsuleMm = inLiver && double.IsFinite(OutsideSq) ? Math.Sqrt(OutsideSq) : null,
                DistancesMm = distances,
                AdjacentStructures = adjacent,
                NotSegmentedStructures = notSegmented,
            };
        }
    }
}
