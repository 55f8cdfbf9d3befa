using System.Globalization;
using LocalControl.Imaging.Rendering;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Planning;

/// <summary>
/// Axial, coronal and sagittal slices through the target, drawn by the shared slice renderer: the patient's labels
/// (vessels, structures to avoid), the tumour and its margin shell, the planned zone, and each trajectory from the
/// skin entry to the tip.
/// </summary>
public static class PlanPictures
{
    /// <summary>Colour of the margin shell (0xRRGGBB).</summary>
    public const int MarginShellColour = 0xFFD400;

    /// <summary>Colour of the zone.</summary>
    public const int ZoneColour = 0x2FA8FF;

    /// <summary>Colour of the trajectories.</summary>
    public const int TrajectoryColour = 0x00FF66;

    /// <summary>Writes <c>plan-axial.png</c>, <c>plan-coronal.png</c> and <c>plan-sagittal.png</c> into <paramref name="folder"/>; returns the paths.</summary>
    public static IReadOnlyList<string> Save(PlanResult plan, LabelMap labels, string folder)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(labels);
        var g = labels.Labels.Geometry;
        var hidden = labels.Table.Entries.Where(e => e.Role is LabelRole.Body or LabelRole.Skin or LabelRole.Other).Select(e => e.Value).ToArray();
        var bodyOnly = labels.Table.Entries.Where(e => e.Role is not (LabelRole.Body or LabelRole.Skin)).Select(e => e.Value).ToArray();
        var goalTable = new LabelTable()
            .Set(new LabelEntry(1, "tumour", LabelRole.Tumour, 0xFF2A2A))
            .Set(new LabelEntry(2, "margin shell", LabelRole.Other, MarginShellColour));
        var zoneTable = new LabelTable().Set(new LabelEntry(1, "zone", LabelRole.AblationZone, ZoneColour));
        var goal = new LabelMap(ToInt(plan.Goal), goalTable);
        var zone = new LabelMap(ToInt(plan.Zone), zoneTable);
        var inv = CultureInfo.InvariantCulture;
        var caption = new List<string>
        {
            string.Create(inv, $"{plan.Target} ({plan.Organ}): {(plan.Feasible ? "feasible" : "NOT feasible")}, {plan.Probes.Count} probe(s)"),
            string.Create(inv, $"margin goal {plan.MarginGoalMm:0.#} mm, minimal {(plan.MinimalMarginMm is { } m ? m.ToString("0.0", inv) + " mm" : "none")}"),
            string.Create(inv, $"coverage {plan.CoveragePercent:0.0} % ({(plan.Confirmed ? $"bioheat, {plan.ConfirmationGridMm:0.#} mm grid" : "ellipsoids")}){(plan.HeatSinkLimited ? ", heat sink" : "")}"),
            "red tumour, yellow margin, blue zone,",
            "green trajectories (projected)",
        };
        var lines = plan.Probes.Select(p => new LpsLine(p.EntryLps, p.TipLps, TrajectoryColour, 2)).ToList();
        var markers = plan.Probes.Select(p => new LpsMarker(p.TipLps, TrajectoryColour, 4)).ToList();
        var depth = plan.Probes.Count == 0 ? 0 : plan.Probes.Max(p => p.DepthMm);
        var half = Math.Max(40, Math.Max(plan.GoalRadiusMm + 25, depth + 10));
        var paths = new List<string>(3);
        Directory.CreateDirectory(folder);
        foreach (var orientation in new[] { SliceOrientation.Axial, SliceOrientation.Coronal, SliceOrientation.Sagittal })
        {
            using var slice = SliceRenderer.Render(new SliceRequest
            {
                Orientation = orientation,
                ThroughLps = plan.TargetCentreLps,
                Labels =
                [
                    new LabelOverlay(labels, FillOpacity: 0f) { Hidden = bodyOnly },
                    new LabelOverlay(labels, FillOpacity: 0.25f) { Hidden = hidden },
                    new LabelOverlay(goal, FillOpacity: 0.35f),
                    new LabelOverlay(zone, FillOpacity: 0.2f),
                ],
                Lines = lines,
                Markers = markers,
                SlabMm = Math.Max(2, g.SpacingMm.Z),
                FieldOfViewHalfWidthMm = half,
                PixelSizeMm = 2 * half / 640,
                Caption = caption,
            });
            var path = Path.Combine(folder, $"plan-{orientation.ToString().ToLowerInvariant()}.png");
            slice.SavePng(path);
            paths.Add(path);
        }

        return paths;
    }

    private static Volume<int> ToInt(Volume<byte> v)
    {
        var result = new Volume<int>(v.Geometry);
        var src = v.Buffer;
        var dst = result.Buffer;
        for (var n = 0; n < src.Length; n++)
        {
            dst[n] = src[n];
        }

        return result;
    }
}
