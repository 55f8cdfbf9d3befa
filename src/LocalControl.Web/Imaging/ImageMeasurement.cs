using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LocalControl.Core;
using LocalControl.Core.Cases;
using LocalControl.Core.Rules;
using LocalControl.Imaging;
using LocalControl.Imaging.Formats.Segmentations;
using LocalControl.Imaging.Measurements;
using LocalControl.Imaging.Volumes;
using LocalControl.Registry.Entities;

namespace LocalControl.Web.Imaging;

/// <summary>One lesion field of a measure-from-image preview: what was typed, what the case would hold, and why.</summary>
/// <param name="LesionId">The lesion (case-file id).</param>
/// <param name="Field">The case-file field.</param>
/// <param name="Typed">The stored value (JSON), or null.</param>
/// <param name="Result">The value after the merge (JSON), or null.</param>
/// <param name="Status">measured · measured, replaces typed · measured, agrees with typed · typed · typed kept (images differ) · new lesion.</param>
public sealed record MeasuredField(string LesionId, string Field, string? Typed, string? Result, string Status);

/// <summary>What measuring a label map would do to a case: the merged case file and its SHA-256 (what confirming
/// saves), field by field, and the merge's notes; or why it cannot be measured.</summary>
public sealed record ImageMeasurementPreview(string? MergedJson, string? Sha256, IReadOnlyList<MeasuredField> Fields, IReadOnlyList<string> Notes, string? Error)
{
    /// <summary>A refusal.</summary>
    public static ImageMeasurementPreview Refused(string error) => new(null, null, [], [], error);
}

/// <summary>
/// Measure from the image: the code of <c>localcontrol assess --labels</c> on an uploaded label map —
/// <see cref="LesionMeasurer.Measure"/> with the rule set's thresholds (<see cref="MeasureOptions.From"/>), each lesion as
/// a <see cref="LesionMeasurement"/> (<see cref="MeasuredLesion.ToLesionMeasurement"/>), merged into the case with
/// <see cref="MeasurementMerge.Merge"/> (matched by centroid, else id; measured values replace typed ones unless
/// typed are preferred) and written with <see cref="CaseFileWriter"/>, as <c>--write-case</c> does.
/// </summary>
public static class ImageMeasurement
{
    /// <summary>The fields a measurement may fill (docs/case-format.md), in the order the preview lists them.</summary>
    public static readonly IReadOnlyList<string> Fields =
    [
        "longestDiameterMm", "longestAxialDiameterMm", "volumeMl", "distanceToLargeVesselMm", "largeVesselCalibreMm", "distanceToHilumMm",
        "depthFromCapsuleMm", "distanceToAnyVesselMm", "adjacentStructures", "location", "centroidMm",
    ];

    /// <summary>The label table: a built-in convention by name, or a JSON object typed on the page.</summary>
    public static (LabelTable? Table, string? Error) ReadTable(string? name, string? json)
    {
        if (!string.IsNullOrWhiteSpace(json))
        {
            try
            {
                return (LabelTableJson.Parse(json, "label table"), null);
            }
            catch (LocalControlInputException e)
            {
                return (null, e.Message);
            }
        }
        if (!string.IsNullOrWhiteSpace(name) && BuiltInLabelTables.Find(name) is { } builtIn)
        {
            var copy = new LabelTable();
            foreach (var e in builtIn.Table.Entries)
            {
                copy.Set(e);
            }
            return (copy, null);
        }
        return (null, $"Label table: choose one of {string.Join(", ", BuiltInLabelTables.Names)}, or type one as JSON, e.g. {{\"1\": \"liver\", \"2\": \"tumour\"}}.");
    }

    /// <summary>Measures <paramref name="labels"/> and merges it into the stored case file (nothing is saved here).</summary>
    public static ImageMeasurementPreview Preview(ImageStore store, CaseImage labels, LabelTable table, string tableName, string caseFileJson, bool preferTyped)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(caseFileJson);
        if (labels.Kind != "labels")
        {
            return ImageMeasurementPreview.Refused($"Image {labels.Id} is not a label map; upload the segmentation as kind 'Label map'.");
        }
        var read = CaseFileReader.Read(caseFileJson);
        if (!read.IsValid || read.Case is null)
        {
            return ImageMeasurementPreview.Refused("The stored case file does not read; fix it in the editor first.");
        }
        var rules = RuleSet.Default;
        var source = $"image {labels.Id} ({labels.FileName})";
        IReadOnlyList<MeasuredLesion> lesions;
        try
        {
            var map = new LabelMap(store.LabelVolume(labels), table);
            var options = MeasureOptions.From(rules);
            lesions = LesionMeasurer.Measure(map, options);
            if (lesions.Count == 0)
            {
                return ImageMeasurementPreview.Refused($"No tumour label found in {source}: nothing to measure (check the label table's 'tumour' entries).");
            }
            var measured = lesions.Select(m => m.ToLesionMeasurement(new JsonObject
            {
                ["file"] = labels.FileName,
                ["imageId"] = labels.Id,
                ["imageSha256"] = labels.Sha256,
                ["labelTable"] = tableName,
                ["measuredLesionId"] = m.Id,
                ["ruleSet"] = rules.DisplayVersion,
                ["largeVesselMinCalibreMm"] = options.LargeVesselCalibreMm,
                ["adjacencyDistanceMm"] = options.AdjacencyDistanceMm,
            }.ToJsonString())).ToList();
            var (merged, notes) = MeasurementMerge.Merge(read.Case, measured, preferTyped, source);
            var mergedJson = CaseFileWriter.Write(merged);
            var typedJson = CaseFileWriter.Write(read.Case);
            var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(mergedJson)));
            return new(mergedJson, sha, Compare(typedJson, mergedJson, notes),
                // The merge speaks the CLI's words; on this page the option is the "keep typed values" box.
                notes.Select(n => n.ToString().Replace("use --prefer-typed to keep typed values", "tick 'keep typed values' to keep them", StringComparison.Ordinal)).ToList(), null);
        }
        catch (ImagingException e)
        {
            return ImageMeasurementPreview.Refused($"{source}: {e.Message}");
        }
    }

    // Field by field: the stored value (as the writer writes it) against the merged one, with the merge's verdict.
    private static List<MeasuredField> Compare(string typedJson, string mergedJson, IReadOnlyList<CaseProblem> notes)
    {
        var typed = ((JsonNode.Parse(typedJson)!["lesions"] as JsonArray) ?? []).OfType<JsonObject>().ToDictionary(l => (string)l["id"]!, l => l);
        var rows = new List<MeasuredField>();
        var mergedLesions = ((JsonNode.Parse(mergedJson)!["lesions"] as JsonArray) ?? []).OfType<JsonObject>().ToList();
        for (var index = 0; index < mergedLesions.Count; index++)
        {
            var lesion = mergedLesions[index];
            var id = (string)lesion["id"]!;
            var before = typed.GetValueOrDefault(id);
            var measuredFields = (lesion["measuredFields"] as JsonArray)?.Select(x => (string?)x).ToHashSet() ?? [];
            foreach (var field in Fields)
            {
                var t = before?[field]?.ToJsonString();
                var r = lesion[field]?.ToJsonString();
                if (t is null && r is null)
                {
                    continue;
                }
                string status;
                if (before is null)
                {
                    status = "new lesion";
                }
                else if (t == r)
                {
                    status = measuredFields.Contains(field) ? "measured, agrees with typed" : "typed";
                }
                else if (t is null)
                {
                    status = "measured";
                }
                else if (r is not null && t != r && (measuredFields.Contains(field) || field is "distanceToAnyVesselMm" or "centroidMm"))
                {
                    status = "measured, replaces typed";
                }
                else
                {
                    status = "typed";
                }
                if (status == "typed" && notes.Any(n => n.Path == $"lesions[{index}].{field}"))
                {
                    status = "typed kept (images differ)";
                }
                rows.Add(new MeasuredField(id, field, t, r, status));
            }
        }
        return rows;
    }
}
