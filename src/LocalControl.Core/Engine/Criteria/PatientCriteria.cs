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
        if (Reuse("performance-status", ctx, c) is not { } keep)
        {
            return;
        }

        if (ctx.Patient.Ecog is not { } ecog)
        {
            c.Unknown("performance-status", Required, PatientFields.Ecog);
        }
        else if (ecog <= ctx.Rules.EcogMaxForLocalTherapy)
        {
            c.Met("performance-status", ecog, "ECOG");
        }
        else
        {
            c.Failed("performance-status", Required, ecog, "ECOG");
        }

        keep.Done(c);
    }

    /// <summary>
    /// Adds the result already built for this case when there is one (and returns null); otherwise returns a token
    /// whose <see cref="Keep.Done"/> keeps the result the caller then adds. The facts are the patient's, so every
    /// option of every lesion gets the same immutable result.
    /// </summary>
    private static Keep? Reuse(string id, CaseContext ctx, CriteriaList c)
    {
        var definition = c.Definition(id);
        if (ctx.PatientResult(definition) is { } made)
        {
            c.AddResult(made);
            return null;
        }

        return new Keep(ctx, definition);
    }

    private readonly record struct Keep(CaseContext Context, Rules.CriterionDefinition Definition)
    {
        public void Done(CriteriaList c) => Context.KeepPatientResult(Definition, c.Items[^1]);
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
        if (Reuse("future-liver-remnant", ctx, c) is not { } keep)
        {
            return;
        }

        if (ctx.Patient.Liver?.FutureLiverRemnantPercent is not { } flr)
        {
            c.Unknown("future-liver-remnant", Advisory, PatientFields.FutureLiverRemnant);
        }
        else if (flr > ctx.Rules.FutureLiverRemnantRiskPercent)
        {
            c.MetAdvisory("future-liver-remnant", flr, "%");
        }
        else
        {
            c.Failed("future-liver-remnant", Advisory, flr, "%");
        }

        keep.Done(c);
    }

    public static void NoCirrhosis(CaseContext ctx, CriteriaList c)
    {
        if (Reuse("no-cirrhosis", ctx, c) is not { } keep)
        {
            return;
        }

        switch (ctx.Patient.Liver?.Cirrhosis)
        {
            case null: c.Unknown("no-cirrhosis", Advisory, PatientFields.Cirrhosis); break;
            case false: c.MetAdvisory("no-cirrhosis"); break;
            case true: c.Failed("no-cirrhosis", Advisory, text: "cirrhosis"); break;
        }

        keep.Done(c);
    }

    /// <summary>RAS status: a mutant tumour raises the risk of local progression after ablation (M7). Information
    /// for margin planning; the RAS-specific margin threshold is unconfirmed and not used.</summary>
    public static void RasLocalProgressionRisk(CaseContext ctx, CriteriaList c)
    {
        if (Reuse("ras-margin-advice", ctx, c) is not { } keep)
        {
            return;
        }

        switch (ctx.Patient.RasStatus)
        {
            case MutationStatus.WildType: c.MetAdvisory("ras-margin-advice", text: "RAS wild-type"); break;
            case MutationStatus.Mutant: c.Failed("ras-margin-advice", Advisory, text: "RAS mutant"); break;
            default: c.Unknown("ras-margin-advice", Advisory, PatientFields.RasStatus); break;
        }

        keep.Done(c);
    }

    public static void Bilirubin(CaseContext ctx, CriteriaList c)
    {
        if (Reuse("bilirubin", ctx, c) is not { } keep)
        {
            return;
        }

        if (ctx.Patient.Liver?.BilirubinUmolPerL is not { } bilirubin)
        {
            c.Unknown("bilirubin", Advisory, PatientFields.Bilirubin);
        }
        else if (bilirubin <= ctx.Rules.BilirubinMaxUmolL)
        {
            c.MetAdvisory("bilirubin", bilirubin, "µmol/L");
        }
        else
        {
            c.Failed("bilirubin", Advisory, bilirubin, "µmol/L");
        }

        keep.Done(c);
    }
}

/// <summary>JSON paths of the patient's fields, as the one-element arrays criteria store (shared, never rebuilt).</summary>
internal static class PatientFields
{
    public static readonly string[] Ecog = ["patient.ecog"];
    public static readonly string[] FutureLiverRemnant = ["patient.liver.futureLiverRemnantPercent"];
    public static readonly string[] Cirrhosis = ["patient.liver.cirrhosis"];
    public static readonly string[] RasStatus = ["patient.rasStatus"];
    public static readonly string[] Bilirubin = ["patient.liver.bilirubinUmolL"];
    public static readonly string[] PrimaryResected = ["patient.primary.resected"];
    public static readonly string[] TreatmentIntentPreference = ["patient.treatmentIntentPreference"];
}
