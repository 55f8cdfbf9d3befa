using System.Globalization;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;

namespace LocalControl.Ablation.Bench;

/// <summary>
/// The one-off calibration: for each MW and RF setting, fit the model parameters so that the homogeneous-liver zone at
/// 1 mm matches the catalogue (diameter, length and, for MW, tip offset). The printed values go into devices.json; the
/// tests then check them, never refit.
/// </summary>
internal static class Calibration
{
    public static void Run(string? only)
    {
        foreach (var device in DeviceCatalogue.Default.Devices)
        {
            foreach (var setting in device.Settings)
            {
                if (only is not null && !$"{device.Id}/{setting.Id}".Contains(only, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (device.Modality == AblationModality.Mwa)
                {
                    Microwave(device, setting);
                }
                else if (device.Modality == AblationModality.Rfa)
                {
                    Radiofrequency(device, setting);
                }
            }
        }
    }

    private static void Microwave(AblationDevice device, DeviceSetting setting)
    {
        var m = setting.Microwave!;
        var target = setting.ExpectedZone;
        for (var it = 0; it < 12; it++)
        {
            var z = HomogeneousLiver.Simulate(device, setting, 1.0, microwave: m);
            Console.WriteLine(Line(device, setting, it, z, $"P={m.EffectivePowerW:0.00} L={m.RadiatingLengthMm:0.00} sf={m.FeedOffsetMm:0.00}"));
            var eD = target.DiameterMm / z.MeanDiameterMm;
            var eL = target.LengthMm!.Value / z.LengthMm;
            var dOff = target.TipOffsetMm!.Value - z.TipOffsetMm;
            if (Math.Abs(eD - 1) < 0.02 && Math.Abs(eL - 1) < 0.03 && Math.Abs(dOff) < 0.6)
            {
                break;
            }

            m = m with
            {
                EffectivePowerW = m.EffectivePowerW * Math.Pow(eD, 2.2),
                RadiatingLengthMm = Math.Clamp(m.RadiatingLengthMm + (1.5 * target.LengthMm!.Value * ((eL / eD) - 1)), 0, 40),
                FeedOffsetMm = m.FeedOffsetMm + dOff,
            };
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {device.Id}/{setting.Id}: \"model\": {{ \"effectivePowerW\": {m.EffectivePowerW:0.00}, \"radiatingLengthMm\": {m.RadiatingLengthMm:0.00}, \"feedOffsetMm\": {m.FeedOffsetMm:0.00}, \"penetrationMm\": {m.PenetrationMm:0.0}, \"perfused\": {(m.Perfused ? "true" : "false")} }}"));
    }

    private static void Radiofrequency(AblationDevice device, DeviceSetting setting)
    {
        var m = setting.Radiofrequency!;
        var target = setting.ExpectedZone;
        for (var it = 0; it < 9; it++)
        {
            var z = HomogeneousLiver.Simulate(device, setting, 1.0, radiofrequency: m);
            Console.WriteLine(Line(device, setting, it, z, $"P={m.PowerW:0.00} La={m.ActiveLengthMm:0.00}"));
            var eD = target.DiameterMm / z.MeanDiameterMm;
            var dL = target.LengthMm!.Value - z.LengthMm;
            if (Math.Abs(eD - 1) < 0.02 && Math.Abs(dL) < 1.1)
            {
                break;
            }

            m = m with
            {
                PowerW = m.PowerW * Math.Pow(eD, 2.2),
                ActiveLengthMm = Math.Clamp(m.ActiveLengthMm + (0.8 * dL), 2, 40),
            };
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {device.Id}/{setting.Id}: \"model\": {{ \"powerW\": {m.PowerW:0.00}, \"activeLengthMm\": {m.ActiveLengthMm:0.00}, \"perfused\": {(m.Perfused ? "true" : "false")} }}"));
    }

    private static string Line(AblationDevice d, DeviceSetting s, int it, ZoneShape z, string p) => string.Create(CultureInfo.InvariantCulture,
        $"{d.Id}/{s.Id} it{it}: {p} -> L={z.LengthMm:0.0} D={z.DiameterMm:0.0}/{z.SecondDiameterMm:0.0} off={z.TipOffsetMm:0.0} V={z.VolumeMl:0.0} mL (target L={s.ExpectedZone.LengthMm} D={s.ExpectedZone.DiameterMm} off={s.ExpectedZone.TipOffsetMm})");
}
