using LocalControl.Core.Cases;

namespace LocalControl.Follow.Recist;

/// <summary>RECIST 1.1 response categories (Eisenhauer 2009). Non-target lesions add <see cref="NonCrNonPd"/>.</summary>
public enum RecistCategory
{
    /// <summary>Complete response.</summary>
    CR,
    /// <summary>Partial response.</summary>
    PR,
    /// <summary>Stable disease.</summary>
    SD,
    /// <summary>Progressive disease.</summary>
    PD,
    /// <summary>Not evaluable.</summary>
    NE,
    /// <summary>Non-target lesions only: neither complete response nor progression.</summary>
    NonCrNonPd,
    /// <summary>No lesions of this kind at baseline (no target or no non-target lesions).</summary>
    None,
}

/// <summary>Where the targets came from.</summary>
/// <param name="Baseline">The baseline used.</param>
/// <param name="Proposed">True when the case file had no <c>recistBaseline</c> and the targets were proposed by the rules.</param>
/// <param name="Notes">How the proposal was made, or warnings about the given baseline.</param>
public sealed record RecistBaselineChoice(RecistBaseline Baseline, bool Proposed, IReadOnlyList<string> Notes);

/// <summary>One target lesion at one time point.</summary>
/// <param name="LesionId">The lesion.</param>
/// <param name="MeasurementMm">Longest diameter (short axis for nodes) in mm; null when not evaluable.</param>
/// <param name="IsNode">True for a lymph node (measured by short axis).</param>
public sealed record TargetMeasurement(string LesionId, double? MeasurementMm, bool IsNode);

/// <summary>RECIST 1.1 assessment of one follow-up study.</summary>
/// <param name="Date">Date of the study.</param>
/// <param name="SumOfDiametersMm">Sum of target diameters (nodes by short axis), mm; of the evaluable targets when some are not.</param>
/// <param name="BaselineSumMm">Baseline sum, mm.</param>
/// <param name="NadirSumMm">Smallest sum before this study (baseline included), mm.</param>
/// <param name="ChangeFromBaselinePercent">(sum − baseline) / baseline × 100; null when the baseline sum is 0.</param>
/// <param name="ChangeFromNadirPercent">(sum − nadir) / nadir × 100; null when the nadir is 0.</param>
/// <param name="Targets">Per-target measurements.</param>
/// <param name="TargetResponse">Target response.</param>
/// <param name="NonTargetResponse">Non-target response.</param>
/// <param name="NewLesions">True when new lesions were seen.</param>
/// <param name="OverallResponse">Overall response (CR, PR, SD, PD or NE).</param>
/// <param name="Rule">The rule that decided, with the numbers.</param>
public sealed record RecistTimePoint(
    DateOnly Date,
    double? SumOfDiametersMm,
    double BaselineSumMm,
    double NadirSumMm,
    double? ChangeFromBaselinePercent,
    double? ChangeFromNadirPercent,
    IReadOnlyList<TargetMeasurement> Targets,
    RecistCategory TargetResponse,
    RecistCategory NonTargetResponse,
    bool NewLesions,
    RecistCategory OverallResponse,
    string Rule);

/// <summary>RECIST 1.1 over a case's follow-up.</summary>
/// <param name="Baseline">The baseline used and whether it was proposed.</param>
/// <param name="BaselineSumMm">Baseline sum of diameters, mm.</param>
/// <param name="TimePoints">One assessment per follow-up study after the baseline, in date order.</param>
public sealed record RecistAssessment(RecistBaselineChoice Baseline, double BaselineSumMm, IReadOnlyList<RecistTimePoint> TimePoints);
