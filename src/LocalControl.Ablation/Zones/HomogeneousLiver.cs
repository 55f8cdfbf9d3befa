using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Zones;

/// <summary>
/// A setting in homogeneous liver, in the conditions of its source (perfused for in vivo figures, not for ex vivo ones):
/// the reference the calibration fits once and the tests check against the catalogue.
/// </summary>
public static class HomogeneousLiver
{
    /// <summary>Margin of liver around the expected zone in the ROI (mm on each side).</summary>
    public const double RoiMarginMm = 20;

    /// <summary>The single-probe setup of <paramref name="setting"/> on a grid of <paramref name="gridMm"/>, tip at <paramref name="tipLps"/>, shaft along <paramref name="axis"/>.</summary>
    public static (ThermalSetup Setup, ProbePose Probe) Setup(AblationDevice device, DeviceSetting setting, double gridMm, Vector3D? tipLps = null, Vector3D? axis = null, MicrowaveModel? microwave = null, RadiofrequencyModel? radiofrequency = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(setting);
        var tip = tipLps ?? Vector3D.Zero;
        var u = axis ?? new Vector3D(0, 0, -1);
        var probe = new ProbePose(tip, tip - u * 100);
        var mw = microwave ?? setting.Microwave;
        var rf = radiofrequency ?? setting.Radiofrequency;
        var offset = ExpectedCentreOffsetMm(device, setting, mw, rf);
        var side = Math.Max(setting.ExpectedZone.LengthMm ?? setting.ExpectedZone.DiameterMm, setting.ExpectedZone.DiameterMm) + (2 * RoiMarginMm);
        var roi = RegionOfInterest.Cube(tip - u * offset, side, gridMm);
        var perfused = rf?.Perfused ?? mw?.Perfused ?? false;
        var setup = new ThermalSetup
        {
            Roi = roi,
            Material = new byte[roi.VoxelCount],
            Tissues = [TissueTable.Default["liver"]],
            Modality = device.Modality,
            Microwave = mw,
            Radiofrequency = rf,
            Probes = [probe],
            HeatingSeconds = (setting.DurationMin ?? throw new ArgumentException($"{device.Id}/{setting.Id} has no duration.")) * 60,
            Perfused = perfused,
        };
        return (setup, probe);
    }

    /// <summary>Where the zone centre is expected, back from the tip (mm): the catalogue's figure, else the model's source centre.</summary>
    public static double ExpectedCentreOffsetMm(AblationDevice device, DeviceSetting setting, MicrowaveModel? mw = null, RadiofrequencyModel? rf = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(setting);
        return setting.ExpectedZone.TipOffsetMm
            ?? (mw ?? setting.Microwave)?.FeedOffsetMm
            ?? ((rf ?? setting.Radiofrequency)?.ActiveLengthMm ?? device.ActiveTipLengthMm ?? 0) / 2;
    }

    /// <summary>Runs the setting and measures its zone.</summary>
    public static ZoneShape Simulate(AblationDevice device, DeviceSetting setting, double gridMm, MicrowaveModel? microwave = null, RadiofrequencyModel? radiofrequency = null, Vector3D? tipLps = null, Vector3D? axis = null)
    {
        var (setup, probe) = Setup(device, setting, gridMm, tipLps, axis, microwave, radiofrequency);
        var outcome = ThermalSimulation.Run(setup);
        return ZoneShape.Measure(setup.Roi, outcome.IsDead, probe);
    }
}
