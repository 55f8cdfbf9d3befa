using System.Text;
using System.Text.Json;

namespace LocalControl.Core.Cases;

/// <summary>Writes a case back to the case-file format. Unknown values are omitted, so a read–write round trip keeps
/// every known value and invents none.</summary>
public static partial class CaseFileWriter
{
    /// <summary>The case as indented JSON text.</summary>
    public static string Write(MetastaticCase @case)
    {
        ArgumentNullException.ThrowIfNull(@case);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("caseId", @case.CaseId);
            WritePatient(w, @case.Patient);
            w.WriteStartArray("lesions");
            foreach (var lesion in @case.Lesions)
            {
                WriteLesion(w, lesion);
            }

            w.WriteEndArray();
            WriteFollowUp(w, @case.FollowUp);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>One lesion as it stands in a case file's <c>lesions</c> array (indented JSON text): what
    /// <c>measure</c> prints for each measured lesion, so that its list and a written case carry the same fields.</summary>
    public static string WriteLesion(Lesion lesion)
    {
        ArgumentNullException.ThrowIfNull(lesion);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteLesion(w, lesion);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WritePatient(Utf8JsonWriter w, Patient p)
    {
        w.WriteStartObject("patient");
        Num(w, "ageYears", p.AgeYears);
        Num(w, "ecog", p.Ecog);
        if (p.RasStatus != MutationStatus.Unknown)
        {
            w.WriteString("rasStatus", CaseVocabulary.ToJson(p.RasStatus));
        }

        if (p.BrafStatus != MutationStatus.Unknown)
        {
            w.WriteString("brafStatus", CaseVocabulary.ToJson(p.BrafStatus));
        }

        if (p.MsiStatus != MsiStatus.Unknown)
        {
            w.WriteString("msiStatus", CaseVocabulary.ToJson(p.MsiStatus));
        }

        if (p.Primary is { } primary)
        {
            w.WriteStartObject("primary");
            if (primary.Site is { } site)
            {
                w.WriteString("site", CaseVocabulary.ToJson(site));
            }

            Bool(w, "nodePositive", primary.NodePositive);
            Bool(w, "resected", primary.Resected);
            w.WriteEndObject();
        }

        Num(w, "cea", p.CeaNgPerMl);
        Num(w, "diseaseFreeIntervalMonths", p.DiseaseFreeIntervalMonths);
        if (p.PriorSystemicTherapy is { } lines)
        {
            w.WriteStartArray("priorSystemicTherapy");
            foreach (var line in lines)
            {
                w.WriteStartObject();
                Num(w, "line", line.Line);
                Str(w, "regimen", line.Regimen);
                Bool(w, "containsOxaliplatin", line.ContainsOxaliplatin);
                if (line.BestResponse != BestResponse.Unknown)
                {
                    w.WriteString("bestResponse", CaseVocabulary.ToJson(line.BestResponse));
                }

                Bool(w, "progressed", line.Progressed);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (p.Liver is { } liver)
        {
            w.WriteStartObject("liver");
            Num(w, "futureLiverRemnantPercent", liver.FutureLiverRemnantPercent);
            Bool(w, "cirrhosis", liver.Cirrhosis);
            Num(w, "bilirubinUmolL", liver.BilirubinUmolPerL);
            w.WriteEndObject();
        }

        if (p.TreatmentIntentPreference is { } intent)
        {
            w.WriteString("treatmentIntentPreference", CaseVocabulary.ToJson(intent));
        }

        w.WriteEndObject();
    }

    private static void WriteLesion(Utf8JsonWriter w, Lesion l)
    {
        w.WriteStartObject();
        w.WriteString("id", l.Id);
        w.WriteString("organ", CaseVocabulary.ToJson(l.Organ));
        Str(w, "location", l.Location);
        Num(w, "longestDiameterMm", l.LongestDiameterMm);
        Num(w, "distanceToLargeVesselMm", l.DistanceToLargeVesselMm);
        Num(w, "largeVesselCalibreMm", l.LargeVesselCalibreMm);
        Num(w, "distanceToHilumMm", l.DistanceToHilumMm);
        Strings(w, "adjacentStructures", l.AdjacentStructures);
        if (l.Visibility != GuidanceVisibility.Unknown)
        {
            w.WriteStartObject("visibility");
            foreach (var (modality, value) in l.Visibility.All())
            {
                if (value != Visibility.NotAssessed)
                {
                    w.WriteString(modality, CaseVocabulary.ToJson(value));
                }
            }

            w.WriteEndObject();
        }

        Num(w, "depthFromCapsuleMm", l.DepthFromCapsuleMm);
        if (l.SurgicalAssessment != SurgicalAssessment.NotAssessed)
        {
            w.WriteString("surgicalAssessment", CaseVocabulary.ToJson(l.SurgicalAssessment));
        }

        Str(w, "priorLocalTreatment", l.PriorLocalTreatment);
        if (l.Intent != BoneLesionIntent.NotAssessed)
        {
            w.WriteString("intent", CaseVocabulary.ToJson(l.Intent));
        }

        Num(w, "worstPainScore", l.WorstPainScore);
        Bool(w, "corticalErosion", l.CorticalErosion);
        Num(w, "volumeMl", l.VolumeMl);
        Num(w, "longestAxialDiameterMm", l.LongestAxialDiameterMm);
        if (l.CentroidMm is { } c)
        {
            w.WriteStartArray("centroidMm");
            foreach (var x in c)
            {
                w.WriteNumberValue(x);
            }

            w.WriteEndArray();
        }

        Strings(w, "measuredFields", l.MeasuredFields);
        Num(w, "distanceToAnyVesselMm", l.DistanceToAnyVesselMm);
        if (l.DistancesMm is { } distances)
        {
            w.WriteStartObject("distancesMm");
            foreach (var (name, mm) in distances.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(name, mm);
            }

            w.WriteEndObject();
        }

        Strings(w, "adjacencyNotAssessed", l.AdjacencyNotAssessed);
        if (l.MeasurementSourceJson is { } source)
        {
            w.WritePropertyName("source");
            w.WriteRawValue(source);
        }

        Num(w, "shortAxisMm", l.ShortAxisMm);
        w.WriteEndObject();
    }

    private static void Num(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    private static void Num(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    private static void Bool(Utf8JsonWriter w, string name, bool? value)
    {
        if (value is { } v)
        {
            w.WriteBoolean(name, v);
        }
    }

    private static void Str(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
