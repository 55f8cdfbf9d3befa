namespace LocalControl.Registry.Entities;

/// <summary>Where a case stands in the tumour-board workflow. Stored as its kebab-case name.</summary>
public enum CaseStatus
{
    /// <summary>Waiting for (or scheduled at) a tumour-board meeting.</summary>
    ToDiscuss,
    /// <summary>A decision has been recorded.</summary>
    Discussed,
    /// <summary>The decided treatment has been given.</summary>
    Treated,
    /// <summary>In surveillance after treatment.</summary>
    FollowUp,
}

/// <summary>Kebab-case names of <see cref="CaseStatus"/>, as used in the API, the URL and the database.</summary>
public static class CaseStatusNames
{
    /// <summary>All statuses in workflow order.</summary>
    public static IReadOnlyList<CaseStatus> All { get; } = [CaseStatus.ToDiscuss, CaseStatus.Discussed, CaseStatus.Treated, CaseStatus.FollowUp];

    /// <summary>The kebab-case name: to-discuss, discussed, treated, follow-up.</summary>
    public static string ToName(this CaseStatus status) => status switch
    {
        CaseStatus.ToDiscuss => "to-discuss",
        CaseStatus.Discussed => "discussed",
        CaseStatus.Treated => "treated",
        CaseStatus.FollowUp => "follow-up",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>Parses a kebab-case name; false for anything else (no default).</summary>
    public static bool TryParse(string? name, out CaseStatus status)
    {
        foreach (var s in All)
        {
            if (string.Equals(s.ToName(), name, StringComparison.Ordinal))
            {
                status = s;
                return true;
            }
        }
        status = default;
        return false;
    }

    /// <summary>What a clinician reads on screen.</summary>
    public static string ToLabel(this CaseStatus status) => status switch
    {
        CaseStatus.ToDiscuss => "To discuss",
        CaseStatus.Discussed => "Discussed",
        CaseStatus.Treated => "Treated",
        CaseStatus.FollowUp => "Follow-up",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
