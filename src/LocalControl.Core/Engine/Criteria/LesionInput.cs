using LocalControl.Core.Cases;

namespace LocalControl.Core.Engine.Criteria;

/// <summary>What a lesion criterion looks at: the lesion, its field paths, and the case around it.</summary>
internal sealed record LesionInput(Lesion Lesion, FieldPaths Path, CaseContext Case)
{
    public Rules.RuleSet Rules => Case.Rules;
}
