namespace LocalControl.Core.Engine;

/// <summary>A therapy of the local-therapy toolbox (per lesion) or a patient-level strategy.</summary>
public enum Therapy
{
    /// <summary>Surgical R0 resection.</summary>
    Resection,
    /// <summary>Radiofrequency ablation.</summary>
    Rfa,
    /// <summary>Microwave ablation.</summary>
    Mwa,
    /// <summary>Cryoablation.</summary>
    Cryoablation,
    /// <summary>Irreversible electroporation (non-thermal ablation).</summary>
    Ire,
    /// <summary>Stereotactic body radiotherapy (SABR).</summary>
    Sbrt,
    /// <summary>Curative-intent local treatment of all disease by a combination of local therapies.</summary>
    CurativeLocal,
    /// <summary>Hepatic arterial infusion chemotherapy.</summary>
    Haic,
    /// <summary>Selective internal radiation therapy (radioembolisation).</summary>
    Sirt,
    /// <summary>Systemic therapy.</summary>
    Systemic,
}

/// <summary>Where a therapy is judged: per lesion (the local-therapy toolbox) or for the whole patient.</summary>
public enum TherapyScope
{
    /// <summary>Judged for each lesion by its organ's rule set.</summary>
    Lesion,
    /// <summary>A patient-level strategy.</summary>
    Patient,
}

/// <summary>How a local therapy counts towards curative-intent treatment of all disease.</summary>
public enum CurativeRoute
{
    /// <summary>Not a local therapy.</summary>
    None,
    /// <summary>Surgical resection.</summary>
    Resection,
    /// <summary>Ablation (thermal or non-thermal).</summary>
    Ablation,
    /// <summary>Stereotactic radiotherapy: curative role not established in the evidence base; counts only with caution.</summary>
    Radiotherapy,
}

/// <summary>One therapy of the table: its JSON id, the name a clinician reads, where it is judged and its curative route.</summary>
public sealed record TherapyDefinition(Therapy Therapy, string Id, string DisplayName, TherapyScope Scope, CurativeRoute Route);

/// <summary>
/// The one table of therapies (adding a therapy: a row here, its enum member, its criteria in the organ rule sets
/// and its rows in the rule set; docs/engine.md). JSON names are the machine contract (docs/assessment-json.md).
/// </summary>
public static class TherapyNames
{
    /// <summary>Every therapy, in the order of the <see cref="Engine.Therapy"/> enum.</summary>
    public static readonly IReadOnlyList<TherapyDefinition> All =
    [
        new(Therapy.Resection, "resection", "Resection", TherapyScope.Lesion, CurativeRoute.Resection),
        new(Therapy.Rfa, "rfa", "RFA", TherapyScope.Lesion, CurativeRoute.Ablation),
        new(Therapy.Mwa, "mwa", "MWA", TherapyScope.Lesion, CurativeRoute.Ablation),
        new(Therapy.Cryoablation, "cryoablation", "Cryoablation", TherapyScope.Lesion, CurativeRoute.Ablation),
        new(Therapy.Ire, "ire", "IRE", TherapyScope.Lesion, CurativeRoute.Ablation),
        new(Therapy.Sbrt, "sbrt", "SBRT", TherapyScope.Lesion, CurativeRoute.Radiotherapy),
        new(Therapy.CurativeLocal, "curative-local", "Curative-intent local treatment", TherapyScope.Patient, CurativeRoute.None),
        new(Therapy.Haic, "haic", "HAIC", TherapyScope.Patient, CurativeRoute.None),
        new(Therapy.Sirt, "sirt", "SIRT", TherapyScope.Patient, CurativeRoute.None),
        new(Therapy.Systemic, "systemic", "Systemic therapy", TherapyScope.Patient, CurativeRoute.None),
    ];

    /// <summary>The local therapies judged per lesion, in table order.</summary>
    public static readonly IReadOnlyList<TherapyDefinition> LesionTherapies = [.. All.Where(t => t.Scope == TherapyScope.Lesion)];

    private static readonly string[] Eligibilities = ["eligible", "caution", "unknown", "not-eligible"];
    private static readonly string[] Statuses = ["met", "failed", "unknown"];
    private static readonly string[] Severities = ["required", "advisory"];

    static TherapyNames()
    {
        for (var i = 0; i < All.Count; i++)
        {
            if ((int)All[i].Therapy != i)
            {
                throw new InvalidOperationException($"Therapy table out of enum order at {All[i].Id}.");
            }
        }
    }

    /// <summary>The table row of a therapy.</summary>
    public static TherapyDefinition Definition(Therapy therapy) => All[(int)therapy];

    /// <summary>JSON name of a therapy (e.g. <c>curative-local</c>).</summary>
    public static string ToJson(Therapy therapy) => All[(int)therapy].Id;

    /// <summary>JSON name of an eligibility (e.g. <c>not-eligible</c>).</summary>
    public static string ToJson(Eligibility eligibility) => Eligibilities[(int)eligibility];

    /// <summary>JSON name of a criterion status.</summary>
    public static string ToJson(CriterionStatus status) => Statuses[(int)status];

    /// <summary>JSON name of a criterion severity.</summary>
    public static string ToJson(CriterionSeverity severity) => Severities[(int)severity];

    /// <summary>Human name of a therapy for reports.</summary>
    public static string DisplayName(Therapy therapy) => All[(int)therapy].DisplayName;

    /// <summary>Parses a therapy JSON name.</summary>
    public static Therapy Parse(string name)
    {
        foreach (var t in All)
        {
            if (t.Id == name)
            {
                return t.Therapy;
            }
        }

        throw new ArgumentException($"Unknown therapy '{name}'.", nameof(name));
    }
}
