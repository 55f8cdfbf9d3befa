using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LocalControl.Core.Cases;
using LocalControl.Follow.AblationOutcomes;
using LocalControl.Follow.Recist;

namespace LocalControl.Follow;

/// <summary>RECIST and ablation outcomes of one case, as computed by <see cref="FollowReport.Evaluate"/>.</summary>
/// <param name="CaseId">The case.</param>
/// <param name="Recist">RECIST 1.1 over the follow-up.</param>
/// <param name="AblatedLesions">Ablation terminology per ablated lesion.</param>
public sealed record FollowEvaluation(string CaseId, RecistAssessment Recist, IReadOnlyList<AblatedLesionOutcome> AblatedLesions);

/// <summary>The <c>localcontrol follow</c> outputs: JSON contract (docs/follow.md) and text.</summary>
public static class FollowReport
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>RECIST 1.1 and the ablation terminology for a case, kept apart.</summary>
    public static FollowEvaluation Evaluate(MetastaticCase @case)
    {
        ArgumentNullException.ThrowIfNull(@case);
        return new FollowEvaluation(@case.CaseId, RecistEvaluator.Assess(@case), AblationOutcomeEvaluator.Assess(@case));
    }

    /// <summary>Response category as the contract spells it.</summary>
    public static string ToJson(RecistCategory category) => category switch
    {
        RecistCategory.NonCrNonPd => "non-CR/non-PD",
        RecistCategory.None => "none",
        _ => category.ToString(),
    };

    /// <summary>Tristate as the contract spells it.</summary>
    public static string ToJson(Tristate value) => value switch
    {
        Tristate.Yes => "yes",
        Tristate.No => "no",
        _ => "unknown",
    };

    /// <summary>
    /// <c>{ "caseId", "recist": [ { "date", "sumOfDiametersMm", "changeFromBaselinePercent", "changeFromNadirPercent",
    /// "targetResponse", "nonTargetResponse", "newLesions", "overallResponse", "rule" } ], "ablatedLesions": [ { "lesionId",
    /// "treatmentId", "technicalSuccess", "techniqueEfficacy", "localTumourProgression": { "status", "date",
    /// "monthsFromTreatment" } } ] }</c>, plus <c>recistBaseline</c> (with <c>proposed</c>) and explanatory fields.
    /// </summary>
    public static string Json(FollowEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            w.WriteString("caseId", evaluation.CaseId);
            var b = evaluation.Recist.Baseline;
            w.WriteStartObject("recistBaseline");
            Date(w, "date", b.Baseline.Date);
            Ids(w, "targetLesionIds", b.Baseline.TargetLesionIds);
            Ids(w, "nonTargetLesionIds", b.Baseline.NonTargetLesionIds);
            w.WriteNumber("sumOfDiametersMm", Round(evaluation.Recist.BaselineSumMm));
            w.WriteBoolean("proposed", b.Proposed);
            Ids(w, "notes", b.Notes);
            w.WriteEndObject();
            w.WriteStartArray("recist");
            foreach (var p in evaluation.Recist.TimePoints)
            {
                w.WriteStartObject();
                Date(w, "date", p.Date);
                Num(w, "sumOfDiametersMm", p.SumOfDiametersMm);
                Num(w, "changeFromBaselinePercent", p.ChangeFromBaselinePercent);
                Num(w, "changeFromNadirPercent", p.ChangeFromNadirPercent);
                w.WriteString("targetResponse", ToJson(p.TargetResponse));
                w.WriteString("nonTargetResponse", ToJson(p.NonTargetResponse));
                w.WriteBoolean("newLesions", p.NewLesions);
                w.WriteString("overallResponse", ToJson(p.OverallResponse));
                w.WriteString("rule", p.Rule);
                w.WriteNumber("nadirSumMm", Round(p.NadirSumMm));
                w.WriteStartArray("targets");
                foreach (var t in p.Targets)
                {
                    w.WriteStartObject();
                    w.WriteString("lesionId", t.LesionId);
                    Num(w, t.IsNode ? "shortAxisMm" : "longestDiameterMm", t.MeasurementMm);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("ablatedLesions");
            foreach (var a in evaluation.AblatedLesions)
            {
                w.WriteStartObject();
                w.WriteString("lesionId", a.LesionId);
                w.WriteString("treatmentId", a.TreatmentId);
                w.WriteString("therapy", FollowUpVocabulary.ToJson(a.Therapy));
                Date(w, "treatmentDate", a.TreatmentDate);
                if (a.TechnicalSuccess is { } ts)
                {
                    w.WriteBoolean("technicalSuccess", ts);
                }
                else
                {
                    w.WriteNull("technicalSuccess");
                }

                w.WriteString("techniqueEfficacy", ToJson(a.TechniqueEfficacy));
                Date(w, "techniqueEfficacyDate", a.TechniqueEfficacyDate);
                w.WriteString("techniqueEfficacyRule", a.TechniqueEfficacyRule);
                Num(w, "minimalAblativeMarginMm", a.MinimalAblativeMarginMm);
                w.WriteStartObject("localTumourProgression");
                w.WriteString("status", ToJson(a.LocalTumourProgression.Status));
                Date(w, "date", a.LocalTumourProgression.Date);
                Num(w, "monthsFromTreatment", a.LocalTumourProgression.MonthsFromTreatment);
                Num(w, "followUpMonths", a.LocalTumourProgression.FollowUpMonths);
                w.WriteString("rule", a.LocalTumourProgression.Rule);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The same as readable text: RECIST per time point, then each ablated lesion.</summary>
    public static string Text(FollowEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var sb = new StringBuilder();
        var r = evaluation.Recist;
        sb.Append(CultureInfo.InvariantCulture, $"Case {evaluation.CaseId}\n\nRECIST 1.1\n");
        sb.Append(CultureInfo.InvariantCulture, $"  baseline{(r.Baseline.Baseline.Date is { } d ? " " + Iso(d) : "")}: targets {List(r.Baseline.Baseline.TargetLesionIds)} (sum {F(r.BaselineSumMm)} mm); non-targets {List(r.Baseline.Baseline.NonTargetLesionIds)}\n");
        foreach (var note in r.Baseline.Notes)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  note: {note}\n");
        }

        if (r.TimePoints.Count == 0)
        {
            sb.Append("  no follow-up study after the baseline\n");
        }

        foreach (var p in r.TimePoints)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {Iso(p.Date)}  overall {ToJson(p.OverallResponse),-3}  target {ToJson(p.TargetResponse)}, non-target {ToJson(p.NonTargetResponse)}, new lesions {(p.NewLesions ? "yes" : "no")}\n");
            sb.Append(CultureInfo.InvariantCulture, $"              {p.Rule}\n");
        }

        sb.Append("\nAblated lesions (Ahmed 2014 terminology)\n");
        if (evaluation.AblatedLesions.Count == 0)
        {
            sb.Append("  none\n");
        }

        foreach (var a in evaluation.AblatedLesions)
        {
            var ts = a.TechnicalSuccess switch { true => "yes", false => "no", null => "not recorded" };
            sb.Append(CultureInfo.InvariantCulture, $"  {a.LesionId} ({FollowUpVocabulary.ToJson(a.Therapy)} {a.TreatmentId}, {Iso(a.TreatmentDate)}): technical success {ts}; technique efficacy {ToJson(a.TechniqueEfficacy)}; local tumour progression {ToJson(a.LocalTumourProgression.Status)}\n");
            sb.Append(CultureInfo.InvariantCulture, $"      efficacy: {a.TechniqueEfficacyRule}\n      LTP: {a.LocalTumourProgression.Rule}\n");
        }

        return sb.ToString();
    }

    private static void Num(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } x)
        {
            w.WriteNumber(name, Round(x));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    // Sums and percentages are reported to 0.01 (mm, %): the measurements are typed to 0.1 mm at best.
    private static double Round(double v) => Math.Round(v, 2, MidpointRounding.AwayFromZero);

    private static void Date(Utf8JsonWriter w, string name, DateOnly? d)
    {
        if (d is { } x)
        {
            w.WriteString(name, Iso(x));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Ids(Utf8JsonWriter w, string name, IReadOnlyList<string> ids)
    {
        w.WriteStartArray(name);
        foreach (var id in ids)
        {
            w.WriteStringValue(id);
        }

        w.WriteEndArray();
    }

    private static string List(IReadOnlyList<string> ids) => ids.Count == 0 ? "none" : string.Join(", ", ids);

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
