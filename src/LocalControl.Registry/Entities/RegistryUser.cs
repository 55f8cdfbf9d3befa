using Microsoft.AspNetCore.Identity;

namespace LocalControl.Registry.Entities;

/// <summary>A person who signs in (ASP.NET Core Identity user; passwords stored hashed by Identity).</summary>
public sealed class RegistryUser : IdentityUser
{
    /// <summary>Name shown in the app and the audit trail, e.g. "Dr A. Surgeon".</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>An admin disabled the account: it cannot sign in and its sessions end (kept, not deleted, for the audit).</summary>
    public bool Disabled { get; set; }
}

/// <summary>The roles. Clinician: edit and decide; coordinator: create cases and schedule; viewer: read; admin: manage users and read the audit trail.</summary>
public static class Roles
{
    /// <summary>Manages users, reads the audit trail.</summary>
    public const string Admin = "admin";
    /// <summary>Creates and edits cases, records decisions.</summary>
    public const string Clinician = "clinician";
    /// <summary>Creates cases and schedules them.</summary>
    public const string Coordinator = "coordinator";
    /// <summary>Reads.</summary>
    public const string Viewer = "viewer";

    /// <summary>Every role.</summary>
    public static IReadOnlyList<string> All { get; } = [Admin, Clinician, Coordinator, Viewer];
}
