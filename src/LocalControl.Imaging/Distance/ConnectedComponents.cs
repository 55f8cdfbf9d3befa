using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Distance;

/// <summary>
/// 26-connected component labelling (two passes with union–find, as in Wu, Otoo &amp; Suzuki 2009 without the decision
/// tree): each non-zero voxel of a mask gets the number (1…n) of its component; 0 stays 0. Components are numbered in
/// the order their first voxel is met scanning i fastest, then j, then k.
/// </summary>
public static class ConnectedComponents
{
    /// <summary>Labels the whole mask.</summary>
    public static (Volume<int> Labels, int Count) Label26(Volume<byte> mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var box = VolumeBox.Whole(mask.Size);
        var (labels, count) = Label26(mask.Buffer, mask.Size, box);
        return (new Volume<int>(mask.Geometry, labels), count);
    }

    /// <summary>Labels the voxels of <paramref name="mask"/> inside <paramref name="box"/>; the result is box-local (i fastest).</summary>
    public static (int[] Labels, int Count) Label26(byte[] mask, Geometry.VolumeSize size, VolumeBox box)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var b = box.Size;
        var labels = new int[b.VoxelCount];
        var parent = new List<int> { 0 };
        int si = b.I, sj = b.J, sk = b.K;
        long slice = (long)si * sj;
        for (var k = 0; k < sk; k++)
        {
            for (var j = 0; j < sj; j++)
            {
                var src = (int)size.LinearIndex(box.I0, box.J0 + j, box.K0 + k);
                var row = (int)(k * slice + (long)j * si);
                for (var i = 0; i < si; i++)
                {
                    if (mask[src + i] == 0)
                    {
                        continue;
                    }

                    var current = 0;
                    // The 13 neighbours already visited: 9 in slice k-1, 3 in row j-1, 1 at i-1.
                    for (var dk = -1; dk <= 0; dk++)
                    {
                        var kk = k + dk;
                        if (kk < 0)
                        {
                            continue;
                        }

                        for (var dj = -1; dj <= (dk < 0 ? 1 : 0); dj++)
                        {
                            var jj = j + dj;
                            if (jj < 0 || jj >= sj)
                            {
                                continue;
                            }

                            var diMax = dk < 0 || dj < 0 ? 1 : -1;
                            for (var di = -1; di <= diMax; di++)
                            {
                                var ii = i + di;
                                if (ii < 0 || ii >= si)
                                {
                                    continue;
                                }

                                var other = labels[kk * slice + (long)jj * si + ii];
                                if (other == 0)
                                {
                                    continue;
                                }

                                current = current == 0 ? Find(parent, other) : Union(parent, current, other);
                            }
                        }
                    }

                    if (current == 0)
                    {
                        current = parent.Count;
                        parent.Add(current);
                    }

                    labels[row + i] = current;
                }
            }
        }

        // Second pass: provisional labels → final consecutive numbers in order of first appearance.
        var final = new int[parent.Count];
        var count = 0;
        for (long n = 0; n < labels.LongLength; n++)
        {
            var l = labels[n];
            if (l == 0)
            {
                continue;
            }

            var root = Find(parent, l);
            if (final[root] == 0)
            {
                final[root] = ++count;
            }

            labels[n] = final[root];
        }

        return (labels, count);
    }

    private static int Find(List<int> parent, int x)
    {
        var root = x;
        while (parent[root] != root)
        {
            root = parent[root];
        }

        while (parent[x] != root)
        {
            var next = parent[x];
            parent[x] = root;
            x = next;
        }

        return root;
    }

    private static int Union(List<int> parent, int a, int b)
    {
        var ra = Find(parent, a);
        var rb = Find(parent, b);
        if (ra == rb)
        {
            return ra;
        }

        // Keep the smaller root so that numbering follows first appearance.
        if (ra < rb)
        {
            parent[rb] = ra;
            return ra;
        }

        parent[ra] = rb;
        return rb;
    }
}
