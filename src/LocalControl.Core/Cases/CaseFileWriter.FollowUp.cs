using System.Text.Json;

namespace LocalControl.Core.Cases;

/// <summary>Writes the follow-up part of a case (issue 13): the fields <see cref="CaseFileReader"/> reads, unknown values omitted.</summary>
public static partial class CaseFileWriter
{
    private static void WriteFollowUp(Utf8JsonWriter w, FollowUpHistory? history)
    {
        if (history is null || history.IsEmpty)
        {
            return;
        }

        if (history.Treatments.Count > 0)
        {
            w.WriteStartArray("treatments");
            foreach (var t in history.Treatments)
            {
                w.WriteStartObject();
                w.WriteString("id", t.Id);
                w.WriteString("date", CaseFileReader.Iso(t.Date));
                w.WriteString("therapy", FollowUpVocabulary.ToJson(t.Therapy));
                Strings(w, "lesionIds", t.LesionIds);
                if (t.Approach != TreatmentApproach.Unknown)
                {
                    w.WriteString("approach", FollowUpVocabulary.ToJson(t.Approach));
                }

                if (t.Intent != TreatmentGoal.Unknown)
                {
                    w.WriteString("intent", FollowUpVocabulary.ToJson(t.Intent));
                }

                Str(w, "device", t.Device);
                Str(w, "setting", t.Setting);
                Str(w, "regimen", t.Regimen);
                Bool(w, "technicalSuccess", t.TechnicalSuccess);
                Num(w, "complicationGrade", t.ComplicationGrade);
                Num(w, "minimalAblativeMarginMm", t.MinimalAblativeMarginMm);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (history.FollowUps.Count > 0)
        {
            w.WriteStartArray("followUps");
            foreach (var f in history.FollowUps)
            {
                w.WriteStartObject();
                w.WriteString("date", CaseFileReader.Iso(f.Date));
                if (f.Modality != ImagingModality.Unknown)
                {
                    w.WriteString("modality", FollowUpVocabulary.ToJson(f.Modality));
                }

                w.WriteStartArray("lesions");
                foreach (var l in f.Lesions)
                {
                    w.WriteStartObject();
                    w.WriteString("lesionId", l.LesionId);
                    Num(w, "longestDiameterMm", l.LongestDiameterMm);
                    Num(w, "shortAxisMm", l.ShortAxisMm);
                    w.WriteString("status", FollowUpVocabulary.ToJson(l.Status));
                    Bool(w, "unequivocalProgression", l.UnequivocalProgression);
                    if (l.AblationZone is { } z)
                    {
                        w.WriteStartObject("ablationZone");
                        Bool(w, "enhancingTissue", z.EnhancingTissue);
                        Bool(w, "adjacentToZone", z.AdjacentToZone);
                        Num(w, "diameterMm", z.DiameterMm);
                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                if (f.NewLesions.Count > 0)
                {
                    w.WriteStartArray("newLesions");
                    foreach (var n in f.NewLesions)
                    {
                        w.WriteStartObject();
                        if (n.Organ is { } organ)
                        {
                            w.WriteString("organ", CaseVocabulary.ToJson(organ));
                        }

                        Str(w, "location", n.Location);
                        Num(w, "size", n.SizeMm);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (history.RecistBaseline is { } b)
        {
            w.WriteStartObject("recistBaseline");
            if (b.Date is { } d)
            {
                w.WriteString("date", CaseFileReader.Iso(d));
            }

            Strings(w, "targetLesionIds", b.TargetLesionIds);
            Strings(w, "nonTargetLesionIds", b.NonTargetLesionIds);
            w.WriteEndObject();
        }

        if (history.Survival is { } s)
        {
            w.WriteStartObject("survival");
            if (s.LastContactDate is { } lc)
            {
                w.WriteString("lastContactDate", CaseFileReader.Iso(lc));
            }

            if (s.VitalStatus != VitalStatus.Unknown)
            {
                w.WriteString("vitalStatus", FollowUpVocabulary.ToJson(s.VitalStatus));
            }

            if (s.DeathDate is { } dd)
            {
                w.WriteString("deathDate", CaseFileReader.Iso(dd));
            }

            w.WriteEndObject();
        }
    }
}
