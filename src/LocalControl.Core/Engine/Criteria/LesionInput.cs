using LocalControl.Core.Cases;

namespace LocalControl.Core.Engine.Criteria;

/// <summary>What a lesion criterion looks at: the lesion, its field paths, and the case around it.</summary>
internal sealed record LesionInput(Lesion Lesion, FieldPaths Path, CaseContext Case)
{
    private string? _visibilityText;
    private string? _vesselCalibreText;

    public Rules.RuleSet Rules => Case.Rules;

    /// <summary>The lesion's visibility in words, built once per lesion (four options read it).</summary>
    public string VisibilityText => _visibilityText ??= VisibilityCriteria.Describe(Lesion.Visibility);

    /// <summary>"vessel calibre 6 mm", or null when the calibre is not known; built once per lesion (two options read it).</summary>
    public string? VesselCalibreText => Lesion.LargeVesselCalibreMm is { } cal
        ? _vesselCalibreText ??= "vessel calibre " + ReasonText.Number(cal) + " mm"
        : null;
}
