using LocalControl.Core.Cases;
using LocalControl.Core.Engine.Criteria;
using static LocalControl.Core.Engine.CriterionSeverity;

namespace LocalControl.Core.Engine.Organs;

/// <summary>Liver metastases: resection, thermal ablation (RFA, MWA, cryoablation), IRE and SBRT.</summary>
internal sealed class LiverRules : IOrganRules
{
    public Cases.Organ Organ => Cases.Organ.Liver;

    public string Key => "liver";

    public void Assess(Therapy therapy, LesionInput x, CriteriaList c, Notes notes)
    {
        var r = x.Rules;
        switch (therapy)
        {
            case Therapy.Resection:
                PatientCriteria.Resectability(x, c);
                PatientCriteria.FutureLiverRemnant(x.Case, c);
                PatientCriteria.NoCirrhosis(x.Case, c);
                PatientCriteria.PerformanceStatus(x.Case, c);
                return;
            case Therapy.Rfa:
            case Therapy.Mwa:
            case Therapy.Cryoablation:
                SizeCriteria.Bands("size-thermal-ablation", x, r.SmallLesionMaxMm, r.IntermediateLesionMaxMm, c);
                LocationCriteria.AwayFromHilum(x, c);
                if (therapy == Therapy.Rfa)
                {
                    LocationCriteria.HeatSink("heat-sink", x, c);
                }

                VisibilityCriteria.Apply(x, c);
                LocationCriteria.NoAdjacent("no-vulnerable-structure", CaseVocabulary.ThermallyVulnerableStructures, x, c);
                if (therapy == Therapy.Cryoablation)
                {
                    c.Failed("organ-evidence", Advisory, reason: "liver-cryoablation");
                }

                PatientCriteria.RasLocalProgressionRisk(x.Case, c);
                PatientCriteria.PerformanceStatus(x.Case, c);
                notes.Add(r.Note("ablation-margin"));
                if (x.Case.Patient.RasStatus == MutationStatus.Mutant)
                {
                    notes.Add(r.Note("ras-mutant-ablation"));
                }

                if (therapy == Therapy.Mwa && x.Lesion.DistanceToLargeVesselMm is { } v && v < r.PerivascularDistanceMm)
                {
                    notes.Add(r.Note("mwa-perivascular"));
                }

                return;
            case Therapy.Ire:
                SizeCriteria.Bands("size-ire", x, r.SmallLesionMaxMm, r.IreMaxDiameterMm, c);
                PatientCriteria.UnsuitableForResection(x, c);
                LocationCriteria.UnsuitableForThermalAblationByLocation(x, c);
                VisibilityCriteria.Apply(x, c);
                PatientCriteria.PerformanceStatus(x.Case, c);
                notes.Add(r.Note("ire"));
                return;
            case Therapy.Sbrt:
                SizeCriteria.AtMost("size-sbrt", x, r.IntermediateLesionMaxMm, c);
                LocationCriteria.NoAdjacent("avoid-hollow-viscera", CaseVocabulary.HollowViscera, x, c);
                c.Failed("organ-evidence", Advisory, reason: "liver-sbrt");
                PatientCriteria.PerformanceStatus(x.Case, c);
                return;
        }
    }
}
