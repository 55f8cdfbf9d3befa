using static LocalControl.Core.Engine.CriterionSeverity;

namespace LocalControl.Core.Engine.Criteria;

/// <summary>Size criteria: a band that is met, advisory in the middle and required above (thermal ablation, IRE, SBRT, bone).</summary>
internal static class SizeCriteria
{
    /// <summary>Below (or at, when <paramref name="smallInclusive"/>) <paramref name="smallMax"/>: met; up to and
    /// including <paramref name="intermediateMax"/>: advisory; above: required.</summary>
    public static void Bands(string id, LesionInput x, double smallMax, double intermediateMax, CriteriaList c, bool smallInclusive = false)
    {
        if (x.Reuse(id, c) is not { } keep)
        {
            return;
        }

        if (x.Lesion.LongestDiameterMm is not { } d)
        {
            c.Unknown(id, Required, x.Path.Missing("longestDiameterMm"));
        }
        else if (smallInclusive ? d <= smallMax : d < smallMax)
        {
            c.Met(id, d, "mm");
        }
        else if (d <= intermediateMax)
        {
            c.Failed(id, Advisory, d, "mm");
        }
        else
        {
            c.Failed(id, Required, d, "mm");
        }

        keep.Keep(c);
    }

    /// <summary>At most <paramref name="max"/> mm: met; above: required.</summary>
    public static void AtMost(string id, LesionInput x, double max, CriteriaList c)
    {
        if (x.Lesion.LongestDiameterMm is not { } d)
        {
            c.Unknown(id, Required, x.Path.Missing("longestDiameterMm"));
        }
        else if (d <= max)
        {
            c.Met(id, d, "mm");
        }
        else
        {
            c.Failed(id, Required, d, "mm");
        }
    }

    /// <summary>Below <paramref name="max"/> mm: met (advisory); at or above: advisory failure.</summary>
    public static void AdvisoryBelow(string id, LesionInput x, double max, CriteriaList c)
    {
        if (x.Lesion.LongestDiameterMm is not { } d)
        {
            c.Unknown(id, Advisory, x.Path.Missing("longestDiameterMm"));
        }
        else if (d < max)
        {
            c.MetAdvisory(id, d, "mm");
        }
        else
        {
            c.Failed(id, Advisory, d, "mm");
        }
    }
}
