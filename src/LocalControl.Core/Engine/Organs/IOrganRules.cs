using LocalControl.Core.Cases;
using LocalControl.Core.Engine.Criteria;

namespace LocalControl.Core.Engine.Organs;

/// <summary>
/// The criteria of every local therapy for lesions of one organ. Adding an organ: a class like
/// <see cref="LungRules"/>, a line in <see cref="OrganRuleSets"/>, and its rows in the rule set (docs/engine.md).
/// </summary>
internal interface IOrganRules
{
    /// <summary>Rule-set key of the organ (<c>liver</c>, <c>lung</c>, <c>bone</c>): criterion variants, preferences, outcomes.</summary>
    string Key { get; }

    /// <summary>Adds the criteria of <paramref name="therapy"/> for one lesion, and its clinical notes.</summary>
    void Assess(Therapy therapy, LesionInput lesion, CriteriaList criteria, Notes notes);
}

/// <summary>The organ rule sets by organ; organs without one get <see cref="OtherOrganRules"/>.</summary>
internal static class OrganRuleSets
{
    private static readonly Dictionary<Organ, IOrganRules> ByOrgan = new()
    {
        [Organ.Liver] = new LiverRules(),
        [Organ.Lung] = new LungRules(),
        [Organ.Bone] = new BoneRules(),
    };

    private static readonly IOrganRules Other = new OtherOrganRules();

    public static IOrganRules For(Organ organ) => ByOrgan.TryGetValue(organ, out var r) ? r : Other;
}

/// <summary>An organ the rule set has no criteria for: every option is unknown, for the MDT to judge.</summary>
internal sealed class OtherOrganRules : IOrganRules
{
    public string Key => "other";

    public void Assess(Therapy therapy, LesionInput lesion, CriteriaList criteria, Notes notes) =>
        criteria.UnknownWithText("organ-in-rule-set", CriterionSeverity.Required, CaseVocabulary.ToJson(lesion.Lesion.Organ));
}
