using LocalControl.Imaging;

namespace LocalControl.Verification;

/// <summary>
/// Inputs from which no trustworthy margin can be computed (empty tumour or zone, masks that cannot be registered,
/// a registration that did not converge or makes no sense). A user's problem, not our bug: the CLI exits with 2.
/// Codes: LC-VERIFY-001 cannot register, 002 no tumour, 003 no ablation zone, 004 registration did not converge,
/// 005 registration implausible, 006 zone far from the tumour, 007 inputs inconsistent (grids, images).
/// </summary>
public sealed class VerificationException : ImagingException
{
    /// <summary>Creates the exception with a stable code and a one-line message.</summary>
    public VerificationException(string code, string message, string? filePath = null, string? field = null)
        : base(code, message, filePath, field)
    {
    }

    /// <summary>For serializers.</summary>
    public VerificationException()
        : base("LC-VERIFY-000", "Verification error.")
    {
    }

    /// <summary>With a message only.</summary>
    public VerificationException(string message)
        : base("LC-VERIFY-000", message)
    {
    }

    /// <summary>With a message and an inner exception.</summary>
    public VerificationException(string message, Exception inner)
        : base("LC-VERIFY-000", message, inner: inner)
    {
    }
}
