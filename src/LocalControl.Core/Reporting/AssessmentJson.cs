using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LocalControl.Core.Cases;
using LocalControl.Core.Engine;
using LocalControl.Core.Evidence;

namespace LocalControl.Core.Reporting;

/// <summary>
/// Writes an <see cref="Assessment"/> as the machine contract of <c>localcontrol assess --format json</c>
/// (docs/assessment-json.md). Field names are stable; new fields may be added, none renamed.
/// </summary>
public static class AssessmentJson
{
    /// <summary>Version of the JSON contract.</summary>
    public const string SchemaVersion = "1.0";

    /// <summary>The assessment as indented JSON.</summary>
    public static string Serialize(Assessment assessment, IReadOnlyList<CaseProblem>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(w, assessment, warnings ?? []);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Writes the assessment object to a writer (for embedding it in larger documents).</summary>
    public static void Write(Utf8JsonWriter w, Assessment a, IReadOnlyList<CaseProblem> warnings)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(warnings);
        w.WriteStartObject();
        w.WriteString("schemaVersion", SchemaVersion);
        w.WriteString("caseId", a.CaseId);
        w.WriteString("ruleSetVersion", a.RuleSetVersion);
        w.WriteString("evidenceVersion", a.EvidenceVersion);
        w.WriteString("notice", "Decision support only: options are provisional until the multidisciplinary team validates them.");
        w.WriteStartArray("lesions");
        foreach (var lesion in a.Lesions)
        {
            w.WriteStartObject();
            w.WriteString("id", lesion.LesionId);
            w.WriteString("organ", CaseVocabulary.ToJson(lesion.Organ));
            w.WriteStartArray("options");
            foreach (var option in lesion.Options)
            {
                WriteOption(w, option);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("patientOptions");
        foreach (var option in a.PatientOptions)
        {
            WriteOption(w, option);
        }

        w.WriteEndArray();
        WriteDisease(w, a.Disease);
        w.WriteStartObject("scores");
        WriteScore(w, "fong", a.Scores.Fong);
        WriteScore(w, "game", a.Scores.Game);
        WriteScore(w, "tumourBurden", a.Scores.TumourBurden);
        w.WriteEndObject();
        w.WriteStartArray("missingData");
        foreach (var m in a.MissingData)
        {
            w.WriteStartObject();
            w.WriteString("field", m.Field);
            w.WriteBoolean("changesEligibility", m.ChangesEligibility);
            w.WriteString("label", m.Label);
            w.WriteStartArray("neededFor");
            foreach (var n in m.NeededFor)
            {
                w.WriteStringValue(n);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("warnings");
        foreach (var warning in warnings)
        {
            w.WriteStartObject();
            w.WriteString("field", warning.Path);
            w.WriteString("message", warning.Message);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteOption(Utf8JsonWriter w, TherapyOption o)
    {
        w.WriteStartObject();
        w.WriteString("therapy", TherapyNames.ToJson(o.Therapy));
        w.WriteString("eligibility", TherapyNames.ToJson(o.Eligibility));
        w.WriteNumber("rank", o.Rank);
        w.WriteNumber("advisoryFailures", o.AdvisoryFailures);
        w.WriteNumber("cautionWeight", o.CautionWeight);
        if (o.EvidenceLevel > 0)
        {
            w.WriteNumber("evidenceLevel", o.EvidenceLevel);
        }

        if (o.Setting is not null)
        {
            w.WriteString("setting", o.Setting);
        }

        w.WriteStartArray("criteria");
        foreach (var c in o.Criteria)
        {
            WriteCriterion(w, c);
        }

        w.WriteEndArray();
        w.WriteStartArray("expectedOutcomes");
        foreach (var e in o.ExpectedOutcomes)
        {
            WriteOutcome(w, e);
        }

        w.WriteEndArray();
        w.WriteStartArray("notes");
        foreach (var n in o.Notes)
        {
            w.WriteStringValue(n);
        }

        w.WriteEndArray();
        if (o.Plan is { } plan)
        {
            w.WriteStartArray("plan");
            foreach (var p in plan)
            {
                w.WriteStartObject();
                w.WriteString("lesionId", p.LesionId);
                w.WriteString("status", p.Status);
                if (p.Pending is { } pending)
                {
                    w.WriteString("pending", pending);
                }

                w.WriteStartArray("options");
                foreach (var t in p.Options)
                {
                    w.WriteStringValue(TherapyNames.ToJson(t));
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteCriterion(Utf8JsonWriter w, CriterionResult c)
    {
        w.WriteStartObject();
        w.WriteString("id", c.Id);
        w.WriteString("label", c.Definition.Label);
        w.WriteString("description", c.Definition.Description);
        w.WriteString("reason", c.Reason);
        w.WriteString("status", TherapyNames.ToJson(c.Status));
        w.WriteString("severity", TherapyNames.ToJson(c.Severity));
        if (c.ObservedValue is { } v)
        {
            w.WriteNumber("observedValue", v);
            if (c.Unit is not null)
            {
                w.WriteString("unit", c.Unit);
            }
        }

        if (c.ObservedText is not null)
        {
            w.WriteString("observed", c.ObservedText);
        }

        w.WriteStartArray("evidence");
        foreach (var e in c.Definition.Evidence)
        {
            w.WriteStringValue(e);
        }

        w.WriteEndArray();
        if (c.MissingFields.Count > 0)
        {
            w.WriteStartArray("missingData");
            foreach (var m in c.MissingFields)
            {
                w.WriteStringValue(m);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteOutcome(Utf8JsonWriter w, ExpectedOutcome e)
    {
        w.WriteStartObject();
        w.WriteString("evidenceId", e.Item.Id);
        w.WriteString("figureId", e.Figure.Id);
        w.WriteString("source", e.Item.ShortName);
        w.WriteString("label", e.Figure.Label);
        w.WriteString("value", e.Figure.Value);
        if (e.Figure.NumericValue is { } n)
        {
            w.WriteNumber("numericValue", n);
        }

        if (e.Figure.Unit is not null)
        {
            w.WriteString("unit", e.Figure.Unit);
        }

        if (e.Figure.ConfidenceInterval is not null)
        {
            w.WriteString("confidenceInterval", e.Figure.ConfidenceInterval);
        }

        w.WriteString("population", e.Figure.Population ?? e.Item.Population);
        w.WriteString("citation", e.Item.Citation.Text);
        w.WriteString("grade", GradeName(e.Item.Grade));
        var partly = e.Item.Verification == Verification.PartlyVerified || e.Figure.Verification == Verification.PartlyVerified;
        w.WriteString("verification", partly ? "partly-verified" : "verified");
        var note = e.Figure.VerificationNote ?? e.Item.VerificationNote;
        if (partly && note is not null)
        {
            w.WriteString("verificationNote", note);
        }

        w.WriteEndObject();
    }

    private static void WriteDisease(Utf8JsonWriter w, DiseaseSummary d)
    {
        w.WriteStartObject("disease");
        w.WriteNumber("lesionCount", d.LesionCount);
        w.WriteStartObject("lesionsByOrgan");
        foreach (var (organ, count) in d.LesionsByOrgan.OrderBy(kv => kv.Key))
        {
            w.WriteNumber(CaseVocabulary.ToJson(organ), count);
        }

        w.WriteEndObject();
        w.WriteBoolean("liverOnly", d.LiverOnly);
        w.WriteBoolean("extrahepaticDisease", d.ExtrahepaticDisease);
        w.WriteString("oligometastatic", d.Oligometastatic);
        w.WriteStartArray("oligometastaticCriteria");
        foreach (var c in d.OligometastaticCriteria)
        {
            WriteCriterion(w, c);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteScore(Utf8JsonWriter w, string name, PrognosticScore? s)
    {
        if (s is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        w.WriteString("name", s.Name);
        if (s.Value is { } v)
        {
            w.WriteNumber("value", v);
        }
        else
        {
            w.WriteNull("value");
        }

        w.WriteNumber("minimum", s.Minimum);
        if (double.IsFinite(s.Maximum))
        {
            w.WriteNumber("maximum", s.Maximum);
        }

        if (s.RiskGroup is not null)
        {
            w.WriteString("riskGroup", s.RiskGroup);
        }

        w.WriteStartArray("components");
        foreach (var c in s.Components)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            if (c.Points is { } p)
            {
                w.WriteNumber("points", p);
            }
            else
            {
                w.WriteNull("points");
            }

            if (c.Value is not null)
            {
                w.WriteString("value", c.Value);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("missingData");
        foreach (var m in s.Missing)
        {
            w.WriteStringValue(m);
        }

        w.WriteEndArray();
        w.WriteStartArray("evidence");
        foreach (var e in s.Evidence)
        {
            w.WriteStringValue(e);
        }

        w.WriteEndArray();
        if (s.Note is not null)
        {
            w.WriteString("note", s.Note);
        }

        w.WriteEndObject();
    }

    /// <summary>JSON name of an evidence grade.</summary>
    public static string GradeName(EvidenceGrade grade) => grade switch
    {
        EvidenceGrade.Guideline => "guideline",
        EvidenceGrade.Consensus => "consensus",
        EvidenceGrade.MetaAnalysis => "meta-analysis",
        EvidenceGrade.Rct => "rct",
        EvidenceGrade.Prospective => "prospective",
        EvidenceGrade.Retrospective => "retrospective",
        EvidenceGrade.Review => "review",
        _ => "animal",
    };
}
