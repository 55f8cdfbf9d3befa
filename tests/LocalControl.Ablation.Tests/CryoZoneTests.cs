using System.Text.Json.Nodes;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Cli;
using LocalControl.Imaging.Geometry;
using Xunit.Abstractions;

namespace LocalControl.Ablation.Tests;

/// <summary>
/// Cryoablation: the calibrated settings against the catalogue in the source's phantom, the energy balance with latent
/// heat, the heat of a vessel near the probes, translation, and <c>simulate</c>'s contract and bad input.
/// </summary>
public class CryoZoneTests(ITestOutputHelper output)
{
    private static readonly AblationDevice Cryo = DeviceCatalogue.Default.Find("cryo-2.4mm")!;

    public static TheoryData<string> Settings()
    {
        var data = new TheoryData<string>();
        foreach (var s in DeviceCatalogue.Default.Find("cryo-2.4mm")!.Settings)
        {
            data.Add(s.Id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Each_setting_in_the_source_phantom_gives_the_catalogue_lethal_diameter_within_15_percent(string settingId)
    {
        var s = Cryo.FindSetting(settingId)!;
        var m = s.Cryo!;

        // The stored calibration: a probe no colder than boiling argon (-186 C at 1 atm) and the source's conditions.
        Assert.InRange(m.ProbeCelsius, -186, -40);
        Assert.Equal(-30, m.IsothermCelsius);
        Assert.Equal(39, m.BaselineCelsius);
        Assert.Equal(s.ProbeCount, CryoPhantom.Layout(m.Layout, m.SpacingMm).Count);

        var (lethal, ice, _) = CryoPhantom.Simulate(Cryo, s, 1.0);
        output.WriteLine($"{settingId}: probe {m.ProbeCelsius} C, lethal (-30 C) {lethal.DiameterMm:0.0} x {lethal.SecondDiameterMm:0.0} mm, ice (0 C) {ice.DiameterMm:0.0} mm, catalogue {s.ExpectedZone.DiameterMm} mm");
        Assert.InRange(lethal.DiameterMm / s.ExpectedZone.DiameterMm, 0.85, 1.15);

        // Lethal ice lies inside the ice ball, "< 1 cm behind the leading edge" (PMC2762356) on each side.
        var behind = (ice.DiameterMm - lethal.DiameterMm) / 2;
        Assert.InRange(behind, 2, 12);
    }

    [Fact]
    public void Energy_taken_by_the_probe_equals_the_stored_change_with_latent_heat_and_blood_within_1_percent()
    {
        var roi = RegionOfInterest.Cube(Vector3D.Zero, 36, 1.0);
        var material = new byte[roi.VoxelCount];
        var sink = new float[roi.VoxelCount];
        for (var k = 0; k < roi.Nz; k++)
        {
            for (var j = 0; j < roi.Ny; j++)
            {
                for (var i = 0; i < roi.Nx; i++)
                {
                    var p = roi.PointLps(i, j, k);
                    if (((p.X - 7) * (p.X - 7)) + (p.Y * p.Y) <= 4)
                    {
                        var n = ((k * roi.Ny) + j) * roi.Nx + i;
                        material[n] = 1;
                        sink[n] = (float)VesselHeatSink.SinkCoefficient(4, 20);
                    }
                }
            }
        }

        var liver = TissueTable.Default["liver"];
        var blood = TissueTable.Default["vessel"];
        var model = new CryoModel(-120, 20, 0, 0, "single", -40, 37);
        var setup = new CryoSetup
        {
            Roi = roi,
            Material = material,
            Tissues = [liver, blood],
            Freezing = [FreezingProperties.Default["liver"], FreezingProperties.Default["vessel"]],
            VesselSink = sink,
            Probes = [new ProbePose(new Vector3D(0, 0, -10), new Vector3D(0, 0, 50))],
            Probe = model,
            ProbeDiameterMm = 2.4,
            FreezeSeconds = 120,
            Perfused = true,
            TrackEnergy = true,
        };
        var o = CryoSimulation.Run(setup);
        var e = o.Energy!;

        // The stored change recomputed here from the temperatures, with the enthalpy written out independently.
        const double Ts = CryoSimulation.TissueSolidusCelsius, Tl = CryoSimulation.TissueLiquidusCelsius;
        double stored = 0, latentReleased = 0;
        var h3 = 1e-9;
        for (var k = 1; k < roi.Nz - 1; k++)
        {
            for (var j = 1; j < roi.Ny - 1; j++)
            {
                for (var i = 1; i < roi.Nx - 1; i++)
                {
                    var n = ((k * roi.Ny) + j) * roi.Nx + i;
                    if (o.ProbeVoxel[n])
                    {
                        continue;
                    }

                    var t = material[n] == 0 ? liver : blood;
                    var f = material[n] == 0 ? FreezingProperties.Default["liver"] : FreezingProperties.Default["vessel"];
                    var cu = (float)(t.DensityKgPerM3 * t.SpecificHeatJPerKgK);
                    var cf = (float)f.FrozenHeatCapacityJPerM3K;
                    var lv = (float)f.LatentHeatJPerM3(t.DensityKgPerM3);
                    stored += (H(o.FinalTemperature[n]) - H(37)) * h3;
                    latentReleased += lv * (1 - Math.Clamp((o.FinalTemperature[n] - Ts) / (Tl - Ts), 0, 1)) * h3;

                    double H(double temp)
                    {
                        // Sensible heat of each phase plus the latent heat released uniformly over the mushy range.
                        if (temp <= Ts)
                        {
                            return cf * (temp - Ts);
                        }

                        var mushy = (0.5 * (cu + cf)) + (lv / (Tl - Ts));
                        return temp <= Tl ? mushy * (temp - Ts) : (mushy * (Tl - Ts)) + (cu * (temp - Tl));
                    }
                }
            }
        }

        var inflow = e.ProbeJ + e.BoundaryJ + e.BloodJ;
        output.WriteLine($"stored {stored:0.0} J (ledger {e.StoredJ:0.0}), probe {e.ProbeJ:0.0} J, boundary {e.BoundaryJ:0.0} J, blood {e.BloodJ:0.0} J, latent released {latentReleased:0.0} J");
        Assert.True(e.ProbeJ < 0, "the probe extracts heat");
        Assert.True(e.BloodJ > 0, "blood brings heat");
        Assert.True(Math.Abs(stored - inflow) / Math.Abs(e.ProbeJ) < 0.01, $"stored {stored} vs inflow {inflow}");

        // Latent heat is a large part of it: leaving it out would break the balance by far more than 1 %.
        Assert.True(latentReleased / Math.Abs(e.ProbeJ) > 0.2, $"latent {latentReleased} of {e.ProbeJ}");
    }

    [Fact]
    public void Sweeping_only_where_the_cold_has_reached_gives_the_whole_block_result()
    {
        var s = Cryo.FindSetting("2-probes-15min")!;
        var setup = CryoPhantom.Setup(Cryo, s, 2.0);
        var narrow = CryoSimulation.Run(setup);
        var whole = CryoSimulation.Run(setup with { NarrowUpdate = false });
        var maxDiff = 0.0;
        for (var n = 0; n < whole.MinTemperature.Length; n++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(whole.MinTemperature[n] - narrow.MinTemperature[n]));
            maxDiff = Math.Max(maxDiff, Math.Abs(whole.FinalTemperature[n] - narrow.FinalTemperature[n]));
        }

        output.WriteLine($"max |dT| {maxDiff:0.0000000} K, swept {narrow.VoxelUpdates} of {whole.VoxelUpdates} voxel updates");
        Assert.True(maxDiff < 1e-3, $"max |dT| {maxDiff}");
        Assert.True(narrow.VoxelUpdates < whole.VoxelUpdates);
    }

    private static ZonePrediction TwoProbes(Phantom phantom, bool heatSink, Vector3D? shift = null)
    {
        var d = shift ?? Vector3D.Zero;
        return ZonePredictor.Predict(new ZoneRequest
        {
            Labels = phantom.Map,
            Probes = [new ProbePose(new Vector3D(-10, 0, -15) + d, new Vector3D(-10, 0, 60) + d), new ProbePose(new Vector3D(10, 0, -15) + d, new Vector3D(10, 0, 60) + d)],
            Device = Cryo,
            Setting = Cryo.FindSetting("2-probes-15min")!,
            GridMm = 2,
            HeatSink = heatSink,
        });
    }

    /// <summary>Frozen (0 °C) reach from the pair's centre along ±x (the pair's axis) in the mid-plane, until the first unfrozen voxel.</summary>
    private static double IceReachMm(ZonePrediction p, int sign)
    {
        var roi = p.Roi;
        var c = roi.Nearest(Vector3D.Zero)!.Value;
        var reach = 0.0;
        for (var i = c.I; i >= 0 && i < roi.Nx; i += sign)
        {
            var n = ((c.K * roi.Ny) + c.J) * roi.Nx + i;
            if (p.Cryo!.FinalTemperature[n] > 0)
            {
                break;
            }

            reach = Math.Abs(i - c.I) * roi.SpacingMm;
        }

        return reach;
    }

    [Fact]
    public void A_6_mm_vessel_beside_two_probes_shrinks_the_ice_on_its_side_only()
    {
        // Probes at x = -10 and +10 mm; a 6 mm vessel parallel to them with its axis at x = 16 (wall 3 mm from probe 2).
        var phantom = new Phantom(size: 110, originLps: new Vector3D(-55, -55, -55)).VesselAlongS(16, 0, 6);
        var sink = TwoProbes(phantom, heatSink: true);
        var reference = TwoProbes(phantom, heatSink: false);
        var vessel = Assert.Single(sink.Vessels);
        double towardSink = IceReachMm(sink, +1), towardRef = IceReachMm(reference, +1);
        double awaySink = IceReachMm(sink, -1), awayRef = IceReachMm(reference, -1);
        var report = $"{vessel}; ice toward the vessel {towardSink} vs {towardRef} mm without, away {awaySink} vs {awayRef} mm; lethal {sink.ZoneVolumeMl:0.00} vs {reference.ZoneVolumeMl:0.00} mL";
        output.WriteLine(report);

        // On the 2 mm grid the 6 mm vessel is three voxels across; the calibre at its edge voxel reads lower (3.7 mm).
        Assert.InRange(vessel.CalibreMm, 3.5, 8);

        // Without the heat sink the ice runs past the vessel's wall (13 mm from the centre); with it the ice stops there.
        Assert.True(towardRef > 14, report);
        Assert.True(towardSink <= 14, report);
        Assert.True(towardSink <= towardRef - 2, report);

        // The far side (26 mm from the vessel) changes by at most one voxel.
        Assert.True(Math.Abs(awaySink - awayRef) <= 2, report);

        // The lethal zone reaches less far on the vessel's side, and the zone is smaller.
        Assert.True(vessel.ShrinkMm > 0, report);
        Assert.True(sink.ZoneVolumeMl < reference.ZoneVolumeMl, report);
    }

    [Fact]
    public void Translating_the_problem_moves_the_zone_by_the_same_vector()
    {
        var shift = new Vector3D(3, -2, 4);
        var a = TwoProbes(new Phantom(size: 110, originLps: new Vector3D(-55, -55, -55)).VesselAlongS(0, 14, 6), heatSink: true);
        var b = TwoProbes(new Phantom(size: 110, originLps: new Vector3D(-55, -55, -55) + shift).VesselAlongS(shift.X, 14 + shift.Y, 6), heatSink: true, shift);
        var ca = Centroid(a);
        var cb = Centroid(b);
        var moved = cb - ca;
        output.WriteLine($"centroid {ca} -> {cb}, volume {a.ZoneVolumeMl:0.00} -> {b.ZoneVolumeMl:0.00} mL");
        Assert.True((moved - shift).Length < 0.5, $"moved {moved}");
        Assert.True(Math.Abs(a.ZoneVolumeMl - b.ZoneVolumeMl) / a.ZoneVolumeMl < 0.01);
        Assert.True(a.ZoneVolumeMl > 1);

        static Vector3D Centroid(ZonePrediction p)
        {
            var g = p.Zone.Geometry;
            var sum = Vector3D.Zero;
            long count = 0;
            for (var k = 0; k < g.Size.K; k++)
            {
                for (var j = 0; j < g.Size.J; j++)
                {
                    for (var i = 0; i < g.Size.I; i++)
                    {
                        if (p.Zone[i, j, k] != 0)
                        {
                            sum += g.IndexToPointLps(i, j, k);
                            count++;
                        }
                    }
                }
            }

            return sum * (1.0 / count);
        }
    }

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Simulate_cryo_prints_the_contract_with_the_lethal_isotherm_and_the_ice_ball()
    {
        using var dir = new TempDir();
        var (labels, table) = new Phantom(size: 100, spacingMm: 1.0, originLps: new Vector3D(-50, -50, -50)).Tumour(new Vector3D(-10, 0, 0), 3).Write(dir.Path);
        var zonePath = Path.Combine(dir.Path, "zone.nii.gz");
        var (code, text, err) = Cli("simulate", "--labels", labels, "--label-table", table,
            "--probe", "tip=-10,0,-15;entry=-10,0,60", "--probe", "tip=10,0,-15;entry=10,0,60",
            "--device", "cryo-2.4mm", "--setting", "2-probes-15min", "--grid-mm", "2", "-o", zonePath, "--format", "json");
        Assert.True(code == 0, err);
        var o = JsonNode.Parse(text)!.AsObject();
        foreach (var field in new[] { "device", "setting", "zoneVolumeMl", "zoneAxesMm", "tumours", "vessels", "simulatedSeconds", "wallSeconds", "model" })
        {
            Assert.True(o.ContainsKey(field), field);
        }

        Assert.Equal("cryo-2.4mm", o["device"]!.GetValue<string>());
        Assert.Equal(-40, o["lethalCelsius"]!.GetValue<double>());
        Assert.Equal(900, o["simulatedSeconds"]!.GetValue<double>(), 1);
        var axes = o["zoneAxesMm"]!.AsArray();
        var ice = o["iceBall"]!.AsObject();
        var iceAxes = ice["axesMm"]!.AsArray();

        // The ice ball contains the lethal zone on every axis, and the -40 C zone lies inside it.
        for (var a = 0; a < 3; a++)
        {
            Assert.True(iceAxes[a]!.GetValue<double>() > axes[a]!.GetValue<double>(), text);
        }

        Assert.True(ice["volumeMl"]!.GetValue<double>() > o["zoneVolumeMl"]!.GetValue<double>());
        // A 3 mm tumour round probe 1: the -40 C core (about 2.5 mm round each probe in perfused liver) covers part of it.
        var tumour = Assert.Single(o["tumours"]!.AsArray())!;
        var covered40 = tumour["coveragePercent"]!.GetValue<double>();
        Assert.InRange(covered40, 1, 100);
        Assert.True(File.Exists(zonePath));

        // A warmer lethal isotherm gives a larger zone.
        var (code20, text20, err20) = Cli("simulate", "--labels", labels, "--label-table", table,
            "--probe", "tip=-10,0,-15;entry=-10,0,60", "--probe", "tip=10,0,-15;entry=10,0,60",
            "--device", "cryo-2.4mm", "--setting", "2-probes-15min", "--grid-mm", "2", "--lethal-celsius", "-20", "--format", "json");
        Assert.True(code20 == 0, err20);
        var o20 = JsonNode.Parse(text20)!.AsObject();
        Assert.Equal(-20, o20["lethalCelsius"]!.GetValue<double>());
        Assert.True(o20["zoneVolumeMl"]!.GetValue<double>() > o["zoneVolumeMl"]!.GetValue<double>());
        Assert.True(o20["tumours"]![0]!["coveragePercent"]!.GetValue<double>() >= covered40);

        // The text form says the isotherm and the ice ball.
        var (codeText, plain, errText) = Cli("simulate", "--labels", labels, "--label-table", table,
            "--probe", "tip=-10,0,-15;entry=-10,0,60", "--probe", "tip=10,0,-15;entry=10,0,60",
            "--device", "cryo-2.4mm", "--setting", "2-probes-15min", "--grid-mm", "2");
        Assert.True(codeText == 0, errText);
        Assert.Contains("lethal isotherm -40 C; 0 C ice ball", plain, StringComparison.Ordinal);
    }

    public static TheoryData<string, string[], string> BadCryo => new()
    {
        { "count", ["--setting", "3-probes-15min", "--probe", "tip=-10,0,-15;entry=-10,0,60", "--probe", "tip=10,0,-15;entry=10,0,60"], "setting 3-probes-15min of cryo-2.4mm is for 3 cryoprobes, but 2 --probe were given" },
        { "outside", ["--setting", "1-probe-15min", "--probe", "tip=200,0,0;entry=250,0,0"], "--probe 1: the tip (200, 0, 0) LPS mm is outside the label volume" },
        { "bone", ["--setting", "2-probes-15min", "--probe", "tip=-10,0,-15;entry=-10,0,60", "--probe", "tip=10,0,-15;entry=10,0,60", "BONE"], "--probe 1: the shaft passes through bone" },
        { "isotherm", ["--setting", "1-probe-15min", "--probe", "tip=0,0,-15;entry=0,0,60", "--lethal-celsius", "5"], "--lethal-celsius 5" },
        { "isotherm on rf", ["--device", "emprint", "--setting", "75w-5min", "--probe", "tip=0,0,-15;entry=0,0,60", "--lethal-celsius", "-40"], "--lethal-celsius: device emprint is mwa" },
    };

    [Theory]
    [MemberData(nameof(BadCryo))]
    public void Bad_cryo_input_exits_2_naming_the_value_and_writes_nothing(string why, string[] extra, string named)
    {
        using var dir = new TempDir();
        var phantom = new Phantom(size: 60, spacingMm: 2.0, originLps: new Vector3D(-60, -60, -60));
        if (extra.Contains("BONE"))
        {
            phantom.Paint(Phantom.BoneLabel, p => p.Z is > 30 and < 36);
        }

        var (labels, table) = phantom.Write(dir.Path);
        var zonePath = Path.Combine(dir.Path, "zone.nii.gz");
        var args = new List<string> { "simulate", "--labels", labels, "--label-table", table, "--grid-mm", "2", "-o", zonePath };
        if (!extra.Contains("--device"))
        {
            args.AddRange(["--device", "cryo-2.4mm"]);
        }

        args.AddRange(extra.Where(x => x != "BONE"));
        var (code, _, err) = Cli([.. args]);
        Assert.True(code == 2, $"{why}: exit {code}, {err}");
        Assert.Contains(named, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.False(File.Exists(zonePath));
    }
}
