using System.Globalization;
using System.Text.Json.Nodes;
using LocalControl.Imaging.Geometry;
using LocalControl.Verification.Margins;

namespace LocalControl.Verification;

/// <summary>
/// The verify contract (docs/verification.md): top-level values are the worst tumour's; every length in mm, every
/// point in LPS mm of the pre-procedure scan; numbers rounded to 0.01 mm (0.1 % for shares).
/// </summary>
public static class VerificationJson
{
    /// <summary>The report as the <c>verify --format json</c> object.</summary>
    public static JsonObject ToJson(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var worst = report.Worst;
        var reg = report.Registration;
        var tumours = new JsonArray();
        foreach (var t in report.Margins.Tumours)
        {
            var o = new JsonObject
            {
                ["id"] = t.Id,
                ["minimalMarginMm"] = R(t.MinimalMarginMm),
                ["surfaceBelow0Percent"] = R1(t.SurfaceBelow0Percent),
                ["surfaceBelow5Percent"] = R1(t.SurfaceBelow5Percent),
                ["surfaceBelow10Percent"] = R1(t.SurfaceBelow10Percent),
                ["thinnestPointLps"] = Point(t.ThinnestPointLps),
                ["thinnestDirection"] = Point(t.ThinnestDirectionLps, 3),
                ["thinnestDirectionText"] = t.ThinnestDirectionWords,
            };
            if (t.Segment is { } segment)
            {
                o["segment"] = segment;
            }

            o["a0"] = t.A0;
            o["centroidLps"] = Point(t.CentroidLps);
            o["volumeMl"] = R(t.VolumeMl);
            o["surfaceAreaMm2"] = Math.Round(t.SurfaceAreaMm2, 1);
            o["distributionMm"] = new JsonObject
            {
                ["p5"] = R(t.Distribution.P5Mm),
                ["p25"] = R(t.Distribution.P25Mm),
                ["median"] = R(t.Distribution.MedianMm),
                ["p75"] = R(t.Distribution.P75Mm),
                ["p95"] = R(t.Distribution.P95Mm),
                ["max"] = R(t.Distribution.MaxMm),
            };
            o["sensitivityMm"] = new JsonObject { ["minus2"] = R(t.SensitivityMinusMm), ["plus2"] = R(t.SensitivityPlusMm) };
            o["exactWithinMm"] = t.ReachMm;
            if (double.IsFinite(t.RegistrationUncertaintyMm))
            {
                o["registrationUncertaintyMm"] = R(t.RegistrationUncertaintyMm);
            }

            tumours.Add(o);
        }

        var matrix = new JsonArray();
        foreach (var v in reg.PostToPre.ToRowMajor4x4())
        {
            matrix.Add(Math.Round(v, 9) + 0.0);
        }

        var uncertainty = reg.UncertaintyAt(worst.CentroidLps);
        var registration = new JsonObject
        {
            ["method"] = reg.Method,
            ["postToPre"] = matrix,
            ["residualMeanMm"] = Nullable(reg.ResidualMeanMm),
            ["residualP95Mm"] = Nullable(reg.ResidualP95Mm),
            ["uncertaintyMm"] = Nullable(uncertainty),
            ["rotationDegrees"] = Math.Round(reg.PostToPre.RotationDegrees, 3),
            ["translationMm"] = Point(reg.PostToPre.TranslationMm),
            ["iterations"] = reg.Iterations,
            ["inlierPercent"] = Nullable(reg.InlierPercent, 1),
            ["surfacePoints"] = reg.SurfacePoints,
            ["deformable"] = false,
            ["notes"] = new JsonArray([.. reg.Notes.Select(n => (JsonNode?)JsonValue.Create(n))]),
        };
        if (reg.LandmarkErrorMm is { } landmarkError)
        {
            registration["landmarkErrorMm"] = R(landmarkError);
        }

        var assessment = report.Assessment;
        return new JsonObject
        {
            ["minimalMarginMm"] = R(worst.MinimalMarginMm),
            ["worstTumour"] = worst.Id,
            ["tumours"] = tumours,
            ["surfaceBelow0Percent"] = R1(worst.SurfaceBelow0Percent),
            ["surfaceBelow5Percent"] = R1(worst.SurfaceBelow5Percent),
            ["surfaceBelow10Percent"] = R1(worst.SurfaceBelow10Percent),
            ["a0"] = worst.A0,
            ["registration"] = registration,
            ["sensitivityMm"] = new JsonObject { ["minus2"] = R(worst.SensitivityMinusMm), ["plus2"] = R(worst.SensitivityPlusMm) },
            ["thresholdMm"] = assessment.ThresholdMm,
            ["additionalAblationAdvised"] = assessment.AdditionalAblationAdvised,
            ["recommendation"] = assessment.Recommendation,
            ["expectedOutcome"] = assessment.ExpectedOutcome,
            ["evidence"] = new JsonArray([.. assessment.EvidenceIds.Select(id => (JsonNode?)JsonValue.Create(id))]),
            ["method"] = "Signed distance from each tumour surface point to the ablation zone boundary (positive inside), exact EDTs (Felzenszwalb-Huttenlocher) on the zone's grid moved by a rigid liver-surface registration" + (reg.Method.Contains("mutual-information", StringComparison.Ordinal) ? " refined on the images by mutual information" : "") + "; staircase removed by a smoothed level set.",
            ["wallSeconds"] = Math.Round(report.WallSeconds, 3),
        };
    }

    /// <summary>The report as text for a terminal.</summary>
    public static string ToText(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var w = new System.Text.StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var reg = report.Registration;
        w.AppendLine(inv, $"Minimal ablative margin: {report.Worst.MinimalMarginMm:0.0} mm ({report.Worst.Id}), threshold {report.Assessment.ThresholdMm:0} mm");
        w.AppendLine(report.Assessment.Recommendation);
        w.AppendLine(report.Assessment.ExpectedOutcome);
        w.AppendLine();
        foreach (var t in report.Margins.Tumours)
        {
            w.AppendLine(inv, $"{t.Id}: MAM {t.MinimalMarginMm:0.0} mm{(t.A0 ? "" : " (not A0)")}; surface below 0/5/10 mm: {t.SurfaceBelow0Percent:0.0}/{t.SurfaceBelow5Percent:0.0}/{t.SurfaceBelow10Percent:0.0} %; median {t.Distribution.MedianMm:0.0} mm");
            w.AppendLine(inv, $"    thinnest at LPS ({t.ThinnestPointLps.X:0.0}, {t.ThinnestPointLps.Y:0.0}, {t.ThinnestPointLps.Z:0.0}) mm, {t.ThinnestDirectionWords} of the centre{(t.Segment is { } s ? $", segment {s}" : "")}; with a 2 mm registration error {t.SensitivityMinusMm:0.0} to {t.SensitivityPlusMm:0.0} mm");
        }

        w.AppendLine();
        w.AppendLine(inv, $"Registration: {reg.Method}; rotation {reg.PostToPre.RotationDegrees:0.00}°, translation ({reg.PostToPre.TranslationMm.X:0.0}, {reg.PostToPre.TranslationMm.Y:0.0}, {reg.PostToPre.TranslationMm.Z:0.0}) mm");
        if (double.IsFinite(reg.ResidualMeanMm))
        {
            w.AppendLine(inv, $"    liver surface residual mean {reg.ResidualMeanMm:0.00} mm, p95 {reg.ResidualP95Mm:0.00} mm; uncertainty at {report.Worst.Id} ±{reg.UncertaintyAt(report.Worst.CentroidLps):0.0} mm");
        }

        foreach (var note in reg.Notes)
        {
            w.AppendLine("    " + note);
        }

        w.AppendLine(inv, $"Evidence: {string.Join(", ", report.Assessment.EvidenceIds)}. Time {report.WallSeconds:0.00} s.");
        return w.ToString();
    }

    private static double R(double v) => Math.Round(v, 2) + 0.0;

    private static double R1(double v) => Math.Round(v, 1) + 0.0;

    private static JsonNode? Nullable(double v, int digits = 2) => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, digits) + 0.0) : null;

    private static JsonArray Point(Vector3D p, int digits = 2) => new(Math.Round(p.X, digits) + 0.0, Math.Round(p.Y, digits) + 0.0, Math.Round(p.Z, digits) + 0.0);
}
