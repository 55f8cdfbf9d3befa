using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalControl.Core.Cases;

namespace LocalControl.Web.Infrastructure;

/// <summary>The treatment form of the case page: one field per <c>treatments[]</c> field (docs/case-format.md).
/// Everything arrives as text and is written into the case file as typed JSON where it parses (a number that does not
/// parse is written as text), so that the case-file reader, not the form, decides what is valid and says why.</summary>
public sealed class TreatmentForm
{
    /// <summary><c>treatments[].id</c>.</summary>
    public string? Id { get; set; }
    /// <summary>ISO 8601 date (yyyy-mm-dd).</summary>
    public string? Date { get; set; }
    /// <summary>resection, rfa, mwa, cryoablation, ire, sbrt, haic, sirt or systemic.</summary>
    public string? Therapy { get; set; }
    /// <summary>Lesions treated (empty for a patient-level therapy).</summary>
    public List<string> LesionIds { get; set; } = [];
    /// <summary>percutaneous, laparoscopic, open or endovascular; blank = not recorded.</summary>
    public string? Approach { get; set; }
    /// <summary>curative or palliative; blank = not recorded.</summary>
    public string? Intent { get; set; }
    /// <summary>Device, free text.</summary>
    public string? Device { get; set; }
    /// <summary>Generator setting, free text.</summary>
    public string? Setting { get; set; }
    /// <summary>Regimen (systemic, HAIC), free text.</summary>
    public string? Regimen { get; set; }
    /// <summary>yes, no or blank (not recorded).</summary>
    public string? TechnicalSuccess { get; set; }
    /// <summary>CIRSE grade 1–6 or blank.</summary>
    public string? ComplicationGrade { get; set; }
    /// <summary>Minimal ablative margin, mm, or blank.</summary>
    public string? MinimalAblativeMarginMm { get; set; }
}

/// <summary>One lesion row of the follow-up form (<c>followUps[].lesions[]</c>).</summary>
public sealed class FindingRow
{
    /// <summary>The lesion observed (one of the case's lesion ids).</summary>
    public string? LesionId { get; set; }
    /// <summary>present, absent, not-evaluable; blank = this lesion is not reported in the study (row left out).</summary>
    public string? Status { get; set; }
    /// <summary>Longest diameter, mm.</summary>
    public string? LongestDiameterMm { get; set; }
    /// <summary>Short axis, mm (lymph nodes).</summary>
    public string? ShortAxisMm { get; set; }
    /// <summary>Ablation zone: enhancing tissue at the zone (yes, no, blank).</summary>
    public string? EnhancingTissue { get; set; }
    /// <summary>Ablation zone: that tissue adjacent to the zone (yes, no, blank).</summary>
    public string? AdjacentToZone { get; set; }
    /// <summary>Ablation zone: diameter, mm.</summary>
    public string? ZoneDiameterMm { get; set; }
}

/// <summary>One row of new lesions (<c>followUps[].newLesions[]</c>).</summary>
public sealed class NewLesionRow
{
    /// <summary>Organ (case-file spelling) or blank.</summary>
    public string? Organ { get; set; }
    /// <summary>Location, free text.</summary>
    public string? Location { get; set; }
    /// <summary>Size (longest diameter), mm.</summary>
    public string? SizeMm { get; set; }
}

/// <summary>The follow-up form: one study with a row per lesion and rows for new lesions.</summary>
public sealed class FollowUpForm
{
    /// <summary>Date of the study, ISO 8601.</summary>
    public string? Date { get; set; }
    /// <summary>ct, mri, pet-ct, us or blank.</summary>
    public string? Modality { get; set; }
    /// <summary>Rows per lesion.</summary>
    public List<FindingRow> Lesions { get; set; } = [];
    /// <summary>New lesions.</summary>
    public List<NewLesionRow> NewLesions { get; set; } = [];
}

/// <summary>A case file with one entry appended, and how the reader's paths of that entry map to form fields.</summary>
/// <param name="Json">The new case-file text.</param>
/// <param name="FieldOf">Maps a reader path to the form field it concerns; null for a path outside the new entry.</param>
public sealed record AppendedCaseFile(string Json, Func<string, string?> FieldOf);

/// <summary>
/// Builds the case-file entries of the case page's forms and appends them to the stored case file (the rest of the file
/// is kept as stored), so the save goes through the same reader and the same save path as the editor's.
/// </summary>
public static partial class FollowUpForms
{
    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Case-file spellings of the therapies, in the format's order.</summary>
    public static IReadOnlyList<string> Therapies { get; } = [.. Enum.GetValues<TreatmentKind>().Select(FollowUpVocabulary.ToJson)];

    /// <summary>Case-file spellings of the approaches.</summary>
    public static IReadOnlyList<string> Approaches { get; } = [.. Enum.GetValues<TreatmentApproach>().Where(a => a != TreatmentApproach.Unknown).Select(FollowUpVocabulary.ToJson)];

    /// <summary>Case-file spellings of the intents.</summary>
    public static IReadOnlyList<string> Intents { get; } = [.. Enum.GetValues<TreatmentGoal>().Where(a => a != TreatmentGoal.Unknown).Select(FollowUpVocabulary.ToJson)];

    /// <summary>Case-file spellings of the imaging modalities.</summary>
    public static IReadOnlyList<string> Modalities { get; } = [.. Enum.GetValues<ImagingModality>().Where(a => a != ImagingModality.Unknown).Select(FollowUpVocabulary.ToJson)];

    /// <summary>Case-file spellings of a lesion's status on follow-up.</summary>
    public static IReadOnlyList<string> Statuses { get; } = [.. Enum.GetValues<LesionPresence>().Select(FollowUpVocabulary.ToJson)];

    /// <summary>Case-file spellings of the organs.</summary>
    public static IReadOnlyList<string> Organs { get; } = [.. Enum.GetValues<Organ>().Select(CaseVocabulary.ToJson)];

    /// <summary>An unused treatment id: T1, T2, … after those in the case.</summary>
    public static string NextTreatmentId(MetastaticCase? @case)
    {
        var used = (@case?.FollowUp?.Treatments ?? []).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var n = used.Count + 1;
        while (used.Contains($"T{n}"))
        {
            n++;
        }
        return $"T{n}";
    }

    /// <summary>A blank follow-up form with one row per lesion of the case and one spare row, and two new-lesion rows.</summary>
    public static FollowUpForm BlankFollowUp(MetastaticCase? @case) => new()
    {
        Lesions = [.. (@case?.Lesions ?? []).Select(l => new FindingRow { LesionId = l.Id }), new FindingRow()],
        NewLesions = [new NewLesionRow(), new NewLesionRow()],
    };

    /// <summary>Appends the treatment to <c>treatments[]</c> of <paramref name="caseFileJson"/>.</summary>
    /// <exception cref="JsonException">The stored file is not a JSON object.</exception>
    public static AppendedCaseFile AppendTreatment(string caseFileJson, TreatmentForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var root = Root(caseFileJson);
        var entry = new JsonObject();
        Text(entry, "id", form.Id);
        Text(entry, "date", form.Date);
        Text(entry, "therapy", form.Therapy);
        entry["lesionIds"] = new JsonArray([.. form.LesionIds.Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => (JsonNode)JsonValue.Create(id.Trim()))]);
        Text(entry, "approach", form.Approach);
        Text(entry, "intent", form.Intent);
        Text(entry, "device", form.Device);
        Text(entry, "setting", form.Setting);
        Text(entry, "regimen", form.Regimen);
        YesNo(entry, "technicalSuccess", form.TechnicalSuccess);
        Number(entry, "complicationGrade", form.ComplicationGrade);
        Number(entry, "minimalAblativeMarginMm", form.MinimalAblativeMarginMm);
        var index = Append(root, "treatments", entry);
        var prefix = $"treatments[{index}]";
        return new AppendedCaseFile(root.ToJsonString(WriteOptions), path =>
        {
            if (!TryRest(path, prefix, out var rest))
            {
                return null;
            }
            var m = PathSegment().Match(rest);
            return m.Success ? "Treatment." + Pascal(m.Groups["name"].Value) : "Treatment";
        });
    }

    /// <summary>Appends the follow-up study to <c>followUps[]</c> of <paramref name="caseFileJson"/>. A lesion row
    /// with neither a status nor a measurement nor a zone finding is left out (the lesion was not reported).</summary>
    /// <exception cref="JsonException">The stored file is not a JSON object.</exception>
    public static AppendedCaseFile AppendFollowUp(string caseFileJson, FollowUpForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var root = Root(caseFileJson);
        var entry = new JsonObject();
        Text(entry, "date", form.Date);
        Text(entry, "modality", form.Modality);
        var findings = new JsonArray();
        var findingRows = new List<int>();
        for (var r = 0; r < form.Lesions.Count; r++)
        {
            var row = form.Lesions[r];
            var zoneGiven = !Blank(row.EnhancingTissue) || !Blank(row.AdjacentToZone) || !Blank(row.ZoneDiameterMm);
            if (Blank(row.Status) && Blank(row.LongestDiameterMm) && Blank(row.ShortAxisMm) && !zoneGiven)
            {
                continue;
            }
            var f = new JsonObject();
            Text(f, "lesionId", row.LesionId);
            Text(f, "status", row.Status);
            Number(f, "longestDiameterMm", row.LongestDiameterMm);
            Number(f, "shortAxisMm", row.ShortAxisMm);
            if (zoneGiven)
            {
                var zone = new JsonObject();
                YesNo(zone, "enhancingTissue", row.EnhancingTissue);
                YesNo(zone, "adjacentToZone", row.AdjacentToZone);
                Number(zone, "diameterMm", row.ZoneDiameterMm);
                f["ablationZone"] = zone;
            }
            findings.Add(f);
            findingRows.Add(r);
        }
        entry["lesions"] = findings;
        var newLesions = new JsonArray();
        var newRows = new List<int>();
        for (var r = 0; r < form.NewLesions.Count; r++)
        {
            var row = form.NewLesions[r];
            if (Blank(row.Organ) && Blank(row.Location) && Blank(row.SizeMm))
            {
                continue;
            }
            var n = new JsonObject();
            Text(n, "organ", row.Organ);
            Text(n, "location", row.Location);
            Number(n, "size", row.SizeMm);
            newLesions.Add(n);
            newRows.Add(r);
        }
        if (newLesions.Count > 0)
        {
            entry["newLesions"] = newLesions;
        }
        var index = Append(root, "followUps", entry);
        var prefix = $"followUps[{index}]";
        return new AppendedCaseFile(root.ToJsonString(WriteOptions), path =>
        {
            if (!TryRest(path, prefix, out var rest))
            {
                return null;
            }
            var m = PathSegment().Match(rest);
            if (!m.Success)
            {
                return "FollowUp";
            }
            var name = m.Groups["name"].Value;
            if (m.Groups["index"].Success && int.TryParse(m.Groups["index"].Value, CultureInfo.InvariantCulture, out var k))
            {
                var after = rest[m.Length..];
                var sub = PathSegment().Match(after);
                if (name == "lesions" && k < findingRows.Count)
                {
                    var field = !sub.Success ? "LesionId" : sub.Groups["name"].Value switch
                    {
                        "ablationZone" => ZoneField(after[sub.Length..]),
                        var other => Pascal(other),
                    };
                    return $"FollowUp.Lesions[{findingRows[k]}].{field}";
                }
                if (name == "newLesions" && k < newRows.Count)
                {
                    var field = !sub.Success ? "Organ" : sub.Groups["name"].Value == "size" ? "SizeMm" : Pascal(sub.Groups["name"].Value);
                    return $"FollowUp.NewLesions[{newRows[k]}].{field}";
                }
            }
            return "FollowUp." + Pascal(name);
        });
    }

    private static string ZoneField(string rest)
    {
        var m = PathSegment().Match(rest);
        return !m.Success ? "EnhancingTissue" : m.Groups["name"].Value switch
        {
            "diameterMm" => "ZoneDiameterMm",
            var other => Pascal(other),
        };
    }

    private static bool TryRest(string path, string prefix, out string rest)
    {
        rest = "";
        if (!path.StartsWith(prefix, StringComparison.Ordinal) || (path.Length > prefix.Length && path[prefix.Length] is not ('.' or '[')))
        {
            return false;
        }
        rest = path[prefix.Length..];
        return true;
    }

    private static JsonObject Root(string caseFileJson) =>
        JsonNode.Parse(caseFileJson, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }) as JsonObject
        ?? throw new JsonException("the stored case file is not a JSON object");

    private static int Append(JsonObject root, string name, JsonObject entry)
    {
        if (root[name] is not JsonArray list)
        {
            // Absent (or null): start the list. Anything else is left for the reader to refuse, with the entry beside it.
            if (root[name] is not null)
            {
                return -1;
            }
            list = [];
            root[name] = list;
        }
        list.Add(entry);
        return list.Count - 1;
    }

    private static bool Blank(string? s) => string.IsNullOrWhiteSpace(s);

    private static void Text(JsonObject o, string name, string? value)
    {
        if (!Blank(value))
        {
            o[name] = value!.Trim();
        }
    }

    private static void YesNo(JsonObject o, string name, string? value)
    {
        switch (value?.Trim())
        {
            case null or "":
                return;
            case "yes" or "true":
                o[name] = true;
                return;
            case "no" or "false":
                o[name] = false;
                return;
            default:
                o[name] = value.Trim(); // the reader names the field and says it wants true or false
                return;
        }
    }

    private static void Number(JsonObject o, string name, string? value)
    {
        if (Blank(value))
        {
            return;
        }
        var text = value!.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            o[name] = number == Math.Floor(number) && Math.Abs(number) < 1e9 ? JsonValue.Create((long)number) : JsonValue.Create(number);
        }
        else
        {
            o[name] = text; // not a number: the reader says so, naming the field
        }
    }

    private static string Pascal(string camel) => camel.Length == 0 ? camel : char.ToUpperInvariant(camel[0]) + camel[1..];

    [GeneratedRegex(@"^\.(?<name>[A-Za-z]+)(\[(?<index>\d+)\])?")]
    private static partial Regex PathSegment();
}
