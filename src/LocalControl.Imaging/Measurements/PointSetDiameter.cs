namespace LocalControl.Imaging.Measurements;

/// <summary>
/// The diameter (largest distance between two points) of a point set, exactly: a k-d tree over the points and a
/// dual-tree branch and bound over pairs of nodes — a pair is opened only when the largest distance between the two
/// bounding boxes can beat the best pair so far, which starts from the extreme points along 13 directions (often the
/// answer already). The farthest pair of a set is a pair of its convex-hull vertices, and for the near-convex shapes
/// of lesions and organs almost every node pair is pruned: milliseconds for a whole liver's surface (10⁵ points),
/// where the all-pairs search took seconds. Exact: every pair that could be farther is examined.
/// </summary>
public static class PointSetDiameter
{
    private const int LeafSize = 24;

    /// <summary>The largest distance between two of the points (x[i], y[i], z[i]); 0 for fewer than two points.</summary>
    public static double Compute(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z)
    {
        var n = x.Length;
        if (y.Length != n || z.Length != n)
        {
            throw new ArgumentException("x, y and z must have the same length.", nameof(y));
        }

        if (n < 2)
        {
            return 0;
        }

        // Only hull vertices can be the farthest pair, and a hull vertex is never strictly between two points that
        // share its other two coordinates: keep the points extreme along x in their (y, z) line, along y in their
        // (x, z) line and along z in their (x, y) line. On voxel centres (lines everywhere) this leaves the hull's
        // rims, a small fraction of a surface; on general points it keeps everything and costs one pass.
        var keep = ExtremeInEveryAxisLine(x, y, z);
        var m = 0;
        foreach (var k in keep)
        {
            m += k ? 1 : 0;
        }

        // Points copied in tree order, interleaved.
        var p = new double[3 * m];
        for (int i = 0, o = 0; i < n; i++)
        {
            if (!keep[i])
            {
                continue;
            }

            p[3 * o] = x[i];
            p[3 * o + 1] = y[i];
            p[3 * o + 2] = z[i];
            o++;
        }

        n = m;
        if (n < 2)
        {
            return 0;
        }

        var best = InitialBound(p, n);
        var tree = new Tree(p, n);
        var stack = new Stack<(int A, int B)>();
        stack.Push((0, 0));
        while (stack.Count > 0)
        {
            var (a, b) = stack.Pop();
            if (tree.MaxDistanceSquared(a, b) <= best)
            {
                continue;
            }

            var leafA = tree.IsLeaf(a);
            var leafB = tree.IsLeaf(b);
            if (leafA && leafB)
            {
                best = Math.Max(best, BruteForce(p, tree.Lo[a], tree.Hi[a], tree.Lo[b], tree.Hi[b], a == b));
                continue;
            }

            if (a == b)
            {
                var l = tree.Left[a];
                var r = tree.Right[a];
                stack.Push((l, l));
                stack.Push((r, r));
                stack.Push((l, r));
                continue;
            }

            // Open the larger node.
            if (!leafA && (leafB || tree.Hi[a] - tree.Lo[a] >= tree.Hi[b] - tree.Lo[b]))
            {
                stack.Push((tree.Left[a], b));
                stack.Push((tree.Right[a], b));
            }
            else
            {
                stack.Push((a, tree.Left[b]));
                stack.Push((a, tree.Right[b]));
            }
        }

        return Math.Sqrt(best);
    }

    private static bool[] ExtremeInEveryAxisLine(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z)
    {
        var n = x.Length;
        var hits = new byte[n];
        Mark(z, y, x, hits); // x extremes in (y, z) lines
        Mark(z, x, y, hits);
        Mark(y, x, z, hits);
        var keep = new bool[n];
        for (var i = 0; i < n; i++)
        {
            keep[i] = hits[i] == 3;
        }

        return keep;

        static void Mark(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> along, byte[] hits)
        {
            var lines = new Dictionary<(double, double), (int Min, int Max)>();
            for (var i = 0; i < along.Length; i++)
            {
                var key = (a[i], b[i]);
                if (lines.TryGetValue(key, out var e))
                {
                    lines[key] = (along[i] < along[e.Min] ? i : e.Min, along[i] > along[e.Max] ? i : e.Max);
                }
                else
                {
                    lines[key] = (i, i);
                }
            }

            foreach (var (_, (min, max)) in lines)
            {
                hits[min]++;
                if (max != min)
                {
                    hits[max]++;
                }
            }
        }
    }

    private static double InitialBound(double[] p, int n)
    {
        ReadOnlySpan<(double X, double Y, double Z)> directions =
        [
            (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0), (1, -1, 0), (1, 0, 1), (1, 0, -1), (0, 1, 1), (0, 1, -1),
            (1, 1, 1), (1, 1, -1), (1, -1, 1), (-1, 1, 1),
        ];
        var best = 0.0;
        foreach (var d in directions)
        {
            int lo = 0, hi = 0;
            double min = double.MaxValue, max = double.MinValue;
            for (var i = 0; i < n; i++)
            {
                var v = p[3 * i] * d.X + p[3 * i + 1] * d.Y + p[3 * i + 2] * d.Z;
                if (v < min)
                {
                    min = v;
                    lo = i;
                }

                if (v > max)
                {
                    max = v;
                    hi = i;
                }
            }

            best = Math.Max(best, DistanceSquared(p, lo, hi));
        }

        return best;
    }

    private static double BruteForce(double[] p, int a0, int a1, int b0, int b1, bool same)
    {
        var best = 0.0;
        for (var i = a0; i < a1; i++)
        {
            double xi = p[3 * i], yi = p[3 * i + 1], zi = p[3 * i + 2];
            for (var j = same ? i + 1 : b0; j < b1; j++)
            {
                double dx = p[3 * j] - xi, dy = p[3 * j + 1] - yi, dz = p[3 * j + 2] - zi;
                var d = dx * dx + dy * dy + dz * dz;
                if (d > best)
                {
                    best = d;
                }
            }
        }

        return best;
    }

    private static double DistanceSquared(double[] p, int i, int j)
    {
        double dx = p[3 * j] - p[3 * i], dy = p[3 * j + 1] - p[3 * i + 1], dz = p[3 * j + 2] - p[3 * i + 2];
        return dx * dx + dy * dy + dz * dz;
    }

    /// <summary>A k-d tree built in place over the interleaved points: each node a range with its bounding box.</summary>
    private sealed class Tree
    {
        public readonly List<int> Lo = [];
        public readonly List<int> Hi = [];
        public readonly List<int> Left = [];
        public readonly List<int> Right = [];
        private readonly List<double> _box = []; // min x, y, z, max x, y, z per node
        private readonly double[] _p;

        public Tree(double[] p, int n)
        {
            _p = p;
            Build(0, n);
        }

        public bool IsLeaf(int node) => Left[node] < 0;

        public double MaxDistanceSquared(int a, int b)
        {
            var s = 0.0;
            for (var axis = 0; axis < 3; axis++)
            {
                var d = Math.Max(_box[6 * a + 3 + axis] - _box[6 * b + axis], _box[6 * b + 3 + axis] - _box[6 * a + axis]);
                s += d * d;
            }

            return s;
        }

        private int Build(int lo, int hi)
        {
            var node = Lo.Count;
            Lo.Add(lo);
            Hi.Add(hi);
            Left.Add(-1);
            Right.Add(-1);
            Span<double> min = [double.MaxValue, double.MaxValue, double.MaxValue];
            Span<double> max = [double.MinValue, double.MinValue, double.MinValue];
            for (var i = lo; i < hi; i++)
            {
                for (var a = 0; a < 3; a++)
                {
                    var v = _p[3 * i + a];
                    min[a] = Math.Min(min[a], v);
                    max[a] = Math.Max(max[a], v);
                }
            }

            for (var a = 0; a < 3; a++)
            {
                _box.Add(min[a]);
            }

            for (var a = 0; a < 3; a++)
            {
                _box.Add(max[a]);
            }

            if (hi - lo <= LeafSize)
            {
                return node;
            }

            var axis = 0;
            for (var a = 1; a < 3; a++)
            {
                if (max[a] - min[a] > max[axis] - min[axis])
                {
                    axis = a;
                }
            }

            var mid = Partition(lo, hi, axis, 0.5 * (min[axis] + max[axis]));
            if (mid == lo || mid == hi)
            {
                mid = (lo + hi) / 2; // all on one side of the middle (duplicates): split by count
            }

            var left = Build(lo, mid);
            var right = Build(mid, hi);
            Left[node] = left;
            Right[node] = right;
            return node;
        }

        /// <summary>Moves the points with coordinate &lt; <paramref name="split"/> on <paramref name="axis"/> before the others; returns the first of the others.</summary>
        private int Partition(int lo, int hi, int axis, double split)
        {
            var i = lo;
            var j = hi - 1;
            while (i <= j)
            {
                if (_p[3 * i + axis] < split)
                {
                    i++;
                }
                else
                {
                    for (var a = 0; a < 3; a++)
                    {
                        (_p[3 * i + a], _p[3 * j + a]) = (_p[3 * j + a], _p[3 * i + a]);
                    }

                    j--;
                }
            }

            return i;
        }
    }
}
