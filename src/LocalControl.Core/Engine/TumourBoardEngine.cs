using LocalControl.Core.Cases;
using LocalControl.Core.Evidence;
using LocalControl.Core.Rules;
using LocalControl.Core.Scores;
using static LocalControl.Core.Engine.CriterionSeverity;

namespace LocalControl.Core.Engine;

/// <summary>
/// The tumour-board engine: assesses every lesion against each tool of the local-therapy box (resection, RFA, MWA,
/// cryoablation, IRE, SBRT) and the patient against the patient-level strategies (curative-intent local treatment of
/// all disease, HAIC, SIRT, systemic therapy). Every criterion is listed as met, failed or unknown with its evidence;
/// every expected outcome carries its source. It never decides: it ranks, explains and lists missing data.
/// Thread-safe and allocation-light: cheap enough to re-run on every keystroke.
/// </summary>
public sealed class TumourBoardEngine
{
    private static readonly Lazy<TumourBoardEngine> DefaultEngine = new(() => new TumourBoardEngine(RuleSet.Default, EvidenceBase.Default));

    private static readonly Therapy[] LocalTherapies = [Therapy.Resection, Therapy.Rfa, Therapy.Mwa, Therapy.Cryoablation, Therapy.Ire, Therapy.Sbrt];
    private static readonly Therapy[] ResectOrAblate = [Therapy.Resection, Therapy.Rfa, Therapy.Mwa, Therapy.Cryoablation, Therapy.Ire];
    private static readonly Therapy[] SbrtOnly = [Therapy.Sbrt];
    private static readonly Therapy[] PatientStrategies = [Therapy.CurativeLocal, Therapy.Haic, Therapy.Sirt, Therapy.Systemic];
    private static readonly string[] IreLocationStructures = ["bile-duct", "bowel", "stomach", "gallbladder", "large-vessel"];

    private readonly RuleSet _rules;
    private static readonly string[] OutcomeFlags =
    [
        "always", "small", "intermediate", "large", "perivascular", "unresectable", "ras-mutant", "palliative-pain", "curative",
        "liver-only-collision", "liver-unresectable", "liver-present", "lung-present", "first-line", "oxaliplatin-rechallenge",
        "later-line", "second-line", "salvage",
    ];

    private readonly Dictionary<(Therapy, string, string), ExpectedOutcome[]> _outcomes = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, ExpectedOutcome[]> _outcomeCache = new();
    private readonly Dictionary<string, int[]> _preference = [];
    private readonly string _marginNote;
    private readonly string _rasMarginNote;

    /// <summary>Creates an engine for a rule set and an evidence base (the rule set's figures must exist in it).</summary>
    public TumourBoardEngine(RuleSet rules, EvidenceBase evidence)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(evidence);
        _rules = rules;
        Evidence = evidence;
        foreach (var rule in rules.Outcomes)
        {
            var therapy = TherapyNames.Parse(rule.Therapy);
            if (Array.IndexOf(OutcomeFlags, rule.When) < 0)
            {
                throw new InvalidOperationException($"Outcome rule for {rule.Therapy} names an unknown situation '{rule.When}' (known: {string.Join(", ", OutcomeFlags)}).");
            }

            var key = (therapy, rule.Organ, rule.When);
            var resolved = rule.Figures.Select(f => evidence.FindFigure(f) is { } hit
                    ? new ExpectedOutcome(f, hit.Item, hit.Figure)
                    : throw new InvalidOperationException($"Outcome figure {f} is not in evidence base {evidence.Version}."));
            _outcomes[key] = _outcomes.TryGetValue(key, out var existing) ? [.. existing, .. resolved] : [.. resolved];
        }

        foreach (var (organ, order) in rules.PreferenceByOrgan)
        {
            var ranks = new int[LocalTherapies.Length];
            Array.Fill(ranks, order.Count);
            for (var i = 0; i < order.Count; i++)
            {
                ranks[Array.IndexOf(LocalTherapies, TherapyNames.Parse(order[i]))] = i;
            }

            _preference[organ] = ranks;
        }

        _marginNote = $"Plan a minimal ablative margin over {Fmt(rules.MarginMinimumMm)} mm (mandatory) and of {Fmt(rules.MarginTargetMm)} mm or more (target); confirm it in 3D on co-registered images (M1, M2, G8).";
        _rasMarginNote = $"RAS-mutant: aim for a margin of at least {Fmt(rules.MarginTargetMm)} mm, or favour resection where ablation cannot reach it (M7).";
    }

    /// <summary>The engine with the embedded rule set and evidence base.</summary>
    public static TumourBoardEngine Default => DefaultEngine.Value;

    /// <summary>The rule set in use.</summary>
    public RuleSet Rules => _rules;

    /// <summary>The evidence base in use.</summary>
    public EvidenceBase Evidence { get; }

    /// <summary>Assesses a case.</summary>
    public Assessment Assess(MetastaticCase @case)
    {
        ArgumentNullException.ThrowIfNull(@case);
        var context = new CaseContext(@case, _rules);
        var lesions = new LesionAssessment[@case.Lesions.Count];
        for (var i = 0; i < lesions.Length; i++)
        {
            lesions[i] = AssessLesion(@case.Lesions[i], i, context);
        }

        var disease = SummariseDisease(context);
        var patientOptions = AssessPatient(context, lesions);
        var scores = PrognosticScoreCalculator.Compute(@case);
        var missing = CollectMissingData(lesions, patientOptions, disease);
        return new Assessment(@case.CaseId, _rules.DisplayVersion, Evidence.Version, lesions, patientOptions, disease, scores, missing);
    }

    // ---------------------------------------------------------------- lesions

    private LesionAssessment AssessLesion(Lesion lesion, int index, CaseContext ctx)
    {
        var path = new FieldPaths(index);
        var organKey = OrganKey(lesion.Organ);
        var flags = LesionFlags(lesion, ctx.Patient);
        var options = new TherapyOption[LocalTherapies.Length];
        for (var t = 0; t < LocalTherapies.Length; t++)
        {
            options[t] = AssessLocal(LocalTherapies[t], lesion, path, ctx, organKey, flags);
        }

        var preference = _preference.TryGetValue(organKey, out var p) ? p : _preference["other"];
        return new LesionAssessment(lesion.Id, lesion.Organ, Rank(options, preference));
    }

    private TherapyOption AssessLocal(Therapy therapy, Lesion lesion, FieldPaths path, CaseContext ctx, string organKey, int flags)
    {
        var c = new CriteriaList(_rules);
        var notes = new Notes();
        switch (lesion.Organ)
        {
            case Organ.Liver:
                LiverCriteria(therapy, lesion, path, ctx, c, notes);
                break;
            case Organ.Lung:
                LungCriteria(therapy, lesion, path, ctx, c);
                break;
            case Organ.Bone:
                BoneCriteria(therapy, lesion, path, ctx, c);
                break;
            default:
                c.UnknownWithText("organ-in-rule-set", Required, $"no criteria for {CaseVocabulary.ToJson(lesion.Organ)} lesions: MDT judgement");
                break;
        }

        if (lesion.PriorLocalTreatment is { Length: > 0 } prior)
        {
            notes.Add("Previously treated: " + prior);
        }

        var eligibility = CriteriaList.Aggregate(c.Items);
        return new TherapyOption(therapy, eligibility, c.Items, Outcomes(therapy, organKey, flags), notes.ToList());
    }

    private void LiverCriteria(Therapy therapy, Lesion l, FieldPaths path, CaseContext ctx, CriteriaList c, Notes notes)
    {
        switch (therapy)
        {
            case Therapy.Resection:
                Resectability(l, path, c);
                FutureLiverRemnant(ctx, c);
                NoCirrhosis(ctx, c);
                PerformanceStatus(ctx, c, Advisory);
                return;
            case Therapy.Rfa:
            case Therapy.Mwa:
            case Therapy.Cryoablation:
                SizeBands("size-thermal-ablation", l.LongestDiameterMm, _rules.SmallLesionMaxMm, _rules.IntermediateLesionMaxMm, path, c);
                AwayFromHilum(l, path, c);
                if (therapy == Therapy.Rfa)
                {
                    HeatSink("heat-sink", l, path, c);
                }

                Visibility(l, path, c);
                NoVulnerableStructure(l, path, c);
                if (therapy == Therapy.Cryoablation)
                {
                    c.Failed("organ-evidence", Advisory, text: "no outcome figure for cryoablation of colorectal liver metastases; RFA and MWA carry the evidence");
                }

                RasMarginAdvice(ctx, c);
                PerformanceStatus(ctx, c, Advisory);
                notes.Add(_marginNote);
                if (ctx.Patient.RasStatus == MutationStatus.Mutant)
                {
                    notes.Add(_rasMarginNote);
                }

                if (therapy == Therapy.Mwa && l.DistanceToLargeVesselMm is { } v && v < _rules.PerivascularDistanceMm)
                {
                    notes.Add("Perivascular lesion: perivascular location did not predict local progression after MWA (M3); MWA shows no heat sink in animal models (M13).");
                }

                return;
            case Therapy.Ire:
                IreSize(l, path, c);
                IreUnsuitableForResection(l, path, c);
                IreLocation(l, path, c);
                Visibility(l, path, c);
                PerformanceStatus(ctx, c, Advisory);
                notes.Add("IRE is reserved for small tumours truly unsuitable for resection and thermal ablation; it needs general anaesthesia with cardiac synchronisation and has a learning curve (I1, I2).");
                return;
            case Therapy.Sbrt:
                SbrtSize(l, path, c);
                AvoidHollowViscera(l, path, c);
                c.Failed("organ-evidence", Advisory, text: "limited evidence: series of 3-5 cm liver metastases only, no comparative studies (L5); an alternative when resection and ablation are unsuitable (DR-08)");
                PerformanceStatus(ctx, c, Advisory);
                return;
        }
    }

    private void LungCriteria(Therapy therapy, Lesion l, FieldPaths path, CaseContext ctx, CriteriaList c)
    {
        switch (therapy)
        {
            case Therapy.Resection:
                Resectability(l, path, c);
                PerformanceStatus(ctx, c, Advisory);
                return;
            case Therapy.Rfa:
            case Therapy.Mwa:
            case Therapy.Cryoablation:
                if (therapy == Therapy.Cryoablation)
                {
                    SizeBands("size-lung-cryoablation", l.LongestDiameterMm, _rules.LungCryoMaxDiameterMm, _rules.IntermediateLesionMaxMm, path, c, smallInclusive: true);
                }
                else
                {
                    SizeBands("size-thermal-ablation", l.LongestDiameterMm, _rules.SmallLesionMaxMm, _rules.IntermediateLesionMaxMm, path, c);
                    HeatSink("lung-vessel-proximity", l, path, c);
                }

                AwayFromHilum(l, path, c);
                AirwayOrHeart(l, path, c);
                Visibility(l, path, c);
                var lungCount = ctx.LesionsIn(Organ.Lung);
                if (lungCount <= _rules.LungMaxLesionsForAblation)
                {
                    c.MetAdvisory("lung-lesion-count", lungCount);
                }
                else
                {
                    c.Failed("lung-lesion-count", Advisory, lungCount);
                }

                PerformanceStatus(ctx, c, Advisory);
                return;
            case Therapy.Ire:
                c.Failed("organ-evidence", Required, text: "no evidence for IRE of lung metastases");
                return;
            case Therapy.Sbrt:
                SbrtSize(l, path, c);
                c.Failed("organ-evidence", Advisory, text: "no outcome figure for SBRT of lung metastases in the evidence base");
                PerformanceStatus(ctx, c, Advisory);
                return;
        }
    }

    private void BoneCriteria(Therapy therapy, Lesion l, FieldPaths path, CaseContext ctx, CriteriaList c)
    {
        switch (therapy)
        {
            case Therapy.Resection:
                Resectability(l, path, c);
                c.Failed("organ-evidence", Advisory, text: "no outcome figure for resection of bone metastases in the evidence base");
                PerformanceStatus(ctx, c, Advisory);
                return;
            case Therapy.Ire:
                c.Failed("organ-evidence", Required, text: "no evidence for IRE of bone metastases");
                return;
            case Therapy.Sbrt:
                c.Failed("organ-evidence", Advisory, text: "no outcome figure for SBRT of bone metastases in the evidence base");
                PerformanceStatus(ctx, c, Advisory);
                return;
        }

        // RFA, MWA, cryoablation: the MDT sets the goal first (CIRSE bone standards).
        switch (l.Intent)
        {
            case BoneLesionIntent.NotAssessed:
                c.Unknown("bone-intent-set", Required, path.Missing("intent"));
                break;
            case BoneLesionIntent.PalliativePain:
                c.Met("bone-intent-set", text: "palliative-pain");
                if (l.WorstPainScore is not { } pain)
                {
                    c.Unknown("bone-pain-threshold", Required, path.Missing("worstPainScore"));
                }
                else if (pain >= _rules.BonePainMinScore)
                {
                    c.Met("bone-pain-threshold", pain);
                }
                else
                {
                    c.Failed("bone-pain-threshold", Required, pain);
                }

                break;
            case BoneLesionIntent.Curative:
                c.Met("bone-intent-set", text: "curative");
                if (l.LongestDiameterMm is not { } d)
                {
                    c.Unknown("bone-curative-size", Advisory, path.Missing("longestDiameterMm"));
                }
                else if (d < _rules.BoneCurativeMaxDiameterMm)
                {
                    c.MetAdvisory("bone-curative-size", d);
                }
                else
                {
                    c.Failed("bone-curative-size", Advisory, d);
                }

                switch (l.CorticalErosion)
                {
                    case null: c.Unknown("bone-no-cortical-erosion", Advisory, path.Missing("corticalErosion")); break;
                    case false: c.MetAdvisory("bone-no-cortical-erosion"); break;
                    case true: c.Failed("bone-no-cortical-erosion", Advisory, text: "cortical erosion"); break;
                }

                var oligo = ctx.OligometastaticEligibility;
                c.Add("oligometastatic", oligo switch
                {
                    Eligibility.Eligible => CriterionStatus.Met,
                    Eligibility.Unknown => CriterionStatus.Unknown,
                    _ => CriterionStatus.Failed,
                }, Advisory, ctx.Case.Lesions.Count);
                break;
        }

        NoAdjacent("bone-away-from-neural", CaseVocabulary.NeuralStructures, l, path, c);

        Visibility(l, path, c);
        if (therapy == Therapy.Mwa)
        {
            c.Failed("organ-evidence", Advisory, text: "no outcome figure for MWA of bone metastases in the evidence base; RFA and cryoablation carry it");
        }

        PerformanceStatus(ctx, c, Advisory);
    }

    // ---------------------------------------------------------------- criterion helpers

    private static void SizeBands(string id, double? diameter, double smallMax, double intermediateMax, FieldPaths path, CriteriaList c, bool smallInclusive = false)
    {
        if (diameter is not { } d)
        {
            c.Unknown(id, Required, path.Missing("longestDiameterMm"));
        }
        else if (smallInclusive ? d <= smallMax : d < smallMax)
        {
            c.Met(id, d);
        }
        else if (d <= intermediateMax)
        {
            c.Failed(id, Advisory, d);
        }
        else
        {
            c.Failed(id, Required, d);
        }
    }

    private void AwayFromHilum(Lesion l, FieldPaths path, CriteriaList c)
    {
        if (l.DistanceToHilumMm is not { } h)
        {
            c.Unknown("away-from-hilum", Required, path.Missing("distanceToHilumMm"));
        }
        else if (h >= _rules.HilumCautionMm)
        {
            c.Met("away-from-hilum", h);
        }
        else if (h >= _rules.HilumAbutmentMm)
        {
            c.Failed("away-from-hilum", Advisory, h);
        }
        else
        {
            c.Failed("away-from-hilum", Required, h);
        }
    }

    private void HeatSink(string id, Lesion l, FieldPaths path, CriteriaList c)
    {
        // distanceToLargeVesselMm is by definition the distance to a vessel of >= 3 mm. A calibre below that
        // contradicts the field (the reader warns); the conservative reading keeps the heat-sink flag.
        if (l.DistanceToLargeVesselMm is not { } v)
        {
            c.Unknown(id, Advisory, path.Missing("distanceToLargeVesselMm"));
        }
        else if (v >= _rules.PerivascularDistanceMm)
        {
            c.MetAdvisory(id, v);
        }
        else
        {
            c.Failed(id, Advisory, v, l.LargeVesselCalibreMm is { } cal ? $"vessel calibre {Fmt(cal)} mm" : null);
        }
    }

    private static void Visibility(Lesion l, FieldPaths path, CriteriaList c)
    {
        var anyUnassessed = false;
        var visible = false;
        var conspicuous = false;
        var v = l.Visibility;
        Span<Cases.Visibility> modalities = [v.Ultrasound, v.Ct, v.Mri, v.Cbct];
        foreach (var value in modalities)
        {
            switch (value)
            {
                case Cases.Visibility.Conspicuous: conspicuous = visible = true; break;
                case Cases.Visibility.Poor: visible = true; break;
                case Cases.Visibility.NotAssessed: anyUnassessed = true; break;
            }
        }

        var missing = path.Missing("visibility");
        if (visible)
        {
            c.Met("visible-on-guidance");
        }
        else if (anyUnassessed)
        {
            c.Unknown("visible-on-guidance", Required, missing);
        }
        else
        {
            c.Failed("visible-on-guidance", Required, text: "invisible on every guidance modality");
        }

        if (conspicuous)
        {
            c.MetAdvisory("conspicuous-on-guidance");
        }
        else if (anyUnassessed)
        {
            c.Unknown("conspicuous-on-guidance", Advisory, missing);
        }
        else
        {
            c.Failed("conspicuous-on-guidance", Advisory, text: visible ? "poorly seen only" : "not seen");
        }
    }

    private static void NoVulnerableStructure(Lesion l, FieldPaths path, CriteriaList c) =>
        NoAdjacent("no-vulnerable-structure", CaseVocabulary.ThermallyVulnerableStructures, l, path, c);

    private static readonly string[] AirwayOrHeartStructures = ["large-bronchus", "heart", "trachea", "oesophagus"];

    private static void AirwayOrHeart(Lesion l, FieldPaths path, CriteriaList c) =>
        NoAdjacent("no-critical-airway-or-heart", AirwayOrHeartStructures, l, path, c);

    private static void AvoidHollowViscera(Lesion l, FieldPaths path, CriteriaList c) =>
        NoAdjacent("avoid-hollow-viscera", CaseVocabulary.HollowViscera, l, path, c);

    /// <summary>An advisory criterion met when the lesion abuts none of <paramref name="structures"/>.</summary>
    private static void NoAdjacent(string id, IReadOnlyList<string> structures, Lesion l, FieldPaths path, CriteriaList c)
    {
        if (l.AdjacentStructures is not { } s)
        {
            c.Unknown(id, Advisory, path.Missing("adjacentStructures"));
        }
        else if (FirstOf(s, structures) is { } hit)
        {
            c.Failed(id, Advisory, text: hit);
        }
        else
        {
            c.MetAdvisory(id);
        }
    }

    private static void Resectability(Lesion l, FieldPaths path, CriteriaList c)
    {
        switch (l.SurgicalAssessment)
        {
            case SurgicalAssessment.Resectable: c.Met("surgical-resectability", text: "resectable"); break;
            case SurgicalAssessment.ResectableWithDifficulty: c.Failed("surgical-resectability", Advisory, text: "resectable-with-difficulty"); break;
            case SurgicalAssessment.Unresectable: c.Failed("surgical-resectability", Required, text: "unresectable"); break;
            default: c.Unknown("surgical-resectability", Required, path.Missing("surgicalAssessment")); break;
        }
    }

    private void FutureLiverRemnant(CaseContext ctx, CriteriaList c)
    {
        if (ctx.Patient.Liver?.FutureLiverRemnantPercent is not { } flr)
        {
            c.Unknown("future-liver-remnant", Advisory, "patient.liver.futureLiverRemnantPercent");
        }
        else if (flr > _rules.FutureLiverRemnantRiskPercent)
        {
            c.MetAdvisory("future-liver-remnant", flr);
        }
        else
        {
            c.Failed("future-liver-remnant", Advisory, flr);
        }
    }

    private static void NoCirrhosis(CaseContext ctx, CriteriaList c)
    {
        switch (ctx.Patient.Liver?.Cirrhosis)
        {
            case null: c.Unknown("no-cirrhosis", Advisory, "patient.liver.cirrhosis"); break;
            case false: c.MetAdvisory("no-cirrhosis"); break;
            case true: c.Failed("no-cirrhosis", Advisory, text: "cirrhosis"); break;
        }
    }

    private void PerformanceStatus(CaseContext ctx, CriteriaList c, CriterionSeverity severity)
    {
        if (ctx.Patient.Ecog is not { } ecog)
        {
            c.Unknown("performance-status", severity, "patient.ecog");
        }
        else if (ecog <= _rules.EcogMaxForLocalTherapy)
        {
            c.Add("performance-status", CriterionStatus.Met, severity, ecog);
        }
        else
        {
            c.Failed("performance-status", severity, ecog);
        }
    }

    private static void RasMarginAdvice(CaseContext ctx, CriteriaList c)
    {
        switch (ctx.Patient.RasStatus)
        {
            case MutationStatus.WildType: c.MetAdvisory("ras-margin-advice", text: "wild-type"); break;
            case MutationStatus.Mutant: c.Failed("ras-margin-advice", Advisory, text: "mutant"); break;
            default: c.Unknown("ras-margin-advice", Advisory, "patient.rasStatus"); break;
        }
    }

    private void IreSize(Lesion l, FieldPaths path, CriteriaList c)
    {
        if (l.LongestDiameterMm is not { } d)
        {
            c.Unknown("size-ire", Required, path.Missing("longestDiameterMm"));
        }
        else if (d < _rules.SmallLesionMaxMm)
        {
            c.Met("size-ire", d);
        }
        else if (d <= _rules.IreMaxDiameterMm)
        {
            c.Failed("size-ire", Advisory, d);
        }
        else
        {
            c.Failed("size-ire", Required, d);
        }
    }

    private static void IreUnsuitableForResection(Lesion l, FieldPaths path, CriteriaList c)
    {
        switch (l.SurgicalAssessment)
        {
            case SurgicalAssessment.Unresectable: c.Met("unsuitable-for-resection", text: "unresectable"); break;
            case SurgicalAssessment.ResectableWithDifficulty: c.Failed("unsuitable-for-resection", Advisory, text: "resectable-with-difficulty"); break;
            case SurgicalAssessment.Resectable: c.Failed("unsuitable-for-resection", Required, text: "resectable"); break;
            default: c.Unknown("unsuitable-for-resection", Required, path.Missing("surgicalAssessment")); break;
        }
    }

    private void IreLocation(Lesion l, FieldPaths path, CriteriaList c)
    {
        // Kleene OR of "central" and "abuts a structure that forbids heat": met if either is true,
        // failed only when both are known to be false.
        var central = l.DistanceToHilumMm is { } h ? h < _rules.HilumCautionMm : (bool?)null;
        var structure = l.AdjacentStructures is { } s ? FirstOf(s, IreLocationStructures) : null;
        var structureKnown = l.AdjacentStructures is not null;
        if (central == true)
        {
            c.Met("unsuitable-for-thermal-ablation-by-location", l.DistanceToHilumMm, "central (near the hilum)");
        }
        else if (structure is not null)
        {
            c.Met("unsuitable-for-thermal-ablation-by-location", text: structure);
        }
        else if (central == false && structureKnown)
        {
            c.Failed("unsuitable-for-thermal-ablation-by-location", Required, l.DistanceToHilumMm, "thermal ablation not prevented by location");
        }
        else
        {
            var missing = new List<string>(2);
            if (central is null)
            {
                missing.Add(path.Of("distanceToHilumMm"));
            }

            if (!structureKnown)
            {
                missing.Add(path.Of("adjacentStructures"));
            }

            c.Unknown("unsuitable-for-thermal-ablation-by-location", Required, [.. missing]);
        }
    }

    private void SbrtSize(Lesion l, FieldPaths path, CriteriaList c)
    {
        if (l.LongestDiameterMm is not { } d)
        {
            c.Unknown("size-sbrt", Required, path.Missing("longestDiameterMm"));
        }
        else if (d <= _rules.IntermediateLesionMaxMm)
        {
            c.Met("size-sbrt", d);
        }
        else
        {
            c.Failed("size-sbrt", Required, d);
        }
    }

    // ---------------------------------------------------------------- patient

    private DiseaseSummary SummariseDisease(CaseContext ctx)
    {
        var byOrgan = new Dictionary<Organ, int>();
        foreach (var l in ctx.Case.Lesions)
        {
            byOrgan[l.Organ] = byOrgan.GetValueOrDefault(l.Organ) + 1;
        }

        var label = ctx.OligometastaticEligibility switch
        {
            Eligibility.Eligible => "yes",
            Eligibility.Caution => "borderline",
            Eligibility.NotEligible => "no",
            _ => "unknown",
        };
        return new DiseaseSummary(ctx.Case.Lesions.Count, byOrgan, ctx.LiverOnly, ctx.ExtrahepaticDisease, label, ctx.OligometastaticCriteria);
    }

    private TherapyOption[] AssessPatient(CaseContext ctx, LesionAssessment[] lesions)
    {
        var options = new TherapyOption[]
        {
            CurativeLocal(ctx, lesions),
            IntraArterial(Therapy.Haic, ctx, lesions),
            IntraArterial(Therapy.Sirt, ctx, lesions),
            Systemic(ctx),
        };
        return Rank(options, PatientStrategyOrder);
    }

    private TherapyOption CurativeLocal(CaseContext ctx, LesionAssessment[] lesions)
    {
        var c = new CriteriaList(_rules);
        var plan = new List<LesionPlan>(lesions.Length);
        var anyNot = false;
        var anyUnknown = false;
        string? firstUntreatable = null;
        string? firstSbrtOnly = null;
        foreach (var la in lesions)
        {
            // Curative intent rests on resection and ablation (DR-02); SBRT alone counts only with caution.
            var best = BestEligibility(la, ResectOrAblate);
            if (best == Eligibility.NotEligible)
            {
                var sbrt = BestEligibility(la, SbrtOnly);
                if (sbrt is Eligibility.Eligible or Eligibility.Caution)
                {
                    firstSbrtOnly ??= la.LesionId;
                    best = Eligibility.Caution;
                }
                else
                {
                    best = sbrt; // unknown stays unknown: missing data must never read as "untreatable"
                }
            }

            anyNot |= best == Eligibility.NotEligible;
            anyUnknown |= best == Eligibility.Unknown;
            if (best == Eligibility.NotEligible)
            {
                firstUntreatable ??= la.LesionId;
            }

            var usable = new List<Therapy>(3);
            foreach (var o in la.Options)
            {
                if (o.Eligibility is Eligibility.Eligible or Eligibility.Caution)
                {
                    usable.Add(o.Therapy);
                }
            }

            plan.Add(new LesionPlan(la.LesionId, usable));
        }

        if (anyNot)
        {
            c.Failed("all-lesions-locally-treatable", Required, text: $"lesion {firstUntreatable} has no eligible local option");
        }
        else if (anyUnknown)
        {
            c.UnknownWithText("all-lesions-locally-treatable", Required, "some lesions need more data (see their options)");
        }
        else if (firstSbrtOnly is not null)
        {
            c.Failed("all-lesions-locally-treatable", Advisory, lesions.Length, $"lesion {firstSbrtOnly} only by SBRT, whose curative role is not established in the evidence base");
        }
        else
        {
            c.Met("all-lesions-locally-treatable", lesions.Length);
        }

        c.Add("oligometastatic", ctx.OligometastaticEligibility switch
        {
            Eligibility.Eligible => CriterionStatus.Met,
            Eligibility.Unknown => CriterionStatus.Unknown,
            _ => CriterionStatus.Failed,
        }, ctx.OligometastaticEligibility == Eligibility.Caution ? Advisory : Required, ctx.Case.Lesions.Count);
        PerformanceStatus(ctx, c, Required);
        switch (ctx.Patient.Primary?.Resected)
        {
            case null: c.Unknown("primary-controlled", Advisory, "patient.primary.resected"); break;
            case true: c.MetAdvisory("primary-controlled"); break;
            case false: c.Failed("primary-controlled", Advisory, text: "primary in place"); break;
        }

        switch (ctx.Patient.TreatmentIntentPreference)
        {
            case null: c.Unknown("intent-preference-curative", Advisory, "patient.treatmentIntentPreference"); break;
            case TreatmentIntent.Curative or TreatmentIntent.NoPreference:
                c.MetAdvisory("intent-preference-curative", text: CaseVocabulary.ToJson(ctx.Patient.TreatmentIntentPreference.Value));
                break;
            default:
                c.Failed("intent-preference-curative", Advisory, text: CaseVocabulary.ToJson(ctx.Patient.TreatmentIntentPreference.Value));
                break;
        }

        var flags = new List<string>(4) { "always" };
        if (ctx.LiverOnly && ctx.LiverCount <= _rules.OligometastaticMaxLiverOnlyLesions && ctx.AllLiverSmall)
        {
            flags.Add("liver-only-collision");
        }

        if (ctx.AnyLiverUnresectable)
        {
            flags.Add("liver-unresectable");
        }

        if (ctx.LiverCount > 0)
        {
            flags.Add("liver-present");
        }

        if (ctx.LesionsIn(Organ.Lung) > 0)
        {
            flags.Add("lung-present");
        }

        var notes = new List<string> { "Curative intent only if all visible disease can be treated, possibly by combining resection and ablation (G4, DR-02); provisional until the MDT validates it." };
        return new TherapyOption(Therapy.CurativeLocal, CriteriaList.Aggregate(c.Items), c.Items, Outcomes(Therapy.CurativeLocal, "any", flags), notes)
        {
            Plan = plan,
        };
    }

    private TherapyOption IntraArterial(Therapy therapy, CaseContext ctx, LesionAssessment[] lesions)
    {
        var c = new CriteriaList(_rules);
        if (ctx.LiverCount > 0)
        {
            c.Met("liver-disease-present", ctx.LiverCount);
        }
        else
        {
            c.Failed("liver-disease-present", Required, 0);
        }

        LiverOnlyOrDominant(ctx, c);
        LiverNotLocallyTreatable(ctx, lesions, c);
        if (ctx.Patient.Ecog is not { } ecog)
        {
            c.Unknown("performance-status-intra-arterial", Required, "patient.ecog");
        }
        else if (ecog <= _rules.EcogMaxForIntraArterial)
        {
            c.Met("performance-status-intra-arterial", ecog);
        }
        else if (ecog <= _rules.EcogMaxForLocalTherapy)
        {
            c.Failed("performance-status-intra-arterial", Advisory, ecog);
        }
        else
        {
            c.Failed("performance-status-intra-arterial", Required, ecog);
        }

        var setting = therapy == Therapy.Haic ? HaicSetting(ctx, c) : SirtSetting(ctx, c);
        if (therapy == Therapy.Sirt)
        {
            NoCirrhosis(ctx, c);
        }

        if (ctx.Patient.Liver?.BilirubinUmolPerL is not { } bilirubin)
        {
            c.Unknown("bilirubin", Advisory, "patient.liver.bilirubinUmolL");
        }
        else if (bilirubin <= _rules.BilirubinMaxUmolL)
        {
            c.MetAdvisory("bilirubin", bilirubin);
        }
        else
        {
            c.Failed("bilirubin", Advisory, bilirubin);
        }

        var notes = new List<string>(1);
        if (therapy == Therapy.Haic)
        {
            notes.Add("HAIC oxaliplatin is given with systemic LV5FU2 (± targeted therapy); reassess resectability and ablatability after 2-4 months. Evidence is from single-arm series; the phase 3 OSCAR result is not in the evidence base (H1, H2).");
        }
        else
        {
            notes.Add("First-line SIRT with chemotherapy improves liver progression-free survival only; it is not proposed for overall survival (S1, S2).");
        }

        var flags = setting is null ? ["always"] : new[] { "always", setting };
        return new TherapyOption(therapy, CriteriaList.Aggregate(c.Items), c.Items, Outcomes(therapy, "any", flags), notes) { Setting = setting };
    }

    private void LiverOnlyOrDominant(CaseContext ctx, CriteriaList c)
    {
        if (ctx.LiverCount == 0)
        {
            c.Failed("liver-only-or-dominant", Required, text: "no liver disease");
            return;
        }

        if (ctx.LiverOnly)
        {
            c.Met("liver-only-or-dominant", text: "liver-only");
            return;
        }

        // Liver-dominant (OSCAR): extrahepatic disease only as a few small lung nodules.
        var lungNodules = 0;
        var unknownSizes = new List<string>();
        var otherOrgan = false;
        var tooLarge = false;
        for (var i = 0; i < ctx.Case.Lesions.Count; i++)
        {
            var l = ctx.Case.Lesions[i];
            if (l.Organ == Organ.Liver)
            {
                continue;
            }

            if (l.Organ != Organ.Lung)
            {
                otherOrgan = true;
                continue;
            }

            lungNodules++;
            if (l.LongestDiameterMm is not { } d)
            {
                unknownSizes.Add($"lesions[{i}].longestDiameterMm");
            }
            else if (d >= _rules.LiverDominantMaxLungNoduleMm)
            {
                tooLarge = true;
            }
        }

        if (otherOrgan || tooLarge || lungNodules > _rules.LiverDominantMaxLungNodules)
        {
            c.Failed("liver-only-or-dominant", Required, text: "extrahepatic disease beyond a few small lung nodules");
        }
        else if (unknownSizes.Count > 0)
        {
            c.Unknown("liver-only-or-dominant", Required, [.. unknownSizes]);
        }
        else
        {
            c.Met("liver-only-or-dominant", lungNodules, "liver-dominant (small lung nodules)");
        }
    }

    private void LiverNotLocallyTreatable(CaseContext ctx, LesionAssessment[] lesions, CriteriaList c)
    {
        if (ctx.LiverCount == 0)
        {
            c.Failed("liver-not-locally-treatable", Required, text: "no liver disease");
            return;
        }

        if (ctx.LiverCount > _rules.OligometastaticMaxLiverOnlyLesions)
        {
            c.Met("liver-not-locally-treatable", ctx.LiverCount, "too many liver metastases for complete local treatment");
            return;
        }

        var anyUnknown = false;
        foreach (var la in lesions)
        {
            if (la.Organ != Organ.Liver)
            {
                continue;
            }

            var best = BestEligibility(la, ResectOrAblate);
            if (best == Eligibility.NotEligible)
            {
                c.Met("liver-not-locally-treatable", text: $"lesion {la.LesionId} can be neither resected nor ablated");
                return;
            }

            anyUnknown |= best == Eligibility.Unknown;
        }

        if (anyUnknown)
        {
            c.UnknownWithText("liver-not-locally-treatable", Required, "resectability or ablatability of some liver lesions is unknown (see their options)");
        }
        else
        {
            c.Failed("liver-not-locally-treatable", Required, text: "every liver lesion can be resected or ablated: local treatment comes first (adjuvant HAI after resection is an option in experienced centres, H3, H4)");
        }
    }

    private static string? HaicSetting(CaseContext ctx, CriteriaList c)
    {
        var lines = ctx.Patient.PriorSystemicTherapy;
        if (lines is null)
        {
            c.Unknown("haic-setting", Required, "patient.priorSystemicTherapy");
            return null;
        }

        if (lines.Count == 0)
        {
            c.Met("haic-setting", text: "first-line");
            return "first-line";
        }

        var oxaliplatinUnclear = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.ContainsOxaliplatin == true && line.Progressed == true)
            {
                c.Met("haic-setting", text: "oxaliplatin-rechallenge");
                return "oxaliplatin-rechallenge";
            }

            oxaliplatinUnclear |= line.Progressed != false && (line.ContainsOxaliplatin is null || line.Progressed is null);
        }

        if (oxaliplatinUnclear)
        {
            var missing = new List<string>();
            for (var i = 0; i < lines.Count; i++)
            {
                if (lines[i].ContainsOxaliplatin is null)
                {
                    missing.Add($"patient.priorSystemicTherapy[{i}].containsOxaliplatin");
                }

                if (lines[i].Progressed is null)
                {
                    missing.Add($"patient.priorSystemicTherapy[{i}].progressed");
                }
            }

            c.Unknown("haic-setting", Required, [.. missing]);
            return null;
        }

        c.Met("haic-setting", lines.Count, "later-line");
        return "later-line";
    }

    private static string? SirtSetting(CaseContext ctx, CriteriaList c)
    {
        var lines = ctx.Patient.PriorSystemicTherapy;
        if (lines is null)
        {
            c.Unknown("sirt-setting", Required, "patient.priorSystemicTherapy");
            return null;
        }

        var progressed = 0;
        var unclear = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            switch (lines[i].Progressed)
            {
                case true: progressed++; break;
                case null: unclear.Add($"patient.priorSystemicTherapy[{i}].progressed"); break;
            }
        }

        if (progressed == 0 && unclear.Count > 0)
        {
            c.Unknown("sirt-setting", Required, [.. unclear]);
            return null;
        }

        switch (progressed)
        {
            case 0:
                c.Failed("sirt-setting", Advisory, text: "first-line");
                return "first-line";
            case 1:
                c.Met("sirt-setting", 1, "second-line");
                return "second-line";
            default:
                c.Met("sirt-setting", progressed, "salvage");
                return "salvage";
        }
    }

    private TherapyOption Systemic(CaseContext ctx)
    {
        var c = new CriteriaList(_rules);
        c.Met("systemic-backbone");
        if (ctx.Patient.Ecog is not { } ecog)
        {
            c.Unknown("performance-status-systemic", Advisory, "patient.ecog");
        }
        else if (ecog <= _rules.EcogMaxForLocalTherapy)
        {
            c.MetAdvisory("performance-status-systemic", ecog);
        }
        else
        {
            c.Failed("performance-status-systemic", Advisory, ecog);
        }

        var notes = new List<string> { "Alone when no local strategy fits; around local therapy otherwise. Regimen choice (RAS, BRAF, MSI status, sidedness) is for the oncologist and outside this rule set." };
        var flags = ctx.LiverCount > 0 ? new[] { "always", "liver-present" } : ["always"];
        return new TherapyOption(Therapy.Systemic, CriteriaList.Aggregate(c.Items), c.Items, Outcomes(Therapy.Systemic, "any", flags), notes);
    }

    // ---------------------------------------------------------------- outcomes, missing data

    private IReadOnlyList<ExpectedOutcome> Outcomes(Therapy therapy, string organ, IReadOnlyList<string> flags)
    {
        var mask = 0;
        foreach (var flag in flags)
        {
            mask |= 1 << Array.IndexOf(OutcomeFlags, flag);
        }

        return Outcomes(therapy, organ, mask);
    }

    /// <summary>The outcome figures for a therapy, organ and set of situations (a bit mask over <see cref="OutcomeFlags"/>),
    /// memoised: there are few distinct combinations, and the engine runs on every keystroke.</summary>
    private ExpectedOutcome[] Outcomes(Therapy therapy, string organ, int mask)
    {
        // Key: therapy, organ and situation mask packed into one long (no string hashing on the hot path).
        var key = ((long)therapy << 40) | ((long)OrganIndex(organ) << 32) | (uint)mask;
        if (_outcomeCache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var result = new List<ExpectedOutcome>();
        for (var bit = 0; bit < OutcomeFlags.Length; bit++)
        {
            if ((mask & (1 << bit)) != 0 && _outcomes.TryGetValue((therapy, organ, OutcomeFlags[bit]), out var hits))
            {
                foreach (var h in hits)
                {
                    if (!result.Exists(x => x.Reference == h.Reference))
                    {
                        result.Add(h);
                    }
                }
            }
        }

        var array = result.ToArray();
        _outcomeCache.TryAdd(key, array);
        return array;
    }

    private int LesionFlags(Lesion l, Patient patient)
    {
        var mask = FlagAlways;
        if (patient.RasStatus == MutationStatus.Mutant)
        {
            mask |= FlagRasMutant;
        }

        if (l.LongestDiameterMm is { } d)
        {
            mask |= d < _rules.SmallLesionMaxMm ? FlagSmall : d <= _rules.IntermediateLesionMaxMm ? FlagIntermediate : FlagLarge;
        }

        if (l.DistanceToLargeVesselMm is { } v && v < _rules.PerivascularDistanceMm)
        {
            mask |= FlagPerivascular;
        }

        if (l.SurgicalAssessment == SurgicalAssessment.Unresectable)
        {
            mask |= FlagUnresectable;
        }

        mask |= l.Intent switch
        {
            BoneLesionIntent.PalliativePain => FlagPalliativePain,
            BoneLesionIntent.Curative => FlagCurative,
            _ => 0,
        };
        return mask;
    }

    private static int Flag(string name) => 1 << Array.IndexOf(OutcomeFlags, name);

    private static readonly int FlagAlways = Flag("always");
    private static readonly int FlagRasMutant = Flag("ras-mutant");
    private static readonly int FlagSmall = Flag("small");
    private static readonly int FlagIntermediate = Flag("intermediate");
    private static readonly int FlagLarge = Flag("large");
    private static readonly int FlagPerivascular = Flag("perivascular");
    private static readonly int FlagUnresectable = Flag("unresectable");
    private static readonly int FlagPalliativePain = Flag("palliative-pain");
    private static readonly int FlagCurative = Flag("curative");

    private static int OrganIndex(string organ) => organ switch
    {
        "liver" => 0,
        "lung" => 1,
        "bone" => 2,
        "any" => 3,
        _ => 4,
    };

    private static List<MissingDataItem> CollectMissingData(LesionAssessment[] lesions, IReadOnlyList<TherapyOption> patientOptions, DiseaseSummary disease)
    {
        // Few fields are missing per case: a list searched linearly beats a dictionary here (no hashing, one allocation).
        List<(string Field, List<MissingDataNeed> Needs, bool Required)>? found = null;

        void Collect(string owner, Therapy? therapy, List<CriterionResult> criteria)
        {
            foreach (var cr in criteria)
            {
                if (cr.Status != CriterionStatus.Unknown || cr.MissingFields.Count == 0)
                {
                    continue;
                }

                found ??= new(8);
                foreach (var field in cr.MissingFields)
                {
                    // Paths of one lesion are shared instances (FieldPaths) and patient paths are literals, so a pass
                    // comparing references finds almost every repeat; characters are compared only for a new field.
                    var i = 0;
                    while (i < found.Count && !ReferenceEquals(found[i].Field, field))
                    {
                        i++;
                    }

                    if (i == found.Count)
                    {
                        i = 0;
                        while (i < found.Count && !string.Equals(found[i].Field, field, StringComparison.Ordinal))
                        {
                            i++;
                        }
                    }

                    if (i == found.Count)
                    {
                        found.Add((field, new List<MissingDataNeed>(4), false));
                    }

                    // Each (owner, therapy, criterion) lists a field once, so needs are unique without a search.
                    var entry = found[i];
                    entry.Needs.Add(new MissingDataNeed(owner, therapy, cr.Id));

                    if (!entry.Required && cr.Severity == Required)
                    {
                        found[i] = (entry.Field, entry.Needs, true);
                    }
                }
            }
        }

        foreach (var la in lesions)
        {
            string? owner = null;
            foreach (var option in la.Options)
            {
                if (HasUnknown(option.CriteriaList))
                {
                    Collect(owner ??= "lesion " + la.LesionId, option.Therapy, option.CriteriaList);
                }
            }
        }

        Collect("patient", null, (List<CriterionResult>)disease.OligometastaticCriteria);
        foreach (var option in patientOptions)
        {
            Collect("patient", option.Therapy, option.CriteriaList);
        }

        if (found is null)
        {
            return [];
        }

        var result = new List<MissingDataItem>(found.Count);
        foreach (var (field, needs, required) in found)
        {
            result.Add(new MissingDataItem(field, needs, required));
        }

        return result;
    }

    private static bool HasUnknown(List<CriterionResult> criteria)
    {
        foreach (var c in criteria)
        {
            if (c.Status == CriterionStatus.Unknown)
            {
                return true;
            }
        }

        return false;
    }

    private static readonly int[] PatientStrategyOrder = [0, 1, 2, 3];

    /// <summary>Orders options by eligibility, then by the given preference (index → place), and numbers them from 1.
    /// An insertion sort: six options at most, and no allocation beyond the result.</summary>
    private static TherapyOption[] Rank(TherapyOption[] options, int[] preference)
    {
        var ranked = new TherapyOption[options.Length];
        var keys = new int[options.Length];
        for (var i = 0; i < options.Length; i++)
        {
            var key = ((int)options[i].Eligibility * 64) + preference[i];
            var j = i;
            while (j > 0 && keys[j - 1] > key)
            {
                keys[j] = keys[j - 1];
                ranked[j] = ranked[j - 1];
                j--;
            }

            keys[j] = key;
            ranked[j] = options[i];
        }

        for (var r = 0; r < ranked.Length; r++)
        {
            ranked[r].Rank = r + 1;
        }

        return ranked;
    }

    private static Eligibility BestEligibility(LesionAssessment la, Therapy[] among)
    {
        var best = Eligibility.NotEligible;
        foreach (var o in la.Options)
        {
            if (Array.IndexOf(among, o.Therapy) >= 0 && o.Eligibility < best)
            {
                best = o.Eligibility;
            }
        }

        return best;
    }

    private static string? FirstOf(IReadOnlyList<string> present, IReadOnlyList<string> wanted)
    {
        foreach (var s in present)
        {
            foreach (var w in wanted)
            {
                if (s == w)
                {
                    return s;
                }
            }
        }

        return null;
    }

    private static string OrganKey(Organ organ) => organ switch
    {
        Organ.Liver => "liver",
        Organ.Lung => "lung",
        Organ.Bone => "bone",
        _ => "other",
    };

    private static string Fmt(double v) => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Notes of one option, allocated only when there is one (most options have none or one).</summary>
internal sealed class Notes
{
    private List<string>? _items;

    public void Add(string note) => (_items ??= new List<string>(2)).Add(note);

    public IReadOnlyList<string> ToList() => _items is null ? [] : _items;
}

/// <summary>
/// JSON paths of one lesion's fields (<c>lesions[3].distanceToHilumMm</c>), built once per lesion and field and shared
/// by every option that needs them: the same missing field is reported by up to six options.
/// </summary>
internal sealed class FieldPaths(int index)
{
    private readonly string _prefix = "lesions[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "].";
    private (string Field, string[] Paths)[] _cache = [];

    /// <summary>The path of <paramref name="field"/> as a one-element array (the shape criteria store).</summary>
    public string[] Missing(string field)
    {
        foreach (var (f, paths) in _cache)
        {
            if (ReferenceEquals(f, field) || f == field)
            {
                return paths;
            }
        }

        string[] made = [_prefix + field];
        _cache = [.. _cache, (field, made)];
        return made;
    }

    /// <summary>The path of <paramref name="field"/>.</summary>
    public string Of(string field) => Missing(field)[0];
}
