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
    // Results a lesion's options share: RFA, MWA and cryoablation read the same size band, hilum distance, visibility
    // and adjacency, and one criterion definition is one rule with one answer for a lesion. Each is built once.
    private (Rules.CriterionDefinition Key, CriterionResult First, CriterionResult? Second)[]? _shared;
    private int _sharedCount;

    /// <summary>
    /// Adds the results that <paramref name="id"/>'s rule already gave for this lesion and returns null; the first
    /// time, returns a token whose <see cref="LesionResults.Keep"/> keeps the one or two results the rule then adds.
    /// </summary>
    public LesionResults? Reuse(string id, CriteriaList c)
    {
        var definition = c.Definition(id);
        for (var i = 0; i < _sharedCount; i++)
        {
            if (ReferenceEquals(_shared![i].Key, definition))
            {
                c.AddResult(_shared[i].First);
                if (_shared[i].Second is { } second)
                {
                    c.AddResult(second);
                }

                return null;
            }
        }

        return new LesionResults(this, definition, c.Items.Count);
    }

    internal void Keep(Rules.CriterionDefinition definition, CriterionResult first, CriterionResult? second)
    {
        _shared ??= new (Rules.CriterionDefinition, CriterionResult, CriterionResult?)[6];
        if (_sharedCount == _shared.Length)
        {
            Array.Resize(ref _shared, _shared.Length * 2);
        }

        _shared[_sharedCount++] = (definition, first, second);
    }

    public string? VesselCalibreText => Lesion.LargeVesselCalibreMm is { } cal
        ? _vesselCalibreText ??= "vessel calibre " + ReasonText.Number(cal) + " mm"
        : null;
}

/// <summary>The token of <see cref="LesionInput.Reuse"/>: keeps what one rule added for the lesion's other options.</summary>
internal readonly record struct LesionResults(LesionInput Input, Rules.CriterionDefinition Definition, int Before)
{
    public void Keep(CriteriaList c)
    {
        var added = c.Items.Count - Before;
        Input.Keep(Definition, c.Items[Before], added > 1 ? c.Items[Before + 1] : null);
    }
}
