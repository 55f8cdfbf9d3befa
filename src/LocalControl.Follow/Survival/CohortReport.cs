using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalControl.Follow.Survival;

/// <summary>
/// The registry-outcomes report: the JSON of <c>outcomes survival</c> (<see cref="SurvivalReport.Json"/>, same shape)
/// with the end point, the grouping, the subjects left out and the published figures added; and a text version.
/// </summary>
public static class CohortReport
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// <c>{ "endpoint", "by", "timeUnit": "months", "groups": [ … ], "logRank": { … }, "excluded": [ { "caseId",
    /// "lesionId", "reason" } ], "published": [ { "reference", "label", "value", "survival", "months", "population",
    /// "citation" } ] }</c>; <c>groups</c> and <c>logRank</c> exactly as <c>outcomes survival</c> writes them.
    /// </summary>
    public static string Json(CohortOutcome cohort, SurvivalAnalysisResult result, IReadOnlyList<CohortPublishedFigure> published, string endpoint, string by)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        ArgumentNullException.ThrowIfNull(published);
        var survival = JsonNode.Parse(SurvivalReport.Json(result))!.AsObject();
        var root = new JsonObject
        {
            ["endpoint"] = endpoint,
            ["by"] = by,
            ["timeUnit"] = "months",
        };
        foreach (var (key, value) in survival.ToList())
        {
            survival.Remove(key);
            root[key] = value;
        }
        root["excluded"] = new JsonArray([.. cohort.Excluded.Select(e => new JsonObject { ["caseId"] = e.CaseId, ["lesionId"] = e.LesionId, ["reason"] = e.Reason })]);
        root["published"] = new JsonArray([.. published.Select(p => new JsonObject
        {
            ["reference"] = p.Reference, ["label"] = p.Label, ["value"] = p.Value, ["survival"] = p.Survival, ["months"] = p.Months,
            ["population"] = p.Population, ["citation"] = p.Citation,
        })]);
        return root.ToJsonString(Options) + "\n";
    }

    /// <summary>The survival tables, then the published figures with their citations and the number left out.</summary>
    public static string Text(CohortOutcome cohort, SurvivalAnalysisResult result, IReadOnlyList<CohortPublishedFigure> published, string endpoint, string by)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        ArgumentNullException.ThrowIfNull(published);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{(endpoint == "ltp" ? "local-tumour-progression-free survival per ablated lesion" : "overall survival per patient from the first local treatment")} by {by} (months)\n\n");
        sb.Append(SurvivalReport.Text(result));
        sb.Append("\npublished figures (for comparison; populations differ):\n");
        foreach (var p in published)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {p.Value,-6} {p.Label}{(p.Months is { } m ? $" (at {m:0} months)" : "")} — {p.Citation} [{p.Reference}]\n");
        }
        if (cohort.Excluded.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n{cohort.Excluded.Count} left out (listed in the JSON):\n");
            foreach (var e in cohort.Excluded.Take(20))
            {
                sb.Append(CultureInfo.InvariantCulture, $"  {e.CaseId}{(e.LesionId is null ? "" : "/" + e.LesionId)}: {e.Reason}\n");
            }
        }
        return sb.ToString();
    }
}
