using System.Text.Json.Nodes;
using LocalControl.Core.Cases;

namespace LocalControl.Follow.Fhir.Tests;

/// <summary>Bundles that must be refused, each with the resource and field named.</summary>
public sealed class BadBundleTests
{
    private static JsonObject SampleBundle()
    {
        var @case = CaseFileReader.Read(CaseBundleTests.EveryField).Case!;
        return JsonNode.Parse(CaseBundleExporter.ToJson(CaseBundleExporter.Export(@case)))!.AsObject();
    }

    private static FhirImportException Refused(string json) =>
        Assert.Throws<FhirImportException>(() => CaseBundleImporter.Import(CaseBundleImporter.Parse(json)));

    private static JsonObject Entry(JsonObject bundle, string resourceType, Func<JsonObject, bool>? where = null) =>
        bundle["entry"]!.AsArray().Select(e => e!["resource"]!.AsObject()).First(r => (string?)r["resourceType"] == resourceType && (where?.Invoke(r) ?? true));

    [Fact]
    public void Not_json_and_not_a_bundle_are_refused()
    {
        Assert.Contains("not valid", Refused("{ \"resourceType\": \"Bundle\", ").Message, StringComparison.Ordinal);
        Assert.Contains("resourceType: expected a Bundle", Refused("""{ "resourceType": "Patient" }""").Message, StringComparison.Ordinal);
        // An unknown element is invalid FHIR: named by the parser.
        Assert.Contains("colour", Refused("""{ "resourceType": "Bundle", "type": "collection", "colour": "red" }""").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bundle_without_a_patient_or_of_another_profile_is_refused()
    {
        var none = SampleBundle();
        var entries = none["entry"]!.AsArray();
        entries.Remove(entries.First(e => (string?)e!["resource"]!["resourceType"] == "Patient"));
        Assert.Equal("Bundle: entry: no Patient (a LocalControl bundle holds exactly one mCODE cancer patient)", Refused(none.ToJsonString()).Message);

        var other = SampleBundle();
        Entry(other, "Patient")["meta"] = JsonNode.Parse("""{ "profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"] }""");
        var e = Refused(other.ToJsonString());
        Assert.StartsWith("Patient urn:uuid:", e.Resource, StringComparison.Ordinal);
        Assert.Equal("meta.profile", e.Field);
    }

    [Fact]
    public void A_resource_missing_a_required_field_is_named()
    {
        var noDate = SampleBundle();
        Entry(noDate, "Procedure").Remove("performedDateTime");
        var e = Refused(noDate.ToJsonString());
        Assert.StartsWith("Procedure ", e.Resource, StringComparison.Ordinal);
        Assert.Equal("performed[x]", e.Field);

        var noLesionId = SampleBundle();
        Entry(noLesionId, "Condition", r => r["identifier"] is not null).Remove("identifier");
        e = Refused(noLesionId.ToJsonString());
        Assert.StartsWith("Condition ", e.Resource, StringComparison.Ordinal);
        Assert.Equal("identifier", e.Field);

        var noStatus = SampleBundle();
        var finding = Entry(noStatus, "Observation", r => r["derivedFrom"] is not null && r["focus"] is not null);
        var components = finding["component"]!.AsArray();
        components.Remove(components.First(c => (string?)c!["code"]!["coding"]![0]!["code"] == "lesion-status"));
        e = Refused(noStatus.ToJsonString());
        Assert.Equal("component[lesion-status].valueCodeableConcept", e.Field);
    }
}
