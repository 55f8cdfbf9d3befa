namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// What a tissue does when it freezes (cryoablation): frozen conductivity and heat capacity, and the latent heat of its
/// water, L_v = ρ · w · 333.6 kJ/kg (latent heat of fusion of water at 0 °C, CRC Handbook of Chemistry and Physics).
/// Tissue freezes over a mushy range (the solidus and liquidus of <see cref="CryoSimulation"/>), not at one temperature.
/// </summary>
/// <param name="WaterMassFraction">Mass fraction of freezable water w (0–1).</param>
/// <param name="FrozenConductivityWPerMK">k of the frozen tissue (W/m/K).</param>
/// <param name="FrozenHeatCapacityJPerM3K">ρc of the frozen tissue (J/m³/K).</param>
/// <param name="Source">Where the values come from.</param>
public sealed record FreezingProperties(double WaterMassFraction, double FrozenConductivityWPerMK, double FrozenHeatCapacityJPerM3K, string Source)
{
    /// <summary>Latent heat of fusion of water at 0 °C (J/kg), CRC Handbook of Chemistry and Physics.</summary>
    public const double WaterLatentHeatJPerKg = 333.6e3;

    /// <summary>Volumetric latent heat L_v = ρ w L_water (J/m³) for a tissue of density <paramref name="densityKgPerM3"/>.</summary>
    public double LatentHeatJPerM3(double densityKgPerM3) => densityKgPerM3 * WaterMassFraction * WaterLatentHeatJPerKg;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate(string tissue)
    {
        if (!(WaterMassFraction is >= 0 and <= 1))
        {
            throw new ArgumentException($"tissue \"{tissue}\": waterMassFraction = {WaterMassFraction} is not between 0 and 1.");
        }

        if (!(FrozenConductivityWPerMK > 0) || !double.IsFinite(FrozenConductivityWPerMK))
        {
            throw new ArgumentException($"tissue \"{tissue}\": frozenConductivityWPerMK = {FrozenConductivityWPerMK} is not a positive finite number.");
        }

        if (!(FrozenHeatCapacityJPerM3K > 0) || !double.IsFinite(FrozenHeatCapacityJPerM3K))
        {
            throw new ArgumentException($"tissue \"{tissue}\": frozenHeatCapacityJPerM3K = {FrozenHeatCapacityJPerM3K} is not a positive finite number.");
        }
    }

    /// <summary>
    /// Frozen properties by tissue name (the names of <see cref="TissueTable"/>, plus <c>gel</c>, the agar phantom of the
    /// catalogue's cryo figures). Soft tissue: k_f = 2 W/m/K, ρc_f = 1.8 MJ/m³/K, the frozen-tissue values used in
    /// cryosurgery models (Deng &amp; Liu 2004, Numer Heat Transfer A 46:587, after Rabin &amp; Shitzer 1998, J Biomech Eng
    /// 120:32); their latent heat 250 MJ/m³ is what w ≈ 0.70 gives with liver's density, the water fraction used here for
    /// liver and tumour (liver is about 70–75 % water). Blood 0.80, muscle 0.75, fat 0.20, bone 0.15, inflated lung 0.80
    /// of its (low) density: typical water contents, assumptions of this model (docs/ablation.md). Fat, bone and lung
    /// frozen k and ρc are assumptions too (k_f of a lipid or mineral matrix changes little on freezing).
    /// </summary>
    public static IReadOnlyDictionary<string, FreezingProperties> Default { get; } = new Dictionary<string, FreezingProperties>(StringComparer.OrdinalIgnoreCase)
    {
        ["liver"] = new(0.70, 2.0, 1.8e6, DengLiu),
        ["tumour"] = new(0.70, 2.0, 1.8e6, DengLiu),
        ["vessel"] = new(0.80, 2.0, 1.8e6, DengLiu + "; blood water 0.80 assumed"),
        ["body"] = new(0.75, 2.0, 1.8e6, DengLiu + "; muscle water 0.75 assumed"),
        ["fat"] = new(0.20, 0.30, 1.6e6, "assumption: fat is mostly lipid, frozen k and rho*c barely change"),
        ["bone"] = new(0.15, 0.40, 2.0e6, "assumption: cortical bone, little freezable water"),
        ["lung"] = new(0.80, 0.80, 0.8e6, "assumption: inflated lung, water of its low density"),

        // Agar gel phantom, about 98 % water (agar concentration not read from the cryo source): ice at 0 °C,
        // k = 2.2 W/m/K, ρ = 917 kg/m³, c = 2.05 kJ/kg/K (CRC Handbook values for ice Ih).
        ["gel"] = new(0.98, 2.2, 917 * 2050.0, "ice Ih at 0 C (CRC Handbook): k 2.2 W/m/K, rho 917 kg/m3, c 2.05 kJ/kg/K; agar gel taken as 98 % water"),
    };

    /// <summary>
    /// The agar phantom's unfrozen properties: liquid water near 20–40 °C (CRC Handbook: k ≈ 0.60–0.63 W/m/K,
    /// ρ ≈ 1000 kg/m³, c ≈ 4.18 kJ/kg/K), no perfusion.
    /// </summary>
    public static TissueProperties GelUnfrozen { get; } = new(1000, 4180, 0.60, 0, 1.0, "liquid water (CRC Handbook), the agar gel phantom of the cryo figures");

    private const string DengLiu = "frozen soft tissue k 2 W/m/K, rho*c 1.8 MJ/m3/K (Deng & Liu 2004; Rabin & Shitzer 1998)";
}
