namespace LocalControl.Imaging.Geometry;

/// <summary>The number of voxels along i (columns), j (rows) and k (slices). i varies fastest in memory.</summary>
public readonly record struct VolumeSize(int I, int J, int K)
{
    /// <summary>Total voxel count (as a long: a hostile header can claim more than fits in an int).</summary>
    public long VoxelCount => (long)I * J * K;

    /// <summary>Linear offset of voxel (i, j, k) in an i-fastest buffer.</summary>
    public long LinearIndex(int i, int j, int k) => ((long)k * J + j) * I + i;

    /// <summary>True when (i, j, k) lies inside the volume.</summary>
    public bool Contains(int i, int j, int k) =>
        (uint)i < (uint)I && (uint)j < (uint)J && (uint)k < (uint)K;

    /// <summary>Size along axis 0..2.</summary>
    public int this[int axis] => axis switch { 0 => I, 1 => J, 2 => K, _ => throw new ArgumentOutOfRangeException(nameof(axis)) };
}
