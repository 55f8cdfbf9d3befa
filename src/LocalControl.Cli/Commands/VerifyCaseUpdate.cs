using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalControl.Core.Cases;
using LocalControl.Core.IO;
using LocalControl.Verification;

namespace LocalControl.Cli.Commands;

/// <summary>What <c>verify --update-case</c> wrote, for the report.</summary>
/// <param name="CaseFile">The case file rewritten.</param>
/// <param name="LesionId">The case lesion whose margin it is.</param>
/// <param name="TreatmentId">The treatment record that now holds the margin.</param>
/// <param name="Tumour">The verified tumour (T1, T2 … of the segmentation) whose margin was written.</param>
/// <param name="MinimalAblativeMarginMm">The value written (mm, two decimals).</param>
/// <param name="PreviousMarginMm">The value the record held before, or null.</param>
internal sealed record CaseMarginUpdate(string CaseFile, string LesionId, string TreatmentId, string Tumour, double MinimalAblativeMarginMm, double? PreviousMarginMm)
{
    public JsonObject ToJson() => new()
    {
        ["file"] = CaseFile,
        ["lesionId"] = LesionId,
        ["treatmentId"] = TreatmentId,
        ["tumour"] = Tumour,
        ["minimalAblativeMarginMm"] = MinimalAblativeMarginMm,
        ["previousMarginMm"] = PreviousMarginMm,
    };
}

/// <summary>
/// Writes a verified margin into the lesion's treatment record of a case file (<c>treatments[i].minimalAblativeMarginMm</c>,
/// docs/follow.md). The file is edited as JSON text, so every other field (including ones this version does not
/// know) is kept as it was; the result is read back by the case reader before it replaces the file (temp file +
/// rename). Anything ambiguous (which lesion, which tumour, which treatment) is refused with a message, never guessed.
/// </summary>
internal static class VerifyCaseUpdate
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 };

    // Indented, and non-ASCII text (names, dashes) kept as it is written rather than escaped.
    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Checks what can be checked before the (slower) verification: the lesion and the treatment record.</summary>
    public static (string LesionId, string TreatmentId) Resolve(MetastaticCase @case, string casePath, string? lesionId, string? treatmentId)
    {
        if (casePath == InputFiles.StandardStream)
        {
            throw new UserInputException("--update-case needs a case file on disk, not standard input.");
        }

        var treatments = @case.FollowUp?.Treatments ?? [];
        if (lesionId is null)
        {
            var ablated = treatments.Where(t => t.IsAblation).SelectMany(t => t.LesionIds).Distinct(StringComparer.Ordinal).ToArray();
            if (ablated.Length != 1)
            {
                throw new UserInputException(ablated.Length == 0
                    ? $"{casePath}: treatments: no ablation is recorded, so there is no treatment record to hold the margin (add the ablation to treatments[], or leave out --update-case)."
                    : $"{casePath}: treatments: ablations of {ablated.Length} lesions are recorded ({string.Join(", ", ablated)}): name the verified lesion with --lesion.");
            }

            lesionId = ablated[0];
        }
        else if (!@case.Lesions.Any(l => string.Equals(l.Id, lesionId, StringComparison.Ordinal)))
        {
            throw new UserInputException($"{casePath}: lesions: no lesion with id '{lesionId}' (--lesion); the case has {string.Join(", ", @case.Lesions.Select(l => l.Id))}.");
        }

        var lesion = lesionId;
        if (treatmentId is not null)
        {
            var named = treatments.FirstOrDefault(t => string.Equals(t.Id, treatmentId, StringComparison.Ordinal))
                ?? throw new UserInputException($"{casePath}: treatments: no treatment with id '{treatmentId}' (--treatment).");
            if (!named.IsAblation || !named.LesionIds.Contains(lesion, StringComparer.Ordinal))
            {
                throw new UserInputException($"{casePath}: treatments: treatment '{treatmentId}' is {(named.IsAblation ? $"an ablation of {string.Join(", ", named.LesionIds)}, not of lesion '{lesion}'" : $"{named.Therapy.ToString().ToLowerInvariant()}, not an ablation")}: it cannot hold the margin of lesion '{lesion}'.");
            }

            return (lesion, treatmentId);
        }

        var ablations = treatments.Where(t => t.IsAblation && t.LesionIds.Contains(lesion, StringComparer.Ordinal)).ToArray();
        return ablations.Length switch
        {
            1 => (lesion, ablations[0].Id),
            0 => throw new UserInputException($"{casePath}: treatments: no ablation of lesion '{lesion}' is recorded: add the treatment record first, or leave out --update-case."),
            _ => throw new UserInputException($"{casePath}: treatments: lesion '{lesion}' was ablated {ablations.Length} times ({string.Join(", ", ablations.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Id} on {t.Date:yyyy-MM-dd}")))}): name the session verified with --treatment."),
        };
    }

    /// <summary>Picks the verified tumour (the only one, or the one named) and writes its MAM into the treatment record.</summary>
    public static CaseMarginUpdate Write(string casePath, string lesionId, string treatmentId, string? tumourId, VerificationReport report)
    {
        var tumours = report.Margins.Tumours;
        Verification.Margins.TumourMargin tumour;
        if (tumourId is null)
        {
            if (tumours.Count != 1)
            {
                throw new UserInputException($"the segmentation shows {tumours.Count} tumours ({string.Join(", ", tumours.Select(t => t.Id))}): say which one is lesion '{lesionId}' with --tumour (the case file was not changed).");
            }

            tumour = tumours[0];
        }
        else
        {
            tumour = tumours.FirstOrDefault(t => string.Equals(t.Id, tumourId, StringComparison.Ordinal))
                ?? throw new UserInputException($"--tumour {tumourId}: the segmentation shows {string.Join(", ", tumours.Select(t => t.Id))} (the case file was not changed).");
        }

        var mam = Math.Round(tumour.MinimalMarginMm, 2) + 0.0;
        if (mam is < -50 or > 100)
        {
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture, $"{casePath}: treatments: the margin of {tumour.Id} ({mam:0.0} mm) is outside the case file's range for minimalAblativeMarginMm (-50 to 100 mm); the case file was not changed."));
        }

        var text = CaseFiles.ReadText(casePath, "case file");
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new UserInputException($"{casePath}: not valid JSON ({ex.Message}).", ex);
        }

        var list = root?["treatments"] as JsonArray
            ?? throw new UserInputException($"{casePath}: treatments: the case file has no treatments list.");
        JsonObject? record = null;
        var index = -1;
        for (var n = 0; n < list.Count; n++)
        {
            if (list[n] is JsonObject o && o["id"] is JsonValue v && v.TryGetValue<string>(out var id) && string.Equals(id, treatmentId, StringComparison.Ordinal))
            {
                record = o;
                index = n;
                break;
            }
        }

        if (record is null)
        {
            throw new UserInputException($"{casePath}: treatments: no treatment with id '{treatmentId}' (the file changed while verify ran?); the case file was not changed.");
        }

        double? previous = record["minimalAblativeMarginMm"] is JsonValue old && old.TryGetValue<double>(out var p) ? p : null;
        record["minimalAblativeMarginMm"] = mam;
        var updated = root!.ToJsonString(WriteOptions) + "\n";

        // Read the new text back as a case before it replaces the old one: a file that the case reader refuses is never written.
        var check = CaseFileReader.Read(updated);
        if (!check.IsValid)
        {
            throw new InvalidOperationException($"the updated case file would not read back ({string.Join("; ", check.Errors)}); {casePath} was not changed.");
        }

        var written = check.Case!.FollowUp!.Treatments.First(t => t.Id == treatmentId).MinimalAblativeMarginMm;
        if (written != mam)
        {
            throw new InvalidOperationException($"the updated case file reads back {written} mm at treatments[{index}], not {mam} mm; {casePath} was not changed.");
        }

        Core.IO.OutputFiles.WriteText(casePath, updated);
        return new CaseMarginUpdate(casePath, lesionId, treatmentId, tumour.Id, mam, previous);
    }
}
