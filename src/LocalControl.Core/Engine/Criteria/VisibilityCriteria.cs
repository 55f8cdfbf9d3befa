using LocalControl.Core.Cases;
using static LocalControl.Core.Engine.CriterionSeverity;

namespace LocalControl.Core.Engine.Criteria;

/// <summary>
/// Visibility on the guidance modalities. "Perfectly visible" (de Baere 2017) means conspicuous on at least one
/// modality; a modality not assessed never rescues a lesion that is poorly seen or invisible on every assessed one.
/// </summary>
internal static class VisibilityCriteria
{
    public static void Apply(LesionInput x, CriteriaList c)
    {
        var v = x.Lesion.Visibility;
        var conspicuous = false;
        var visible = false;
        var assessed = 0;
        var unassessedCount = 0;
        foreach (var value in (ReadOnlySpan<Cases.Visibility>)[v.Ultrasound, v.Ct, v.Mri, v.Cbct])
        {
            switch (value)
            {
                case Cases.Visibility.Conspicuous: conspicuous = visible = true; assessed++; break;
                case Cases.Visibility.Poor: visible = true; assessed++; break;
                case Cases.Visibility.Invisible: assessed++; break;
                default: unassessedCount++; break;
            }
        }

        var seen = x.VisibilityText;
        if (visible)
        {
            c.Met("visible-on-guidance", text: seen);
        }
        else if (unassessedCount > 0)
        {
            c.UnknownWithText("visible-on-guidance", Required, seen, Unassessed(x));
        }
        else
        {
            c.Failed("visible-on-guidance", Required, text: seen);
        }

        if (conspicuous)
        {
            c.MetAdvisory("conspicuous-on-guidance", text: seen);
        }
        else if (assessed > 0 && unassessedCount == 0)
        {
            c.Failed("conspicuous-on-guidance", Advisory, text: seen);
        }
        else if (assessed > 0)
        {
            // Poorly seen or invisible wherever assessed: a modality not yet assessed cannot make the lesion
            // eligible. Required-unknown (not failed) keeps three-valued logic: more data may still show it conspicuous.
            c.Add("conspicuous-on-guidance", CriterionStatus.Unknown, Required, text: seen, reason: "pending", missingFields: Unassessed(x));
        }
        else
        {
            c.Unknown("conspicuous-on-guidance", Advisory, Unassessed(x));
        }
    }

    /// <summary>Paths of the modalities not assessed (built only when a criterion is unknown).</summary>
    private static string[] Unassessed(LesionInput x)
    {
        var list = new List<string>(4);
        foreach (var (modality, value) in x.Lesion.Visibility.All())
        {
            if (value == Cases.Visibility.NotAssessed)
            {
                list.Add(x.Path.Of("visibility." + modality));
            }
        }

        return [.. list];
    }

    /// <summary>True when the lesion is conspicuous on at least one modality (the seed's "perfectly visible").</summary>
    public static bool PerfectlyVisible(GuidanceVisibility v) =>
        v.Ultrasound == Cases.Visibility.Conspicuous || v.Ct == Cases.Visibility.Conspicuous
        || v.Mri == Cases.Visibility.Conspicuous || v.Cbct == Cases.Visibility.Conspicuous;

    internal static string Describe((string Modality, Cases.Visibility Value)[] all)
    {
        var parts = new List<string>(4);
        foreach (var group in new[] { Cases.Visibility.Conspicuous, Cases.Visibility.Poor, Cases.Visibility.Invisible, Cases.Visibility.NotAssessed })
        {
            var names = all.Where(m => m.Value == group).Select(m => Words.Modality(m.Modality)).ToList();
            if (names.Count > 0)
            {
                parts.Add($"{Words.Visibility(group)} on {(names.Count == 1 ? names[0] : string.Join(", ", names[..^1]) + " and " + names[^1])}");
            }
        }

        return string.Join("; ", parts);
    }
}
