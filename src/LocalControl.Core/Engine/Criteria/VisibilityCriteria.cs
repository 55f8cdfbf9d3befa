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
        if (x.Reuse("visible-on-guidance", c) is not { } keep)
        {
            return;
        }

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

        keep.Keep(c);
    }

    /// <summary>Paths of the modalities not assessed (shared per lesion position and combination; built once).</summary>
    private static string[] Unassessed(LesionInput x)
    {
        var v = x.Lesion.Visibility;
        var mask = (v.Ultrasound == Cases.Visibility.NotAssessed ? 1 : 0) | (v.Ct == Cases.Visibility.NotAssessed ? 2 : 0)
            | (v.Mri == Cases.Visibility.NotAssessed ? 4 : 0) | (v.Cbct == Cases.Visibility.NotAssessed ? 8 : 0);
        return x.Path.UnassessedVisibility(mask);
    }

    /// <summary>True when the lesion is conspicuous on at least one modality (the seed's "perfectly visible").</summary>
    public static bool PerfectlyVisible(GuidanceVisibility v) =>
        v.Ultrasound == Cases.Visibility.Conspicuous || v.Ct == Cases.Visibility.Conspicuous
        || v.Mri == Cases.Visibility.Conspicuous || v.Cbct == Cases.Visibility.Conspicuous;

    /// <summary>
    /// The visibility in words ("conspicuous on ultrasound; poorly seen on CT; not assessed on MRI and cone-beam CT").
    /// There are 4⁴ combinations: each sentence is built once, on first use, and shared by every lesion that has it.
    /// </summary>
    internal static string Describe(GuidanceVisibility v)
    {
        if (!InRange(v.Ultrasound) || !InRange(v.Ct) || !InRange(v.Mri) || !InRange(v.Cbct))
        {
            return Build(v); // a value outside the vocabulary (never from the reader): worded, not cached
        }

        var index = ((int)v.Ultrasound << 6) | ((int)v.Ct << 4) | ((int)v.Mri << 2) | (int)v.Cbct;
        return Volatile.Read(ref DescriptionByCombination[index]) ?? Interlocked.CompareExchange(ref DescriptionByCombination[index], Build(v), null)
            ?? DescriptionByCombination[index]!;
    }

    private static readonly string?[] DescriptionByCombination = new string?[256];

    private static bool InRange(Cases.Visibility value) => value is >= Cases.Visibility.NotAssessed and <= Cases.Visibility.Invisible;

    private static readonly Cases.Visibility[] Groups =
        [Cases.Visibility.Conspicuous, Cases.Visibility.Poor, Cases.Visibility.Invisible, Cases.Visibility.NotAssessed];

    private static string Build(GuidanceVisibility v)
    {
        var all = v.All();
        var parts = new List<string>(4);
        var names = new List<string>(4);
        foreach (var group in Groups)
        {
            names.Clear();
            foreach (var (modality, value) in all)
            {
                if (value == group)
                {
                    names.Add(Words.Modality(modality));
                }
            }

            if (names.Count > 0)
            {
                parts.Add($"{Words.Visibility(group)} on {(names.Count == 1 ? names[0] : string.Join(", ", names[..^1]) + " and " + names[^1])}");
            }
        }

        return string.Join("; ", parts);
    }
}
