using System.Text.Json.Nodes;
using LocalControl.Cli;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Tests;

/// <summary><c>simulate</c> on an IRE device: the contract fields and the bad-input list (exit 2 naming the probe).</summary>
public class IreCliTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Simulate_ire_prints_the_contract_with_the_field_threshold_and_covers_a_tumour_between_the_electrodes()
    {
        using var dir = new TempDir();
        var (labels, table) = new Phantom(size: 80, spacingMm: 1.0, originLps: new Vector3D(-40, -40, -40)).Tumour(new Vector3D(0, 0, -10), 3).Write(dir.Path);
        var zonePath = Path.Combine(dir.Path, "zone.nii.gz");
        var (code, output, err) = Cli("simulate", "--labels", labels, "--label-table", table,
            "--probe", "tip=-7.5,0,-20;entry=-7.5,0,30", "--probe", "tip=7.5,0,-20;entry=7.5,0,30",
            "--device", "nanoknife-2", "--setting", "15mm-2250v", "-o", zonePath, "--format", "json");
        Assert.True(code == 0, err);
        var o = JsonNode.Parse(output)!.AsObject();
        Assert.Equal("nanoknife-2", o["device"]!.GetValue<string>());
        Assert.Equal("15mm-2250v", o["setting"]!.GetValue<string>());
        Assert.Equal(637, o["fieldThresholdVPerCm"]!.GetValue<double>());
        // Between two electrodes 15 mm apart at 2250 V the mean field is 1500 V/cm: the largest is above that.
        Assert.True(o["maxFieldVPerCm"]!.GetValue<double>() > 1500);
        Assert.True(o["zoneVolumeMl"]!.GetValue<double>() > 1);
        Assert.Equal(3, o["zoneAxesMm"]!.AsArray().Count);
        var tumour = Assert.Single(o["tumours"]!.AsArray())!;
        Assert.True(tumour["coveragePercent"]!.GetValue<double>() == 100, output);
        Assert.True(o["vessels"] is JsonArray);
        // 70 pulses of 70 us for one pair.
        Assert.Equal(0.0049, o["simulatedSeconds"]!.GetValue<double>(), 3);
        Assert.True(o["wallSeconds"]!.GetValue<double>() >= 0);
        Assert.Contains("|E| >=", o["model"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(File.Exists(zonePath));
    }

    public static TheoryData<string, string[], string> BadIre => new()
    {
        { "one electrode", ["--probe", "tip=0,0,-20;entry=0,0,30"], "at least 2 electrodes" },
        { "not parallel", ["--probe", "tip=-7.5,0,-20;entry=-7.5,0,30", "--probe", "tip=7.5,0,-20;entry=37.5,0,30"], "--probe 2" },
        { "too far", ["--probe", "tip=-15,0,-20;entry=-15,0,30", "--probe", "tip=15,0,-20;entry=15,0,30"], "--probe 1" },
        { "too close", ["--probe", "tip=-4,0,-20;entry=-4,0,30", "--probe", "tip=4,0,-20;entry=4,0,30"], "--probe 2" },
        { "catalogue only", ["--setting", "20mm", "--probe", "tip=-10,0,-20;entry=-10,0,30", "--probe", "tip=10,0,-20;entry=10,0,30"], "--setting 20mm" },
        { "threshold", ["--field-threshold", "-5", "--probe", "tip=-7.5,0,-20;entry=-7.5,0,30", "--probe", "tip=7.5,0,-20;entry=7.5,0,30"], "--field-threshold" },
    };

    [Theory]
    [MemberData(nameof(BadIre))]
    public void Bad_ire_input_exits_2_naming_the_probe_and_writes_nothing(string why, string[] extra, string named)
    {
        using var dir = new TempDir();
        var (labels, table) = new Phantom(size: 60, spacingMm: 1.0, originLps: new Vector3D(-30, -30, -30)).Write(dir.Path);
        var zonePath = Path.Combine(dir.Path, "zone.nii.gz");
        var args = new List<string> { "simulate", "--labels", labels, "--label-table", table, "--device", "nanoknife-2", "-o", zonePath };
        if (!extra.Contains("--setting"))
        {
            args.AddRange(["--setting", "15mm-2250v"]);
        }

        args.AddRange(extra);
        var (code, _, err) = Cli([.. args]);
        Assert.True(code == 2, $"{why}: exit {code}, {err}");
        Assert.Contains(named, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.False(File.Exists(zonePath));
    }
}
