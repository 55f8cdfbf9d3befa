namespace LocalControl.Core.Engine;

/// <summary>JSON names of therapies, eligibilities and statuses (the machine contract, docs/assessment-json.md).</summary>
public static class TherapyNames
{
    private static readonly string[] Therapies = ["resection", "rfa", "mwa", "cryoablation", "ire", "sbrt", "curative-local", "haic", "sirt", "systemic"];
    private static readonly string[] Eligibilities = ["eligible", "caution", "unknown", "not-eligible"];
    private static readonly string[] Statuses = ["met", "failed", "unknown"];
    private static readonly string[] Severities = ["required", "advisory"];

    /// <summary>JSON name of a therapy (e.g. <c>curative-local</c>).</summary>
    public static string ToJson(Therapy therapy) => Therapies[(int)therapy];

    /// <summary>JSON name of an eligibility (e.g. <c>not-eligible</c>).</summary>
    public static string ToJson(Eligibility eligibility) => Eligibilities[(int)eligibility];

    /// <summary>JSON name of a criterion status.</summary>
    public static string ToJson(CriterionStatus status) => Statuses[(int)status];

    /// <summary>JSON name of a criterion severity.</summary>
    public static string ToJson(CriterionSeverity severity) => Severities[(int)severity];

    /// <summary>Human name of a therapy for reports.</summary>
    public static string DisplayName(Therapy therapy) => therapy switch
    {
        Therapy.Resection => "Resection",
        Therapy.Rfa => "RFA",
        Therapy.Mwa => "MWA",
        Therapy.Cryoablation => "Cryoablation",
        Therapy.Ire => "IRE",
        Therapy.Sbrt => "SBRT",
        Therapy.CurativeLocal => "Curative-intent local treatment",
        Therapy.Haic => "HAIC",
        Therapy.Sirt => "SIRT",
        _ => "Systemic therapy",
    };

    /// <summary>Parses a therapy JSON name.</summary>
    public static Therapy Parse(string name)
    {
        var i = Array.IndexOf(Therapies, name);
        return i >= 0 ? (Therapy)i : throw new ArgumentException($"Unknown therapy '{name}'.", nameof(name));
    }
}
