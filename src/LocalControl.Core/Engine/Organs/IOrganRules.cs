using LocalControl.Core.Cases;
using LocalControl.Core.Engine.Criteria;

namespace LocalControl.Core.Engine.Organs;

/// <summary>
/// The criteria of every local therapy for lesions of one organ. Adding an organ: a class like
/// <see cref="LungRules"/>, a line in <see cref="OrganRuleSets"/>, and its rows in the rule set (docs/engine.md).
/// </summary>
internal interface IOrganRules
{
    /// <summary>The organ these rules judge.</summary>
    Organ Organ { get; }

    /// <summary>Rule-set key of the organ (<c>liver</c>, <c>lung</c>, <c>bone</c>): criterion variants, preferences, outcomes.</summary>
    string Key { get; }

    /// <summary>Adds the criteria of <paramref name="therapy"/> for one lesion, and its clinical notes.</summary>
    void Assess(Therapy therapy, LesionInput lesion, CriteriaList criteria, Notes notes);
}

/// <summary>
/// The organ rule sets by organ, found once at start-up among this assembly's <see cref="IOrganRules"/> classes (a new
/// organ's class is picked up without a registration list); organs without one get <see cref="OtherOrganRules"/>.
/// </summary>
internal static class OrganRuleSets
{
    private static readonly Dictionary<Organ, IOrganRules> ByOrgan = typeof(IOrganRules).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IOrganRules).IsAssignableFrom(t) && t != typeof(OtherOrganRules))
        .Select(t => (IOrganRules)Activator.CreateInstance(t)!)
        .ToDictionary(r => r.Organ);

    private static readonly IOrganRules Other = new OtherOrganRules();

    public static IOrganRules For(Organ organ) => ByOrgan.TryGetValue(organ, out var r) ? r : Other;
}

/// <summary>An organ the rule set has no criteria for: every option is unknown, for the MDT to judge.</summary>
internal sealed class OtherOrganRules : IOrganRules
{
    public Organ Organ => Organ.Other;

    public string Key => "other";

    public void Assess(Therapy therapy, LesionInput lesion, CriteriaList criteria, Notes notes) =>
        criteria.UnknownWithText("organ-in-rule-set", CriterionSeverity.Required, CaseVocabulary.ToJson(lesion.Lesion.Organ));
}
