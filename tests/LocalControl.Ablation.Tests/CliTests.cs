using System.Text.Json.Nodes;
using LocalControl.Cli;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Tests;

/// <summary>The <c>devices</c> and <c>simulate</c> commands: JSON contracts and the bad-input list (exit 2, no output file).</summary>
public class CliTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Devices_json_lists_every_modality_with_expected_zones_conditions_and_sources()
    {
        var (code, output, _) = Cli("devices", "--format", "json");
        Assert.Equal(0, code);
        var root = JsonNode.Parse(output)!.AsObject();
        Assert.False(string.IsNullOrEmpty(root["catalogueVersion"]!.GetValue<string>()));
        var devices = root["devices"]!.AsArray();
        var modalities = devices.Select(d => d!["modality"]!.GetValue<string>()).ToHashSet();
        Assert.Contains("mwa", modalities);
        Assert.Contains("rfa", modalities);
        Assert.Contains("cryoablation", modalities);
        foreach (var d in devices)
        {
            Assert.NotNull(d!["id"]);
            Assert.NotNull(d["manufacturer"]);
            Assert.NotNull(d["model"]);
            foreach (var s in d["settings"]!.AsArray())
            {
                var zone = s!["expectedZone"]!.AsObject();
                Assert.True(zone.ContainsKey("lengthMm") && zone.ContainsKey("diameterMm") && zone.ContainsKey("tipOffsetMm"));
                Assert.False(string.IsNullOrWhiteSpace(s["source"]!.GetValue<string>()));
                Assert.False(string.IsNullOrWhiteSpace(s["conditions"]!.GetValue<string>()));
            }
        }
    }

    [Fact]
    public void Simulate_prints_the_contract_json_and_writes_the_zone_on_the_input_grid()
    {
        using var dir = new TempDir();
        var (labels, table) = new Phantom(size: 70, spacingMm: 1.5, originLps: new Vector3D(-50, -50, -50)).Tumour(new Vector3D(0, 0, 6), 6).Write(dir.Path);
        var zonePath = Path.Combine(dir.Path, "zone.nii.gz");
        var (code, output, err) = Cli("simulate", "--labels", labels, "--label-table", table, "--probe", "tip=0,0,-5;entry=0,0,60",
            "--device", "emprint", "--setting", "75w-5min", "--grid-mm", "2", "-o", zonePath, "--format", "json");
        Assert.True(code == 0, err);
        var o = JsonNode.Parse(output)!.AsObject();
        Assert.Equal("emprint", o["device"]!.GetValue<string>());
        Assert.Equal("75w-5min", o["setting"]!.GetValue<string>());
        Assert.True(o["zoneVolumeMl"]!.GetValue<double>() > 5);
        Assert.Equal(3, o["zoneAxesMm"]!.AsArray().Count);
        var tumour = Assert.Single(o["tumours"]!.AsArray())!;
        Assert.Equal("T1", tumour["id"]!.GetValue<string>());
        Assert.Equal(100, tumour["coveragePercent"]!.GetValue<double>());
        Assert.True(tumour["minimalMarginMm"]!.GetValue<double>() > 0);
        Assert.Empty(o["vessels"]!.AsArray());
        Assert.Equal(360, o["simulatedSeconds"]!.GetValue<double>());
        Assert.True(o["wallSeconds"]!.GetValue<double>() > 0);
        Assert.Contains("Pennes", o["model"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(o["caveats"]!.AsArray()); // no vessel: nothing to qualify
        Assert.Contains("simulate: 100%", err, StringComparison.Ordinal);

        var zone = LocalControl.Imaging.Formats.VolumeFormats.Load(zonePath).ToLabelVolume();
        var input = LocalControl.Imaging.Formats.VolumeFormats.Load(labels).ToLabelVolume();
        Assert.True(zone.Geometry.IsSameGridAs(input.Geometry));
        Assert.Contains(zone.Buffer, v => v == 1);
    }

    [Fact]
    public void A_microwave_zone_cut_by_a_vessel_carries_the_heat_sink_caveat_in_json_and_text()
    {
        using var dir = new TempDir();
        var (labels, table) = new Phantom(size: 70, spacingMm: 1.5, originLps: new Vector3D(-50, -50, -50)).VesselAlongS(10, 0, 6).Write(dir.Path);
        string[] args = ["simulate", "--labels", labels, "--label-table", table, "--probe", "tip=0,0,-5;entry=0,0,60", "--device", "emprint", "--setting", "75w-5min", "--grid-mm", "2"];
        var (code, output, err) = Cli([.. args, "--format", "json"]);
        Assert.True(code == 0, err);
        var o = JsonNode.Parse(output)!.AsObject();
        Assert.True(Assert.Single(o["vessels"]!.AsArray())!["shrinkMm"]!.GetValue<double>() > 0, output);
        var caveat = Assert.Single(o["caveats"]!.AsArray())!.GetValue<string>();
        Assert.Equal(ModelCaveats.MicrowaveHeatSink, caveat);

        var (textCode, text, textErr) = Cli([.. args, "--format", "text"]);
        Assert.True(textCode == 0, textErr);
        Assert.Contains("caveat: microwave heat sink overestimated", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Caveats_name_the_coarse_cryo_grid_and_the_microwave_heat_sink_only_where_they_apply()
    {
        VesselEffect[] cut = [new VesselEffect(3, 6, 7, 4)];
        VesselEffect[] uncut = [new VesselEffect(3, 6, 7, 0)];
        Assert.Equal([ModelCaveats.MicrowaveHeatSink], ModelCaveats.For(AblationModality.Mwa, 1, cut));
        Assert.Empty(ModelCaveats.For(AblationModality.Mwa, 1, uncut));
        Assert.Empty(ModelCaveats.For(AblationModality.Rfa, 1, cut));
        Assert.Empty(ModelCaveats.For(AblationModality.Cryoablation, 1, cut));
        Assert.Empty(ModelCaveats.For(AblationModality.Cryoablation, 0.5, []));
        Assert.Equal([ModelCaveats.CoarseCryoGrid], ModelCaveats.For(AblationModality.Cryoablation, 2, []));
        Assert.Empty(ModelCaveats.For(AblationModality.Ire, 2, cut));
    }

    public static TheoryData<string, string[]> BadInputs() => new()
    {
        { "outside the label volume", ["--probe", "tip=200,0,0;entry=250,0,0"] },
        { "passes through bone", ["--probe", "tip=0,0,-5;entry=0,0,40", "BONE"] },
        { "no such setting", ["--setting", "999w-1min"] },
        { "not in the catalogue", ["--device", "no-such-device"] },
        { "no label has the role \"liver\"", ["NOLIVER"] },
        { "more than the", ["--grid-mm", "0.02"] },
        { "perfusionPerS = NaN", ["TISSUE:{\"liver\": {\"perfusionPerS\": \"NaN\"}}"] },
        { "conductivityWPerMK = -0.5", ["TISSUE:{\"liver\": {\"conductivityWPerMK\": -0.5}}"] },
        { "needs both tip= and entry=", ["--probe", "tip=0,0,0"] },
        { "setting 3-probes-15min of cryo-2.4mm is for 3 cryoprobes, but 1 --probe was given", ["--device", "cryo-2.4mm", "--setting", "3-probes-15min"] },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_exits_2_with_a_message_naming_the_value_and_writes_nothing(string message, string[] change)
    {
        using var dir = new TempDir();
        var phantom = new Phantom(size: 40, spacingMm: 2, originLps: new Vector3D(-40, -40, -40));
        if (change.Contains("BONE"))
        {
            phantom.Paint(Phantom.BoneLabel, p => p.Z is > 20 and < 26);
        }

        var (labels, table) = phantom.Write(dir.Path);
        if (change.Contains("NOLIVER"))
        {
            File.WriteAllText(table, "{\"1\": \"tumour\", \"3\": \"portal-vein\"}");
        }

        var args = new List<string> { "simulate", "--labels", labels, "--label-table", table, "--grid-mm", "2", "-o", Path.Combine(dir.Path, "zone.nii.gz") };
        var options = new Dictionary<string, string> { ["--probe"] = "tip=0,0,-5;entry=0,0,60", ["--device"] = "emprint", ["--setting"] = "75w-5min" };
        for (var n = 0; n < change.Length; n++)
        {
            if (change[n].StartsWith("--", StringComparison.Ordinal))
            {
                options[change[n]] = change[++n];
            }
            else if (change[n].StartsWith("TISSUE:", StringComparison.Ordinal))
            {
                var tissue = Path.Combine(dir.Path, "tissue.json");
                File.WriteAllText(tissue, change[n]["TISSUE:".Length..]);
                options["--tissue"] = tissue;
            }
        }

        foreach (var (k, v) in options)
        {
            if (k == "--grid-mm")
            {
                args[args.IndexOf("--grid-mm") + 1] = v;
                continue;
            }

            args.Add(k);
            args.Add(v);
        }

        var (code, _, err) = Cli([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.Path, "zone.nii.gz")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));
    }

    [Fact]
    public void Cancelling_stops_the_prediction_before_anything_is_returned()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var d = LocalControl.Ablation.Devices.DeviceCatalogue.Default.Find("emprint")!;
        Assert.ThrowsAny<OperationCanceledException>(() => LocalControl.Ablation.Zones.ZonePredictor.Predict(new LocalControl.Ablation.Zones.ZoneRequest
        {
            Labels = new Phantom(size: 40, spacingMm: 2, originLps: new Vector3D(-40, -40, -40)).Map,
            Probes = [new LocalControl.Ablation.Bioheat.ProbePose(new Vector3D(0, 0, -5), new Vector3D(0, 0, 60))],
            Device = d,
            Setting = d.Settings[0],
            GridMm = 2,
        }, null, cts.Token));
    }
}
