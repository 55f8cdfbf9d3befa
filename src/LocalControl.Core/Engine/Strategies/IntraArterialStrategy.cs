using LocalControl.Core.Cases;
using LocalControl.Core.Engine.Criteria;
using static LocalControl.Core.Engine.CriterionSeverity;

namespace LocalControl.Core.Engine.Strategies;

/// <summary>
/// HAIC and SIRT: liver-only or liver-dominant disease that local treatment cannot clearly clear. Offered, with their
/// criteria, whenever curative-intent local treatment of the liver is not clearly eligible (DR-14, DR-15).
/// </summary>
internal static class IntraArterialStrategy
{
    public static TherapyOption Assess(Therapy therapy, CaseContext ctx, DiseasePlan disease, Outcomes.OutcomeSelector outcomes)
    {
        var r = ctx.Rules;
        var c = new CriteriaList(r, "any");
        if (ctx.LiverCount > 0)
        {
            c.Met("liver-disease-present", ctx.LiverCount, "lesions");
        }
        else
        {
            c.Failed("liver-disease-present", Required, 0, "lesions");
        }

        LiverOnlyOrDominant(ctx, c);
        var (liver, why) = disease.Liver;
        switch (liver)
        {
            case Eligibility.Eligible:
                // The adjuvant-HAI remark of the HAIC sentence is not SIRT's.
                c.Failed("liver-not-locally-treatable", Required, text: why, reason: therapy == Therapy.Sirt ? "failed-sirt" : null);
                break;
            case Eligibility.Unknown:
                c.UnknownWithText("liver-not-locally-treatable", Required, why);
                break;
            default:
                c.Met("liver-not-locally-treatable", text: why, reason: liver == Eligibility.Caution ? "not-clearly" : "met");
                break;
        }

        if (ctx.Patient.Ecog is not { } ecog)
        {
            c.Unknown("performance-status-intra-arterial", Required, PatientFields.Ecog);
        }
        else if (ecog <= r.EcogMaxForIntraArterial)
        {
            c.Met("performance-status-intra-arterial", ecog, "ECOG");
        }
        else if (ecog <= r.EcogMaxForLocalTherapy)
        {
            c.Failed("performance-status-intra-arterial", Advisory, ecog, "ECOG");
        }
        else
        {
            c.Failed("performance-status-intra-arterial", Required, ecog, "ECOG");
        }

        var line = ctx.LineOfTherapy;
        string? setting;
        if (therapy == Therapy.Haic)
        {
            setting = line.HaicSetting;
            switch (setting)
            {
                case null: c.Unknown("haic-setting", Required, [.. line.MissingFields]); break;
                default: c.Met("haic-setting", line.ProgressedLines, "lines progressed", setting, reason: setting); break;
            }
        }
        else
        {
            setting = line.SirtSetting;
            switch (setting)
            {
                case null: c.Unknown("sirt-setting", Required, [.. line.MissingFields]); break;
                case "first-line": c.Failed("sirt-setting", Advisory, 0, "lines progressed", setting, reason: setting); break;
                default: c.Met("sirt-setting", line.ProgressedLines, "lines progressed", setting, reason: setting); break;
            }

            PatientCriteria.NoCirrhosis(ctx, c);
        }

        PatientCriteria.Bilirubin(ctx, c);
        var notes = new Notes();
        notes.Add(r.Note(therapy == Therapy.Haic ? "haic" : "sirt"));
        return c.ToOption(therapy, outcomes.ForPatient(therapy, ctx, setting), notes.ToList()) with { Setting = setting };
    }

    private static void LiverOnlyOrDominant(CaseContext ctx, CriteriaList c)
    {
        var r = ctx.Rules;
        if (ctx.LiverCount == 0)
        {
            c.Failed("liver-only-or-dominant", Required, text: "no liver disease");
            return;
        }

        if (ctx.LiverOnly)
        {
            c.Met("liver-only-or-dominant", text: "liver-only");
            return;
        }

        // Liver-dominant (OSCAR): extrahepatic disease only as a few small lung nodules.
        var lungNodules = 0;
        var unknownSizes = new List<string>();
        var otherOrgan = false;
        var tooLarge = false;
        for (var i = 0; i < ctx.Case.Lesions.Count; i++)
        {
            var l = ctx.Case.Lesions[i];
            if (l.Organ == Organ.Liver)
            {
                continue;
            }

            if (l.Organ != Organ.Lung)
            {
                otherOrgan = true;
                continue;
            }

            lungNodules++;
            if (l.LongestDiameterMm is not { } d)
            {
                unknownSizes.Add($"lesions[{i}].longestDiameterMm");
            }
            else if (d >= r.LiverDominantMaxLungNoduleMm)
            {
                tooLarge = true;
            }
        }

        if (otherOrgan || tooLarge || lungNodules > r.LiverDominantMaxLungNodules)
        {
            c.Failed("liver-only-or-dominant", Required, text: "extrahepatic disease beyond a few small lung nodules");
        }
        else if (unknownSizes.Count > 0)
        {
            c.Unknown("liver-only-or-dominant", Required, [.. unknownSizes]);
        }
        else
        {
            c.Met("liver-only-or-dominant", lungNodules, "lung nodules", "liver-dominant");
        }
    }
}

/// <summary>Systemic therapy: the backbone, alone when no local strategy fits and around local therapy otherwise.</summary>
internal static class SystemicStrategy
{
    public static TherapyOption Assess(CaseContext ctx, Outcomes.OutcomeSelector outcomes)
    {
        var r = ctx.Rules;
        var c = new CriteriaList(r, "any");
        c.Met("systemic-backbone");
        if (ctx.Patient.Ecog is not { } ecog)
        {
            c.Unknown("performance-status-systemic", Advisory, PatientFields.Ecog);
        }
        else if (ecog <= r.EcogMaxForLocalTherapy)
        {
            c.MetAdvisory("performance-status-systemic", ecog, "ECOG");
        }
        else
        {
            c.Failed("performance-status-systemic", Advisory, ecog, "ECOG");
        }

        var notes = new Notes();
        notes.Add(r.Note("systemic"));
        Biomarkers.AddNotes(ctx, notes);
        return c.ToOption(Therapy.Systemic, outcomes.ForPatient(Therapy.Systemic, ctx, null), notes.ToList());
    }
}
