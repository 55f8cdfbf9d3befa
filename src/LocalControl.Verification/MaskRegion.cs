using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Verification;

/// <summary>
/// A binary mask held only inside a box of a grid (box-local, i fastest), e.g. the liver or one tumour. Voxels of
/// the grid outside the box are outside the mask.
/// </summary>
internal sealed class MaskRegion
{
    public MaskRegion(ImageGeometry grid, VolumeBox box, byte[] mask)
    {
        Grid = grid;
        Box = box;
        Mask = mask;
    }

    /// <summary>The whole grid the box belongs to.</summary>
    public ImageGeometry Grid { get; }

    /// <summary>Where the mask is held.</summary>
    public VolumeBox Box { get; }

    /// <summary>1 inside, 0 outside; box-local, i fastest.</summary>
    public byte[] Mask { get; }

    /// <summary>Number of voxels inside.</summary>
    public long Count()
    {
        long n = 0;
        foreach (var b in Mask)
        {
            n += b;
        }

        return n;
    }

    /// <summary>Value at grid voxel (i, j, k); 0 outside the box.</summary>
    public byte At(int i, int j, int k)
    {
        if (i < Box.I0 || j < Box.J0 || k < Box.K0 || i >= Box.I1 || j >= Box.J1 || k >= Box.K1)
        {
            return 0;
        }

        var s = Box.Size;
        return Mask[(i - Box.I0) + s.I * ((j - Box.J0) + (long)s.J * (k - Box.K0))];
    }

    /// <summary>The mask of the voxels whose label is one of <paramref name="values"/>, held in <paramref name="box"/>.</summary>
    public static MaskRegion FromLabels(Volume<int> labels, IReadOnlyList<int> values, VolumeBox box)
    {
        var size = labels.Size;
        var s = box.Size;
        var mask = new byte[s.VoxelCount];
        var buffer = labels.Buffer;
        var set = values.ToArray();
        Parallel.For(0, s.K, k =>
        {
            for (var j = 0; j < s.J; j++)
            {
                var src = size.LinearIndex(box.I0, box.J0 + j, box.K0 + k);
                var dst = s.LinearIndex(0, j, k);
                for (var i = 0; i < s.I; i++)
                {
                    var v = buffer[src + i];
                    if (v != 0 && Array.IndexOf(set, v) >= 0)
                    {
                        mask[dst + i] = 1;
                    }
                }
            }
        });
        return new MaskRegion(labels.Geometry, box, mask);
    }

    /// <summary>The bounding box of the voxels whose label is one of <paramref name="values"/> (empty when none).</summary>
    public static VolumeBox BoundingBox(Volume<int> labels, IReadOnlyList<int> values)
    {
        if (LabelBoxes.InScope(labels) is { } known)
        {
            return known.For(values);
        }

        var size = labels.Size;
        var buffer = labels.Buffer;
        var set = values.ToArray();
        var boxes = new VolumeBox[size.K];
        Parallel.For(0, size.K, k =>
        {
            var box = VolumeBox.Empty;
            for (var j = 0; j < size.J; j++)
            {
                var row = size.LinearIndex(0, j, k);
                int first = -1, last = -1;
                for (var i = 0; i < size.I; i++)
                {
                    var v = buffer[row + i];
                    if (v != 0 && Array.IndexOf(set, v) >= 0)
                    {
                        if (first < 0)
                        {
                            first = i;
                        }

                        last = i;
                    }
                }

                if (first >= 0)
                {
                    box = box.Include(first, j, k).Include(last, j, k);
                }
            }

            boxes[k] = box;
        });
        var all = VolumeBox.Empty;
        foreach (var b in boxes)
        {
            all = all.Union(b);
        }

        return all;
    }
}
