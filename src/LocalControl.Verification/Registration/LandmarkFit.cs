using LocalControl.Imaging.Geometry;

namespace LocalControl.Verification.Registration;

/// <summary>
/// The least-squares rigid motion between paired points, by B. K. P. Horn, "Closed-form solution of absolute
/// orientation using unit quaternions", J. Opt. Soc. Am. A 4 (1987) 629–642: the rotation is the eigenvector of the
/// largest eigenvalue of a 4 × 4 symmetric matrix built from the cross-covariance (found here by Jacobi rotations).
/// </summary>
public static class LandmarkFit
{
    /// <summary>The motion that maps each <see cref="LandmarkPair.PostLps"/> closest to its <see cref="LandmarkPair.PreLps"/>.</summary>
    /// <exception cref="VerificationException">LC-VERIFY-007: fewer than three pairs, or all on one line.</exception>
    public static RigidTransform Fit(IReadOnlyList<LandmarkPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count < 3)
        {
            throw new VerificationException("LC-VERIFY-007", $"a landmark registration needs at least 3 point pairs, got {pairs.Count}.", field: "landmarks");
        }

        var cPre = Vector3D.Zero;
        var cPost = Vector3D.Zero;
        foreach (var p in pairs)
        {
            cPre += p.PreLps;
            cPost += p.PostLps;
        }

        cPre *= 1.0 / pairs.Count;
        cPost *= 1.0 / pairs.Count;
        var s = new double[3, 3];
        foreach (var p in pairs)
        {
            var a = p.PostLps - cPost;
            var b = p.PreLps - cPre;
            for (var r = 0; r < 3; r++)
            {
                for (var c = 0; c < 3; c++)
                {
                    s[r, c] += a[r] * b[c];
                }
            }
        }

        double sxx = s[0, 0], sxy = s[0, 1], sxz = s[0, 2], syx = s[1, 0], syy = s[1, 1], syz = s[1, 2], szx = s[2, 0], szy = s[2, 1], szz = s[2, 2];
        var n = new double[4, 4]
        {
            { sxx + syy + szz, syz - szy, szx - sxz, sxy - syx },
            { syz - szy, sxx - syy - szz, sxy + syx, szx + sxz },
            { szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy },
            { sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz },
        };
        var (values, vectors) = Jacobi4(n);
        var best = 0;
        for (var x = 1; x < 4; x++)
        {
            if (values[x] > values[best])
            {
                best = x;
            }
        }

        var sorted = values.Order().ToArray();
        if (sorted[3] - sorted[2] < 1e-9 * Math.Max(1, Math.Abs(sorted[3])))
        {
            throw new VerificationException("LC-VERIFY-007", "the landmarks are collinear (or coincide): they do not fix a rotation.", field: "landmarks");
        }

        double q0 = vectors[0, best], qx = vectors[1, best], qy = vectors[2, best], qz = vectors[3, best];
        var rotation = new Matrix3D(
            q0 * q0 + qx * qx - qy * qy - qz * qz, 2 * (qx * qy - q0 * qz), 2 * (qx * qz + q0 * qy),
            2 * (qy * qx + q0 * qz), q0 * q0 - qx * qx + qy * qy - qz * qz, 2 * (qy * qz - q0 * qx),
            2 * (qz * qx - q0 * qy), 2 * (qz * qy + q0 * qx), q0 * q0 - qx * qx - qy * qy + qz * qz);
        rotation = RigidTransform.Orthonormalise(rotation);
        return new RigidTransform(rotation, cPre - rotation * cPost);
    }

    private static (double[] Values, double[,] Vectors) Jacobi4(double[,] input)
    {
        var a = (double[,])input.Clone();
        var v = new double[4, 4];
        for (var x = 0; x < 4; x++)
        {
            v[x, x] = 1;
        }

        for (var sweep = 0; sweep < 100; sweep++)
        {
            var off = 0.0;
            for (var p = 0; p < 4; p++)
            {
                for (var q = p + 1; q < 4; q++)
                {
                    off += a[p, q] * a[p, q];
                }
            }

            if (off < 1e-30)
            {
                break;
            }

            for (var p = 0; p < 4; p++)
            {
                for (var q = p + 1; q < 4; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300)
                    {
                        continue;
                    }

                    var theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    var t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0)
                    {
                        t = 1;
                    }

                    var c = 1 / Math.Sqrt(t * t + 1);
                    var s = t * c;
                    for (var k = 0; k < 4; k++)
                    {
                        var akp = a[k, p];
                        var akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }

                    for (var k = 0; k < 4; k++)
                    {
                        var apk = a[p, k];
                        var aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }

                    for (var k = 0; k < 4; k++)
                    {
                        var vkp = v[k, p];
                        var vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
            }
        }

        return ([a[0, 0], a[1, 1], a[2, 2], a[3, 3]], v);
    }
}
