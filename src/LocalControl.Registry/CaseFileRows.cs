using LocalControl.Core.Cases;
using LocalControl.Registry.Entities;

namespace LocalControl.Registry;

/// <summary>
/// The rows of the <c>treatments</c> and <c>follow_up_lesions</c> tables for one case, taken field by field from the
/// case model, in the order of the case file. Values use the case file's spellings (<c>rfa</c>, <c>not-evaluable</c>);
/// an enumeration not recorded is null.
/// </summary>
public static class CaseFileRows
{
    /// <summary>One row per treatment × lesion; a treatment without lesions (patient-level therapy) gives one row with no lesion.</summary>
    public static IReadOnlyList<TreatmentRecord> Treatments(MetastaticCase @case)
    {
        ArgumentNullException.ThrowIfNull(@case);
        var rows = new List<TreatmentRecord>();
        foreach (var t in @case.FollowUp?.Treatments ?? [])
        {
            IEnumerable<string?> lesions = t.LesionIds.Count == 0 ? new string?[] { null } : t.LesionIds.Cast<string?>();
            foreach (var lesionId in lesions)
            {
                rows.Add(new TreatmentRecord
                {
                    TreatmentId = t.Id,
                    LesionId = lesionId,
                    Date = t.Date,
                    Therapy = FollowUpVocabulary.ToJson(t.Therapy),
                    Approach = t.Approach == TreatmentApproach.Unknown ? null : FollowUpVocabulary.ToJson(t.Approach),
                    Intent = t.Intent == TreatmentGoal.Unknown ? null : FollowUpVocabulary.ToJson(t.Intent),
                    Device = t.Device,
                    Setting = t.Setting,
                    Regimen = t.Regimen,
                    TechnicalSuccess = t.TechnicalSuccess,
                    ComplicationGrade = t.ComplicationGrade,
                    MinimalAblativeMarginMm = t.MinimalAblativeMarginMm,
                });
            }
        }
        return rows;
    }

    /// <summary>One row per lesion observation of every follow-up study.</summary>
    public static IReadOnlyList<FollowUpFindingRecord> FollowUpFindings(MetastaticCase @case)
    {
        ArgumentNullException.ThrowIfNull(@case);
        var rows = new List<FollowUpFindingRecord>();
        foreach (var study in @case.FollowUp?.FollowUps ?? [])
        {
            foreach (var f in study.Lesions)
            {
                rows.Add(new FollowUpFindingRecord
                {
                    StudyDate = study.Date,
                    Modality = study.Modality == ImagingModality.Unknown ? null : FollowUpVocabulary.ToJson(study.Modality),
                    LesionId = f.LesionId,
                    Status = FollowUpVocabulary.ToJson(f.Status),
                    LongestDiameterMm = f.LongestDiameterMm,
                    ShortAxisMm = f.ShortAxisMm,
                    UnequivocalProgression = f.UnequivocalProgression,
                    HasAblationZone = f.AblationZone is not null,
                    EnhancingTissue = f.AblationZone?.EnhancingTissue,
                    AdjacentToZone = f.AblationZone?.AdjacentToZone,
                    ZoneDiameterMm = f.AblationZone?.DiameterMm,
                });
            }
        }
        return rows;
    }
}
