using System.Security.Claims;

namespace LocalControl.Web.Infrastructure;

/// <summary>Authorization policy names. Which roles each admits is set in Program.cs and documented in docs/web.md.</summary>
public static class Policies
{
    /// <summary>Any role: read cases, assessments, decisions.</summary>
    public const string Read = "read";
    /// <summary>Coordinator or clinician: create a case.</summary>
    public const string Create = "create";
    /// <summary>Clinician: edit a case file.</summary>
    public const string Edit = "edit";
    /// <summary>Clinician: record an MDT decision.</summary>
    public const string Decide = "decide";
    /// <summary>Coordinator or clinician: set status and meeting date.</summary>
    public const string Schedule = "schedule";
    /// <summary>Clinical roles (clinician, coordinator, viewer): the cohort page and its plots, which pool every
    /// patient's outcomes; the admin, who manages accounts, does not see them.</summary>
    public const string Cohort = "cohort";
    /// <summary>Clinician or coordinator: see a patient's identity (MRN, name, date of birth, sex) in clear, enter
    /// and change it, and search cases by MRN. Every other role sees the identity masked.</summary>
    public const string Identity = "identity";
    /// <summary>Admin: users and the audit trail.</summary>
    public const string Admin = "admin";

    /// <summary>The user name recorded in the audit trail.</summary>
    public static string UserName(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.Name ?? throw new InvalidOperationException("No signed-in user.");
    }
}
