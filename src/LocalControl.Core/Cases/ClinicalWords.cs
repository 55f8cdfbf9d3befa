using System.Globalization;
using System.Text;

namespace LocalControl.Core.Cases;

/// <summary>A coded case-file field that accepts the words clinicians type (see <see cref="ClinicalWords"/>).</summary>
public enum CodedField
{
    /// <summary><c>patient.rasStatus</c>.</summary>
    RasStatus,
    /// <summary><c>patient.brafStatus</c>.</summary>
    BrafStatus,
    /// <summary><c>patient.msiStatus</c>.</summary>
    MsiStatus,
    /// <summary><c>patient.primary.site</c>.</summary>
    PrimarySite,
    /// <summary><c>patient.priorSystemicTherapy[].bestResponse</c>.</summary>
    BestResponse,
    /// <summary><c>patient.treatmentIntentPreference</c>.</summary>
    TreatmentIntentPreference,
    /// <summary><c>lesions[].organ</c>.</summary>
    Organ,
    /// <summary><c>lesions[].visibility.*</c>.</summary>
    Visibility,
    /// <summary><c>lesions[].surgicalAssessment</c>.</summary>
    SurgicalAssessment,
    /// <summary><c>lesions[].intent</c>.</summary>
    BoneIntent,
}

/// <summary>
/// The outcome of mapping one typed word: the format's code, or an error naming the field. <see cref="Shown"/> is what a
/// form prints beside the field ("stable disease → stable-disease"), so that a mapping is never silent.
/// </summary>
/// <param name="FieldPath">The field the word was typed into, as the reader names it (<c>patient.rasStatus</c>).</param>
/// <param name="Typed">The word as typed.</param>
/// <param name="Code">The case-file code, or null when the word is not known.</param>
/// <param name="Error">The message when the word is not known, naming the field and the allowed codes; null otherwise.</param>
public sealed record WordMapping(string FieldPath, string Typed, string? Code, string? Error)
{
    /// <summary>True when the typed text was not already the code itself (so the form shows the mapping).</summary>
    public bool Changed => Code is not null && !string.Equals(Typed.Trim(), Code, StringComparison.Ordinal);

    /// <summary>"stable disease → stable-disease", the code alone when nothing was mapped, or the error.</summary>
    public string Shown => Code is null ? Error! : Changed ? $"{Typed.Trim()} → {Code}" : Code;
}

/// <summary>
/// Maps the words clinicians type ("stable disease", "SD", "wild type", "MSI-high", "dMMR", "progression") to the
/// case format's codes, field by field. Pure and deterministic: matching ignores case, and treats spaces, hyphens and
/// underscores alike (<see cref="Normalise"/>); no fuzzy matching, no spelling correction, no guessing: a word that is
/// not in the field's list is an error naming the field. The web form uses the same table (<see cref="Table"/>).
/// </summary>
public static class ClinicalWords
{
    private static readonly Dictionary<CodedField, (string[] Codes, Dictionary<string, string> Words)> Fields = Build();

    /// <summary>The codes the format allows for a field, canonical spelling, in the format's order.</summary>
    public static IReadOnlyList<string> Codes(CodedField field) => Fields[field].Codes;

    /// <summary>Every accepted word per field, normalised (<see cref="Normalise"/>), with its code; for the web form.</summary>
    public static IReadOnlyDictionary<CodedField, IReadOnlyDictionary<string, string>> Table { get; } =
        Fields.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)kv.Value.Words);

    /// <summary>
    /// Lower case (invariant), trimmed, and every run of spaces, hyphens, underscores and full stops made one space:
    /// "Wild-Type" and "wild_type" become "wild type"; "MSI-H" becomes "msi h".
    /// </summary>
    public static string Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var ch in text)
        {
            if (ch is ' ' or '-' or '_' or '.' || char.IsWhiteSpace(ch))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }
            sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString();
    }

    /// <summary>Maps one typed word of <paramref name="field"/>; <paramref name="fieldPath"/> names the field in the error.</summary>
    public static WordMapping Map(CodedField field, string fieldPath, string typed)
    {
        ArgumentNullException.ThrowIfNull(fieldPath);
        ArgumentNullException.ThrowIfNull(typed);
        var (codes, words) = Fields[field];
        if (words.TryGetValue(Normalise(typed), out var code))
        {
            return new WordMapping(fieldPath, typed, code, null);
        }
        var shown = typed.Trim().Length == 0 ? "(empty)" : $"'{typed.Trim()}'";
        return new WordMapping(fieldPath, typed, null,
            $"{fieldPath}: {shown} is not a word LocalControl maps to a code; use one of {string.Join(", ", codes)}");
    }

    private static Dictionary<CodedField, (string[], Dictionary<string, string>)> Build()
    {
        // Each code with the words that mean it. The code itself and the reader's aliases (CaseVocabulary) are included,
        // so the form accepts everything the reader does, and more; a word listed for two codes would be a bug (checked).
        (string, string[])[] mutation =
        [
            ("mutant", ["mutated", "mutation", "mutation detected", "mut"]),
            ("wild-type", ["wild type", "wildtype", "wt", "no mutation", "no mutation detected", "not mutated"]),
            ("unknown", ["not tested", "not known"]),
        ];
        return new()
        {
            [CodedField.RasStatus] = Entries(mutation),
            [CodedField.BrafStatus] = Entries([.. mutation.Select(m => m.Item1 == "mutant" ? (m.Item1, [.. m.Item2, "v600e", "braf v600e"]) : m)]),
            [CodedField.MsiStatus] = Entries(
                ("msi-high", ["msi h", "msih", "msi high", "dmmr", "mmr deficient", "mismatch repair deficient", "microsatellite instability high", "microsatellite instable"]),
                ("msi-low", ["msi l", "msil", "msi low", "microsatellite instability low"]),
                ("mss", ["pmmr", "mmr proficient", "mismatch repair proficient", "microsatellite stable"]),
                ("unknown", ["not tested", "not known"])),
            [CodedField.PrimarySite] = Entries(
                ("colon", ["colonic", "caecum", "cecum", "ascending colon", "hepatic flexure", "transverse colon", "splenic flexure", "descending colon", "sigmoid", "sigmoid colon", "right colon", "left colon"]),
                ("rectum", ["rectal", "rectal cancer"])),
            [CodedField.BestResponse] = Entries(
                ("complete-response", ["cr", "complete", "complete response"]),
                ("partial-response", ["pr", "partial", "partial response"]),
                ("stable-disease", ["sd", "stable", "stable disease"]),
                ("progressive-disease", ["pd", "progression", "progressive", "progressed", "progressive disease", "disease progression"]),
                ("not-evaluable", ["ne", "not evaluable", "non evaluable", "not assessable"]),
                ("unknown", ["not known"])),
            [CodedField.TreatmentIntentPreference] = Entries(
                ("curative", ["curative intent", "cure"]),
                ("disease-control", ["disease control", "control"]),
                ("palliative", ["palliation", "palliative intent"]),
                ("no-preference", ["no preference", "none"])),
            [CodedField.Organ] = Entries(
                ("liver", ["hepatic"]), ("lung", ["pulmonary"]), ("bone", ["osseous", "skeletal"]),
                ("lymph-node", ["lymph node", "lymph_node", "node", "nodal"]), ("peritoneum", ["peritoneal"]), ("other", [])),
            [CodedField.Visibility] = Entries(
                ("conspicuous", ["visible", "well seen", "clearly seen", "clearly visible", "good"]),
                ("poor", ["poorly seen", "poorly visible", "faint"]),
                ("invisible", ["not seen", "not visible", "occult"]),
                ("not-assessed", ["not assessed", "not done"])),
            [CodedField.SurgicalAssessment] = Entries(
                ("resectable", []),
                ("resectable-with-difficulty", ["borderline", "borderline resectable", "difficult"]),
                ("unresectable", ["not resectable", "irresectable", "non resectable", "nonresectable"]),
                ("not-assessed", ["not assessed"])),
            [CodedField.BoneIntent] = Entries(
                ("palliative-pain", ["pain palliation", "palliation of pain", "palliative", "pain"]),
                ("curative", ["curative intent", "local control"]),
                ("not-assessed", ["not assessed"])),
        };
    }

    private static (string[], Dictionary<string, string>) Entries(params (string Code, string[] Words)[] entries)
    {
        var words = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (code, list) in entries)
        {
            foreach (var w in (string[])[code, .. list])
            {
                var key = Normalise(w);
                if (words.TryGetValue(key, out var other) && other != code)
                {
                    throw new InvalidOperationException($"clinical word '{w}' maps to both {other} and {code}");
                }
                words[key] = code;
            }
        }
        return ([.. entries.Select(e => e.Code)], words);
    }
}
