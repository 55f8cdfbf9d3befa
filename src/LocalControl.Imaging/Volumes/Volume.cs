using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Volumes;

/// <summary>
/// A 3D voxel buffer with its geometry. Voxels are stored i-fastest (then j, then k), as in NIfTI, NRRD
/// and DICOM frames. <typeparamref name="T"/> is the stored type (e.g. <c>short</c> for CT in HU,
/// <c>float</c> for distance maps in mm).
/// </summary>
public sealed class Volume<T> where T : unmanaged
{
    private readonly T[] _voxels;

    /// <summary>Wraps an existing buffer (not copied); its length must equal the voxel count.</summary>
    public Volume(ImageGeometry geometry, T[] voxels)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(voxels);
        if (voxels.LongLength != geometry.Size.VoxelCount)
        {
            throw new ArgumentException($"Buffer holds {voxels.LongLength} voxels, geometry needs {geometry.Size.VoxelCount}.", nameof(voxels));
        }

        Geometry = geometry;
        _voxels = voxels;
    }

    /// <summary>Allocates a zero-filled volume.</summary>
    public Volume(ImageGeometry geometry)
        : this(geometry, AllocateFor(geometry))
    {
    }

    /// <summary>Where the voxels are in the patient.</summary>
    public ImageGeometry Geometry { get; }

    /// <summary>Voxel counts along i, j, k.</summary>
    public VolumeSize Size => Geometry.Size;

    /// <summary>All voxels, i fastest.</summary>
    public Span<T> Voxels => _voxels;

    /// <summary>The underlying array (for APIs that need one; prefer <see cref="Voxels"/>).</summary>
    public T[] Buffer => _voxels;

    /// <summary>Voxel (i, j, k), by reference.</summary>
    public ref T this[int i, int j, int k] => ref _voxels[Size.LinearIndex(i, j, k)];

    /// <summary>One axial slice k (i fastest, then j).</summary>
    public Span<T> Slice(int k)
    {
        var sliceLength = Size.I * Size.J;
        return _voxels.AsSpan(k * sliceLength, sliceLength);
    }

    private static T[] AllocateFor(ImageGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var count = geometry.Size.VoxelCount;
        if (count > Array.MaxLength)
        {
            throw new ArgumentException($"A volume of {count} voxels is larger than one buffer can hold ({Array.MaxLength}).", nameof(geometry));
        }

        return new T[count];
    }
}
