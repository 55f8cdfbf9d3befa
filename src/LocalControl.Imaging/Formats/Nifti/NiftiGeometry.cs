using System.Globalization;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Formats.Nifti;

/// <summary>
/// The NIfTI affine policy (as nibabel's <c>get_best_affine</c>: sform if <c>sform_code ≠ 0</c>, else qform if
/// <c>qform_code ≠ 0</c>, else the pixdim-only "base" affine) and the RAS ↔ LPS conversion at the format boundary.
/// </summary>
public static class NiftiGeometry
{
    /// <summary>Which header transform gave the affine.</summary>
    public enum AffineSource
    {
        /// <summary>srow_x/y/z.</summary>
        Sform,
        /// <summary>quatern_b/c/d, qoffset, pixdim, qfac.</summary>
        Qform,
        /// <summary>pixdim only, centred (nibabel's shape_zoom_affine, x flipped).</summary>
        Base,
    }

    /// <summary>Millimetres per unit of the spatial code in <c>xyzt_units</c> (0 unknown and 2 mm → 1; 1 m → 1000; 3 µm → 0.001).</summary>
    public static double SpatialUnitToMm(int xyztUnits) => (xyztUnits & 7) switch
    {
        1 => 1000.0,
        3 => 0.001,
        _ => 1.0,
    };

    /// <summary>The qform as a 3x4 RAS affine (in header units), computed as nibabel's <c>get_qform</c>.</summary>
    public static double[,] QformAffine(NiftiHeader h, string file, List<ImagingWarning> warnings)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(warnings);
        double b = h.Quatern[0], c = h.Quatern[1], d = h.Quatern[2];
        var w2 = 1.0 - (b * b + c * c + d * d);
        // nibabel's quaternion_threshold: 3 machine epsilons of the header's float type.
        var threshold = h.Version == 1 ? 3 * 1.1920928955078125e-07 : 3 * 2.220446049250313e-16;
        if (!double.IsFinite(w2) || w2 < -threshold)
        {
            NiftiThrowHelper.Throw(NiftiThrowHelper.BadAffine, string.Create(CultureInfo.InvariantCulture, $"quatern_b/c/d ({b}, {c}, {d}) are not part of a unit quaternion."), file, "quatern_b");
        }

        var a = w2 < 0 ? 0 : Math.Sqrt(w2);
        var r = QuaternionToMatrix(a, b, c, d);
        var qfac = h.Pixdim[0];
        if (qfac is not (1 or -1))
        {
            warnings.Add(new ImagingWarning("LC-NIFTI-W02", string.Create(CultureInfo.InvariantCulture, $"pixdim[0] (qfac) is {qfac}, not 1 or -1; treated as 1 (as nibabel does).")));
            qfac = 1;
        }

        var vox = new[] { h.Pixdim[1], h.Pixdim[2], h.Pixdim[3] * qfac };
        CheckSpacing(h, file);
        var m = new double[3, 4];
        for (var row = 0; row < 3; row++)
        {
            for (var col = 0; col < 3; col++)
            {
                m[row, col] = r[row, col] * vox[col];
            }

            m[row, 3] = h.QOffset[row];
        }

        return m;
    }

    /// <summary>The sform (srow_x/y/z) as a 3x4 RAS affine in header units.</summary>
    public static double[,] SformAffine(NiftiHeader h)
    {
        ArgumentNullException.ThrowIfNull(h);
        return (double[,])h.Srow.Clone();
    }

    /// <summary>The pixdim-only affine, as nibabel's <c>get_base_affine</c> (x flipped, centred on the volume).</summary>
    public static double[,] BaseAffine(NiftiHeader h, string file)
    {
        ArgumentNullException.ThrowIfNull(h);
        CheckSpacing(h, file);
        var m = new double[3, 4];
        var ndim = (int)h.Dim[0];
        for (var axis = 0; axis < 3; axis++)
        {
            var size = axis < ndim ? h.Dim[axis + 1] : 1;
            var zoom = axis < ndim ? h.Pixdim[axis + 1] : 1.0;
            if (axis == 0)
            {
                zoom = -zoom;
            }

            m[axis, axis] = zoom;
            m[axis, 3] = -((size - 1) / 2.0) * zoom;
        }

        return m;
    }

    /// <summary>
    /// The affine nibabel would use (sform, else qform, else base), scaled to mm by <c>xyzt_units</c>,
    /// with a warning when sform and qform are both set and disagree by more than 1e-3 mm.
    /// </summary>
    public static (double[,] AffineRasMm, AffineSource Source) BestAffine(NiftiHeader h, string file, List<ImagingWarning> warnings)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(warnings);
        double[,] affine;
        AffineSource source;
        if (h.SformCode != 0)
        {
            affine = SformAffine(h);
            source = AffineSource.Sform;
            if (h.QformCode != 0)
            {
                var q = QformAffine(h, file, warnings);
                var diff = 0.0;
                for (var row = 0; row < 3; row++)
                {
                    for (var col = 0; col < 4; col++)
                    {
                        diff = Math.Max(diff, Math.Abs(q[row, col] - affine[row, col]));
                    }
                }

                if (diff > 1e-3)
                {
                    warnings.Add(new ImagingWarning("LC-NIFTI-W01", string.Create(CultureInfo.InvariantCulture,
                        $"qform (code {h.QformCode}) and sform (code {h.SformCode}) disagree by up to {diff:G4} (header units); the sform is used, as nibabel, FSL and MRtrix do. Other tools (older ITK) may place this image differently.")));
                }
            }
        }
        else if (h.QformCode != 0)
        {
            affine = QformAffine(h, file, warnings);
            source = AffineSource.Qform;
        }
        else
        {
            affine = BaseAffine(h, file);
            source = AffineSource.Base;
            warnings.Add(new ImagingWarning("LC-NIFTI-W03", "qform_code and sform_code are both 0: only pixdim is known, the position in the patient is not.", WarningSeverity.Warning));
        }

        var unit = SpatialUnitToMm(h.XyztUnits);
        for (var row = 0; row < 3; row++)
        {
            for (var col = 0; col < 4; col++)
            {
                if (!double.IsFinite(affine[row, col]))
                {
                    NiftiThrowHelper.Throw(NiftiThrowHelper.BadAffine, $"the {source.ToString().ToLowerInvariant()} affine holds a non-finite value (NaN or infinity).", file,
                        source == AffineSource.Sform ? $"srow_{"xyz"[row]}" : source == AffineSource.Qform ? "quatern/qoffset" : "pixdim");
                }

                affine[row, col] *= unit;
            }
        }

        return (affine, source);
    }

    /// <summary>Turns a voxel → RAS affine (3x4, mm) into an LPS <see cref="ImageGeometry"/>: negate rows 0 and 1.</summary>
    /// <exception cref="ImagingException">The affine is singular (a zero voxel size).</exception>
    public static ImageGeometry FromAffineRas(double[,] affineRas, VolumeSize size, string file)
    {
        ArgumentNullException.ThrowIfNull(affineRas);
        var cols = new Vector3D[3];
        var spacing = new double[3];
        for (var col = 0; col < 3; col++)
        {
            var v = new Vector3D(-affineRas[0, col], -affineRas[1, col], affineRas[2, col]);
            spacing[col] = v.Length;
            if (!(spacing[col] > 0) || !double.IsFinite(spacing[col]))
            {
                NiftiThrowHelper.Throw(NiftiThrowHelper.BadAffine, $"voxel axis {col} has zero or non-finite length in the affine: the spacing is unusable.", file, "pixdim");
            }

            cols[col] = v * (1.0 / spacing[col]);
        }

        var direction = Matrix3D.FromColumns(cols[0], cols[1], cols[2]);
        if (Math.Abs(direction.Determinant) < 1e-6)
        {
            NiftiThrowHelper.Throw(NiftiThrowHelper.BadAffine, "the affine is singular (voxel axes are parallel).", file, "srow");
        }

        var origin = new Vector3D(-affineRas[0, 3], -affineRas[1, 3], affineRas[2, 3]);
        return GeometryGuard.Create(size, new Vector3D(spacing[0], spacing[1], spacing[2]), origin, direction, NiftiThrowHelper.BadAffine, file, "srow/qform/pixdim");
    }

    /// <summary>
    /// Quaternion parameters (b, c, d, qfac) for the rotation part of an LPS direction matrix, expressed in RAS;
    /// null when the direction is not orthonormal (then only the sform can hold it).
    /// </summary>
    public static (double B, double C, double D, double Qfac)? QuaternionFor(Matrix3D directionLps)
    {
        // RAS direction = diag(-1,-1,1) · LPS direction.
        var r = new double[3, 3];
        for (var row = 0; row < 3; row++)
        {
            for (var col = 0; col < 3; col++)
            {
                r[row, col] = (row < 2 ? -1 : 1) * directionLps[row, col];
            }
        }

        // Orthonormal check.
        for (var c1 = 0; c1 < 3; c1++)
        {
            for (var c2 = 0; c2 < 3; c2++)
            {
                var dot = r[0, c1] * r[0, c2] + r[1, c1] * r[1, c2] + r[2, c1] * r[2, c2];
                if (Math.Abs(dot - (c1 == c2 ? 1 : 0)) > 1e-4)
                {
                    return null;
                }
            }
        }

        var det = r[0, 0] * (r[1, 1] * r[2, 2] - r[1, 2] * r[2, 1]) - r[0, 1] * (r[1, 0] * r[2, 2] - r[1, 2] * r[2, 0]) + r[0, 2] * (r[1, 0] * r[2, 1] - r[1, 1] * r[2, 0]);
        var qfac = 1.0;
        if (det < 0)
        {
            qfac = -1;
            for (var row = 0; row < 3; row++)
            {
                r[row, 2] = -r[row, 2];
            }
        }

        // nifti_mat44_to_quatern (nifti1_io.c).
        double a = r[0, 0] + r[1, 1] + r[2, 2] + 1, b, c, d;
        if (a > 0.5)
        {
            a = 0.5 * Math.Sqrt(a);
            b = 0.25 * (r[2, 1] - r[1, 2]) / a;
            c = 0.25 * (r[0, 2] - r[2, 0]) / a;
            d = 0.25 * (r[1, 0] - r[0, 1]) / a;
        }
        else
        {
            var xd = 1.0 + r[0, 0] - (r[1, 1] + r[2, 2]);
            var yd = 1.0 + r[1, 1] - (r[0, 0] + r[2, 2]);
            var zd = 1.0 + r[2, 2] - (r[0, 0] + r[1, 1]);
            if (xd > 1.0)
            {
                b = 0.5 * Math.Sqrt(xd);
                c = 0.25 * (r[0, 1] + r[1, 0]) / b;
                d = 0.25 * (r[0, 2] + r[2, 0]) / b;
                a = 0.25 * (r[2, 1] - r[1, 2]) / b;
            }
            else if (yd > 1.0)
            {
                c = 0.5 * Math.Sqrt(yd);
                b = 0.25 * (r[0, 1] + r[1, 0]) / c;
                d = 0.25 * (r[1, 2] + r[2, 1]) / c;
                a = 0.25 * (r[0, 2] - r[2, 0]) / c;
            }
            else
            {
                d = 0.5 * Math.Sqrt(zd);
                b = 0.25 * (r[0, 2] + r[2, 0]) / d;
                c = 0.25 * (r[1, 2] + r[2, 1]) / d;
                a = 0.25 * (r[1, 0] - r[0, 1]) / d;
            }

            if (a < 0)
            {
                b = -b;
                c = -c;
                d = -d;
            }
        }

        return (b, c, d, qfac);
    }

    private static double[,] QuaternionToMatrix(double w, double x, double y, double z)
    {
        var n = w * w + x * x + y * y + z * z;
        var m = new double[3, 3];
        if (n < 1e-300)
        {
            m[0, 0] = m[1, 1] = m[2, 2] = 1;
            return m;
        }

        var s = 2.0 / n;
        double xs = x * s, ys = y * s, zs = z * s;
        double wx = w * xs, wy = w * ys, wz = w * zs, xx = x * xs, xy = x * ys, xz = x * zs, yy = y * ys, yz = y * zs, zz = z * zs;
        m[0, 0] = 1 - (yy + zz); m[0, 1] = xy - wz; m[0, 2] = xz + wy;
        m[1, 0] = xy + wz; m[1, 1] = 1 - (xx + zz); m[1, 2] = yz - wx;
        m[2, 0] = xz - wy; m[2, 1] = yz + wx; m[2, 2] = 1 - (xx + yy);
        return m;
    }

    private static void CheckSpacing(NiftiHeader h, string file)
    {
        for (var axis = 1; axis <= 3; axis++)
        {
            if (axis > h.Dim[0] && axis > 1)
            {
                continue;
            }

            var v = h.Pixdim[axis];
            if (!double.IsFinite(v) || v <= 0)
            {
                NiftiThrowHelper.Throw(NiftiThrowHelper.BadAffine, string.Create(CultureInfo.InvariantCulture, $"pixdim[{axis}] is {v}: a voxel size must be finite and > 0."), file, $"pixdim[{axis}]", h.Version == 1 ? 76 + 4 * axis : 104 + 8 * axis);
            }
        }
    }
}
