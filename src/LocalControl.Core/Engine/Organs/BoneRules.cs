using LocalControl.Core.Cases;
using LocalControl.Core.Engine.Criteria;
using static LocalControl.Core.Engine.CriterionSeverity;

namespace LocalControl.Core.Engine.Organs;

/// <summary>Bone metastases: the MDT sets the goal first (palliation of pain or cure; CIRSE bone standards, G9).</summary>
internal sealed class BoneRules : IOrganRules
{
    public Cases.Organ Organ => Cases.Organ.Bone;

    public string Key => "bone";

    public void Assess(Therapy therapy, LesionInput x, CriteriaList c, Notes notes)
    {
        var r = x.Rules;
        var l = x.Lesion;
        switch (therapy)
        {
            case Therapy.Resection:
                PatientCriteria.Resectability(x, c);
                c.Failed("organ-evidence", Advisory, reason: "bone-resection");
                PatientCriteria.PerformanceStatus(x.Case, c);
                return;
            case Therapy.Ire:
                c.Failed("organ-evidence", Required, reason: "bone-ire");
                return;
            case Therapy.Sbrt:
                c.Failed("organ-evidence", Advisory, reason: "bone-sbrt");
                PatientCriteria.PerformanceStatus(x.Case, c);
                return;
        }

        // RFA, MWA, cryoablation.
        switch (l.Intent)
        {
            case BoneLesionIntent.NotAssessed:
                c.Unknown("bone-intent-set", Required, x.Path.Missing("intent"));
                break;
            case BoneLesionIntent.PalliativePain:
                c.Met("bone-intent-set", text: "palliation of pain");
                if (l.WorstPainScore is not { } pain)
                {
                    c.Unknown("bone-pain-threshold", Required, x.Path.Missing("worstPainScore"));
                }
                else if (pain >= r.BonePainMinScore)
                {
                    c.Met("bone-pain-threshold", pain, "/10");
                }
                else
                {
                    c.Failed("bone-pain-threshold", Required, pain, "/10");
                }

                break;
            case BoneLesionIntent.Curative:
                c.Met("bone-intent-set", text: "curative intent");
                SizeCriteria.AdvisoryBelow("bone-curative-size", x, r.BoneCurativeMaxDiameterMm, c);
                switch (l.CorticalErosion)
                {
                    case null: c.Unknown("bone-no-cortical-erosion", Advisory, x.Path.Missing("corticalErosion")); break;
                    case false: c.MetAdvisory("bone-no-cortical-erosion"); break;
                    case true: c.Failed("bone-no-cortical-erosion", Advisory, text: "cortical erosion"); break;
                }

                c.Add("oligometastatic", x.Case.OligometastaticEligibility switch
                {
                    Eligibility.Eligible => CriterionStatus.Met,
                    Eligibility.Unknown => CriterionStatus.Unknown,
                    _ => CriterionStatus.Failed,
                }, Advisory, x.Case.Case.Lesions.Count, "lesions");
                break;
        }

        LocationCriteria.NoAdjacent("bone-away-from-neural", CaseVocabulary.NeuralStructures, x, c);
        VisibilityCriteria.Apply(x, c);
        if (therapy == Therapy.Mwa)
        {
            c.Failed("organ-evidence", Advisory, reason: "bone-mwa");
        }

        PatientCriteria.PerformanceStatus(x.Case, c);
    }
}
