using System.Globalization;
using LocalControl.Core.Cases;
using LocalControl.Core.Evidence;

namespace LocalControl.Verification.Margins;

/// <summary>The evidence-based reading of a margin.</summary>
/// <param name="ThresholdMm">The margin under which additional ablation is advised: 5 mm, or 10 mm for a RAS-mutant case.</param>
/// <param name="AdditionalAblationAdvised">True when the MAM is below <paramref name="ThresholdMm"/>.</param>
/// <param name="Recommendation">The statement for the report, with its figures and evidence ids.</param>
/// <param name="ExpectedOutcome">The single-centre 2-year LTP-free survival of the MAM's band after RFA (DR-11).</param>
/// <param name="EvidenceIds">The evidence items cited.</param>
public sealed record MarginAssessment(double ThresholdMm, bool AdditionalAblationAdvised, string Recommendation, string ExpectedOutcome, IReadOnlyList<string> EvidenceIds);

/// <summary>
/// Turns the worst tumour's margin into the risk statement of the evidence base (docs/evidence.md; research DR-09,
/// DR-10, DR-11): a MAM under 5 mm → additional ablation advised (M2: RR 3.60 for LTP, 5.10 when confirmed in 3D);
/// 5–10 mm is above the minimum but below the 10 mm target (M2: RR 3.64 against ≥ 10 mm), and for a RAS-mutant
/// tumour 10 mm is the threshold (M7: mutant RAS HR 3.01). Figures are read from the evidence base by id, never typed
/// here. It reports; the MDT and the operator decide.
/// </summary>
public static class MarginRisk
{
    /// <summary>The margin under which additional ablation is advised (mm), unless the tumour is RAS-mutant (DR-09).</summary>
    public const double MinimumMarginMm = 5;

    /// <summary>The target margin (mm), and the threshold for RAS-mutant tumours (DR-09, DR-10).</summary>
    public const double TargetMarginMm = 10;

    /// <summary>Assesses the worst tumour. <paramref name="ras"/> is null when no case file was given.</summary>
    public static MarginAssessment Assess(TumourMargin worst, MutationStatus? ras, EvidenceBase? evidence = null)
    {
        ArgumentNullException.ThrowIfNull(worst);
        evidence ??= EvidenceBase.Default;
        string Fig(string reference)
        {
            var found = evidence.FindFigure(reference) ?? throw new InvalidOperationException($"evidence figure {reference} is missing from the evidence base.");
            return found.Figure.ConfidenceInterval is { } ci ? $"{found.Figure.Value} (95% CI {ci})" : found.Figure.Value;
        }

        var mutant = ras == MutationStatus.Mutant;
        var threshold = mutant ? TargetMarginMm : MinimumMarginMm;
        var mam = worst.MinimalMarginMm;
        var ids = new List<string> { "M2", "G8" };
        var text = new List<string>();
        var mm = F(mam);
        if (mam <= 0)
        {
            text.Add($"{worst.Id}: minimal ablative margin {mm} mm; {F(worst.SurfaceBelow0Percent)}% of the tumour surface lies outside the ablation zone (not A0: tumour not covered). Additional ablation advised.");
        }
        else if (mam < MinimumMarginMm)
        {
            text.Add($"{worst.Id}: minimal ablative margin {mm} mm, below the 5 mm minimum. Additional ablation advised: a margin under 5 mm raises the risk of local tumour progression, {Fig("M2/rr-lt5mm")}, {Fig("M2/rr-lt5mm-3d")} when confirmed with 3D software (Chlorogiannis 2023, M2).");
        }
        else if (mam < TargetMarginMm)
        {
            var against = $"5–10 mm against ≥ 10 mm: {Fig("M2/rr-5-10-vs-10")} for local tumour progression (M2)";
            text.Add(mutant
                ? $"{worst.Id}: minimal ablative margin {mm} mm, below the 10 mm advised for a RAS-mutant tumour. Additional ablation advised: mutant RAS {Fig("M7/ras-hr")} for local tumour progression (Odisio 2017, M7); {against}."
                : $"{worst.Id}: minimal ablative margin {mm} mm: above the 5 mm minimum, below the 10 mm target ({against}).");
        }
        else
        {
            text.Add($"{worst.Id}: minimal ablative margin {mm} mm: the 10 mm target is reached (M2; CIRSE: ideally 5–10 mm, G8).");
        }

        if (mutant)
        {
            ids.Add("M7");
        }
        else if (ras == MutationStatus.Unknown && mam >= MinimumMarginMm && mam < TargetMarginMm)
        {
            text.Add("RAS status unknown in the case file: if the tumour is RAS-mutant, 10 mm applies (M7).");
            ids.Add("M7");
        }

        var advised = mam < threshold;
        if (!advised && worst.SensitivityMinusMm < threshold)
        {
            text.Add($"With a 2 mm registration error the margin could be as low as {F(worst.SensitivityMinusMm)} mm, under the {F(threshold)} mm threshold: confirm the registration.");
        }

        var band = mam <= 0.5 ? "0 mm" : mam <= 5 ? "1–5 mm" : mam <= 10 ? "6–10 mm" : "11–15 mm";
        var figureId = mam <= 0.5 ? "ltp-free-2y-margin-0mm" : mam <= 5 ? "ltp-free-2y-margin-1-5mm" : mam <= 10 ? "ltp-free-2y-margin-6-10mm" : "ltp-free-2y-margin-11-15mm";
        var outcome = $"2-year LTP-free survival after RFA with a {band} margin: {Fig("M1/" + figureId)} (single-centre estimate, Wang 2013, M1).";
        ids.Add("M1");
        ids.Add("M6");
        return new MarginAssessment(threshold, advised, string.Join(' ', text), outcome, ids);
    }

    private static string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
}
