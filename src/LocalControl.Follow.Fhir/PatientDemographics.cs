namespace LocalControl.Follow.Fhir;

/// <summary>
/// Who the patient is, as the registry keeps it apart from the case file (medical record number, name, date of
/// birth, administrative sex). Only an identified export (no pseudonymisation) may carry it, on the Patient resource;
/// a pseudonymised export leaves every field out, whatever the caller passes. A case file holds none of it, so
/// <c>localcontrol export</c>, which reads case files, never exports it.
/// </summary>
public sealed record PatientDemographics
{
    /// <summary>Identifier system used for the MRN when the caller names none (a LocalControl URN: say which hospital's
    /// numbering it is by passing <see cref="MrnSystem"/>).</summary>
    public const string DefaultMrnSystem = FhirVocabulary.Base + "/NamingSystem/mrn";

    /// <summary>Medical record number; null when not recorded.</summary>
    public string? Mrn { get; init; }

    /// <summary>The MRN's identifier system (the hospital's namespace URI).</summary>
    public string MrnSystem { get; init; } = DefaultMrnSystem;

    /// <summary>Family name.</summary>
    public string? FamilyName { get; init; }

    /// <summary>Given names, space separated.</summary>
    public string? GivenNames { get; init; }

    /// <summary>Date of birth.</summary>
    public DateOnly? BirthDate { get; init; }

    /// <summary>Administrative sex: female, male, other or unknown (FHIR AdministrativeGender).</summary>
    public string? Sex { get; init; }
}
