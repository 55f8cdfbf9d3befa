using System.Text.Json;
using LocalControl.Core.Cases;
using LocalControl.Core.Engine;
using LocalControl.Core.Evidence;
using LocalControl.Core.Reporting;
using LocalControl.Core.Rules;
using static LocalControl.Core.Tests.TestCases;

namespace LocalControl.Core.Tests.Engine;

/// <summary>The principles of the second version of Decide (issue 9), each at its boundary.</summary>
public class DecideV2Tests
{
    private static readonly Patient AfterFolfox = FitPatient with
    {
        RasStatus = MutationStatus.Mutant,
        PriorSystemicTherapy = [new SystemicTherapyLine { Line = 1, Regimen = "FOLFOX", ContainsOxaliplatin = true, Progressed = true }],
    };

    private static Lesion Unresectable(string id, double mm) => IdealLiverLesion(id, mm) with { SurgicalAssessment = SurgicalAssessment.Unresectable };

    [Fact]
    public void Many_bilobar_lesions_of_3_to_5_cm_after_folfox_carry_caution_up_and_offer_haic_and_sirt()
    {
        var lesions = new[] { 35.0, 38, 42, 45, 48, 40 }.Select((mm, i) => Unresectable($"L{i + 1}", mm)).ToArray();
        var a = Assess(Case(AfterFolfox, lesions));
        var curative = a.PatientOption(Therapy.CurativeLocal);
        Assert.Equal(Eligibility.Caution, curative.Eligibility);
        Assert.Equal(6, curative.Criterion("lesions-clearly-treatable").ObservedValue);
        Assert.True(curative.AdvisoryFailures >= 1);
        var haic = a.PatientOption(Therapy.Haic);
        Assert.Equal(Eligibility.Eligible, haic.Eligibility);
        Assert.Equal("oxaliplatin-rechallenge", haic.Setting);
        Assert.Equal(CriterionStatus.Met, haic.Criterion("liver-not-locally-treatable").Status);
        Assert.Contains("not clearly eligible", haic.Criterion("liver-not-locally-treatable").Reason, StringComparison.Ordinal);
        Assert.Equal(Eligibility.Eligible, a.PatientOption(Therapy.Sirt).Eligibility);
        Assert.Equal("second-line", a.PatientOption(Therapy.Sirt).Setting);
    }

    [Fact]
    public void Clearly_treatable_liver_disease_keeps_local_treatment_first_and_haic_excluded()
    {
        var a = Assess(Case(IdealLiverLesion("L1"), IdealLiverLesion("L2")));
        Assert.Equal(Eligibility.Eligible, a.PatientOption(Therapy.CurativeLocal).Eligibility);
        Assert.Equal(Eligibility.NotEligible, a.PatientOption(Therapy.Haic).Eligibility);
        Assert.Equal(1, a.PatientOption(Therapy.CurativeLocal).Rank);

        // The adjuvant-HAI remark belongs to HAIC's sentence, never to SIRT's.
        string Why(Therapy t) => a.PatientOption(t).Criteria.Single(c => c.Id == "liver-not-locally-treatable").Reason;
        Assert.Contains("adjuvant HAI", Why(Therapy.Haic), StringComparison.Ordinal);
        Assert.Equal(Eligibility.NotEligible, a.PatientOption(Therapy.Sirt).Eligibility);
        Assert.StartsWith("Local treatment comes first", Why(Therapy.Sirt), StringComparison.Ordinal);
        Assert.DoesNotContain("HAI", Why(Therapy.Sirt), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8, 9.0, "eligible")]   // TBS sqrt(0.8² + 8²) = 8.04 < 9
    [InlineData(9, 9.0, "caution")]    // TBS sqrt(0.8² + 9²) = 9.04 ≥ 9
    public void A_tumour_burden_score_of_9_or_more_cautions_curative_intent(int count, double threshold, string expected)
    {
        _ = threshold;
        var lesions = Enumerable.Range(1, count).Select(i => IdealLiverLesion($"L{i}", 8)).ToArray();
        var curative = Assess(Case(lesions)).PatientOption(Therapy.CurativeLocal);
        Assert.Equal(expected, TherapyNames.ToJson(curative.Eligibility));
    }

    [Theory]
    [InlineData(25, "caution")]
    [InlineData(25.1, "eligible")]
    public void A_low_remnant_with_resection_as_the_only_route_is_not_curative_eligible(double flr, string expected)
    {
        // Abutting the hilum: no thermal ablation; IRE excluded for a resectable lesion: resection is the only route.
        var patient = FitPatient with { Liver = FitPatient.Liver! with { FutureLiverRemnantPercent = flr } };
        var a = Assess(Case(patient, IdealLiverLesion() with { DistanceToHilumMm = 2 }));
        var curative = a.PatientOption(Therapy.CurativeLocal);
        Assert.Equal(expected, TherapyNames.ToJson(curative.Eligibility));
        if (expected == "caution")
        {
            Assert.Contains(curative.Notes, n => n.Contains("portal vein embolisation", StringComparison.Ordinal) && n.Contains("two-stage", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(29, true)]
    [InlineData(29.9, true)]
    [InlineData(30, false)]
    public void The_seed_90_percent_is_shown_below_3_cm_only(double mm, bool shown)
    {
        var rfa = Assess(Case(IdealLiverLesion(diameterMm: mm))).Option("L1", Therapy.Rfa);
        Assert.Equal(shown, rfa.ExpectedOutcomes.Any(o => o.Reference == "DB2017/rfa-local-control"));
    }

    [Theory]
    [InlineData(9.9, 20, false)]
    [InlineData(10, 20, true)]
    [InlineData(40, 4.9, false)]
    [InlineData(40, 5, true)]
    public void The_seed_90_percent_is_not_shown_near_the_hilum_or_a_vessel(double hilumMm, double vesselMm, bool shown)
    {
        var rfa = Assess(Case(IdealLiverLesion() with { DistanceToHilumMm = hilumMm, DistanceToLargeVesselMm = vesselMm })).Option("L1", Therapy.Rfa);
        Assert.Equal(shown, rfa.ExpectedOutcomes.Any(o => o.Reference == "DB2017/rfa-local-control"));
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(31, false)]
    public void Collision_figures_hold_up_to_and_including_3_cm_for_resectable_lesions(double mm, bool shown)
    {
        var a = Assess(Case(IdealLiverLesion(diameterMm: mm)));
        Assert.Equal(shown, a.Option("L1", Therapy.Mwa).ExpectedOutcomes.Any(o => o.Reference == "L1/os-hr"));
        var unresectable = Assess(Case(Unresectable("L1", mm)));
        Assert.DoesNotContain(unresectable.Option("L1", Therapy.Mwa).ExpectedOutcomes, o => o.Item.Id == "L1");
    }

    [Fact]
    public void The_70_percent_ceiling_is_for_a_solitary_small_lesion_only()
    {
        // Petre 2017: up to 70% at 5 years after ablation of a solitary unresectable CRLM of at most 3 cm.
        Assert.Contains(Assess(Case(Unresectable("L1", 30))).PatientOption(Therapy.CurativeLocal).ExpectedOutcomes, o => o.Reference == "L4/os-5y");
        Assert.DoesNotContain(Assess(Case(Unresectable("L1", 20), Unresectable("L2", 20))).PatientOption(Therapy.CurativeLocal).ExpectedOutcomes, o => o.Reference == "L4/os-5y");
        Assert.DoesNotContain(Assess(Case(Unresectable("L1", 31))).PatientOption(Therapy.CurativeLocal).ExpectedOutcomes, o => o.Reference == "L4/os-5y");
        Assert.DoesNotContain(Assess(Case(IdealLiverLesion())).PatientOption(Therapy.CurativeLocal).ExpectedOutcomes, o => o.Reference == "L4/os-5y");
    }

    [Fact]
    public void Clocc_is_a_figure_of_combined_treatment_never_of_systemic_therapy()
    {
        var a = Assess(Case(Unresectable("L1", 20)));
        Assert.DoesNotContain(a.PatientOption(Therapy.Systemic).ExpectedOutcomes, o => o.Item.Id == "L2");
        Assert.Contains(a.PatientOption(Therapy.CurativeLocal).ExpectedOutcomes, o => o.Reference == "L2/os-hr");
    }

    [Fact]
    public void Clocc_is_shown_only_for_a_plan_of_rfa_or_resection_never_for_an_ire_only_plan()
    {
        // CLOCC treated unresectable CRLM by RFA ± resection. A central lesion (3 mm from the hilum: thermal ablation
        // excluded) is reachable by IRE only: the plan is outside CLOCC's population, so none of its figures shows.
        var central = Unresectable("L1", 20) with { DistanceToHilumMm = 3 };
        var a = Assess(Case(central));
        var plan = a.PatientOption(Therapy.CurativeLocal).Plan!;
        Assert.Contains(Therapy.Ire, plan[0].Options);
        Assert.DoesNotContain(plan[0].Options, t => t is Therapy.Rfa or Therapy.Resection);
        Assert.DoesNotContain(a.PatientOption(Therapy.CurativeLocal).ExpectedOutcomes, o => o.Item.Id == "L2");

        // Add a second lesion RFA can treat: still one lesion outside the trial's therapies, still no CLOCC.
        var mixed = Assess(Case(central, Unresectable("L2", 20)));
        Assert.DoesNotContain(mixed.PatientOption(Therapy.CurativeLocal).ExpectedOutcomes, o => o.Item.Id == "L2");

        // The same lesion away from the hilum is treatable by RFA: CLOCC's figures show.
        var rfa = Assess(Case(Unresectable("L1", 20)));
        Assert.Contains(Therapy.Rfa, rfa.PatientOption(Therapy.CurativeLocal).Plan![0].Options);
        Assert.Contains(rfa.PatientOption(Therapy.CurativeLocal).ExpectedOutcomes, o => o.Reference == "L2/os-hr");
    }

    [Fact]
    public void Lung_criteria_cite_lung_evidence_not_liver_figures()
    {
        var a = Assess(Case(IdealLungLesion(diameterMm: 35)));
        var size = a.Option("P1", Therapy.Rfa).Criterion("size-thermal-ablation");
        Assert.DoesNotContain("22–89", size.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("L5", size.Definition.Evidence);
        Assert.DoesNotContain("biliary", a.Option("P1", Therapy.Resection).Criterion("surgical-resectability").Definition.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("I2", a.Option("P1", Therapy.Rfa).Criterion("away-from-hilum").Definition.Evidence);
    }

    [Fact]
    public void A_palliative_bone_lesion_is_not_part_of_a_curative_plan()
    {
        var bone = new Lesion
        {
            Id = "B1", Organ = Organ.Bone, LongestDiameterMm = 25, AdjacentStructures = [], Intent = BoneLesionIntent.PalliativePain,
            WorstPainScore = 7, Visibility = new GuidanceVisibility { Ct = Visibility.Conspicuous }, SurgicalAssessment = SurgicalAssessment.Unresectable,
        };
        var a = Assess(Case(IdealLiverLesion(), bone));
        var curative = a.PatientOption(Therapy.CurativeLocal);
        Assert.Equal(Eligibility.NotEligible, curative.Eligibility);
        Assert.Equal("palliative", curative.Plan!.Single(p => p.LesionId == "B1").Status);
        Assert.Equal(Eligibility.Eligible, a.Option("B1", Therapy.Cryoablation).Eligibility);
    }

    [Fact]
    public void A_palliative_preference_excludes_curative_intent()
    {
        var a = Assess(Case(FitPatient with { TreatmentIntentPreference = TreatmentIntent.Palliative }, IdealLiverLesion()));
        Assert.Equal(Eligibility.NotEligible, a.PatientOption(Therapy.CurativeLocal).Eligibility);
    }

    [Theory]
    [InlineData(false, "first-line", "first-line")]
    [InlineData(true, "oxaliplatin-rechallenge", "second-line")]
    public void The_line_of_therapy_is_derived_once_for_haic_and_sirt(bool progressedOnFolfox, string haic, string sirt)
    {
        var patient = FitPatient with { PriorSystemicTherapy = [new SystemicTherapyLine { ContainsOxaliplatin = true, Progressed = progressedOnFolfox }] };
        var a = Assess(Case(patient, Enumerable.Range(1, 11).Select(i => Unresectable($"L{i}", 20)).ToArray()));
        Assert.Equal(haic, a.PatientOption(Therapy.Haic).Setting);
        Assert.Equal(sirt, a.PatientOption(Therapy.Sirt).Setting);
        Assert.DoesNotContain(a.PatientOption(Therapy.Haic).ExpectedOutcomes, o => o.Item.Id == "H5" && !progressedOnFolfox);
    }

    [Fact]
    public void Several_advisory_concerns_weigh_more_than_one_and_are_counted()
    {
        var one = Assess(Case(IdealLungLesion(diameterMm: 35))).Option("P1", Therapy.Rfa);
        var many = Assess(Case(IdealLungLesion(diameterMm: 35) with { AdjacentStructures = ["large-bronchus"], DistanceToLargeVesselMm = 3, DistanceToHilumMm = 8 })).Option("P1", Therapy.Rfa);
        Assert.Equal(Eligibility.Caution, one.Eligibility);
        Assert.Equal(Eligibility.Caution, many.Eligibility);
        Assert.Equal(1, one.AdvisoryFailures);
        Assert.Equal(4, many.AdvisoryFailures);
        Assert.True(many.CautionWeight > one.CautionWeight);
    }

    [Fact]
    public void With_unknown_data_strong_evidence_ranks_above_sbrt()
    {
        var a = Assess(Case(IdealLiverLesion(diameterMm: 40) with { DistanceToHilumMm = null, SurgicalAssessment = SurgicalAssessment.NotAssessed }));
        Assert.NotEqual(Therapy.Sbrt, a.Lesions[0].Options[0].Therapy);
    }

    [Fact]
    public void Braf_v600e_and_msi_high_are_mentioned_as_information()
    {
        var a = Assess(Case(FitPatient with { BrafStatus = MutationStatus.Mutant, MsiStatus = MsiStatus.MsiHigh }, IdealLiverLesion()));
        var systemic = a.PatientOption(Therapy.Systemic);
        // BRAF V600E cites the one verified source that names it (the early extrahepatic recurrence model); neither
        // note cites a trial the research does not hold (BEACON, KEYNOTE-177: tests/data/unconfirmed-evidence.json).
        Assert.Contains(systemic.Notes, n => n.Contains("BRAF V600E", StringComparison.Ordinal) && n.Contains("(EHR-MODEL)", StringComparison.Ordinal));
        Assert.Contains(systemic.Notes, n => n.Contains("MSI-high", StringComparison.Ordinal) && n.Contains("no trial", StringComparison.Ordinal));
        Assert.DoesNotContain(systemic.Notes, n => n.Contains("BEACON", StringComparison.Ordinal) || n.Contains("KEYNOTE", StringComparison.Ordinal));
        Assert.Equal(Verification.Verified, EvidenceBase.Default.Items.Single(i => i.Id == "EHR-MODEL").Verification);
        Assert.Equal(Eligibility.Eligible, a.PatientOption(Therapy.CurativeLocal).Eligibility);
    }

    [Fact]
    public void Poorly_seen_on_every_assessed_modality_is_not_rescued_by_an_unassessed_one()
    {
        var lesion = IdealLiverLesion() with
        {
            Visibility = new GuidanceVisibility { Ultrasound = Visibility.Invisible, Ct = Visibility.Poor, Mri = Visibility.Poor, Cbct = Visibility.NotAssessed },
        };
        var a = Assess(Case(lesion));
        var rfa = a.Option("L1", Therapy.Rfa);
        Assert.Equal(Eligibility.Unknown, rfa.Eligibility);
        Assert.Equal(CriterionStatus.Unknown, rfa.Criterion("conspicuous-on-guidance").Status);
        Assert.Contains(a.MissingData, m => m.Field == "lesions[0].visibility.cbct");
        Assert.DoesNotContain(rfa.ExpectedOutcomes, o => o.Reference == "DB2017/rfa-local-control");
        var known = Assess(Case(lesion with { Visibility = lesion.Visibility with { Cbct = Visibility.Poor } })).Option("L1", Therapy.Rfa);
        Assert.Equal(Eligibility.Caution, known.Eligibility);
        Assert.Equal(CriterionStatus.Failed, known.Criterion("conspicuous-on-guidance").Status);
    }

    [Fact]
    public void Missing_data_names_the_modality_and_skips_options_already_excluded()
    {
        var lesion = IdealLiverLesion() with { Visibility = new GuidanceVisibility { Ultrasound = Visibility.Invisible } };
        var a = Assess(Case(FitPatient with { Liver = null, PriorSystemicTherapy = null }, Unresectable("L1", 60) with { Visibility = lesion.Visibility }));
        Assert.DoesNotContain(a.MissingData, m => m.Field == "lesions[0].visibility");
        Assert.DoesNotContain(a.MissingData, m => m.Field == "patient.liver.futureLiverRemnantPercent");
        var noLiver = Assess(Case(FitPatient with { PriorSystemicTherapy = null }, IdealLungLesion()));
        Assert.DoesNotContain(noLiver.MissingData, m => m.Field.StartsWith("patient.priorSystemicTherapy", StringComparison.Ordinal));
        Assert.All(a.MissingData, m => Assert.True(m.ChangesEligibility));
    }

    [Fact]
    public void No_unconfirmed_item_reaches_a_rule_or_an_outcome()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "tests", "data", "unconfirmed-evidence.json")));
        var items = doc.RootElement.GetProperty("unconfirmedItems").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        var rules = RuleSet.Default;
        foreach (var (key, c) in rules.Criteria)
        {
            Assert.DoesNotContain(c.Evidence, items.Contains);
            foreach (var claim in doc.RootElement.GetProperty("unconfirmedClaims").EnumerateArray())
            {
                Assert.DoesNotContain(claim.GetString()!, c.Description, StringComparison.Ordinal);
                Assert.False(c.Reasons.Values.Any(r => r.Contains(claim.GetString()!, StringComparison.Ordinal)), key);
            }
        }

        Assert.DoesNotContain(rules.Outcomes.SelectMany(o => o.Figures), f => items.Contains(f.Split('/')[0]));
        foreach (var t in rules.Thresholds.Values)
        {
            Assert.DoesNotContain(t.Evidence, items.Contains);
        }

        foreach (var name in doc.RootElement.GetProperty("conventionThresholds").EnumerateObject())
        {
            Assert.True(rules.Thresholds[name.Name].Convention, name.Name + " must be marked as a convention");
            Assert.Empty(rules.Thresholds[name.Name].Evidence);
        }

        // No rule or note ties the >= 10 mm margin to RAS status as a threshold from M7.
        Assert.DoesNotContain(rules.Notes.Values, n => n.Contains("RAS-mutant: aim for a margin of at least", StringComparison.Ordinal));
        Assert.All(EvidenceBase.Default.Items.Where(i => items.Contains(i.Id)), i => Assert.Fail($"{i.Id} has no usable citation and must not be in the evidence base"));

        // Items the research does not hold at all: neither in the evidence base nor named by any note or criterion.
        foreach (var absent in doc.RootElement.GetProperty("absentFromResearch").EnumerateObject().Select(p => p.Name))
        {
            Assert.DoesNotContain(EvidenceBase.Default.Items, i => i.Id == absent);
            Assert.DoesNotContain(rules.Notes.Values, n => n.Contains(absent, StringComparison.Ordinal));
            Assert.DoesNotContain(rules.Criteria.Values, c => c.Evidence.Contains(absent) || c.Description.Contains(absent, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_case_with_too_many_lesions_is_refused_with_a_message_and_the_engine_is_linear_up_to_the_limit()
    {
        var tooMany = Case(Enumerable.Range(1, 201).Select(i => IdealLiverLesion($"L{i}")).ToArray());
        var ex = Assert.Throws<LocalControlInputException>(() => Assess(tooMany));
        Assert.Contains("maxLesionsPerCase", ex.Message, StringComparison.Ordinal);
        var atLimit = Case(Enumerable.Range(1, 200).Select(i => IdealLiverLesion($"L{i}")).ToArray());
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var a = Assess(atLimit);
        Assert.Equal(200, a.Lesions.Count);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), sw.Elapsed.ToString());
    }

    [Fact]
    public void Renderers_escape_control_characters_and_html()
    {
        var @case = new MetastaticCase("X\u001b[2J<script>alert(1)</script>", FitPatient, [IdealLiverLesion() with { Location = "seg\u001b]0;pwn\u0007 6<b>" }]);
        var a = Assess(@case);
        var text = AssessmentText.RenderText(a, @case);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u0007', text);
        Assert.Contains("\\u001B", text, StringComparison.Ordinal);
        foreach (var rendered in new[] { AssessmentText.RenderMarkdown(a, @case), AssessmentText.RenderHtml(a, @case) })
        {
            Assert.DoesNotContain("<script>", rendered, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>", rendered, StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', rendered);
        }
    }

    [Fact]
    public void Human_formats_carry_reasons_with_units_and_notes_but_no_kebab_ids_or_json_paths()
    {
        var @case = new MetastaticCase("T", FitPatient with { Ecog = null }, [IdealLiverLesion(diameterMm: 40) with { DistanceToHilumMm = null }]);
        var a = Assess(@case);
        var text = AssessmentText.RenderText(a, @case);
        Assert.Contains("40 mm (30–50 mm): local control 22–89% (L5); MDT discussion", text, StringComparison.Ordinal);
        Assert.Contains("Note: Plan a minimal ablative margin", text, StringComparison.Ordinal);
        Assert.DoesNotContain("size-thermal-ablation", text, StringComparison.Ordinal);
        Assert.DoesNotContain("lesions[0]", text, StringComparison.Ordinal);
        Assert.Contains("lesion L1: distance to the hilum (mm)", text, StringComparison.Ordinal);
        var html = AssessmentText.RenderHtml(a, @case);
        Assert.DoesNotContain("<details>", html, StringComparison.Ordinal);
        Assert.Contains("✓", html, StringComparison.Ordinal);
        var size = a.Option("L1", Therapy.Rfa).Criterion("size-thermal-ablation");
        Assert.Equal("mm", size.Unit);
        Assert.Equal(40, size.ObservedValue);
    }
}

/// <summary>The measured fields survive a read–write round trip, and not-segmented structures stay unknown.</summary>
public class MeasuredCaseSeamTests
{
    private const string Measured = """
        { "caseId": "M", "patient": { "ecog": 0 }, "lesions": [ { "id": "T1", "organ": "liver", "longestDiameterMm": 20,
          "adjacentStructures": [], "adjacencyNotAssessed": ["bowel", "gallbladder"], "distanceToAnyVesselMm": 1.5,
          "distancesMm": { "bowel": 12.25, "portal-vein": 1.5 }, "source": { "file": "labels.nii.gz", "labelTable": { "2": { "role": "tumour" } } },
          "measuredFields": ["longestDiameterMm"] } ] }
        """;

    [Fact]
    public void Reading_then_writing_a_measured_case_keeps_every_measured_field()
    {
        var first = CaseFileReader.Read(Measured);
        Assert.True(first.IsValid, string.Join("; ", first.Errors));
        var again = CaseFileReader.Read(CaseFileWriter.Write(first.Case!));
        Assert.True(again.IsValid, string.Join("; ", again.Errors));
        var l = again.Case!.Lesions[0];
        Assert.Equal(1.5, l.DistanceToAnyVesselMm);
        Assert.Equal(12.25, l.DistancesMm!["bowel"]);
        Assert.Equal(1.5, l.DistancesMm["portal-vein"]);
        Assert.Equal(["bowel", "gallbladder"], l.AdjacencyNotAssessed);
        using var source = JsonDocument.Parse(l.MeasurementSourceJson!);
        Assert.Equal("labels.nii.gz", source.RootElement.GetProperty("file").GetString());
    }

    [Fact]
    public void A_structure_that_was_not_segmented_is_unknown_not_absent()
    {
        var a = Assess(CaseFileReader.Read(Measured).Case!);
        var rfa = a.Option("T1", Therapy.Rfa);
        Assert.Equal(CriterionStatus.Unknown, rfa.Criterion("no-vulnerable-structure").Status);
        Assert.Contains("bowel", rfa.Criterion("no-vulnerable-structure").Reason, StringComparison.Ordinal);
    }
}
