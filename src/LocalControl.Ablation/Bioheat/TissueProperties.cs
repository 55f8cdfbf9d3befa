using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Bioheat;

/// <summary>Thermal and electrical properties of one tissue, SI units as named.</summary>
/// <param name="DensityKgPerM3">ρ (kg/m³).</param>
/// <param name="SpecificHeatJPerKgK">c (J/kg/K).</param>
/// <param name="ConductivityWPerMK">k (W/m/K).</param>
/// <param name="PerfusionPerS">ω_b, blood volume flow per tissue volume (1/s); 0 for blood itself and ex vivo tissue.</param>
/// <param name="ElectricalConductivitySPerM">σ at about 500 kHz and 37 °C (S/m).</param>
/// <param name="Source">Where the values come from.</param>
public sealed record TissueProperties(
    double DensityKgPerM3,
    double SpecificHeatJPerKgK,
    double ConductivityWPerMK,
    double PerfusionPerS,
    double ElectricalConductivitySPerM,
    string Source)
{
    /// <summary>Thermal diffusivity k/(ρc) (m²/s).</summary>
    public double DiffusivityM2PerS => ConductivityWPerMK / (DensityKgPerM3 * SpecificHeatJPerKgK);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first property that is NaN, infinite or out of range.</summary>
    public void Validate(string tissue)
    {
        Check(DensityKgPerM3, "densityKgPerM3", positive: true);
        Check(SpecificHeatJPerKgK, "specificHeatJPerKgK", positive: true);
        Check(ConductivityWPerMK, "conductivityWPerMK", positive: true);
        Check(PerfusionPerS, "perfusionPerS", positive: false);
        Check(ElectricalConductivitySPerM, "electricalConductivitySPerM", positive: true);

        void Check(double v, string name, bool positive)
        {
            if (!double.IsFinite(v) || v < 0 || (positive && v == 0))
            {
                throw new ArgumentException($"tissue \"{tissue}\": {name} = {v.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a {(positive ? "positive" : "non-negative")} finite number.");
            }
        }
    }
}

/// <summary>
/// The tissue table by label role, with blood properties for perfusion and the vessel heat sink. Values are the widely
/// used IT'IS-database and RFA-model figures collected in research/performance-anchors.md §3c (each row names its
/// source); a centre may override them (validated: NaN or negative values are refused).
/// </summary>
public sealed class TissueTable
{
    private const string Itis = "IT'IS Foundation tissue database (values as quoted in RFA/MWA models; see docs/ablation.md)";

    /// <summary>Arterial blood temperature (°C): the perfusion and vessel reference.</summary>
    public const double BloodTemperatureCelsius = 37.0;

    /// <summary>Blood density (kg/m³), IT'IS.</summary>
    public const double BloodDensityKgPerM3 = 1050;

    /// <summary>Blood specific heat (J/kg/K), IT'IS.</summary>
    public const double BloodSpecificHeatJPerKgK = 3617;

    /// <summary>Blood thermal conductivity (W/m/K), IT'IS.</summary>
    public const double BloodConductivityWPerMK = 0.52;

    /// <summary>Blood dynamic viscosity (Pa·s), the usual whole-blood value at high shear.</summary>
    public const double BloodViscosityPaS = 0.0035;

    private readonly Dictionary<string, TissueProperties> _byName;

    private TissueTable(Dictionary<string, TissueProperties> byName) => _byName = byName;

    /// <summary>The built-in table.</summary>
    public static TissueTable Default { get; } = new(new Dictionary<string, TissueProperties>(StringComparer.OrdinalIgnoreCase)
    {
        // Liver: ρ, c, k from IT'IS; ω_b = 6.4e-3 1/s as used in RFA models (Tungjitkusolmun et al. 2002 lineage);
        // σ = 0.333 S/m at 500 kHz (same models). Tumour: same thermal values, higher σ (Haemmerich & Schutt 2011).
        ["liver"] = new(1079, 3540, 0.52, 6.4e-3, 0.333, Itis + "; ω_b and σ from RFA models (Tungjitkusolmun 2002)"),
        ["tumour"] = new(1079, 3540, 0.52, 6.4e-3, 0.45, Itis + "; σ of tumour higher than liver (Haemmerich & Schutt 2011)"),
        ["vessel"] = new(BloodDensityKgPerM3, BloodSpecificHeatJPerKgK, BloodConductivityWPerMK, 0, 0.667, Itis + " (blood); σ 0.667 S/m as in RFA models"),
        ["lung"] = new(394, 3886, 0.39, 6.4e-3, 0.11, Itis + " (inflated lung)"),
        ["bone"] = new(1908, 1313, 0.32, 4.4e-4, 0.02, Itis + " (cortical bone)"),
        ["body"] = new(1090, 3421, 0.49, 6.4e-4, 0.45, Itis + " (muscle, used for every other labelled tissue)"),
        ["fat"] = new(911, 2348, 0.21, 5.3e-4, 0.04, Itis + " (fat)"),
    });

    /// <summary>Ex vivo liver: no perfusion (the conditions of most vendor and bench zone figures).</summary>
    public TissueTable WithoutPerfusion()
    {
        var copy = new Dictionary<string, TissueProperties>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in _byName)
        {
            copy[k] = v with { PerfusionPerS = 0 };
        }

        return new TissueTable(copy);
    }

    /// <summary>Replaces the named tissues; every value is validated (exit 2 upstream on a bad one).</summary>
    public TissueTable WithOverrides(IReadOnlyDictionary<string, TissueProperties> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var copy = new Dictionary<string, TissueProperties>(_byName, StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in overrides)
        {
            if (!copy.ContainsKey(k))
            {
                throw new ArgumentException($"tissue \"{k}\" is not in the table (known: {string.Join(", ", copy.Keys)}).");
            }

            v.Validate(k);
            copy[k] = v;
        }

        return new TissueTable(copy);
    }

    /// <summary>Properties of a named tissue.</summary>
    public TissueProperties this[string name] => _byName[name];

    /// <summary>Names in the table.</summary>
    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>The tissue a label role is simulated as (vessels as blood, unknown roles as generic soft tissue).</summary>
    public static string TissueNameFor(LabelRole role) => role switch
    {
        LabelRole.Liver => "liver",
        LabelRole.Tumour => "tumour",
        LabelRole.Vessel or LabelRole.PortalVein or LabelRole.HepaticVein => "vessel",
        LabelRole.Lung => "lung",
        LabelRole.Bone => "bone",
        _ => "body",
    };
}
