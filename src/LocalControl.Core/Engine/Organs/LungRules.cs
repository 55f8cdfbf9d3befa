using LocalControl.Core.Engine.Criteria;
using static LocalControl.Core.Engine.CriterionSeverity;

namespace LocalControl.Core.Engine.Organs;

/// <summary>Lung metastases: the lung variants of the criteria (rule-set keys <c>id/lung</c>) cite lung evidence.</summary>
internal sealed class LungRules : IOrganRules
{
    private static readonly string[] AirwayOrHeartStructures = ["large-bronchus", "heart", "trachea", "oesophagus"];

    public Cases.Organ Organ => Cases.Organ.Lung;

    public string Key => "lung";

    public void Assess(Therapy therapy, LesionInput x, CriteriaList c, Notes notes)
    {
        var r = x.Rules;
        switch (therapy)
        {
            case Therapy.Resection:
                PatientCriteria.Resectability(x, c);
                PatientCriteria.PerformanceStatus(x.Case, c);
                return;
            case Therapy.Rfa:
            case Therapy.Mwa:
            case Therapy.Cryoablation:
                if (therapy == Therapy.Cryoablation)
                {
                    SizeCriteria.Bands("size-lung-cryoablation", x, r.LungCryoMaxDiameterMm, r.IntermediateLesionMaxMm, c, smallInclusive: true);
                }
                else
                {
                    SizeCriteria.Bands("size-thermal-ablation", x, r.SmallLesionMaxMm, r.IntermediateLesionMaxMm, c);
                    LocationCriteria.HeatSink("lung-vessel-proximity", x, c);
                }

                LocationCriteria.AwayFromHilum(x, c);
                LocationCriteria.NoAdjacent("no-critical-airway-or-heart", AirwayOrHeartStructures, x, c);
                VisibilityCriteria.Apply(x, c);
                var lungCount = x.Case.LesionsIn(Cases.Organ.Lung);
                if (lungCount <= r.LungMaxLesionsForAblation)
                {
                    c.MetAdvisory("lung-lesion-count", lungCount, "lesions");
                }
                else
                {
                    c.Failed("lung-lesion-count", Advisory, lungCount, "lesions");
                }

                PatientCriteria.PerformanceStatus(x.Case, c);
                if (therapy == Therapy.Mwa)
                {
                    c.Failed("organ-evidence", Advisory, reason: "lung-mwa");
                }

                notes.Add(r.Note("lung-ablation-pneumothorax"));
                return;
            case Therapy.Ire:
                c.Failed("organ-evidence", Required, reason: "lung-ire");
                return;
            case Therapy.Sbrt:
                SizeCriteria.AtMost("size-sbrt", x, r.IntermediateLesionMaxMm, c);
                c.Failed("organ-evidence", Advisory, reason: "lung-sbrt");
                PatientCriteria.PerformanceStatus(x.Case, c);
                return;
        }
    }
}
