namespace LocalControl.Core.Engine;

/// <summary>
/// Order of presentation (never a recommendation). Lesion options: eligible first; then options that are eligible
/// with caution or await data, by the strength of their outcome evidence in this organ (so an option with strong
/// evidence awaiting data is not pushed below one with weak evidence that merely has fewer checks), then caution
/// before unknown, then by the number and weight of advisory concerns; not eligible last; ties by the rule set's
/// preference. Patient strategies: by eligibility and concerns; systemic therapy, which accompanies every local
/// strategy, follows the strategies that are eligible or eligible with caution.
/// </summary>
internal static class Ranking
{
    public static TherapyOption[] RankLesionOptions(TherapyOption[] options, IReadOnlyList<string> preference)
    {
        Span<(int, int, int, double, int)> keys = stackalloc (int, int, int, double, int)[options.Length];
        for (var i = 0; i < options.Length; i++)
        {
            var o = options[i];
            keys[i] = (
                o.Eligibility switch { Eligibility.Eligible => 0, Eligibility.NotEligible => 2, _ => 1 },
                o.Eligibility == Eligibility.NotEligible ? 0 : o.EvidenceLevel,
                (int)o.Eligibility,
                o.Eligibility == Eligibility.NotEligible ? 0 : o.CautionWeight,
                Place(preference, TherapyNames.ToJson(o.Therapy)));
        }

        return Apply(options, keys);
    }

    public static TherapyOption[] RankPatientOptions(TherapyOption[] options)
    {
        Span<(int, int, int, double, int)> keys = stackalloc (int, int, int, double, int)[options.Length];
        for (var i = 0; i < options.Length; i++)
        {
            var o = options[i];
            keys[i] = (
                o.Therapy == Therapy.Systemic && o.Eligibility != Eligibility.NotEligible ? 2
                    : o.Eligibility switch { Eligibility.Eligible => 0, Eligibility.Caution => 1, Eligibility.Unknown => 3, _ => 4 },
                0,
                0,
                o.CautionWeight,
                (int)o.Therapy);
        }

        return Apply(options, keys);
    }

    private static int Place(IReadOnlyList<string> preference, string id)
    {
        for (var i = 0; i < preference.Count; i++)
        {
            if (preference[i] == id)
            {
                return i;
            }
        }

        return preference.Count;
    }

    /// <summary>A stable insertion sort of the options on their keys (a few options; sorts the keys in place and
    /// allocates only the result).</summary>
    private static TherapyOption[] Apply(TherapyOption[] options, Span<(int, int, int, double, int)> keys)
    {
        var ranked = new TherapyOption[options.Length];
        for (var i = 0; i < options.Length; i++)
        {
            var k = keys[i];
            var j = i;
            while (j > 0 && keys[j - 1].CompareTo(k) > 0)
            {
                keys[j] = keys[j - 1];
                ranked[j] = ranked[j - 1];
                j--;
            }

            keys[j] = k;
            ranked[j] = options[i];
        }

        for (var r = 0; r < ranked.Length; r++)
        {
            ranked[r].Rank = r + 1;
        }

        return ranked;
    }
}
