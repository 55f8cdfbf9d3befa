namespace LocalControl.Imaging.Geometry;

/// <summary>An immutable 3x3 matrix of doubles, row-major (<c>M[row, column]</c>).
/// As a direction matrix its <b>columns</b> are the unit vectors of the voxel axes i, j, k.</summary>
public readonly record struct Matrix3D(
    double M00, double M01, double M02,
    double M10, double M11, double M12,
    double M20, double M21, double M22)
{
    /// <summary>The identity matrix.</summary>
    public static Matrix3D Identity => new(1, 0, 0, 0, 1, 0, 0, 0, 1);

    /// <summary>Builds a matrix from its three columns.</summary>
    public static Matrix3D FromColumns(Vector3D c0, Vector3D c1, Vector3D c2) =>
        new(c0.X, c1.X, c2.X, c0.Y, c1.Y, c2.Y, c0.Z, c1.Z, c2.Z);

    /// <summary>Column <paramref name="index"/> (0..2).</summary>
    public Vector3D Column(int index) => index switch
    {
        0 => new(M00, M10, M20),
        1 => new(M01, M11, M21),
        2 => new(M02, M12, M22),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>Element at row <paramref name="r"/>, column <paramref name="c"/>.</summary>
    public double this[int r, int c] => r switch
    {
        0 => c == 0 ? M00 : c == 1 ? M01 : M02,
        1 => c == 0 ? M10 : c == 1 ? M11 : M12,
        _ => c == 0 ? M20 : c == 1 ? M21 : M22,
    };

    /// <summary>Matrix times column vector.</summary>
    public static Vector3D operator *(Matrix3D m, Vector3D v) => new(
        m.M00 * v.X + m.M01 * v.Y + m.M02 * v.Z,
        m.M10 * v.X + m.M11 * v.Y + m.M12 * v.Z,
        m.M20 * v.X + m.M21 * v.Y + m.M22 * v.Z);

    /// <summary>Matrix product.</summary>
    public static Matrix3D operator *(Matrix3D a, Matrix3D b) => FromColumns(a * b.Column(0), a * b.Column(1), a * b.Column(2));

    /// <summary>Determinant.</summary>
    public double Determinant =>
        M00 * (M11 * M22 - M12 * M21) - M01 * (M10 * M22 - M12 * M20) + M02 * (M10 * M21 - M11 * M20);

    /// <summary>Transpose (the inverse of an orthonormal matrix).</summary>
    public Matrix3D Transpose() => new(M00, M10, M20, M01, M11, M21, M02, M12, M22);

    /// <summary>General inverse; throws <see cref="InvalidOperationException"/> when singular.</summary>
    public Matrix3D Inverse()
    {
        var det = Determinant;
        if (Math.Abs(det) < 1e-300 || !double.IsFinite(det))
        {
            throw new InvalidOperationException("The matrix is singular.");
        }

        var inv = 1.0 / det;
        return new(
            (M11 * M22 - M12 * M21) * inv, (M02 * M21 - M01 * M22) * inv, (M01 * M12 - M02 * M11) * inv,
            (M12 * M20 - M10 * M22) * inv, (M00 * M22 - M02 * M20) * inv, (M02 * M10 - M00 * M12) * inv,
            (M10 * M21 - M11 * M20) * inv, (M01 * M20 - M00 * M21) * inv, (M00 * M11 - M01 * M10) * inv);
    }

    /// <summary>True when every element is finite.</summary>
    public bool IsFinite =>
        double.IsFinite(M00) && double.IsFinite(M01) && double.IsFinite(M02) &&
        double.IsFinite(M10) && double.IsFinite(M11) && double.IsFinite(M12) &&
        double.IsFinite(M20) && double.IsFinite(M21) && double.IsFinite(M22);
}
