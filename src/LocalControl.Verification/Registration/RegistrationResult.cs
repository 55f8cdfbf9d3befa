using LocalControl.Imaging.Geometry;

namespace LocalControl.Verification.Registration;

/// <summary>A point marked in both scans (e.g. a clip or a vessel bifurcation), LPS mm in each scan's frame.</summary>
public sealed record LandmarkPair(Vector3D PreLps, Vector3D PostLps);

/// <summary>How the post-procedure scan was aligned to the pre-procedure scan, and how well.</summary>
public sealed class RegistrationResult
{
    internal RegistrationResult(RigidTransform postToPre, string method, double residualMeanMm, double residualP95Mm, double rmsResidualMm,
        double[] parameterCovariance, Vector3D rotationCentreLps, int iterations, double inlierPercent, int surfacePoints)
    {
        PostToPre = postToPre;
        Method = method;
        ResidualMeanMm = residualMeanMm;
        ResidualP95Mm = residualP95Mm;
        RmsResidualMm = rmsResidualMm;
        ParameterCovariance = parameterCovariance;
        RotationCentreLps = rotationCentreLps;
        Iterations = iterations;
        InlierPercent = inlierPercent;
        SurfacePoints = surfacePoints;
    }

    /// <summary>Maps post-scan LPS points onto the pre scan.</summary>
    public RigidTransform PostToPre { get; }

    /// <summary>What was done, e.g. <c>rigid-liver-surface</c>, <c>rigid-liver-surface+mutual-information</c>, <c>identity-same-grid</c>.</summary>
    public string Method { get; init; }

    /// <summary>Mean distance (mm) of the post liver surface from the pre liver surface after alignment; NaN when not registered.</summary>
    public double ResidualMeanMm { get; }

    /// <summary>95th percentile of that distance (mm).</summary>
    public double ResidualP95Mm { get; }

    /// <summary>Root mean square of the inlier residuals (mm).</summary>
    public double RmsResidualMm { get; }

    /// <summary>Iterations of the final optimisation.</summary>
    public int Iterations { get; }

    /// <summary>Share of surface points that the robust fit kept (%).</summary>
    public double InlierPercent { get; }

    /// <summary>Surface points used.</summary>
    public int SurfacePoints { get; }

    /// <summary>Mean landmark distance after alignment (mm) when landmarks were given.</summary>
    public double? LandmarkErrorMm { get; init; }

    /// <summary>Notes for the report (e.g. that deformation is not modelled).</summary>
    public IReadOnlyList<string> Notes { get; internal set; } = [];

    /// <summary>Covariance of the six parameters (rotation vector rad, translation mm), row-major 6 × 6, from the curvature of the surface fit (see <see cref="MaskRegistration.ConstraintCovariance"/>).</summary>
    internal double[] ParameterCovariance { get; }

    /// <summary>Where the rotation parameters are centred (pre LPS).</summary>
    internal Vector3D RotationCentreLps { get; }

    /// <summary>
    /// The expected registration error at a pre-scan point (mm): the root sum of squares of the RMS surface residual
    /// and twice the 1-σ position error that the pose covariance gives at that point (its displacement under the
    /// least-constrained pose directions: large far from the axis of a rotation the liver surface does not pin). An
    /// estimate from the surface fit, not a bound: tissue deformation between the scans is not modelled.
    /// </summary>
    public double UncertaintyAt(Vector3D targetPreLps)
    {
        if (double.IsNaN(RmsResidualMm))
        {
            return double.NaN;
        }

        var a = targetPreLps - RotationCentreLps;
        // δq = ω × a + δt = −[a]× ω + δt.
        var jac = new double[3, 6]
        {
            { 0, a.Z, -a.Y, 1, 0, 0 },
            { -a.Z, 0, a.X, 0, 1, 0 },
            { a.Y, -a.X, 0, 0, 0, 1 },
        };
        var trace = 0.0;
        for (var r = 0; r < 3; r++)
        {
            for (var m = 0; m < 6; m++)
            {
                for (var n = 0; n < 6; n++)
                {
                    trace += jac[r, m] * ParameterCovariance[m * 6 + n] * jac[r, n];
                }
            }
        }

        var tre = Math.Sqrt(Math.Max(0, trace));
        return Math.Sqrt(RmsResidualMm * RmsResidualMm + 4 * tre * tre);
    }

    /// <summary>
    /// Above this uncertainty at a tumour (mm) the registration counts as poorly constrained and the report claims no
    /// confident margin: the report brackets each margin with a ±2 mm registration error (sensitivityMm), so beyond
    /// 2 mm that bracket no longer covers the registration's own error.
    /// </summary>
    public const double PoorlyConstrainedMm = 2;

    /// <summary>The result when both label maps share one grid and there is nothing to register.</summary>
    internal static RegistrationResult SameGrid() =>
        new(RigidTransform.Identity, "identity-same-grid", double.NaN, double.NaN, double.NaN, new double[36], Vector3D.Zero, 0, double.NaN, 0);
}
