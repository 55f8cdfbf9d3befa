using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Distance;

/// <summary>A box of voxel indices: [I0, I1) × [J0, J1) × [K0, K1). Used to crop work to a region of interest.</summary>
public readonly record struct VolumeBox(int I0, int J0, int K0, int I1, int J1, int K1)
{
    /// <summary>The whole volume.</summary>
    public static VolumeBox Whole(VolumeSize size) => new(0, 0, 0, size.I, size.J, size.K);

    /// <summary>An empty box that <see cref="Include"/> grows.</summary>
    public static VolumeBox Empty => new(int.MaxValue, int.MaxValue, int.MaxValue, int.MinValue, int.MinValue, int.MinValue);

    /// <summary>True when the box holds no voxel.</summary>
    public bool IsEmpty => I1 <= I0 || J1 <= J0 || K1 <= K0;

    /// <summary>The size of the box.</summary>
    public VolumeSize Size => new(I1 - I0, J1 - J0, K1 - K0);

    /// <summary>The smallest box holding this one and voxel (i, j, k).</summary>
    public VolumeBox Include(int i, int j, int k) =>
        new(Math.Min(I0, i), Math.Min(J0, j), Math.Min(K0, k), Math.Max(I1, i + 1), Math.Max(J1, j + 1), Math.Max(K1, k + 1));

    /// <summary>The smallest box holding both boxes.</summary>
    public VolumeBox Union(VolumeBox other) => other.IsEmpty ? this : IsEmpty ? other :
        new(Math.Min(I0, other.I0), Math.Min(J0, other.J0), Math.Min(K0, other.K0), Math.Max(I1, other.I1), Math.Max(J1, other.J1), Math.Max(K1, other.K1));

    /// <summary>This box grown by a margin in millimetres on every side, clipped to <paramref name="size"/>.</summary>
    public VolumeBox Grow(double marginMm, Vector3D spacingMm, VolumeSize size)
    {
        var di = (int)Math.Min(size.I, Math.Ceiling(marginMm / spacingMm.X));
        var dj = (int)Math.Min(size.J, Math.Ceiling(marginMm / spacingMm.Y));
        var dk = (int)Math.Min(size.K, Math.Ceiling(marginMm / spacingMm.Z));
        return new(Math.Max(0, I0 - di), Math.Max(0, J0 - dj), Math.Max(0, K0 - dk), Math.Min(size.I, I1 + di), Math.Min(size.J, J1 + dj), Math.Min(size.K, K1 + dk));
    }

    /// <summary>True when the box covers the whole of <paramref name="size"/>.</summary>
    public bool Covers(VolumeSize size) => I0 <= 0 && J0 <= 0 && K0 <= 0 && I1 >= size.I && J1 >= size.J && K1 >= size.K;
}
