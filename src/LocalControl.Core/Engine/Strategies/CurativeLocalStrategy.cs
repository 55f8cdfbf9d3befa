using LocalControl.Core.Cases;
using LocalControl.Core.Engine.Criteria;
using static LocalControl.Core.Engine.CriterionSeverity;

namespace LocalControl.Core.Engine.Strategies;

/// <summary>
/// The whole-disease view behind curative intent: every lesion's place in a combined plan, and the whole liver's
/// judgement (lesions treatable only with caution, tumour burden, the remnant after resection). Computed once and
/// shared by curative-local treatment and the intra-arterial strategies, so the two never disagree.
/// </summary>
internal sealed class DiseasePlan
{
    public DiseasePlan(CaseContext ctx, IReadOnlyList<LesionAssessment> lesions)
    {
        var plan = new List<LesionPlan>(lesions.Count);
        for (var i = 0; i < lesions.Count; i++)
        {
            var la = lesions[i];
            var lesion = ctx.Case.Lesions[i];
            var usable = new List<Therapy>(3);
            for (var k = 0; k < la.Options.Count; k++)
            {
                var o = la.Options[k];
                if (o.Eligibility is Eligibility.Eligible or Eligibility.Caution)
                {
                    usable.Add(o.Therapy);
                }
            }

            string status;
            if (lesion.Intent == BoneLesionIntent.PalliativePain)
            {
                status = "palliative";
            }
            else if (lesion.Organ == Organ.Bone && lesion.Intent == BoneLesionIntent.NotAssessed)
            {
                status = "pending-data"; // the MDT sets the goal of bone treatment first (G9)
            }
            else
            {
                // Curative intent rests on resection and ablation (DR-02); SBRT alone counts only with caution.
                var best = Best(la, CurativeRoute.Resection, CurativeRoute.Ablation);
                status = best switch
                {
                    Eligibility.Eligible => "treatable",
                    Eligibility.Caution => "caution",
                    Eligibility.Unknown => "pending-data",
                    _ => Best(la, CurativeRoute.Radiotherapy) switch
                    {
                        Eligibility.Eligible or Eligibility.Caution => "sbrt-only",
                        Eligibility.Unknown => "pending-data",
                        _ => "untreatable",
                    },
                };
            }

            plan.Add(new LesionPlan(la.LesionId, usable) { Status = status, Pending = status == "pending-data" ? WhatIsMissing(lesion, la) : null });
            if (status == "treatable" && !ClearlyEligible(la))
            {
                // Eligible only while some advisory data are missing: not yet known to be free of caution.
                (Unclear ??= []).Add(la.LesionId);
            }

            if (lesion.Organ == Organ.Liver && status is not "palliative" && usable.Contains(Therapy.Resection) && !AnyAblation(usable))
            {
                (NeedResection ??= []).Add(la.LesionId);
            }
        }

        Plan = plan;
        Liver = JudgeLiver(ctx, lesions);
    }

    public List<LesionPlan> Plan { get; }

    /// <summary>Lesions eligible for resection or ablation only while advisory data are missing (may still turn to caution).</summary>
    public List<string>? Unclear { get; }

    /// <summary>Liver lesions whose only resection-or-ablation route is resection (the remnant then matters).</summary>
    public List<string>? NeedResection { get; }

    /// <summary>Whether the whole liver disease can be treated locally, and why not clearly.</summary>
    public (Eligibility Eligibility, string Reason) Liver { get; }

    /// <summary>The ids of the lesions whose place in the plan is <paramref name="status"/>, in case order.</summary>
    public List<string> IdsWithStatus(string status)
    {
        var ids = new List<string>();
        foreach (var p in Plan)
        {
            if (p.Status == status)
            {
                ids.Add(p.LesionId);
            }
        }

        return ids;
    }

    /// <summary>True when any lesion's place in the plan is <paramref name="status"/>.</summary>
    public bool AnyWithStatus(string status)
    {
        foreach (var p in Plan)
        {
            if (p.Status == status)
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyAblation(List<Therapy> usable)
    {
        foreach (var t in usable)
        {
            if (TherapyNames.Definition(t).Route == CurativeRoute.Ablation)
            {
                return true;
            }
        }

        return false;
    }

    private (Eligibility, string) JudgeLiver(CaseContext ctx, IReadOnlyList<LesionAssessment> lesions)
    {
        var r = ctx.Rules;
        if (ctx.LiverCount == 0)
        {
            return (Eligibility.NotEligible, "no liver disease");
        }

        if (ctx.LiverCount > r.OligometastaticMaxLiverOnlyLesions)
        {
            return (Eligibility.NotEligible, $"{ctx.LiverCount} liver metastases, more than the {ReasonText.Number(r.OligometastaticMaxLiverOnlyLesions)} treated with curative intent in the trials (L1, L2)");
        }

        var liver = new List<LesionPlan>(ctx.LiverCount);
        var untreatable = new List<string>();
        var caution = new List<string>();
        var pendingData = false;
        var unclear = false;
        for (var i = 0; i < Plan.Count; i++)
        {
            if (lesions[i].Organ != Organ.Liver)
            {
                continue;
            }

            var p = Plan[i];
            liver.Add(p);
            switch (p.Status)
            {
                case "untreatable": untreatable.Add(p.LesionId); break;
                case "caution" or "sbrt-only": caution.Add(p.LesionId); break;
                case "pending-data": pendingData = true; break;
            }

            unclear |= Unclear is not null && Unclear.Contains(p.LesionId);
        }

        if (untreatable.Count > 0)
        {
            return (Eligibility.NotEligible, $"liver lesion{(untreatable.Count == 1 ? "" : "s")} {string.Join(", ", untreatable)} can be neither resected nor ablated");
        }

        var reasons = new List<string>(3);
        if (caution.Count > 0)
        {
            reasons.Add($"{caution.Count} of {liver.Count} liver lesions ({string.Join(", ", caution)}) only with caution");
        }

        if (ctx.TumourBurdenScore is { } tbs && tbs >= r.TumourBurdenScoreHigh)
        {
            reasons.Add($"tumour burden score {ReasonText.Number(Math.Round(tbs, 1))} (≥ {ReasonText.Number(r.TumourBurdenScoreHigh)})");
        }

        if (NeedResection is not null && ctx.Patient.Liver?.FutureLiverRemnantPercent is { } flr && flr <= r.FutureLiverRemnantRiskPercent)
        {
            reasons.Add($"future liver remnant {ReasonText.Number(flr)}% (≤ {ReasonText.Number(r.FutureLiverRemnantRiskPercent)}%) with resection as the only route for {string.Join(", ", NeedResection)}");
        }

        var remnantUnknown = NeedResection is not null && ctx.Patient.Liver?.FutureLiverRemnantPercent is null;
        if (pendingData || remnantUnknown || (reasons.Count == 0 && unclear))
        {
            return (Eligibility.Unknown, reasons.Count > 0 ? string.Join("; ", reasons) + "; other liver lesions need data" : remnantUnknown ? "the future liver remnant is not known while resection is the only route for some liver lesions"
                : unclear && !pendingData ? "liver lesions are eligible only while some data are missing (see their options)"
                : "resectability or ablatability of some liver lesions is not known yet");
        }

        return reasons.Count > 0 ? (Eligibility.Caution, string.Join("; ", reasons)) : (Eligibility.Eligible, "every liver lesion has an eligible resection or ablation");
    }

    private static bool ClearlyEligible(LesionAssessment la)
    {
        for (var i = 0; i < la.Options.Count; i++)
        {
            var o = la.Options[i];
            if (o.Eligibility == Eligibility.Eligible && TherapyNames.Definition(o.Therapy).Route is CurativeRoute.Resection or CurativeRoute.Ablation
                && !AnyUnknown(o.CriteriaArray))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// What keeps a lesion out of the plan for now, in words: the goal of a bone lesion not set; an organ the rule set
    /// has no criteria for (no data can settle it: the MDT judges); or the fields that the unknown required criteria of
    /// its resection and ablation options (then SBRT) need.
    /// </summary>
    private static string WhatIsMissing(Lesion lesion, LesionAssessment la)
    {
        if (lesion.Organ == Organ.Bone && lesion.Intent == BoneLesionIntent.NotAssessed)
        {
            return "the goal of treatment (palliation of pain or cure), which the MDT sets first (G9)";
        }

        var fields = new List<string>();
        var noCriteria = false;
        foreach (var route in (ReadOnlySpan<CurativeRoute>)[CurativeRoute.Resection, CurativeRoute.Ablation, CurativeRoute.Radiotherapy])
        {
            for (var i = 0; i < la.Options.Count; i++)
            {
                var o = la.Options[i];
                if (o.Eligibility != Eligibility.Unknown || TherapyNames.Definition(o.Therapy).Route != route)
                {
                    continue;
                }

                foreach (var c in o.CriteriaArray)
                {
                    if (c.Status != CriterionStatus.Unknown || c.Severity != Required)
                    {
                        continue;
                    }

                    noCriteria |= c.Id == "organ-in-rule-set";
                    foreach (var f in c.MissingFields)
                    {
                        if (!fields.Contains(f))
                        {
                            fields.Add(f);
                        }
                    }
                }
            }

            if (fields.Count > 0 && route == CurativeRoute.Ablation)
            {
                break; // either resection or ablation may place it; SBRT's needs matter only when neither can
            }
        }

        if (noCriteria)
        {
            return $"an MDT judgement: the rule set has no criteria for {CaseVocabulary.ToJson(lesion.Organ)} lesions, so no data can settle it";
        }

        if (fields.Count == 0)
        {
            return "the MDT's judgement (see its options)";
        }

        var words = new string[fields.Count];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = MissingDataCollector.FieldWordsWithinLesion(fields[i]);
        }

        return "data: " + string.Join(", ", words);
    }

    private static bool AnyUnknown(CriterionResult[] criteria)
    {
        foreach (var c in criteria)
        {
            if (c.Status == CriterionStatus.Unknown)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The best eligibility among the lesion's options of the given routes (<paramref name="other"/> optional).</summary>
    private static Eligibility Best(LesionAssessment la, CurativeRoute route, CurativeRoute? other = null)
    {
        var best = Eligibility.NotEligible;
        for (var i = 0; i < la.Options.Count; i++)
        {
            var o = la.Options[i];
            var r = TherapyNames.Definition(o.Therapy).Route;
            if ((r == route || r == other) && o.Eligibility < best)
            {
                best = o.Eligibility;
            }
        }

        return best;
    }
}

/// <summary>Curative-intent local treatment of all disease, by resection and ablation combined (G4, DR-02).</summary>
internal static class CurativeLocalStrategy
{
    public static TherapyOption Assess(CaseContext ctx, DiseasePlan disease, Outcomes.OutcomeSelector outcomes)
    {
        var r = ctx.Rules;
        var c = new CriteriaList(r, "any");
        var notes = new Notes();
        notes.Add(r.Note("curative-local"));
        var untreatable = Ids(disease, "untreatable");
        var palliative = Ids(disease, "palliative");
        if (untreatable.Count > 0 || palliative.Count > 0)
        {
            var parts = new List<string>(2);
            if (untreatable.Count > 0)
            {
                parts.Add($"{Lesions(untreatable)} without a usable local option");
            }

            if (palliative.Count > 0)
            {
                parts.Add($"{Lesions(palliative)} with the goal set to palliation of pain");
            }

            c.Failed("all-lesions-locally-treatable", Required, text: string.Join("; ", parts), reason: "failed");
        }
        else if (Ids(disease, "pending-data") is { Count: > 0 } pending)
        {
            // Say, per lesion, what would decide it: the fields to collect, or that only the MDT can judge it.
            var why = new List<string>(pending.Count);
            foreach (var p in disease.Plan)
            {
                if (p.Status == "pending-data")
                {
                    why.Add($"{p.LesionId} needs {p.Pending}");
                }
            }

            c.UnknownWithText("all-lesions-locally-treatable", Required, string.Join("; ", why));
        }
        else if (Ids(disease, "sbrt-only") is { Count: > 0 } sbrtOnly)
        {
            c.Failed("all-lesions-locally-treatable", Advisory, disease.Plan.Count, "lesions", $"{Lesions(sbrtOnly)} only by SBRT, whose curative role is not established in the evidence base");
        }
        else
        {
            c.Met("all-lesions-locally-treatable", disease.Plan.Count, "lesions");
        }

        var caution = Ids(disease, "caution");
        if (caution.Count == 0 && (disease.AnyWithStatus("pending-data") || disease.Unclear is not null))
        {
            c.UnknownWithText("lesions-clearly-treatable", Advisory, "some lesions need more data");
        }
        else if (caution.Count == 0)
        {
            c.MetAdvisory("lesions-clearly-treatable");
        }
        else
        {
            c.Failed("lesions-clearly-treatable", Advisory, caution.Count, "lesions", string.Join(", ", caution));
        }

        if (ctx.LiverCount > 0)
        {
            if (ctx.TumourBurdenScore is not { } tbs)
            {
                c.UnknownWithText("liver-tumour-burden", Advisory, "a liver lesion's size is not known");
            }
            else if (tbs < r.TumourBurdenScoreHigh)
            {
                c.MetAdvisory("liver-tumour-burden", Math.Round(tbs, 1), text: $"{ctx.LiverCount} liver lesion{(ctx.LiverCount == 1 ? "" : "s")}, largest {ReasonText.Number(ctx.LargestLiverLesionMm ?? 0)} mm");
            }
            else
            {
                c.Failed("liver-tumour-burden", Advisory, Math.Round(tbs, 1), text: $"{ctx.LiverCount} liver lesion{(ctx.LiverCount == 1 ? "" : "s")}, largest {ReasonText.Number(ctx.LargestLiverLesionMm ?? 0)} mm");
            }
        }

        if (disease.NeedResection is { } needResection)
        {
            var who = string.Join(", ", needResection);
            if (ctx.Patient.Liver?.FutureLiverRemnantPercent is not { } flr)
            {
                c.Unknown("future-liver-remnant-plan", Advisory, PatientFields.FutureLiverRemnant);
            }
            else if (flr > r.FutureLiverRemnantRiskPercent)
            {
                c.MetAdvisory("future-liver-remnant-plan", flr, "%", who);
            }
            else
            {
                c.Failed("future-liver-remnant-plan", Advisory, flr, "%", who);
                notes.Add(r.Note("low-remnant"));
            }
        }

        c.Add("oligometastatic", ctx.OligometastaticEligibility switch
        {
            Eligibility.Eligible => CriterionStatus.Met,
            Eligibility.Unknown => CriterionStatus.Unknown,
            _ => CriterionStatus.Failed,
        }, Advisory, ctx.Case.Lesions.Count, "lesions", $"{ctx.OrganCount} organ{(ctx.OrganCount == 1 ? "" : "s")}");
        PatientCriteria.PerformanceStatus(ctx, c);
        switch (ctx.Patient.Primary?.Resected)
        {
            case null: c.Unknown("primary-controlled", Advisory, PatientFields.PrimaryResected); break;
            case true: c.MetAdvisory("primary-controlled"); break;
            case false: c.Failed("primary-controlled", Advisory, text: "primary in place"); break;
        }

        switch (ctx.Patient.TreatmentIntentPreference)
        {
            case null: c.Unknown("intent-preference-curative", Advisory, PatientFields.TreatmentIntentPreference); break;
            case TreatmentIntent.Curative or TreatmentIntent.NoPreference:
                c.MetAdvisory("intent-preference-curative", text: Intent(ctx.Patient.TreatmentIntentPreference.Value));
                break;
            case TreatmentIntent.Palliative:
                c.Failed("intent-preference-curative", Required, text: "palliative");
                break;
            default:
                c.Failed("intent-preference-curative", Advisory, text: Intent(ctx.Patient.TreatmentIntentPreference.Value));
                break;
        }

        Biomarkers.AddNotes(ctx, notes);
        var option = c.ToOption(Therapy.CurativeLocal, outcomes.ForPatient(Therapy.CurativeLocal, ctx, null, disease.Plan), notes.ToList());
        return option with { Plan = disease.Plan };
    }

    private static List<string> Ids(DiseasePlan d, string status) => d.IdsWithStatus(status);

    private static string Lesions(List<string> ids) => (ids.Count == 1 ? "lesion " : "lesions ") + string.Join(", ", ids);

    private static string Intent(TreatmentIntent i) => i switch
    {
        TreatmentIntent.Curative => "curative",
        TreatmentIntent.NoPreference => "no preference",
        TreatmentIntent.DiseaseControl => "disease control",
        _ => "palliative",
    };
}

/// <summary>BRAF V600E and MSI-high: they change prognosis and the systemic choice. Information, never an exclusion.</summary>
internal static class Biomarkers
{
    public static void AddNotes(CaseContext ctx, Notes notes)
    {
        if (ctx.Patient.BrafStatus == MutationStatus.Mutant)
        {
            notes.Add(ctx.Rules.Note("braf-v600e"));
        }

        if (ctx.Patient.MsiStatus == MsiStatus.MsiHigh)
        {
            notes.Add(ctx.Rules.Note("msi-high"));
        }
    }
}
