using System.Text.Json.Nodes;
using LocalControl.Core.Cases;

namespace LocalControl.Follow.Tests;

/// <summary>Builds case files as JSON text and reads them with the real reader, so tests go through validation.</summary>
internal static class CaseBuilder
{
    public static MetastaticCase Read(string json)
    {
        var result = CaseFileReader.Read(json);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Case!;
    }

    public static CaseReadResult TryRead(string json) => CaseFileReader.Read(json);

    /// <summary>A case with the given lesions (JSON objects) and follow-up parts (JSON arrays/objects or null).</summary>
    public static string Json(string lesions, string? treatments = null, string? followUps = null, string? baseline = null, string? survival = null)
    {
        var root = new JsonObject
        {
            ["caseId"] = "T",
            ["lesions"] = JsonNode.Parse(lesions),
        };
        if (treatments is not null)
        {
            root["treatments"] = JsonNode.Parse(treatments);
        }

        if (followUps is not null)
        {
            root["followUps"] = JsonNode.Parse(followUps);
        }

        if (baseline is not null)
        {
            root["recistBaseline"] = JsonNode.Parse(baseline);
        }

        if (survival is not null)
        {
            root["survival"] = JsonNode.Parse(survival);
        }

        return root.ToJsonString();
    }
}
