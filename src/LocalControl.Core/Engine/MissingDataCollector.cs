using System.Text.RegularExpressions;

namespace LocalControl.Core.Engine;

/// <summary>
/// The data that would change an eligibility, each field once. A field is listed when an unknown criterion needs it
/// in an option that more data could still change: never for an option already not eligible (a failed required
/// criterion stands whatever else is learnt), advisory fields only for options now eligible (they could become
/// caution), required fields for options now unknown.
/// </summary>
internal static partial class MissingDataCollector
{
    public static List<MissingDataItem> Collect(IReadOnlyList<LesionAssessment> lesions, IReadOnlyList<TherapyOption> patientOptions)
    {
        var found = new Found();
        for (var l = 0; l < lesions.Count; l++)
        {
            var la = lesions[l];
            string? owner = null;
            for (var o = 0; o < la.Options.Count; o++)
            {
                var option = la.Options[o];
                if (option.Eligibility != Eligibility.NotEligible && HasUnknown(option))
                {
                    found.Visit(owner ??= "lesion " + la.LesionId, option);
                }
            }
        }

        for (var o = 0; o < patientOptions.Count; o++)
        {
            found.Visit("patient", patientOptions[o]);
        }

        if (found.Order is not { } order)
        {
            return [];
        }

        var ids = new LesionIds(lesions);
        var result = new List<MissingDataItem>(order.Count);
        foreach (var f in order)
        {
            result.Add(new MissingDataItem(f, found.Needs![f], changesEligibility: true, ids));
        }

        return result;
    }

    /// <summary>The fields found so far, in order of first need (allocated only when a field is missing).</summary>
    private sealed class Found
    {
        public Dictionary<string, List<MissingDataNeed>>? Needs { get; private set; }

        public List<string>? Order { get; private set; }

        public void Visit(string owner, TherapyOption option)
        {
            if (option.Eligibility == Eligibility.NotEligible)
            {
                return;
            }

            var criteria = option.CriteriaArray;
            foreach (var cr in criteria)
            {
                if (cr.Status != CriterionStatus.Unknown || cr.MissingFields.Count == 0)
                {
                    continue;
                }

                var matters = cr.Severity == CriterionSeverity.Required || option.Eligibility == Eligibility.Eligible;
                if (!matters)
                {
                    continue;
                }

                var needs = Needs ??= new(StringComparer.Ordinal);
                var order = Order ??= [];
                for (var i = 0; i < cr.MissingFields.Count; i++)
                {
                    var field = cr.MissingFields[i];
                    if (!needs.TryGetValue(field, out var list))
                    {
                        list = new List<MissingDataNeed>(4);
                        needs.Add(field, list);
                        order.Add(field);
                    }

                    list.Add(new MissingDataNeed(owner, option.Therapy, cr.Id, cr.Definition.Label));
                }
            }
        }
    }

    /// <summary>The lesion ids of a case, read only when a label is worded.</summary>
    private sealed class LesionIds(IReadOnlyList<LesionAssessment> lesions) : IReadOnlyList<string>
    {
        public string this[int index] => lesions[index].LesionId;

        public int Count => lesions.Count;

        public IEnumerator<string> GetEnumerator() => lesions.Select(l => l.LesionId).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static bool HasUnknown(TherapyOption option)
    {
        foreach (var c in option.CriteriaArray)
        {
            if (c.Status == CriterionStatus.Unknown)
            {
                return true;
            }
        }

        return false;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> WordsWithinLesion = new(StringComparer.Ordinal);

    /// <summary>
    /// A path in words as a lesion's own sentence says it: <c>lesions[0].distanceToHilumMm</c> → <c>distance to the
    /// hilum (mm)</c>, <c>patient.ecog</c> → <c>ECOG performance status</c>. The words depend on the path only, so each
    /// is built once.
    /// </summary>
    internal static string FieldWordsWithinLesion(string path)
    {
        if (WordsWithinLesion.TryGetValue(path, out var words))
        {
            return words;
        }

        var m = LesionPath().Match(path);
        words = m.Success ? FieldWords(m.Groups[2].Value) : FieldLabel(path, []);
        return WordsWithinLesion.Count < 4096 ? WordsWithinLesion.GetOrAdd(path, words) : words;
    }

    /// <summary>A case-file path in words: <c>lesions[0].distanceToHilumMm</c> → <c>lesion L1: distance to the hilum (mm)</c>.</summary>
    internal static string FieldLabel(string path, IReadOnlyList<string> lesionIds)
    {
        var m = LesionPath().Match(path);
        if (m.Success)
        {
            var index = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var id = index < lesionIds.Count ? lesionIds[index] : m.Groups[1].Value;
            return $"lesion {id}: {FieldWords(m.Groups[2].Value)}";
        }

        var line = LinePath().Match(path);
        if (line.Success)
        {
            var n = int.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1;
            return $"prior systemic therapy, line {n}: {FieldWords(line.Groups[2].Value)}";
        }

        return FieldWords(path.StartsWith("patient.", StringComparison.Ordinal) ? path["patient.".Length..] : path);
    }

    private static string FieldWords(string field) => field switch
    {
        "longestDiameterMm" => "longest diameter (mm)",
        "distanceToHilumMm" => "distance to the hilum (mm)",
        "distanceToLargeVesselMm" => "distance to the nearest large vessel (mm)", // "large": the rule set's largeVesselMinCalibreMm
        "adjacentStructures" => "structures it abuts (or none)",
        "visibility.ultrasound" => "visibility on ultrasound",
        "visibility.ct" => "visibility on CT",
        "visibility.mri" => "visibility on MRI",
        "visibility.cbct" => "visibility on cone-beam CT",
        "surgicalAssessment" => "surgeon's resectability assessment",
        "intent" => "treatment goal (palliation of pain or cure)",
        "worstPainScore" => "worst pain (0–10)",
        "corticalErosion" => "cortical erosion (yes or no)",
        "ecog" => "ECOG performance status",
        "rasStatus" => "RAS status",
        "liver.futureLiverRemnantPercent" => "future liver remnant after the planned resection (%)",
        "liver.cirrhosis" => "cirrhosis (yes or no)",
        "liver.bilirubinUmolL" => "bilirubin (µmol/L)",
        "priorSystemicTherapy" => "prior systemic therapy (or none)",
        "progressed" => "did disease progress?",
        "containsOxaliplatin" => "did it contain oxaliplatin?",
        "primary.resected" => "primary tumour resected (yes or no)",
        "treatmentIntentPreference" => "preferred treatment goal",
        _ => field,
    };

    [GeneratedRegex(@"^lesions\[(\d+)\]\.(.+)$")]
    private static partial Regex LesionPath();

    [GeneratedRegex(@"^patient\.priorSystemicTherapy\[(\d+)\]\.(.+)$")]
    private static partial Regex LinePath();
}
