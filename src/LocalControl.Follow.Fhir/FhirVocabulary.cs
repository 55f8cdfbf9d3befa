using LocalControl.Core.Cases;
using Hl7.Fhir.Model;

namespace LocalControl.Follow.Fhir;

/// <summary>
/// The code systems, profiles and extensions of the LocalControl bundle (docs/follow.md, "FHIR export and import").
/// Standard codes (SNOMED CT, LOINC, ICD-10, UCUM, DICOM) where one fits; LocalControl's own code system for what has
/// no standard code (the therapies as the case file spells them, lesion status, ablation-zone findings).
/// </summary>
public static class FhirVocabulary
{
    /// <summary>Root of LocalControl's own canonical URLs.</summary>
    public const string Base = "http://localcontrol.org/fhir";

    /// <summary>LocalControl's code system for follow-up concepts without a standard code.</summary>
    public const string FollowCodeSystem = Base + "/CodeSystem/follow";

    /// <summary>LocalControl's code system of therapies (the case-file spellings: rfa, mwa, …).</summary>
    public const string TherapyCodeSystem = Base + "/CodeSystem/therapy";

    /// <summary>LocalControl's code system of MDT options (the registry's spellings).</summary>
    public const string MdtOptionCodeSystem = Base + "/CodeSystem/mdt-option";

    /// <summary>Extension on the MDT CarePlan: the decision's intent as recorded (valueCode).</summary>
    public const string DecisionIntentExtension = Base + "/StructureDefinition/mdt-decision-intent";

    /// <summary>
    /// Extension on an MDT CarePlan activity: where the step stands in the decision's strategies (complex: <c>strategy</c>
    /// and <c>step</c>, positiveInt, 1-based; <c>connector</c>, code <c>then</c> or <c>plus</c>, absent on a first step;
    /// <c>intent</c>, code, the strategy's intent when it differs from the decision's).
    /// </summary>
    public const string DecisionStepExtension = Base + "/StructureDefinition/mdt-decision-step";

    /// <summary>RECIST 1.1 overall response categories (CR, PR, SD, PD, NE).</summary>
    public const string RecistCodeSystem = Base + "/CodeSystem/recist-response";

    /// <summary>Identifier system of case ids (or their pseudonyms).</summary>
    public const string CaseIdSystem = Base + "/NamingSystem/case-id";

    /// <summary>Identifier system of lesion ids within a case.</summary>
    public const string LesionIdSystem = Base + "/NamingSystem/lesion-id";

    /// <summary>Identifier system of treatment ids within a case.</summary>
    public const string TreatmentIdSystem = Base + "/NamingSystem/treatment-id";

    /// <summary>Extension: access route of a treatment (valueCode, case-file spelling).</summary>
    public const string ApproachExtension = Base + "/StructureDefinition/treatment-approach";

    /// <summary>Extension: setting of a treatment, free text (valueString).</summary>
    public const string SettingExtension = Base + "/StructureDefinition/treatment-setting";

    /// <summary>Extension: regimen of a treatment, free text (valueString).</summary>
    public const string RegimenExtension = Base + "/StructureDefinition/treatment-regimen";

    /// <summary>Extension: minimal ablative margin in mm (valueQuantity).</summary>
    public const string MarginExtension = Base + "/StructureDefinition/minimal-ablative-margin";

    /// <summary>Extension on Patient: date of last contact (valueDate).</summary>
    public const string LastContactExtension = Base + "/StructureDefinition/last-contact-date";

    /// <summary>mCODE procedure intent extension (SNOMED CT 373808002 curative, 363676003 palliative).</summary>
    public const string McodeProcedureIntent = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-procedure-intent";

    /// <summary>mCODE profiles used (canonical URLs; see docs: only base R4 is validated offline).</summary>
    public static class Profiles
    {
        /// <summary>mCODE Cancer Patient.</summary>
        public const string CancerPatient = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-patient";

        /// <summary>mCODE Primary Cancer Condition.</summary>
        public const string PrimaryCancerCondition = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-primary-cancer-condition";

        /// <summary>mCODE Secondary Cancer Condition (a metastasis).</summary>
        public const string SecondaryCancerCondition = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-secondary-cancer-condition";

        /// <summary>mCODE Cancer-Related Surgical Procedure (resection and ablation).</summary>
        public const string SurgicalProcedure = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-related-surgical-procedure";

        /// <summary>mCODE Radiotherapy Course Summary (SBRT).</summary>
        public const string RadiotherapyCourseSummary = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-course-summary";

        /// <summary>mCODE Tumor Size.</summary>
        public const string TumorSize = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-tumor-size";

        /// <summary>mCODE Cancer Disease Status.</summary>
        public const string CancerDiseaseStatus = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-disease-status";
    }

    /// <summary>SNOMED CT.</summary>
    public const string Snomed = "http://snomed.info/sct";

    /// <summary>LOINC.</summary>
    public const string Loinc = "http://loinc.org";

    /// <summary>ICD-10 (WHO).</summary>
    public const string Icd10 = "http://hl7.org/fhir/sid/icd-10";

    /// <summary>UCUM units.</summary>
    public const string Ucum = "http://unitsofmeasure.org";

    /// <summary>DICOM modality codes.</summary>
    public const string Dicom = "http://dicom.nema.org/resources/ontology/DCM";

    /// <summary>LOINC 21889-1 Size Tumor (mCODE Tumor Size code).</summary>
    public const string TumourSizeCode = "21889-1";

    /// <summary>LOINC 33728-7 Size.maximum dimension in Tumor (longest diameter).</summary>
    public const string LongestDimensionCode = "33728-7";

    /// <summary>LOINC 89247-1 ECOG Performance Status score.</summary>
    public const string EcogCode = "89247-1";

    /// <summary>LOINC 2039-6 Carcinoembryonic Ag [Mass/volume] in Serum or Plasma.</summary>
    public const string CeaCode = "2039-6";

    /// <summary>LOINC 97509-4 Cancer disease status (mCODE Cancer Disease Status code).</summary>
    public const string DiseaseStatusCode = "97509-4";

    /// <summary>SNOMED CT body structure of an organ.</summary>
    public static (string Code, string Display)? BodySite(Organ organ) => organ switch
    {
        Organ.Liver => ("10200004", "Liver structure"),
        Organ.Lung => ("39607008", "Lung structure"),
        Organ.Bone => ("272673000", "Bone structure"),
        Organ.LymphNode => ("59441001", "Structure of lymph node"),
        Organ.Peritoneum => ("15425007", "Peritoneum structure"),
        _ => null,
    };

    /// <summary>ICD-10 code of a secondary malignant neoplasm in an organ.</summary>
    public static (string Code, string Display) SecondaryIcd10(Organ organ) => organ switch
    {
        Organ.Liver => ("C78.7", "Secondary malignant neoplasm of liver and intrahepatic bile duct"),
        Organ.Lung => ("C78.0", "Secondary malignant neoplasm of lung"),
        Organ.Bone => ("C79.5", "Secondary malignant neoplasm of bone and bone marrow"),
        Organ.LymphNode => ("C77.9", "Secondary and unspecified malignant neoplasm of lymph node, unspecified"),
        Organ.Peritoneum => ("C78.6", "Secondary malignant neoplasm of retroperitoneum and peritoneum"),
        _ => ("C79.9", "Secondary malignant neoplasm, unspecified site"),
    };

    /// <summary>Coding of the case-file organ itself (kept so that the import reads the organ back exactly).</summary>
    public static Coding OrganCoding(Organ organ) => new(FollowCodeSystem, "organ-" + CaseVocabulary.ToJson(organ), CaseVocabulary.ToJson(organ));

    /// <summary>
    /// A quantity in millimetres (UCUM <c>mm</c>). The decimal is the double's shortest round-trip text, so that the
    /// import reads back the very same double (a plain <c>(decimal)</c> cast keeps only 15 significant digits).
    /// </summary>
    public static Quantity Millimetres(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "a length must be a finite number of millimetres");
        }

        var exact = decimal.Parse(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
        return new Quantity(exact, "mm", Ucum) { Unit = "mm" };
    }

    /// <summary>The double a FHIR decimal stands for (through its text: exact for what <see cref="Millimetres"/> wrote).</summary>
    public static double ToDouble(decimal value) =>
        double.Parse(value.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A coding of LocalControl's follow-up code system.</summary>
    public static CodeableConcept Follow(string code, string display) => new(FollowCodeSystem, code, display, display);
}
