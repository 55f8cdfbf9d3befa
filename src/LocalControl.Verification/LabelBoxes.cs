using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Verification;

/// <summary>
/// The bounding box of every label value of a label volume, from one pass over it. A verification asks for the boxes
/// of the tumour, zone and liver labels about ten times; on a 512 × 512 × 300 pair each full pass reads 300 MB, so
/// <see cref="MarginVerification"/> computes them once per volume and makes them the answer of
/// <see cref="MaskRegion.BoundingBox"/> for the length of one verification (<see cref="Scope"/>), during which the
/// volumes are not changed.
/// </summary>
internal sealed class LabelBoxes
{
    private static readonly AsyncLocal<(Volume<int> Volume, LabelBoxes Boxes)[]?> Current = new();
    private readonly Dictionary<int, VolumeBox> _boxes;

    private LabelBoxes(Dictionary<int, VolumeBox> boxes) => _boxes = boxes;

    /// <summary>The boxes of every non-zero value of <paramref name="labels"/>.</summary>
    public static LabelBoxes Of(Volume<int> labels)
    {
        var size = labels.Size;
        var buffer = labels.Buffer;
        var slices = new Dictionary<int, VolumeBox>[size.K];
        Parallel.For(0, size.K, k =>
        {
            // Values 1..255 (all that real label maps use) in an array; anything else in a dictionary.
            Span<int> i0 = stackalloc int[256], i1 = stackalloc int[256], j0 = stackalloc int[256], j1 = stackalloc int[256];
            i0.Fill(int.MaxValue);
            j0.Fill(int.MaxValue);
            i1.Fill(-1);
            j1.Fill(-1);
            Dictionary<int, VolumeBox>? other = null;
            for (var j = 0; j < size.J; j++)
            {
                var row = buffer.AsSpan((int)size.LinearIndex(0, j, k), size.I);
                for (var i = 0; i < row.Length; i++)
                {
                    var v = row[i];
                    if (v == 0)
                    {
                        continue;
                    }

                    if ((uint)v < 256)
                    {
                        if (i < i0[v])
                        {
                            i0[v] = i;
                        }

                        if (i > i1[v])
                        {
                            i1[v] = i;
                        }

                        if (j < j0[v])
                        {
                            j0[v] = j;
                        }

                        j1[v] = j;
                    }
                    else
                    {
                        other ??= [];
                        other[v] = (other.TryGetValue(v, out var b) ? b : VolumeBox.Empty).Include(i, j, k);
                    }
                }
            }

            var result = other ?? [];
            for (var v = 1; v < 256; v++)
            {
                if (i1[v] >= 0)
                {
                    result[v] = VolumeBox.Empty.Include(i0[v], j0[v], k).Include(i1[v], j1[v], k);
                }
            }

            slices[k] = result;
        });
        var all = new Dictionary<int, VolumeBox>();
        foreach (var slice in slices)
        {
            foreach (var (v, b) in slice)
            {
                all[v] = all.TryGetValue(v, out var a) ? a.Union(b) : b;
            }
        }

        return new LabelBoxes(all);
    }

    /// <summary>The box of the voxels whose value is one of <paramref name="values"/> (empty when none).</summary>
    public VolumeBox For(IReadOnlyList<int> values)
    {
        var box = VolumeBox.Empty;
        foreach (var v in values)
        {
            if (v != 0 && _boxes.TryGetValue(v, out var b))
            {
                box = box.Union(b);
            }
        }

        return box;
    }

    /// <summary>Makes the one-pass boxes of <paramref name="volumes"/> the answer of <see cref="MaskRegion.BoundingBox"/> until disposed.</summary>
    public static IDisposable Scope(params Volume<int>[] volumes)
    {
        var previous = Current.Value;
        Current.Value = [.. volumes.Distinct().Select(v => (v, Of(v)))];
        return new Restore(previous);
    }

    /// <summary>The boxes of <paramref name="labels"/> when a scope holds them.</summary>
    public static LabelBoxes? InScope(Volume<int> labels)
    {
        var current = Current.Value;
        if (current is null)
        {
            return null;
        }

        foreach (var (volume, boxes) in current)
        {
            if (ReferenceEquals(volume, labels))
            {
                return boxes;
            }
        }

        return null;
    }

    private sealed class Restore((Volume<int>, LabelBoxes)[]? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
