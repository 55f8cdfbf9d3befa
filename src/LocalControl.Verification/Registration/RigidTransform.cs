using LocalControl.Imaging.Geometry;

namespace LocalControl.Verification.Registration;

/// <summary>
/// A rigid motion of patient space (LPS mm): <c>q = Rotation · p + TranslationMm</c>. As the result of registration it
/// maps a point of the post-procedure scan to the same tissue in the pre-procedure scan (post → pre).
/// </summary>
public readonly record struct RigidTransform(Matrix3D Rotation, Vector3D TranslationMm)
{
    /// <summary>No motion.</summary>
    public static RigidTransform Identity => new(Matrix3D.Identity, Vector3D.Zero);

    /// <summary>Applies the motion to a point.</summary>
    public Vector3D Apply(Vector3D pointLps) => Rotation * pointLps + TranslationMm;

    /// <summary>Applies only the rotation (to a direction).</summary>
    public Vector3D ApplyToDirection(Vector3D direction) => Rotation * direction;

    /// <summary>The inverse motion.</summary>
    public RigidTransform Inverse()
    {
        var rt = Rotation.Transpose();
        return new(rt, (rt * TranslationMm) * -1);
    }

    /// <summary><c>this ∘ first</c>: apply <paramref name="first"/>, then this.</summary>
    public RigidTransform After(RigidTransform first) => new(Rotation * first.Rotation, Rotation * first.TranslationMm + TranslationMm);

    /// <summary>Rotation angle in degrees (0..180).</summary>
    public double RotationDegrees => Math.Acos(Math.Clamp((Rotation.M00 + Rotation.M11 + Rotation.M22 - 1) / 2, -1, 1)) * 180 / Math.PI;

    /// <summary>The 4 × 4 homogeneous matrix, row-major (last row 0 0 0 1), in LPS mm.</summary>
    public double[] ToRowMajor4x4() =>
    [
        Rotation.M00, Rotation.M01, Rotation.M02, TranslationMm.X,
        Rotation.M10, Rotation.M11, Rotation.M12, TranslationMm.Y,
        Rotation.M20, Rotation.M21, Rotation.M22, TranslationMm.Z,
        0, 0, 0, 1,
    ];

    /// <summary>A rotation of <paramref name="angleRadians"/> about a unit <paramref name="axis"/> (Rodrigues).</summary>
    public static Matrix3D AxisAngle(Vector3D axis, double angleRadians)
    {
        var len = axis.Length;
        if (len < 1e-15 || angleRadians == 0)
        {
            return Matrix3D.Identity;
        }

        var (x, y, z) = (axis.X / len, axis.Y / len, axis.Z / len);
        var c = Math.Cos(angleRadians);
        var s = Math.Sin(angleRadians);
        var t = 1 - c;
        return new(
            t * x * x + c, t * x * y - s * z, t * x * z + s * y,
            t * x * y + s * z, t * y * y + c, t * y * z - s * x,
            t * x * z - s * y, t * y * z + s * x, t * z * z + c);
    }

    /// <summary>The rotation of a rotation vector (axis × angle in radians).</summary>
    public static Matrix3D FromRotationVector(Vector3D omega) => AxisAngle(omega, omega.Length);

    /// <summary>Re-orthonormalises a rotation that has drifted by rounding (Gram–Schmidt on the columns).</summary>
    public static Matrix3D Orthonormalise(Matrix3D m)
    {
        var c0 = m.Column(0);
        c0 *= 1 / c0.Length;
        var c1 = m.Column(1) - c0 * c0.Dot(m.Column(1));
        c1 *= 1 / c1.Length;
        var c2 = c0.Cross(c1);
        return Matrix3D.FromColumns(c0, c1, c2);
    }

    /// <summary>The geometry of a grid moved by this motion: the same voxels, now at <c>Apply(point)</c>. Exact (no resampling).</summary>
    public ImageGeometry MoveGrid(ImageGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        return new ImageGeometry(geometry.Size, geometry.SpacingMm, Apply(geometry.OriginLps), Rotation * geometry.Direction);
    }
}
