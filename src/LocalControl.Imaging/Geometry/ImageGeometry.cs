namespace LocalControl.Imaging.Geometry;

/// <summary>
/// Where a voxel grid sits in the patient: size, spacing (mm), origin (LPS, mm, centre of voxel 0,0,0) and
/// direction cosines (columns = unit vectors of the i, j, k axes in LPS). This is the one place that does
/// index ↔ point arithmetic, as in ITK/SimpleITK: <c>point = origin + D · diag(spacing) · index</c>.
/// </summary>
public sealed class ImageGeometry : IEquatable<ImageGeometry>
{
    private readonly Matrix3D _indexToPoint;
    private readonly Matrix3D _pointToIndex;

    /// <summary>Creates a geometry after checking that every value is usable.</summary>
    /// <exception cref="ArgumentException">Non-positive size or spacing, non-finite values, or a singular direction.</exception>
    public ImageGeometry(VolumeSize size, Vector3D spacingMm, Vector3D originLps, Matrix3D direction)
    {
        if (size.I <= 0 || size.J <= 0 || size.K <= 0)
        {
            throw new ArgumentException($"Volume size must be positive on every axis, got {size.I}x{size.J}x{size.K}.", nameof(size));
        }

        if (!spacingMm.IsFinite || spacingMm.X <= 0 || spacingMm.Y <= 0 || spacingMm.Z <= 0)
        {
            throw new ArgumentException($"Voxel spacing must be finite and > 0 mm, got ({spacingMm.X}, {spacingMm.Y}, {spacingMm.Z}).", nameof(spacingMm));
        }

        if (!originLps.IsFinite)
        {
            throw new ArgumentException("Origin must be finite.", nameof(originLps));
        }

        if (!direction.IsFinite || Math.Abs(direction.Determinant) < 1e-6)
        {
            throw new ArgumentException("Direction cosines must be finite and non-singular.", nameof(direction));
        }

        Size = size;
        SpacingMm = spacingMm;
        OriginLps = originLps;
        Direction = direction;
        _indexToPoint = direction * new Matrix3D(spacingMm.X, 0, 0, 0, spacingMm.Y, 0, 0, 0, spacingMm.Z);
        _pointToIndex = _indexToPoint.Inverse();
    }

    /// <summary>An axis-aligned geometry (identity direction) — handy for phantoms and tests.</summary>
    public static ImageGeometry AxisAligned(VolumeSize size, Vector3D spacingMm, Vector3D? originLps = null) =>
        new(size, spacingMm, originLps ?? Vector3D.Zero, Matrix3D.Identity);

    /// <summary>Voxel counts along i, j, k.</summary>
    public VolumeSize Size { get; }

    /// <summary>Distance between voxel centres along i, j, k in millimetres.</summary>
    public Vector3D SpacingMm { get; }

    /// <summary>Centre of voxel (0, 0, 0) in LPS millimetres.</summary>
    public Vector3D OriginLps { get; }

    /// <summary>Direction cosines: column n is the LPS unit vector of voxel axis n.</summary>
    public Matrix3D Direction { get; }

    /// <summary>Volume of one voxel in mm³.</summary>
    public double VoxelVolumeMm3 => SpacingMm.X * SpacingMm.Y * SpacingMm.Z;

    /// <summary>Maps a (continuous) voxel index to an LPS point in mm.</summary>
    public Vector3D IndexToPointLps(Vector3D index) => OriginLps + _indexToPoint * index;

    /// <summary>Maps an integer voxel index to an LPS point in mm.</summary>
    public Vector3D IndexToPointLps(int i, int j, int k) => IndexToPointLps(new Vector3D(i, j, k));

    /// <summary>Maps an LPS point in mm to a continuous voxel index.</summary>
    public Vector3D PointLpsToIndex(Vector3D pointLps) => _pointToIndex * (pointLps - OriginLps);

    /// <summary>
    /// The 4x4 voxel → RAS affine as nibabel's <c>img.affine</c> gives it (row-major, last row 0 0 0 1).
    /// </summary>
    public double[,] AffineRas()
    {
        var a = new double[4, 4];
        for (var r = 0; r < 3; r++)
        {
            var sign = r < 2 ? -1.0 : 1.0; // LPS → RAS negates x and y
            for (var c = 0; c < 3; c++)
            {
                a[r, c] = (sign * _indexToPoint[r, c]) + 0.0; // + 0.0 turns -0 into 0
            }

            a[r, 3] = (sign * OriginLps[r]) + 0.0;
        }

        a[3, 3] = 1;
        return a;
    }

    /// <summary>
    /// True when both grids put the same voxels at the same places, within <paramref name="toleranceMm"/>
    /// on origin and spacing and <paramref name="directionTolerance"/> on the direction cosines.
    /// Check this before combining two volumes (e.g. a CT and its label map).
    /// </summary>
    public bool IsSameGridAs(ImageGeometry other, double toleranceMm = 1e-3, double directionTolerance = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Size != other.Size)
        {
            return false;
        }

        for (var a = 0; a < 3; a++)
        {
            if (Math.Abs(SpacingMm[a] - other.SpacingMm[a]) > toleranceMm || Math.Abs(OriginLps[a] - other.OriginLps[a]) > toleranceMm)
            {
                return false;
            }

            for (var b = 0; b < 3; b++)
            {
                if (Math.Abs(Direction[a, b] - other.Direction[a, b]) > directionTolerance)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Returns this geometry with another size (same origin, spacing and direction).</summary>
    public ImageGeometry WithSize(VolumeSize size) => new(size, SpacingMm, OriginLps, Direction);

    /// <inheritdoc />
    public bool Equals(ImageGeometry? other) => other is not null && IsSameGridAs(other, 0, 0);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ImageGeometry);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Size, SpacingMm, OriginLps);
}
