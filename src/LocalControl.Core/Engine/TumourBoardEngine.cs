using LocalControl.Core.Cases;
using LocalControl.Core.Engine.Criteria;
using LocalControl.Core.Engine.Organs;
using LocalControl.Core.Engine.Outcomes;
using LocalControl.Core.Engine.Strategies;
using LocalControl.Core.Evidence;
using LocalControl.Core.Rules;
using LocalControl.Core.Scores;

namespace LocalControl.Core.Engine;

/// <summary>
/// The tumour-board engine: assesses every lesion against each tool of the local-therapy box (the lesion therapies
/// of <see cref="TherapyNames.All"/>, judged by the lesion's organ rule set) and the patient against the patient-level
/// strategies (curative-intent local treatment of all disease, HAIC, SIRT, systemic therapy). Every criterion is met,
/// failed or unknown with its evidence and a reason in words; every expected outcome carries its source and is
/// attached only where its population fits. It never decides: it ranks, explains and lists missing data.
/// Immutable and thread-safe (docs/engine.md has the map of the files).
/// </summary>
public sealed class TumourBoardEngine
{
    private static readonly Lazy<TumourBoardEngine> DefaultEngine = new(() => new TumourBoardEngine(RuleSet.Default, EvidenceBase.Default));

    private readonly OutcomeSelector _outcomes;

    /// <summary>Creates an engine for a rule set and an evidence base (the rule set's figures must exist in it).</summary>
    public TumourBoardEngine(RuleSet rules, EvidenceBase evidence)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(evidence);
        Rules = rules;
        Evidence = evidence;
        _outcomes = new OutcomeSelector(rules, evidence);
    }

    /// <summary>The engine with the embedded rule set and evidence base.</summary>
    public static TumourBoardEngine Default => DefaultEngine.Value;

    /// <summary>The rule set in use.</summary>
    public RuleSet Rules { get; }

    /// <summary>The evidence base in use.</summary>
    public EvidenceBase Evidence { get; }

    /// <summary>Assesses a case.</summary>
    /// <exception cref="LocalControlInputException">The case has more lesions than the rule set's <c>maxLesionsPerCase</c>.</exception>
    public Assessment Assess(MetastaticCase @case)
    {
        ArgumentNullException.ThrowIfNull(@case);
        if (@case.Lesions.Count > Rules.MaxLesionsPerCase)
        {
            throw new LocalControlInputException(
                $"lesions: {@case.Lesions.Count} lesions, more than the {ReasonText.Number(Rules.MaxLesionsPerCase)} a case may hold (rule-set threshold maxLesionsPerCase); widespread disease is for systemic therapy and the MDT, not lesion-by-lesion local options");
        }

        var context = new CaseContext(@case, Rules);
        var lesions = new LesionAssessment[@case.Lesions.Count];
        for (var i = 0; i < lesions.Length; i++)
        {
            lesions[i] = AssessLesion(@case.Lesions[i], i, context);
        }

        var plan = new DiseasePlan(context, lesions);
        var patientOptions = Ranking.RankPatientOptions(
        [
            CurativeLocalStrategy.Assess(context, plan, _outcomes),
            IntraArterialStrategy.Assess(Therapy.Haic, context, plan, _outcomes),
            IntraArterialStrategy.Assess(Therapy.Sirt, context, plan, _outcomes),
            SystemicStrategy.Assess(context, _outcomes),
        ]);
        var disease = SummariseDisease(context);
        var scores = PrognosticScoreCalculator.Compute(@case);
        var missing = MissingDataCollector.Collect(lesions, patientOptions);
        return new Assessment(@case.CaseId, Rules.DisplayVersion, Evidence.Version, lesions, patientOptions, disease, scores, missing);
    }

    private LesionAssessment AssessLesion(Lesion lesion, int index, CaseContext ctx)
    {
        var input = new LesionInput(lesion, FieldPaths.For(index), ctx);
        var organRules = OrganRuleSets.For(lesion.Organ);
        var levels = Rules.EvidenceLevelByOrgan.TryGetValue(organRules.Key, out var l) ? l : null;
        var therapies = TherapyNames.LesionTherapies;
        var options = new TherapyOption[therapies.Count];
        var criteria = new CriteriaList(Rules, organRules.Key);
        for (var t = 0; t < therapies.Count; t++)
        {
            var therapy = therapies[t].Therapy;
            criteria.Clear();
            var notes = new Notes();
            organRules.Assess(therapy, input, criteria, notes);
            if (criteria.Items.Count == 0)
            {
                // An organ's rules that do not judge a therapy never leave it "eligible" by having no criteria.
                criteria.Failed("organ-evidence", CriterionSeverity.Required, reason: "no-criteria");
            }

            if (lesion.PriorLocalTreatment is { Length: > 0 } prior)
            {
                notes.Add("Previously treated: " + prior);
            }

            var level = levels is not null && levels.TryGetValue(therapies[t].Id, out var v) ? v : 4;
            options[t] = criteria.ToOption(therapy, _outcomes.ForLesion(therapy, organRules.Key, input), notes.ToList(), level);
        }

        var preference = Rules.PreferenceByOrgan.TryGetValue(organRules.Key, out var p) ? p : Rules.PreferenceByOrgan["other"];
        return new LesionAssessment(lesion.Id, lesion.Organ, Ranking.RankLesionOptions(options, preference));
    }

    private static DiseaseSummary SummariseDisease(CaseContext ctx)
    {
        var byOrgan = new Dictionary<Organ, int>(ctx.CountByOrgan);
        var lesionCountFailed = false;
        foreach (var c in ctx.OligometastaticCriteria)
        {
            lesionCountFailed |= c.Id == "oligometastatic-lesion-count" && c.Status == CriterionStatus.Failed;
        }

        var label = lesionCountFailed || ctx.OrganCount > ctx.Rules.OligometastaticMaxOrgans + 1 ? "no"
            : ctx.OrganCount > ctx.Rules.OligometastaticMaxOrgans ? "borderline"
            : "yes";
        return new DiseaseSummary(ctx.Case.Lesions.Count, byOrgan, ctx.LiverOnly, ctx.ExtrahepaticDisease, label, ctx.OligometastaticCriteria);
    }
}
