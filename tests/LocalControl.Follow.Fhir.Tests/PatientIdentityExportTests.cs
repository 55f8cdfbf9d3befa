// FHIR POCOs are nullable throughout; the tests dereference what they have just asserted or built.
#nullable disable warnings
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using LocalControl.Follow.Export;
using FhirPatient = Hl7.Fhir.Model.Patient;

namespace LocalControl.Follow.Fhir.Tests;

/// <summary>
/// The patient's identity (issue 14) in the FHIR bundle: on the Patient of an identified export, valid R4; absent from
/// a pseudonymised one, whatever the caller passes; ignored by the import (which reads the case id).
/// </summary>
[Collection(ValidatorCollection.Name)]
public sealed class PatientIdentityExportTests(BaseR4Validator validator)
{
    private static readonly PatientDemographics Identity = new()
    {
        Mrn = "QX40917731", MrnSystem = "urn:oid:1.2.3.4.5", FamilyName = "Vandersloot", GivenNames = "Femke Ilse",
        BirthDate = new DateOnly(1949, 6, 14), Sex = "female",
    };

    [Fact]
    public void An_identified_export_carries_the_mrn_name_birth_date_and_gender_on_the_patient_and_stays_valid_R4()
    {
        var @case = Cases.Read(Cases.EveryField);
        var bundle = CaseBundleExporter.Export(@case, null, null, Identity);
        Assert.Empty(validator.Errors(bundle));
        // Read back from the JSON text, not from the objects the exporter built.
        var patient = JsonNode.Parse(CaseBundleExporter.ToJson(bundle))!["entry"]!.AsArray()
            .Select(e => e!["resource"]!).Single(r => r!["resourceType"]!.GetValue<string>() == "Patient")!;
        var mrn = patient["identifier"]!.AsArray().Single(i => i!["system"]!.GetValue<string>() == "urn:oid:1.2.3.4.5")!;
        Assert.Equal("QX40917731", mrn["value"]!.GetValue<string>());
        Assert.Equal("MR", mrn["type"]!["coding"]![0]!["code"]!.GetValue<string>());
        Assert.Equal("http://terminology.hl7.org/CodeSystem/v2-0203", mrn["type"]!["coding"]![0]!["system"]!.GetValue<string>());
        Assert.Equal("Vandersloot", patient["name"]![0]!["family"]!.GetValue<string>());
        Assert.Equal(["Femke", "Ilse"], patient["name"]![0]!["given"]!.AsArray().Select(g => g!.GetValue<string>()));
        Assert.Equal("1949-06-14", patient["birthDate"]!.GetValue<string>());
        Assert.Equal("female", patient["gender"]!.GetValue<string>());
        // The case id stays the identifier the import reads: the case comes back whole.
        var imported = CaseBundleImporter.Import(CaseBundleImporter.Parse(CaseBundleExporter.ToJson(bundle)));
        Assert.Equal(Cases.Carried(@case), Cases.Carried(imported));
    }

    [Fact]
    public void A_pseudonymised_export_leaves_the_identity_out_even_when_it_is_passed()
    {
        var @case = Cases.Read(Cases.EveryField);
        var bundle = CaseBundleExporter.Export(@case, new Pseudonymisation("centre secret key 0001"), null, Identity);
        Assert.Empty(validator.Errors(bundle));
        var json = CaseBundleExporter.ToJson(bundle);
        foreach (var secret in new[] { "QX40917731", "urn:oid:1.2.3.4.5", "Vandersloot", "Femke", "1949-06-14", "\"gender\"", "v2-0203" })
        {
            Assert.DoesNotContain(secret, json, StringComparison.Ordinal);
        }
        var patient = bundle.Entry.Select(e => e.Resource).OfType<FhirPatient>().Single();
        Assert.Equal([FhirVocabulary.CaseIdSystem], patient.Identifier.Select(i => i.System));
        Assert.Empty(patient.Name);
        Assert.Null(patient.BirthDate);
        Assert.Null(patient.Gender);
        // And without an identity the identified export has none either (the CLI's case: a case file holds none).
        var plain = CaseBundleExporter.Export(@case).Entry.Select(e => e.Resource).OfType<FhirPatient>().Single();
        Assert.Equal([FhirVocabulary.CaseIdSystem], plain.Identifier.Select(i => i.System));
        Assert.Empty(plain.Name);
        Assert.Null(plain.BirthDate);
        Assert.Null(plain.Gender);
    }

    [Fact]
    public void A_sex_outside_the_code_list_is_refused_at_export()
    {
        var e = Assert.Throws<ArgumentException>(() => CaseBundleExporter.Export(Cases.Read(Cases.EveryField), null, null, Identity with { Sex = "f" }));
        Assert.Contains("identity.sex must be female, male, other or unknown, not 'f'", e.Message, StringComparison.Ordinal);
    }
}
