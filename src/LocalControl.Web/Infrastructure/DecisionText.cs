using LocalControl.Core.Engine;
using LocalControl.Registry;

namespace LocalControl.Web.Infrastructure;

/// <summary>A decision's strategies in words, the same on the case page, the print view and the PDF.</summary>
public static class DecisionText
{
    /// <summary>The name of a therapy or action id for people ("MWA", "Portal vein embolisation"); an unknown id as it is.</summary>
    public static string Name(string id)
    {
        foreach (var t in TherapyNames.All)
        {
            if (t.Id == id)
            {
                return t.DisplayName;
            }
        }
        foreach (var (actionId, name) in DecisionActions.All)
        {
            if (actionId == id)
            {
                return name;
            }
        }
        return id;
    }

    /// <summary>One step: "Resection of L1", "Systemic therapy (patient)", "Re-image L2: liver MRI in 8 weeks".</summary>
    public static string Step(DecisionStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var action = DecisionActions.IsAction(step.Therapy);
        var target = step.LesionIds.Count == 0
            ? action ? "" : " (patient)"
            : (action ? " " : " of ") + string.Join(", ", step.LesionIds);
        return Name(step.Therapy) + target + (step.Text is null ? "" : ": " + step.Text);
    }

    /// <summary>The word before a step: "then" (after the one before) or "plus" (together with it); empty for the first.</summary>
    public static string Connector(int index, DecisionStep step) => index == 0 ? "" : step.WithPrevious ? "plus" : "then";

    /// <summary>A strategy on one line: "Systemic therapy (patient), then Resection of L1 plus MWA of L2".</summary>
    public static string Strategy(DecisionStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        var parts = strategy.Steps.Select((t, i) => i == 0 ? Step(t) : (t.WithPrevious ? " plus " : ", then ") + Step(t));
        return string.Concat(parts);
    }
}
