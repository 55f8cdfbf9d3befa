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
        var all = v.All();
        var conspicuous = false;
        var visible = false;
        var assessed = 0;
        List<string>? unassessed = null;
        foreach (var (modality, value) in all)
        {
            switch (value)
            {
                case Cases.Visibility.Conspicuous: conspicuous = visible = true; assessed++; break;
                case Cases.Visibility.Poor: visible = true; assessed++; break;
                case Cases.Visibility.Invisible: assessed++; break;
                default: (unassessed ??= new(4)).Add(x.Path.Of("visibility." + modality)); break;
            }
        }

        var seen = x.VisibilityText;
        if (visible)
        {
            c.Met("visible-on-guidance", text: seen);
        }
        else if (unassessed is not null)
        {
            c.UnknownWithText("visible-on-guidance", Required, seen, [.. unassessed]);
        }
        else
        {
            c.Failed("visible-on-guidance", Required, text: seen);
        }

        if (conspicuous)
        {
            c.MetAdvisory("conspicuous-on-guidance", text: seen);
        }
        else if (assessed > 0 && unassessed is null)
        {
            c.Failed("conspicuous-on-guidance", Advisory, text: seen);
        }
        else if (assessed > 0)
        {
            // Poorly seen or invisible wherever assessed: a modality not yet assessed cannot make the lesion
            // eligible. Required-unknown (not failed) keeps three-valued logic: more data may still show it conspicuous.
            c.Add("conspicuous-on-guidance", CriterionStatus.Unknown, Required, text: seen, reason: "pending", missingFields: [.. unassessed!]);
        }
        else
        {
            c.Unknown("conspicuous-on-guidance", Advisory, [.. unassessed!]);
        }
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
