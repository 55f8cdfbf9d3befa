using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Tests;

/// <summary>The catalogue, the calibration against it, energy conservation, and the zone's invariances.</summary>
public class CatalogueAndZoneTests
{
    private static readonly DeviceCatalogue Catalogue = DeviceCatalogue.Default;

    public static TheoryData<string, string> SimulatedSettings(string modality)
    {
        var data = new TheoryData<string, string>();
        foreach (var d in Catalogue.Devices.Where(d => DeviceCatalogue.ModalityName(d.Modality) == modality))
        {
            foreach (var s in d.Settings)
            {
                data.Add(d.Id, s.Id);
            }
        }

        return data;
    }

    [Fact]
    public void Every_setting_has_a_source_conditions_and_a_diameter_and_ids_are_unique()
    {
        Assert.False(string.IsNullOrWhiteSpace(Catalogue.CatalogueVersion));
        Assert.Equal(Catalogue.Devices.Count, Catalogue.Devices.Select(d => d.Id).Distinct().Count());
        foreach (var d in Catalogue.Devices)
        {
            Assert.Equal(d.Settings.Count, d.Settings.Select(s => s.Id).Distinct().Count());
            foreach (var s in d.Settings)
            {
                Assert.False(string.IsNullOrWhiteSpace(s.Source), $"{d.Id}/{s.Id}");
                Assert.False(string.IsNullOrWhiteSpace(s.Conditions), $"{d.Id}/{s.Id}");
                Assert.True(s.ExpectedZone.DiameterMm > 0, $"{d.Id}/{s.Id}");
            }
        }

        Assert.Contains(Catalogue.Devices, d => d.Modality == AblationModality.Mwa);
        Assert.Contains(Catalogue.Devices, d => d.Modality == AblationModality.Rfa);
    }

    [Fact]
    public void A_figure_without_a_source_is_refused_when_the_catalogue_is_read()
    {
        const string Json = """{"catalogueVersion":"x","devices":[{"id":"d","modality":"mwa","manufacturer":"m","model":"m","settings":[{"id":"s","expectedZone":{"lengthMm":30,"diameterMm":20,"tipOffsetMm":5},"conditions":"c","source":""}]}]}""";
        var ex = Assert.Throws<InvalidDataException>(() => DeviceCatalogue.Parse(Json));
        Assert.Contains("d/s", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SimulatedSettings), "mwa")]
    public void Microwave_zone_in_homogeneous_liver_matches_the_catalogue_within_15_percent_per_axis(string device, string setting)
    {
        var d = Catalogue.Find(device)!;
        var s = d.FindSetting(setting)!;
        var zone = HomogeneousLiver.Simulate(d, s, 1.0);
        AssertWithin(s.ExpectedZone.LengthMm!.Value, zone.LengthMm, "length");
        AssertWithin(s.ExpectedZone.DiameterMm, zone.DiameterMm, "diameter");
        AssertWithin(s.ExpectedZone.DiameterMm, zone.SecondDiameterMm, "second diameter");
        Assert.InRange(zone.TipOffsetMm, s.ExpectedZone.TipOffsetMm!.Value - 3, s.ExpectedZone.TipOffsetMm!.Value + 3);
    }

    [Theory]
    [MemberData(nameof(SimulatedSettings), "rfa")]
    public void Radiofrequency_zone_in_homogeneous_liver_matches_the_catalogue_within_15_percent_per_axis(string device, string setting)
    {
        var d = Catalogue.Find(device)!;
        var s = d.FindSetting(setting)!;
        var zone = HomogeneousLiver.Simulate(d, s, 1.0);
        AssertWithin(s.ExpectedZone.LengthMm!.Value, zone.LengthMm, "length");
        AssertWithin(s.ExpectedZone.DiameterMm, zone.DiameterMm, "diameter");
        AssertWithin(s.ExpectedZone.DiameterMm, zone.SecondDiameterMm, "second diameter");
    }

    [Fact]
    public void Energy_deposited_equals_energy_stored_plus_lost_to_perfusion_vessels_and_boundary_within_1_percent()
    {
        var d = Catalogue.Find("emprint")!;
        var s = d.FindSetting("100w-5min")!;
        var (setup, _) = HomogeneousLiver.Setup(d, s, 2.0);
        // A vessel-like sink column beside the antenna, so all loss paths are exercised.
        var sinks = new float[setup.Roi.VoxelCount];
        var roi = setup.Roi;
        for (var k = 0; k < roi.Nz; k++)
        {
            for (var j = 0; j < roi.Ny; j++)
            {
                for (var i = 0; i < roi.Nx; i++)
                {
                    var p = roi.PointLps(i, j, k);
                    if (((p.X - 10) * (p.X - 10)) + (p.Y * p.Y) <= 9)
                    {
                        sinks[((k * roi.Ny) + j) * roi.Nx + i] = (float)VesselHeatSink.SinkCoefficient(6, 40);
                    }
                }
            }
        }

        var outcome = ThermalSimulation.Run(setup with { VesselSink = sinks, TrackEnergy = true, HeatingSeconds = 120, CooldownSeconds = 30 });
        var e = outcome.Energy!;
        Assert.True(e.DepositedJ > 1000);
        Assert.True(e.PerfusionAndVesselsJ > 0.01 * e.DepositedJ && e.StoredJ > 0.1 * e.DepositedJ);
        Assert.True(e.RelativeImbalance < 0.01, $"{e}");
    }

    [Fact]
    public void Translating_the_probe_moves_the_zone_by_the_same_vector_and_keeps_its_volume()
    {
        var d = Catalogue.Find("emprint")!;
        var s = d.FindSetting("75w-5min")!;
        var shift = new Vector3D(3.4, -2.2, 5.7);
        var phantom = new Phantom(size: 80, originLps: new Vector3D(-40, -40, -40));
        ZonePrediction Run(Vector3D offset) => ZonePredictor.Predict(new ZoneRequest
        {
            Labels = phantom.Map,
            Probes = [new ProbePose(new Vector3D(0, 0, -5) + offset, new Vector3D(0, 0, 60) + offset)],
            Device = d,
            Setting = s,
            GridMm = 2,
        });
        var a = Run(Vector3D.Zero);
        var b = Run(shift);
        var ca = Centroid(a);
        var cb = Centroid(b);
        Assert.True((cb - ca - shift).Length < 1.0, $"centroid moved by {cb - ca}, expected {shift}");
        Assert.InRange(b.ZoneVolumeMl / a.ZoneVolumeMl, 0.95, 1.05);
    }

    [Fact]
    public void Refining_the_grid_from_1_to_half_a_millimetre_changes_the_zone_volume_by_less_than_5_percent()
    {
        var d = Catalogue.Find("emprint")!;
        var s = d.FindSetting("75w-5min")!;
        var (coarse, probe) = HomogeneousLiver.Setup(d, s, 1.0);
        var (fine, _) = HomogeneousLiver.Setup(d, s, 0.5);
        coarse = coarse with { Roi = RegionOfInterest.Cube(coarse.Roi.PointLps(coarse.Roi.Nx / 2, coarse.Roi.Ny / 2, coarse.Roi.Nz / 2), 50, 1.0) };
        fine = fine with { Roi = RegionOfInterest.Cube(coarse.Roi.PointLps(coarse.Roi.Nx / 2, coarse.Roi.Ny / 2, coarse.Roi.Nz / 2), 50, 0.5) };
        coarse = coarse with { Material = new byte[coarse.Roi.VoxelCount] };
        fine = fine with { Material = new byte[fine.Roi.VoxelCount] };
        var vc = ZoneShape.Measure(coarse.Roi, ThermalSimulation.Run(coarse).IsDead, probe).VolumeMl;
        var vf = ZoneShape.Measure(fine.Roi, ThermalSimulation.Run(fine).IsDead, probe).VolumeMl;
        Assert.True(Math.Abs(vf - vc) / vf < 0.05, $"1 mm: {vc:0.00} mL, 0.5 mm: {vf:0.00} mL");
    }

    private static Vector3D Centroid(ZonePrediction p)
    {
        var g = p.Zone.Geometry;
        var sum = Vector3D.Zero;
        long n = 0;
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    if (p.Zone[i, j, k] != 0)
                    {
                        sum += g.IndexToPointLps(i, j, k);
                        n++;
                    }
                }
            }
        }

        return sum * (1.0 / n);
    }

    private static void AssertWithin(double expected, double actual, string axis) =>
        Assert.True(Math.Abs(actual - expected) <= 0.15 * expected, $"{axis}: simulated {actual:0.0} mm, catalogue {expected:0.0} mm");
}
