namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// Arrhenius thermal damage for liver: Ω(t) = ∫ A exp(−E_a / R T) dt, with A = 7.39·10³⁹ 1/s and E_a = 2.577·10⁵ J/mol
/// (the liver constants used in COMSOL and FEniCS RFA models, traced to Chang and Nguyen, Biomed Eng Online 2004;3:27).
/// The rate is evaluated as exp(ln A − E_a/(R T)), never A·exp(…), which underflows in float. Cell death is taken at
/// Ω ≥ 1 (63 % of cells). Below <see cref="ThresholdCelsius"/> nothing accumulates: at 37 °C the rate would otherwise
/// add Ω ≈ 0.26 in 15 minutes of ordinary body temperature (research/performance-anchors.md §3c).
/// </summary>
public static class ArrheniusDamage
{
    /// <summary>ln A, with A = 7.39·10³⁹ 1/s.</summary>
    public static readonly double LnFrequencyFactor = Math.Log(7.39e39);

    /// <summary>E_a / R (K), with E_a = 2.577·10⁵ J/mol and R = 8.314 J/mol/K.</summary>
    public const double ActivationTemperatureK = 2.577e5 / 8.314;

    /// <summary>Damage integrates only above this temperature (°C).</summary>
    public const double ThresholdCelsius = 40.0;

    /// <summary>Ω at which tissue counts as dead.</summary>
    public const double LethalDamage = 1.0;

    /// <summary>Largest exponent evaluated (rate ≈ 5·10⁸ 1/s): keeps float finite near the antenna.</summary>
    public const float MaxExponent = 20f;

    /// <summary>Damage rate (1/s) at <paramref name="temperatureCelsius"/>, zero below the threshold.</summary>
    public static double Rate(double temperatureCelsius) =>
        temperatureCelsius < ThresholdCelsius ? 0 : Math.Exp(Math.Min(MaxExponent, LnFrequencyFactor - (ActivationTemperatureK / (temperatureCelsius + 273.15))));
}
