using LocalControl.Core.Cases;
using LocalControl.Core.Engine;

namespace LocalControl.Core.Scores;

/// <summary>
/// Prognostic context: Fong clinical risk score (Fong 1999), GAME score (Margonis 2018) and tumour burden score
/// (Sasaki 2018). Computed when data allow, shown as information only: a score never excludes a patient (DR-17).
/// A score with an unknown component reports its possible range and the missing fields instead of a value.
/// </summary>
public static class PrognosticScoreCalculator
{
    /// <summary>Computes the scores that apply (all three need liver metastases).</summary>
    public static PrognosticScores Compute(MetastaticCase @case)
    {
        ArgumentNullException.ThrowIfNull(@case);
        var liver = new List<(Lesion Lesion, int Index)>();
        for (var i = 0; i < @case.Lesions.Count; i++)
        {
            if (@case.Lesions[i].Organ == Organ.Liver)
            {
                liver.Add((@case.Lesions[i], i));
            }
        }

        if (liver.Count == 0)
        {
            return new PrognosticScores(null, null, null);
        }

        // Largest liver lesion: known only if every liver diameter is known.
        double? largestMm = 0;
        var missingDiameters = new List<string>();
        foreach (var (l, i) in liver)
        {
            if (l.LongestDiameterMm is { } d)
            {
                largestMm = Math.Max(largestMm ?? 0, d);
            }
            else
            {
                missingDiameters.Add($"lesions[{i}].longestDiameterMm");
            }
        }

        var knownLargest = largestMm ?? 0;
        if (missingDiameters.Count > 0)
        {
            largestMm = null;
        }

        var tbs = TumourBurden(liver.Count, largestMm, knownLargest, missingDiameters);
        return new PrognosticScores(Fong(@case.Patient, liver.Count, largestMm, knownLargest, missingDiameters), Game(@case, tbs), tbs);
    }

    private static PrognosticScore Fong(Patient p, int liverCount, double? largestMm, double knownLargestMm, List<string> missingDiameters)
    {
        var components = new List<ScoreComponent>(5);
        var missing = new List<string>();
        double min = 0, max = 0;

        void Add(string name, bool? present, ScoreValue value, params string[] fields)
        {
            if (present is { } yes)
            {
                var pts = yes ? 1 : 0;
                components.Add(new(name, pts, value));
                min += pts;
                max += pts;
            }
            else
            {
                components.Add(new(name, null, null));
                max += 1;
                missing.AddRange(fields);
            }
        }

        Add("Node-positive primary", p.Primary?.NodePositive, YesNo(p.Primary?.NodePositive), "patient.primary.nodePositive");
        Add("Disease-free interval < 12 months", p.DiseaseFreeIntervalMonths is { } dfi ? dfi < 12 : null, Num(p.DiseaseFreeIntervalMonths, "months"), "patient.diseaseFreeIntervalMonths");
        Add("More than one liver metastasis", liverCount > 1, new ScoreValue(null, liverCount, "lesions"));
        bool? largeTumour = largestMm is { } mm ? mm > 50 : knownLargestMm > 50 ? true : null;
        Add("Largest liver metastasis > 5 cm", largeTumour, Num(largestMm ?? (knownLargestMm > 50 ? knownLargestMm : null), "mm"), [.. missingDiameters]);
        Add("CEA > 200 ng/mL", p.CeaNgPerMl is { } cea ? cea > 200 : null, Num(p.CeaNgPerMl, "ng/mL"), "patient.cea");

        double? value = missing.Count == 0 ? min : null;
        string? group = value is { } v ? (v <= 2 ? "low risk (0-2)" : "high risk (3-5)") : null;
        return new PrognosticScore("Fong clinical risk score", value, min, max, group, components, missing, ["R1"],
            "Derived from liver resection (MSKCC 1985-1998). Prognostic information only: it does not exclude anyone from treatment.");
    }

    private static PrognosticScore TumourBurden(int liverCount, double? largestMm, double knownLargestMm, List<string> missingDiameters)
    {
        // TBS = sqrt((largest diameter in cm)^2 + (number of liver metastases)^2); diameters are converted from mm here, once.
        static double Tbs(double largestMm, int n) => Math.Sqrt(Math.Pow(largestMm / 10.0, 2) + ((double)n * n));
        var components = new List<ScoreComponent>
        {
            new("Largest liver metastasis (cm)", largestMm / 10.0, Num(largestMm, "mm")),
            new("Number of liver metastases", liverCount, (string?)null),
        };
        double? value = largestMm is { } mm ? Math.Round(Tbs(mm, liverCount), 2) : null;
        var min = Math.Round(Tbs(knownLargestMm, liverCount), 2);
        // An unknown diameter can be at most the largest the case file accepts (300 mm).
        var max = largestMm is null ? Math.Round(Tbs(CaseFileReader.AbsurdDiameterMm, liverCount), 2) : min;
        string? zone = value is { } v ? (v < 3 ? "< 3" : v < 9 ? "3 to < 9" : "≥ 9") : null;
        return new PrognosticScore("Tumour burden score", value, min, max,
            zone, components, [.. missingDiameters], ["TBS"], "Sasaki 2018 'metro-ticket' definition (formula partly verified).");
    }

    private static PrognosticScore Game(MetastaticCase @case, PrognosticScore tbs)
    {
        var p = @case.Patient;
        var components = new List<ScoreComponent>(5);
        var missing = new List<string>();
        double min = 0, max = 0;

        void Add(string name, double? points, double maxPoints, ScoreValue value, params string[] fields)
        {
            components.Add(new(name, points, value));
            if (points is { } pts)
            {
                min += pts;
                max += pts;
            }
            else
            {
                max += maxPoints;
                missing.AddRange(fields);
            }
        }

        Add("KRAS-mutated tumour (RAS status used)", p.RasStatus switch { MutationStatus.Mutant => 1, MutationStatus.WildType => 0, _ => null }, 1,
            Text(p.RasStatus == MutationStatus.Unknown ? null : CaseVocabulary.ToJson(p.RasStatus)), "patient.rasStatus");
        Add("CEA ≥ 20 ng/mL", p.CeaNgPerMl is { } cea ? (cea >= 20 ? 1 : 0) : null, 1, Num(p.CeaNgPerMl, "ng/mL"), "patient.cea");
        Add("Node-positive primary", p.Primary?.NodePositive is { } n ? (n ? 1 : 0) : null, 1, YesNo(p.Primary?.NodePositive), "patient.primary.nodePositive");
        double? tbsPoints = tbs.Value is { } t ? (t >= 9 ? 2 : t >= 3 ? 1 : 0) : null;
        Add("Tumour burden score (3-8: 1; ≥ 9: 2)", tbsPoints, 2, new ScoreValue(null, tbs.Value, ""), [.. tbs.Missing]);
        var extrahepatic = @case.Lesions.Any(l => l.Organ != Organ.Liver);
        Add("Extrahepatic disease", extrahepatic ? 2 : 0, 2, Text(extrahepatic ? "yes" : "no"));
        if (tbsPoints is null)
        {
            // The known lesions already fix a lower bound on the TBS zone.
            var lower = tbs.Minimum >= 9 ? 2 : tbs.Minimum >= 3 ? 1 : 0;
            min += lower;
        }

        double? value = missing.Count == 0 ? min : null;
        string? group = value is { } v ? (v <= 1 ? "low (0-1)" : v <= 3 ? "medium (2-3)" : "high (≥ 4)") : null;
        return new PrognosticScore("GAME score", value, min, max, group, components, [.. missing.Distinct()], ["GAME"],
            "Derived and validated in resected patients. The score uses KRAS; LocalControl uses the RAS status given. Prognostic information only.");
    }

    private static ScoreValue YesNo(bool? value) => Text(value switch { true => "true", false => "false", null => null });

    private static ScoreValue Text(string? text) => new(text, null, null);

    // Numbers are formatted only when a report reads them: the engine runs on every keystroke.
    private static ScoreValue Num(double? value, string unit) => new(null, value, unit);
}

/// <summary>The value a score component rests on: text, or a number with its unit (formatted lazily).</summary>
internal readonly record struct ScoreValue(string? Text, double? Number, string? Unit);
