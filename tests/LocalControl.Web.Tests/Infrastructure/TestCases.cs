using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalControl.Web.Tests.Infrastructure;

/// <summary>Case files for the tests, written as the case-file contract (camelCase, units in names).</summary>
internal static class TestCases
{
    /// <summary>Text that would do harm if a page rendered it as HTML or a query concatenated it into SQL.</summary>
    public const string Hostile = "<script>alert('x')</script>\"' OR 1=1; DROP TABLE cases;--";

    /// <summary>A liver-only case: two liver lesions, a few patient facts; the rest unknown.</summary>
    public static JsonObject Liver(string caseId, string location = "segment VI", string regimen = "FOLFOX") => new()
    {
        ["caseId"] = caseId,
        ["patient"] = new JsonObject
        {
            ["ageYears"] = 64,
            ["ecog"] = 1,
            ["rasStatus"] = "wild-type",
            ["primary"] = new JsonObject { ["site"] = "colon", ["nodePositive"] = true, ["resected"] = true },
            ["cea"] = 12.5,
            ["diseaseFreeIntervalMonths"] = 18,
            ["priorSystemicTherapy"] = new JsonArray(new JsonObject
            {
                ["line"] = 1, ["regimen"] = regimen, ["containsOxaliplatin"] = true, ["bestResponse"] = "partial-response", ["progressed"] = false,
            }),
        },
        ["lesions"] = new JsonArray(
            new JsonObject
            {
                ["id"] = "L1", ["organ"] = "liver", ["location"] = location, ["longestDiameterMm"] = 18,
                ["distanceToLargeVesselMm"] = 12, ["largeVesselCalibreMm"] = 4, ["distanceToHilumMm"] = 40,
                ["adjacentStructures"] = new JsonArray(), ["surgicalAssessment"] = "resectable",
                ["visibility"] = new JsonObject { ["ultrasound"] = "conspicuous", ["ct"] = "conspicuous" },
            },
            new JsonObject
            {
                ["id"] = "L2", ["organ"] = "liver", ["location"] = "segment VIII", ["longestDiameterMm"] = 25,
                ["surgicalAssessment"] = "resectable-with-difficulty",
            }),
    };

    public static string Json(JsonObject o) => o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
