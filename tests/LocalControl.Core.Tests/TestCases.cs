using LocalControl.Core.Cases;
using LocalControl.Core.Engine;

namespace LocalControl.Core.Tests;

/// <summary>Builders for cases in tests: a fully known, favourable baseline that each test changes in one place.</summary>
internal static class TestCases
{
    public static Patient FitPatient { get; } = new()
    {
        AgeYears = 60,
        Ecog = 0,
        RasStatus = MutationStatus.WildType,
        BrafStatus = MutationStatus.WildType,
        MsiStatus = MsiStatus.Mss,
        Primary = new PrimaryTumour { Site = PrimarySite.Colon, NodePositive = false, Resected = true },
        CeaNgPerMl = 5,
        DiseaseFreeIntervalMonths = 24,
        PriorSystemicTherapy = [],
        Liver = new LiverStatus { FutureLiverRemnantPercent = 60, Cirrhosis = false, BilirubinUmolPerL = 10 },
        TreatmentIntentPreference = TreatmentIntent.Curative,
    };

    public static Lesion IdealLiverLesion(string id = "L1", double diameterMm = 20) => new()
    {
        Id = id,
        Organ = Organ.Liver,
        Location = "segment 6",
        LongestDiameterMm = diameterMm,
        DistanceToLargeVesselMm = 20,
        LargeVesselCalibreMm = 5,
        DistanceToHilumMm = 40,
        AdjacentStructures = [],
        Visibility = new GuidanceVisibility { Ultrasound = Visibility.Conspicuous, Ct = Visibility.Conspicuous },
        DepthFromCapsuleMm = 15,
        SurgicalAssessment = SurgicalAssessment.Resectable,
    };

    public static Lesion IdealLungLesion(string id = "P1", double diameterMm = 15) => new()
    {
        Id = id,
        Organ = Organ.Lung,
        LongestDiameterMm = diameterMm,
        DistanceToLargeVesselMm = 20,
        DistanceToHilumMm = 50,
        AdjacentStructures = [],
        Visibility = new GuidanceVisibility { Ct = Visibility.Conspicuous },
        SurgicalAssessment = SurgicalAssessment.Resectable,
    };

    public static MetastaticCase Case(params Lesion[] lesions) => new("TEST", FitPatient, lesions);

    public static MetastaticCase Case(Patient patient, params Lesion[] lesions) => new("TEST", patient, lesions);

    public static Assessment Assess(MetastaticCase @case) => TumourBoardEngine.Default.Assess(@case);

    public static TherapyOption Option(this Assessment a, string lesionId, Therapy therapy) =>
        a.Lesions.Single(l => l.LesionId == lesionId).Options.Single(o => o.Therapy == therapy);

    public static TherapyOption PatientOption(this Assessment a, Therapy therapy) =>
        a.PatientOptions.Single(o => o.Therapy == therapy);

    public static CriterionResult Criterion(this TherapyOption o, string id) => o.Criteria.Single(c => c.Id == id);

    public static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "LocalControl.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Repository root (LocalControl.sln) not found above the test folder.");
    }
}
