using LocalControl.Core.Cases;
using static LocalControl.Core.Engine.CriterionSeverity;

namespace LocalControl.Core.Engine.Criteria;

/// <summary>Criteria on the patient and the surgeon's view, used by several organs and strategies.</summary>
internal static class PatientCriteria
{
    /// <summary>
    /// Performance status, required for a lesion's option as for the patient's strategy (the two never disagree):
    /// above the local-therapy limit neither is proposed, and an unknown status leaves both unknown.
    /// </summary>
    public static void PerformanceStatus(CaseContext ctx, CriteriaList c)
    {
        if (ctx.Patient.Ecog is not { } ecog)
        {
            c.Unknown("performance-status", Required, "patient.ecog");
        }
        else if (ecog <= ctx.Rules.EcogMaxForLocalTherapy)
        {
            c.Met("performance-status", ecog, "ECOG");
        }
        else
        {
            c.Failed("performance-status", Required, ecog, "ECOG");
        }
    }

    public static void Resectability(LesionInput x, CriteriaList c)
    {
        const string id = "surgical-resectability";
        switch (x.Lesion.SurgicalAssessment)
        {
            case SurgicalAssessment.Resectable: c.Met(id); break;
            case SurgicalAssessment.ResectableWithDifficulty: c.Failed(id, Advisory); break;
            case SurgicalAssessment.Unresectable: c.Failed(id, Required); break;
            default: c.Unknown(id, Required, x.Path.Missing("surgicalAssessment")); break;
        }
    }

    public static void UnsuitableForResection(LesionInput x, CriteriaList c)
    {
        const string id = "unsuitable-for-resection";
        switch (x.Lesion.SurgicalAssessment)
        {
            case SurgicalAssessment.Unresectable: c.Met(id); break;
            case SurgicalAssessment.ResectableWithDifficulty: c.Failed(id, Advisory); break;
            case SurgicalAssessment.Resectable: c.Failed(id, Required); break;
            default: c.Unknown(id, Required, x.Path.Missing("surgicalAssessment")); break;
        }
    }

    public static void FutureLiverRemnant(CaseContext ctx, CriteriaList c)
    {
        if (ctx.Patient.Liver?.FutureLiverRemnantPercent is not { } flr)
        {
            c.Unknown("future-liver-remnant", Advisory, "patient.liver.futureLiverRemnantPercent");
        }
        else if (flr > ctx.Rules.FutureLiverRemnantRiskPercent)
        {
            c.MetAdvisory("future-liver-remnant", flr, "%");
        }
        else
        {
            c.Failed("future-liver-remnant", Advisory, flr, "%");
        }
    }

    public static void NoCirrhosis(CaseContext ctx, CriteriaList c)
    {
        switch (ctx.Patient.Liver?.Cirrhosis)
        {
            case null: c.Unknown("no-cirrhosis", Advisory, "patient.liver.cirrhosis"); break;
            case false: c.MetAdvisory("no-cirrhosis"); break;
            case true: c.Failed("no-cirrhosis", Advisory, text: "cirrhosis"); break;
        }
    }

    /// <summary>RAS status: a mutant tumour raises the risk of local progression after ablation (M7). Information
    /// for margin planning; the RAS-specific margin threshold is unconfirmed and not used.</summary>
    public static void RasLocalProgressionRisk(CaseContext ctx, CriteriaList c)
    {
        switch (ctx.Patient.RasStatus)
        {
            case MutationStatus.WildType: c.MetAdvisory("ras-margin-advice", text: "RAS wild-type"); break;
            case MutationStatus.Mutant: c.Failed("ras-margin-advice", Advisory, text: "RAS mutant"); break;
            default: c.Unknown("ras-margin-advice", Advisory, "patient.rasStatus"); break;
        }
    }

    public static void Bilirubin(CaseContext ctx, CriteriaList c)
    {
        if (ctx.Patient.Liver?.BilirubinUmolPerL is not { } bilirubin)
        {
            c.Unknown("bilirubin", Advisory, "patient.liver.bilirubinUmolL");
        }
        else if (bilirubin <= ctx.Rules.BilirubinMaxUmolL)
        {
            c.MetAdvisory("bilirubin", bilirubin, "µmol/L");
        }
        else
        {
            c.Failed("bilirubin", Advisory, bilirubin, "µmol/L");
        }
    }
}
