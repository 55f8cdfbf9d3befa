using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Formats;

/// <summary>
/// What a header says about an image, read without its voxels: the 3D geometry (LPS), the stored scalar type,
/// the value scaling and any extra dimensions (time, components), plus the oddities found.
/// </summary>
public sealed class ImageInfo
{
    /// <summary>Creates the description.</summary>
    public ImageInfo(string format, string filePath, ImageGeometry geometry, VoxelType storedType, IReadOnlyList<int>? extraDimensions = null,
        double scaleSlope = 1, double scaleIntercept = 0, IReadOnlyList<ImagingWarning>? warnings = null)
    {
        Format = format;
        FilePath = filePath;
        Geometry = geometry;
        StoredType = storedType;
        ExtraDimensions = extraDimensions ?? [];
        ScaleSlope = scaleSlope;
        ScaleIntercept = scaleIntercept;
        Warnings = warnings ?? [];
    }

    /// <summary>The format's name (<see cref="IVolumeFormat.Name"/>).</summary>
    public string Format { get; }

    /// <summary>The file (or folder) read.</summary>
    public string FilePath { get; }

    /// <summary>The 3D grid in LPS.</summary>
    public ImageGeometry Geometry { get; }

    /// <summary>The scalar type of the stored voxels.</summary>
    public VoxelType StoredType { get; }

    /// <summary>Sizes of dimensions beyond the third (e.g. time points); empty for a 3D image.</summary>
    public IReadOnlyList<int> ExtraDimensions { get; }

    /// <summary>Number of 3D frames (product of <see cref="ExtraDimensions"/>).</summary>
    public long FrameCount
    {
        get
        {
            long n = 1;
            foreach (var d in ExtraDimensions)
            {
                n *= d;
            }

            return n;
        }
    }

    /// <summary>Value = stored × slope + intercept (e.g. NIfTI <c>scl_slope</c>/<c>scl_inter</c>); 1 when none.</summary>
    public double ScaleSlope { get; }

    /// <summary>See <see cref="ScaleSlope"/>; 0 when none.</summary>
    public double ScaleIntercept { get; }

    /// <summary>True when values need scaling (slope ≠ 1 or intercept ≠ 0).</summary>
    public bool IsScaled => ScaleSlope != 1 || ScaleIntercept != 0;

    /// <summary>Oddities found while reading.</summary>
    public IReadOnlyList<ImagingWarning> Warnings { get; }
}
