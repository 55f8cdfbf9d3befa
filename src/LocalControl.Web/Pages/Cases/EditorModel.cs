using System.Text.Json;
using LocalControl.Core.Cases;
using LocalControl.Web.Api;

namespace LocalControl.Web.Pages.Cases;

/// <summary>What the case editor shows: the JSON text, the version being edited, and the last validation.</summary>
public sealed record EditorModel(string CaseFileJson, int Version, ValidationDto? Validation)
{
    /// <summary>
    /// Core's clinical-word table (<see cref="ClinicalWords.Table"/>), serialised once per process for the form's
    /// <c>data-words</c> attribute: the form maps typed words with the same table as Core, no request per keystroke.
    /// </summary>
    public static string WordsJson { get; } = JsonSerializer.Serialize(
        ClinicalWords.Table.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value));

    /// <summary>The allowed codes of a coded field, for its datalist or select.</summary>
    public static IReadOnlyList<string> Codes(CodedField field) => ClinicalWords.Codes(field);
}
