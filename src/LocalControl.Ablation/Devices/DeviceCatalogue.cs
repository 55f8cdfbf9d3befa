using System.Text.Json;
using System.Text.Json.Serialization;

namespace LocalControl.Ablation.Devices;

/// <summary>The energy an ablation device uses, as written in the catalogue (<c>rfa</c>, <c>mwa</c>, <c>cryoablation</c>, <c>ire</c>).</summary>
public enum AblationModality
{
    /// <summary>Radiofrequency ablation.</summary>
    Rfa,
    /// <summary>Microwave ablation.</summary>
    Mwa,
    /// <summary>Cryoablation.</summary>
    Cryoablation,
    /// <summary>Irreversible electroporation.</summary>
    Ire,
}

/// <summary>A published ablation zone: an ellipsoid along the shaft. Unknown figures are null, never guessed.</summary>
/// <param name="LengthMm">Extent along the shaft (mm).</param>
/// <param name="DiameterMm">Extent across the shaft (mm).</param>
/// <param name="TipOffsetMm">Distance from the probe tip back along the shaft to the zone centre (mm).</param>
/// <param name="DepthMm">
/// IRE only: the extent across both electrodes (perpendicular to the shafts and to the pair), when the source gives
/// it; <paramref name="DiameterMm"/> is then the width along the electrode pair. Null for single probes.
/// </param>
public sealed record ExpectedZone(double? LengthMm, double DiameterMm, double? TipOffsetMm, double? DepthMm = null);

/// <summary>Calibrated parameters of the microwave SAR pattern (see docs/ablation.md): not published figures.</summary>
/// <param name="EffectivePowerW">Power the SAR pattern deposits (W). It lumps what the model leaves out (shaft cooling,
/// reflection, water vaporisation, temperature-dependent properties), so it is far below the generator setting.</param>
/// <param name="RadiatingLengthMm">Length of the antenna's radiating section along the shaft (mm), centred on <paramref name="FeedOffsetMm"/>: calibrated to the zone length.</param>
/// <param name="FeedOffsetMm">Distance from the tip back to the centre of the radiating section (mm): calibrated to the zone's tip offset.</param>
/// <param name="PenetrationMm">Power penetration depth of 2.45 GHz in liver, 1/(2α) (mm): derived from the published dielectric
/// properties (docs/ablation.md), not fitted.</param>
/// <param name="Perfused">Whether the calibration ran with liver perfusion.</param>
public sealed record MicrowaveModel(double EffectivePowerW, double RadiatingLengthMm, double FeedOffsetMm, double PenetrationMm, bool Perfused);

/// <summary>Calibrated parameters of the RF electrode (see docs/ablation.md): not published figures.</summary>
/// <param name="PowerW">Generator power delivered while the impedance allows (W).</param>
/// <param name="ActiveLengthMm">Length of the conducting tip in the model (mm), measured back from the tip.</param>
/// <param name="Perfused">Whether the calibration ran with liver perfusion (in vivo) or without (ex vivo).</param>
public sealed record RadiofrequencyModel(double PowerW, double ActiveLengthMm, bool Perfused);

/// <summary>
/// An irreversible-electroporation protocol (see docs/ablation.md): the published pulse protocol and electrode
/// geometry, and the device's spacing limits. Not calibrated: the zone is the field threshold's.
/// </summary>
/// <param name="ElectrodeCount">Electrodes the zone was measured with.</param>
/// <param name="SpacingMm">Centre-to-centre spacing of the electrodes in the published protocol (mm).</param>
/// <param name="VoltageV">Pulse voltage applied between the two electrodes of a pair (V).</param>
/// <param name="ExposureMm">Exposed (conducting) length of each electrode, measured back from its tip (mm).</param>
/// <param name="Pulses">Pulses per pair.</param>
/// <param name="PulseLengthUs">Length of one pulse (µs).</param>
/// <param name="ElectrodeDiameterMm">Electrode diameter (mm).</param>
/// <param name="SpacingMinMm">Smallest electrode spacing the simulator accepts for this device (mm).</param>
/// <param name="SpacingMaxMm">Largest electrode spacing the simulator accepts for this device (mm).</param>
public sealed record IreProtocol(int ElectrodeCount, double SpacingMm, double VoltageV, double ExposureMm, int Pulses, double PulseLengthUs, double ElectrodeDiameterMm, double SpacingMinMm, double SpacingMaxMm);

/// <summary>
/// The cryoprobe model of a setting (see docs/ablation.md): the calibrated surface temperature and the geometry the
/// calibration used. Not published figures except where the source is named.
/// </summary>
/// <param name="ProbeCelsius">Temperature the freezing segment is held at (°C): calibrated once per setting so that the
/// phantom's lethal diameter matches the catalogue; it lumps the probe's Joule–Thomson capacity and contact with the tissue.</param>
/// <param name="FreezeLengthMm">Length of the freezing segment along the shaft (mm): an assumption of this model.</param>
/// <param name="FreezeOffsetMm">Distance from the tip back to the start of the freezing segment (mm): an assumption.</param>
/// <param name="SpacingMm">Probe spacing of the measured arrangement (mm), from the source.</param>
/// <param name="Layout">Arrangement of the probes in the calibration phantom: <c>single</c>, <c>line</c>, <c>triangle</c>, <c>square</c> (side = spacing).</param>
/// <param name="IsothermCelsius">Isotherm the source's diameter is measured at (°C).</param>
/// <param name="BaselineCelsius">Temperature of the source's phantom (°C).</param>
public sealed record CryoModel(double ProbeCelsius, double FreezeLengthMm, double FreezeOffsetMm, double SpacingMm, string Layout, double IsothermCelsius, double BaselineCelsius);

/// <summary>One setting of a device (power, time, probe count) with its published zone and where it comes from.</summary>
public sealed record DeviceSetting
{
    /// <summary>Identifier, unique within the device (e.g. <c>100w-10min</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Generator power (W), where the setting has one.</summary>
    public double? PowerW { get; init; }

    /// <summary>Ablation time (min).</summary>
    public double? DurationMin { get; init; }

    /// <summary>Number of probes the zone was measured with.</summary>
    public int? ProbeCount { get; init; }

    /// <summary>The published zone.</summary>
    public required ExpectedZone ExpectedZone { get; init; }

    /// <summary>Where the zone was measured (ex vivo / in vivo, organ).</summary>
    public required string Conditions { get; init; }

    /// <summary>Citation or public document of the figures.</summary>
    public required string Source { get; init; }

    /// <summary>Microwave model parameters (calibrated), for <c>mwa</c> settings.</summary>
    public MicrowaveModel? Microwave { get; init; }

    /// <summary>RF model parameters (calibrated), for <c>rfa</c> settings.</summary>
    public RadiofrequencyModel? Radiofrequency { get; init; }

    /// <summary>The cryoprobe model (calibrated), for <c>cryoablation</c> settings.</summary>
    public CryoModel? Cryo { get; init; }

    /// <summary>The pulse protocol, for <c>ire</c> settings whose source gives every figure the field model needs.</summary>
    public IreProtocol? Electroporation { get; init; }
}

/// <summary>An ablation device of the catalogue.</summary>
public sealed record AblationDevice
{
    /// <summary>Identifier (e.g. <c>emprint</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Energy.</summary>
    public required AblationModality Modality { get; init; }

    /// <summary>Manufacturer as the source names it.</summary>
    public required string Manufacturer { get; init; }

    /// <summary>Model.</summary>
    public required string Model { get; init; }

    /// <summary>Exposed (conducting) tip length of an RF electrode (mm), if published.</summary>
    public double? ActiveTipLengthMm { get; init; }

    /// <summary>Probe (cryoprobe) diameter (mm), if published.</summary>
    public double? ProbeDiameterMm { get; init; }

    /// <summary>The settings with published zones.</summary>
    public required IReadOnlyList<DeviceSetting> Settings { get; init; }

    /// <summary>The setting with this id, or null.</summary>
    public DeviceSetting? FindSetting(string id) => Settings.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The versioned device catalogue embedded in the assembly (<c>Devices/devices.json</c>), as the evidence base is: each
/// setting's published zone, its conditions and its source.
/// </summary>
public sealed class DeviceCatalogue
{
    private static readonly Lazy<DeviceCatalogue> Embedded = new(LoadEmbedded);

    private DeviceCatalogue(string version, IReadOnlyList<AblationDevice> devices)
    {
        CatalogueVersion = version;
        Devices = devices;
    }

    /// <summary>The catalogue shipped with this build.</summary>
    public static DeviceCatalogue Default => Embedded.Value;

    /// <summary>Version of the catalogue data.</summary>
    public string CatalogueVersion { get; }

    /// <summary>All devices.</summary>
    public IReadOnlyList<AblationDevice> Devices { get; }

    /// <summary>The device with this id, or null.</summary>
    public AblationDevice? Find(string id) => Devices.FirstOrDefault(d => string.Equals(d.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>The catalogue's modality name.</summary>
    public static string ModalityName(AblationModality m) => m switch
    {
        AblationModality.Rfa => "rfa",
        AblationModality.Mwa => "mwa",
        AblationModality.Cryoablation => "cryoablation",
        AblationModality.Ire => "ire",
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };

    /// <summary>Parses catalogue JSON; throws <see cref="InvalidDataException"/> naming the entry when a figure lacks a source or a value is not positive.</summary>
    public static DeviceCatalogue Parse(string json)
    {
        var dto = JsonSerializer.Deserialize<CatalogueDto>(json, JsonOptions) ?? throw new InvalidDataException("device catalogue: empty document.");
        var devices = new List<AblationDevice>();
        foreach (var d in dto.Devices ?? [])
        {
            var modality = d.Modality switch
            {
                "rfa" => AblationModality.Rfa,
                "mwa" => AblationModality.Mwa,
                "cryoablation" => AblationModality.Cryoablation,
                "ire" => AblationModality.Ire,
                _ => throw new InvalidDataException($"device catalogue: device {d.Id} has an unknown modality \"{d.Modality}\"."),
            };
            var settings = new List<DeviceSetting>();
            foreach (var s in d.Settings ?? [])
            {
                var where = $"device catalogue: {d.Id}/{s.Id}";
                if (string.IsNullOrWhiteSpace(s.Source))
                {
                    throw new InvalidDataException($"{where}: a zone figure without a source does not go in.");
                }

                var z = s.ExpectedZone ?? throw new InvalidDataException($"{where}: no expectedZone.");
                foreach (var v in new[] { z.LengthMm, z.DiameterMm, z.TipOffsetMm, z.DepthMm, s.PowerW, s.DurationMin })
                {
                    if (v is { } x && (!double.IsFinite(x) || x < 0))
                    {
                        throw new InvalidDataException($"{where}: {x} is not a valid figure.");
                    }
                }

                MicrowaveModel? mw = null;
                RadiofrequencyModel? rf = null;
                CryoModel? cryo = null;
                if (s.Model is { } m)
                {
                    if (modality == AblationModality.Mwa)
                    {
                        if (m.RadiatingLengthMm is not { } radiating || !double.IsFinite(radiating) || radiating < 0
                            || m.PenetrationMm is not { } penetration || !double.IsFinite(penetration) || penetration <= 0
                            || m.EffectivePowerW is not { } power || !double.IsFinite(power) || power <= 0)
                        {
                            throw new InvalidDataException($"{where}: the microwave model needs effectivePowerW > 0, radiatingLengthMm >= 0 and penetrationMm > 0.");
                        }

                        mw = new MicrowaveModel(power, radiating, m.FeedOffsetMm ?? 0, penetration, m.Perfused ?? false);
                    }
                    else if (modality == AblationModality.Rfa)
                    {
                        rf = new RadiofrequencyModel(m.PowerW ?? 0, m.ActiveLengthMm ?? d.ActiveTipLengthMm ?? 0, m.Perfused ?? false);
                    }
                    else if (modality == AblationModality.Cryoablation)
                    {
                        if (m.ProbeCelsius is not { } probe || !double.IsFinite(probe) || probe >= 0
                            || m.FreezeLengthMm is not { } length || !double.IsFinite(length) || length <= 0
                            || m.SpacingMm is not { } probeSpacing || !double.IsFinite(probeSpacing) || probeSpacing < 0
                            || m.Layout is not ("single" or "line" or "triangle" or "square")
                            || d.ProbeDiameterMm is not > 0)
                        {
                            throw new InvalidDataException($"{where}: the cryo model needs probeCelsius < 0, freezeLengthMm > 0, spacingMm >= 0, a layout (single, line, triangle, square) and the device's probeDiameterMm.");
                        }

                        cryo = new CryoModel(probe, length, m.FreezeOffsetMm ?? 0, probeSpacing, m.Layout, m.IsothermCelsius ?? -40, m.BaselineCelsius ?? 37);
                    }
                }

                IreProtocol? ire = null;
                if (modality == AblationModality.Ire && s.VoltageV is { } volts && s.SpacingMm is { } spacing && s.ExposureMm is { } exposure)
                {
                    var minSpacing = d.SpacingMinMm ?? spacing;
                    var maxSpacing = d.SpacingMaxMm ?? spacing;
                    foreach (var v in new[] { volts, spacing, exposure, d.ElectrodeDiameterMm ?? 1, minSpacing, maxSpacing, s.PulseLengthUs ?? 1 })
                    {
                        if (!double.IsFinite(v) || v <= 0)
                        {
                            throw new InvalidDataException($"{where}: {v} is not a valid electroporation figure.");
                        }
                    }

                    if (minSpacing > spacing || spacing > maxSpacing)
                    {
                        throw new InvalidDataException($"{where}: spacingMm {spacing} lies outside the device's limits {minSpacing}-{maxSpacing} mm.");
                    }

                    ire = new IreProtocol(s.ElectrodeCount ?? s.ProbeCount ?? 2, spacing, volts, exposure, s.Pulses ?? 0, s.PulseLengthUs ?? 0,
                        d.ElectrodeDiameterMm ?? throw new InvalidDataException($"device catalogue: {d.Id}: an ire device needs electrodeDiameterMm."), minSpacing, maxSpacing);
                }

                settings.Add(new DeviceSetting
                {
                    Id = s.Id ?? throw new InvalidDataException($"device catalogue: a setting of {d.Id} has no id."),
                    PowerW = s.PowerW,
                    DurationMin = s.DurationMin,
                    ProbeCount = s.ProbeCount,
                    ExpectedZone = new ExpectedZone(z.LengthMm, z.DiameterMm ?? throw new InvalidDataException($"{where}: no diameterMm."), z.TipOffsetMm,
                        z.DepthMm is not null && modality != AblationModality.Ire ? throw new InvalidDataException($"{where}: depthMm is for IRE electrode pairs only.") : z.DepthMm),
                    Conditions = s.Conditions ?? throw new InvalidDataException($"{where}: no conditions."),
                    Source = s.Source,
                    Microwave = mw,
                    Radiofrequency = rf,
                    Electroporation = ire,
                    Cryo = cryo,
                });
            }

            devices.Add(new AblationDevice
            {
                Id = d.Id ?? throw new InvalidDataException("device catalogue: a device has no id."),
                Modality = modality,
                Manufacturer = d.Manufacturer ?? "",
                Model = d.Model ?? "",
                ActiveTipLengthMm = d.ActiveTipLengthMm,
                ProbeDiameterMm = d.ProbeDiameterMm,
                Settings = settings,
            });
        }

        return new DeviceCatalogue(dto.CatalogueVersion ?? throw new InvalidDataException("device catalogue: no catalogueVersion."), devices);
    }

    private static DeviceCatalogue LoadEmbedded()
    {
        using var stream = typeof(DeviceCatalogue).Assembly.GetManifestResourceStream("LocalControl.Ablation.devices.json")
            ?? throw new InvalidOperationException("The device catalogue is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = false, ReadCommentHandling = JsonCommentHandling.Skip };

    private sealed class CatalogueDto
    {
        [JsonPropertyName("catalogueVersion")] public string? CatalogueVersion { get; set; }
        [JsonPropertyName("devices")] public List<DeviceDto>? Devices { get; set; }
    }

    private sealed class DeviceDto
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("modality")] public string? Modality { get; set; }
        [JsonPropertyName("manufacturer")] public string? Manufacturer { get; set; }
        [JsonPropertyName("model")] public string? Model { get; set; }
        [JsonPropertyName("activeTipLengthMm")] public double? ActiveTipLengthMm { get; set; }
        [JsonPropertyName("electrodeDiameterMm")] public double? ElectrodeDiameterMm { get; set; }
        [JsonPropertyName("probeDiameterMm")] public double? ProbeDiameterMm { get; set; }
        [JsonPropertyName("spacingMinMm")] public double? SpacingMinMm { get; set; }
        [JsonPropertyName("spacingMaxMm")] public double? SpacingMaxMm { get; set; }
        [JsonPropertyName("settings")] public List<SettingDto>? Settings { get; set; }
    }

    private sealed class SettingDto
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("powerW")] public double? PowerW { get; set; }
        [JsonPropertyName("durationMin")] public double? DurationMin { get; set; }
        [JsonPropertyName("probeCount")] public int? ProbeCount { get; set; }
        [JsonPropertyName("expectedZone")] public ZoneDto? ExpectedZone { get; set; }
        [JsonPropertyName("conditions")] public string? Conditions { get; set; }
        [JsonPropertyName("source")] public string? Source { get; set; }
        [JsonPropertyName("model")] public ModelDto? Model { get; set; }
        [JsonPropertyName("electrodeCount")] public int? ElectrodeCount { get; set; }
        [JsonPropertyName("spacingMm")] public double? SpacingMm { get; set; }
        [JsonPropertyName("voltageV")] public double? VoltageV { get; set; }
        [JsonPropertyName("exposureMm")] public double? ExposureMm { get; set; }
        [JsonPropertyName("pulses")] public int? Pulses { get; set; }
        [JsonPropertyName("pulseLengthUs")] public double? PulseLengthUs { get; set; }
    }

    private sealed class ZoneDto
    {
        [JsonPropertyName("lengthMm")] public double? LengthMm { get; set; }
        [JsonPropertyName("diameterMm")] public double? DiameterMm { get; set; }
        [JsonPropertyName("tipOffsetMm")] public double? TipOffsetMm { get; set; }
        [JsonPropertyName("depthMm")] public double? DepthMm { get; set; }
    }

    private sealed class ModelDto
    {
        [JsonPropertyName("effectivePowerW")] public double? EffectivePowerW { get; set; }
        [JsonPropertyName("radiatingLengthMm")] public double? RadiatingLengthMm { get; set; }
        [JsonPropertyName("feedOffsetMm")] public double? FeedOffsetMm { get; set; }
        [JsonPropertyName("penetrationMm")] public double? PenetrationMm { get; set; }
        [JsonPropertyName("powerW")] public double? PowerW { get; set; }
        [JsonPropertyName("activeLengthMm")] public double? ActiveLengthMm { get; set; }
        [JsonPropertyName("perfused")] public bool? Perfused { get; set; }
        [JsonPropertyName("probeCelsius")] public double? ProbeCelsius { get; set; }
        [JsonPropertyName("freezeLengthMm")] public double? FreezeLengthMm { get; set; }
        [JsonPropertyName("freezeOffsetMm")] public double? FreezeOffsetMm { get; set; }
        [JsonPropertyName("spacingMm")] public double? SpacingMm { get; set; }
        [JsonPropertyName("layout")] public string? Layout { get; set; }
        [JsonPropertyName("isothermCelsius")] public double? IsothermCelsius { get; set; }
        [JsonPropertyName("baselineCelsius")] public double? BaselineCelsius { get; set; }
    }
}
