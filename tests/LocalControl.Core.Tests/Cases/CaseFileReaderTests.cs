using FsCheck;
using FsCheck.Fluent;
using LocalControl.Core.Cases;

namespace LocalControl.Core.Tests.Cases;

public class CaseFileReaderTests
{
    private const string Minimal = """{"caseId":"C1","lesions":[{"id":"L1","organ":"liver","longestDiameterMm":20}]}""";

    private static CaseReadResult Read(string json) => CaseFileReader.Read(json);

    private static string WithLesion(string lesionFields) =>
        $$"""{"caseId":"C1","lesions":[{"id":"L1","organ":"liver",{{lesionFields}}}]}""";

    [Fact]
    public void A_minimal_case_is_valid_and_everything_not_given_is_unknown()
    {
        var r = Read(Minimal);
        Assert.True(r.IsValid);
        var l = r.Case!.Lesions[0];
        Assert.Null(l.DistanceToHilumMm);
        Assert.Null(l.AdjacentStructures);
        Assert.Equal(SurgicalAssessment.NotAssessed, l.SurgicalAssessment);
        Assert.Null(r.Case.Patient.Ecog);
        Assert.Null(r.Case.Patient.PriorSystemicTherapy);
        Assert.Equal(MutationStatus.Unknown, r.Case.Patient.RasStatus);
    }

    [Fact]
    public void Malformed_json_is_reported_with_line_and_column()
    {
        var r = Read("{\n  \"caseId\": \"C1\",\n  \"lesions\": [ }\n}");
        var e = Assert.Single(r.Errors);
        Assert.Contains("malformed JSON at line 3, column", e.Message, StringComparison.Ordinal);
        Assert.Null(r.Case);
    }

    [Theory]
    [InlineData("\"longestDiameterMm\": 0", "lesions[0].longestDiameterMm", "must be > 0")]
    [InlineData("\"longestDiameterMm\": -4", "lesions[0].longestDiameterMm", "must be > 0")]
    [InlineData("\"longestDiameterMm\": 301", "lesions[0].longestDiameterMm", "must be ≤ 300")]
    [InlineData("\"longestDiameterMm\": \"25\"", "lesions[0].longestDiameterMm", "must be a number")]
    [InlineData("\"distanceToHilumMm\": -1", "lesions[0].distanceToHilumMm", "must be ≥ 0")]
    [InlineData("\"surgicalAssessment\": \"maybe\"", "lesions[0].surgicalAssessment", "unknown value 'maybe'")]
    [InlineData("\"visibility\": {\"ultrasound\": \"great\"}", "lesions[0].visibility.ultrasound", "unknown value 'great'")]
    [InlineData("\"adjacentStructures\": [\"spinal cord\"]", "lesions[0].adjacentStructures[0]", "unknown structure 'spinal cord'")]
    [InlineData("\"worstPainScore\": 11", "lesions[0].worstPainScore", "must be ≤ 10")]
    [InlineData("\"intent\": \"cure\"", "lesions[0].intent", "unknown value 'cure'")]
    [InlineData("\"largeVesselCalibreMm\": 0", "lesions[0].largeVesselCalibreMm", "must be > 0")]
    public void Bad_lesion_values_name_the_field(string fields, string path, string message)
    {
        var r = Read(WithLesion(fields));
        Assert.False(r.IsValid);
        Assert.Contains(r.Errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"ecog\": 5", "patient.ecog", "must be from 0 to 4")]
    [InlineData("\"ecog\": 1.5", "patient.ecog", "whole number")]
    [InlineData("\"ageYears\": 130", "patient.ageYears", "must be from 0 to 120")]
    [InlineData("\"rasStatus\": \"positive\"", "patient.rasStatus", "unknown value 'positive'")]
    [InlineData("\"cea\": -2", "patient.cea", "must be ≥ 0")]
    [InlineData("\"primary\": {\"site\": \"caecum\"}", "patient.primary.site", "unknown value 'caecum'")]
    [InlineData("\"liver\": {\"futureLiverRemnantPercent\": 120}", "patient.liver.futureLiverRemnantPercent", "must be ≤ 100")]
    [InlineData("\"priorSystemicTherapy\": {}", "patient.priorSystemicTherapy", "must be an array")]
    [InlineData("\"priorSystemicTherapy\": [{\"line\": 0}]", "patient.priorSystemicTherapy[0].line", "must be from 1")]
    [InlineData("\"priorSystemicTherapy\": [{\"progressed\": \"yes\"}]", "patient.priorSystemicTherapy[0].progressed", "must be true or false")]
    public void Bad_patient_values_name_the_field(string fields, string path, string message)
    {
        var r = Read($$"""{"caseId":"C1","patient":{{{fields}}},"lesions":[{"id":"L1","organ":"liver"}]}""");
        Assert.Contains(r.Errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_not_only_the_first()
    {
        var r = Read("""{"caseId":"C1","patient":{"ecog":9},"lesions":[{"id":"L1","organ":"liver","longestDiameterMm":0},{"id":"L2","organ":"moon"}]}""");
        Assert.Equal(3, r.Errors.Count);
    }

    [Fact]
    public void Duplicate_lesion_ids_are_rejected()
    {
        var r = Read("""{"caseId":"C1","lesions":[{"id":"L1","organ":"liver"},{"id":"L1","organ":"lung"}]}""");
        var e = Assert.Single(r.Errors);
        Assert.Equal("lesions[1].id", e.Path);
        Assert.Contains("duplicate", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"lesions":[{"id":"L1","organ":"liver"}]}""", "caseId")]
    [InlineData("""{"caseId":"","lesions":[{"id":"L1","organ":"liver"}]}""", "caseId")]
    [InlineData("""{"caseId":"C1"}""", "lesions")]
    [InlineData("""{"caseId":"C1","lesions":[]}""", "lesions")]
    [InlineData("""{"caseId":"C1","lesions":[{"organ":"liver"}]}""", "lesions[0].id")]
    [InlineData("""{"caseId":"C1","lesions":[{"id":"L1"}]}""", "lesions[0].organ")]
    [InlineData("""{"caseId":"C1","lesions":[7]}""", "lesions[0]")]
    [InlineData("""[1,2]""", "")]
    public void Structural_problems_name_the_field(string json, string path) =>
        Assert.Contains(Read(json).Errors, e => e.Path == path);

    [Theory]
    [InlineData(1.9, true)]
    [InlineData(2, false)]
    public void A_diameter_under_2_mm_warns_that_it_may_be_centimetres(double mm, bool warns)
    {
        var r = Read(WithLesion($"\"longestDiameterMm\": {mm.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
        Assert.True(r.IsValid);
        Assert.Equal(warns, r.Warnings.Any(w => w.Path == "lesions[0].longestDiameterMm" && w.Message.Contains("centimetres", StringComparison.Ordinal)));
    }

    [Fact]
    public void Unknown_fields_are_warned_about_not_silently_dropped()
    {
        var r = Read(WithLesion("\"longestDiamterMm\": 25"));
        Assert.True(r.IsValid);
        Assert.Contains(r.Warnings, w => w.Path == "lesions[0].longestDiamterMm");
        Assert.Null(r.Case!.Lesions[0].LongestDiameterMm);
    }

    [Fact]
    public void Oxaliplatin_is_inferred_from_the_regimen_with_a_warning()
    {
        var r = Read("""{"caseId":"C1","patient":{"priorSystemicTherapy":[{"line":1,"regimen":"mFOLFOX6","progressed":true},{"line":2,"regimen":"FOLFIRI"}]},"lesions":[{"id":"L1","organ":"liver"}]}""");
        Assert.True(r.IsValid);
        Assert.True(r.Case!.Patient.PriorSystemicTherapy![0].ContainsOxaliplatin);
        Assert.Null(r.Case.Patient.PriorSystemicTherapy[1].ContainsOxaliplatin);
        Assert.Single(r.Warnings);
    }

    [Fact]
    public void Enumerated_values_are_matched_without_regard_to_case_and_accept_aliases()
    {
        var r = Read("""{"caseId":"C1","patient":{"rasStatus":"Mutant","msiStatus":"dMMR"},"lesions":[{"id":"L1","organ":"Liver"}]}""");
        Assert.True(r.IsValid);
        Assert.Equal(MutationStatus.Mutant, r.Case!.Patient.RasStatus);
        Assert.Equal(MsiStatus.MsiHigh, r.Case.Patient.MsiStatus);
    }

    [Fact]
    public void A_huge_document_is_refused_without_parsing()
    {
        var r = Read(new string(' ', CaseFileReader.MaxLength + 1));
        Assert.Contains("at most", Assert.Single(r.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_json_is_refused_cleanly()
    {
        var json = "{\"caseId\":\"C\",\"notes\":" + new string('[', 200) + new string(']', 200) + ",\"lesions\":[{\"id\":\"L\",\"organ\":\"liver\"}]}";
        var r = Read(json);
        Assert.False(r.IsValid);
        Assert.Contains("malformed JSON", r.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_then_read_returns_the_same_case()
    {
        var gen =
            from d in Gen.Choose(20, 3000)
            from h in Gen.Choose(0, 900)
            from ecog in Gen.Choose(0, 4)
            from known in Gen.Elements(true, false)
            from vis in Gen.Elements(Visibility.NotAssessed, Visibility.Poor, Visibility.Conspicuous, Visibility.Invisible)
            select new MetastaticCase("RT", TestCases.FitPatient with { Ecog = ecog, CeaNgPerMl = known ? 3.5 : null },
            [
                TestCases.IdealLiverLesion() with
                {
                    LongestDiameterMm = d / 10.0,
                    DistanceToHilumMm = known ? h / 10.0 : null,
                    Visibility = new GuidanceVisibility { Mri = vis },
                    AdjacentStructures = known ? ["bowel", "skin"] : null,
                },
                TestCases.IdealLungLesion() with { SurgicalAssessment = SurgicalAssessment.Unresectable },
            ]);
        Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var back = CaseFileReader.Read(CaseFileWriter.Write(c));
            return back.IsValid && back.Warnings.Count == 0 && CaseFileWriter.Write(back.Case!) == CaseFileWriter.Write(c)
                && back.Case!.Lesions[0] == c.Lesions[0] with { AdjacentStructures = back.Case.Lesions[0].AdjacentStructures }
                && (back.Case.Lesions[0].AdjacentStructures?.SequenceEqual(c.Lesions[0].AdjacentStructures!) ?? c.Lesions[0].AdjacentStructures is null);
        }).Check(PropertyConfig.Seeded(200));
    }

    [Fact]
    public void Seeded_random_mutations_of_the_samples_never_throw()
    {
        // A bounded fuzz test: the reader must return errors, never throw, on any corruption of a real case file.
        var samples = Directory.GetFiles(Path.Combine(TestCases.RepoRoot(), "samples", "cases"), "*.json").Select(File.ReadAllText).ToArray();
        var random = new Random(20261127);
        const string alphabet = "{}[]\":,0123456789-.eE truefalsnul\\\u00e9";
        for (var i = 0; i < 3000; i++)
        {
            var chars = samples[i % samples.Length].ToCharArray();
            var edits = random.Next(1, 6);
            for (var e = 0; e < edits; e++)
            {
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            }

            var text = new string(chars);
            if (random.Next(4) == 0)
            {
                text = text[..random.Next(text.Length)];
            }

            var result = CaseFileReader.Read(text);
            Assert.True(result.IsValid || result.Errors.Count > 0);
            if (result.IsValid)
            {
                _ = TestCases.Assess(result.Case!);
            }
        }
    }
}
