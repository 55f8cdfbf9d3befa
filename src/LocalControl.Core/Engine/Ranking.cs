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
    public static TherapyOption[] RankLesionOptions(TherapyOption[] options, IReadOnlyList<string> preference) =>
        Apply(options, o => (
            o.Eligibility switch { Eligibility.Eligible => 0, Eligibility.NotEligible => 2, _ => 1 },
            o.Eligibility == Eligibility.NotEligible ? 0 : o.EvidenceLevel,
            (int)o.Eligibility,
            o.Eligibility == Eligibility.NotEligible ? 0 : o.CautionWeight,
            Place(preference, TherapyNames.ToJson(o.Therapy))));

    public static TherapyOption[] RankPatientOptions(TherapyOption[] options) =>
        Apply(options, o => (
            o.Therapy == Therapy.Systemic && o.Eligibility != Eligibility.NotEligible ? 2
                : o.Eligibility switch { Eligibility.Eligible => 0, Eligibility.Caution => 1, Eligibility.Unknown => 3, _ => 4 },
            0,
            0,
            o.CautionWeight,
            (int)o.Therapy));

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

    /// <summary>A stable insertion sort on the keys (six options at most; no allocation beyond the result).</summary>
    private static TherapyOption[] Apply(TherapyOption[] options, Func<TherapyOption, (int, int, int, double, int)> key)
    {
        var ranked = new TherapyOption[options.Length];
        var keys = new (int, int, int, double, int)[options.Length];
        for (var i = 0; i < options.Length; i++)
        {
            var k = key(options[i]);
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
