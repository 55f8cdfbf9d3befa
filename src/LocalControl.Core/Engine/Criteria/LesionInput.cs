using LocalControl.Core.Cases;

namespace LocalControl.Core.Engine.Criteria;

/// <summary>What a lesion criterion looks at: the lesion, its field paths, and the case around it.</summary>
internal sealed record LesionInput(Lesion Lesion, FieldPaths Path, CaseContext Case)
{
    private string? _visibilityText;

    public Rules.RuleSet Rules => Case.Rules;

    /// <summary>The lesion's visibility in words, built once per lesion (four options read it).</summary>
    public string VisibilityText => _visibilityText ??= VisibilityCriteria.Describe(Lesion.Visibility.All());
}
