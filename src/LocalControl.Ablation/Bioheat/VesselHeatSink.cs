namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// Convective cooling by blood flowing through a vessel, as a volumetric sink W_v (W/m³/K) on the vessel's voxels:
/// W_v = h · (wall area / volume) = h · 4/D, with the wall coefficient h = Nu · k_b / D. The Nusselt number is the
/// Hausen correlation for thermally developing laminar flow at constant wall temperature,
/// Nu = 3.66 + 0.0668 Gz / (1 + 0.04 Gz^(2/3)), Gz = Re · Pr · D / L (Hausen 1943; e.g. Incropera and DeWitt,
/// Fundamentals of Heat and Mass Transfer, §8.4), with L the heated length (the zone's length). Flow enters through the
/// mean velocity, which scales with calibre as Murray's law implies for Q ∝ D³ (v ∝ D), anchored at a portal-vein trunk of
/// 12 mm with 15 cm/s (typical Doppler mean velocity; an assumption documented in docs/ablation.md). The same treatment
/// of large vessels as a wall-convection sink is used in RFA heat-sink models (e.g. Consiglieri et al. 2003,
/// Phys Med Biol 48:4125; Chato 1980, J Biomech Eng 102:110).
/// </summary>
public static class VesselHeatSink
{
    /// <summary>Calibre of the velocity anchor (mm).</summary>
    public const double ReferenceCalibreMm = 12.0;

    /// <summary>Mean blood velocity at the anchor calibre (m/s).</summary>
    public const double ReferenceVelocityMPerS = 0.15;

    /// <summary>Vessels thinner than this (mm) are left to perfusion: below the grid, their flow is in ω_b.</summary>
    public const double MinimumCalibreMm = 1.0;

    /// <summary>Mean velocity (m/s) of a vessel of calibre <paramref name="calibreMm"/>.</summary>
    public static double VelocityMPerS(double calibreMm) => ReferenceVelocityMPerS * calibreMm / ReferenceCalibreMm;

    /// <summary>Nusselt number of the vessel wall for a heated length <paramref name="heatedLengthMm"/>.</summary>
    public static double Nusselt(double calibreMm, double heatedLengthMm)
    {
        var d = calibreMm * 1e-3;
        var reynolds = TissueTable.BloodDensityKgPerM3 * VelocityMPerS(calibreMm) * d / TissueTable.BloodViscosityPaS;
        var prandtl = TissueTable.BloodSpecificHeatJPerKgK * TissueTable.BloodViscosityPaS / TissueTable.BloodConductivityWPerMK;
        var graetz = reynolds * prandtl * d / (heatedLengthMm * 1e-3);
        return 3.66 + (0.0668 * graetz / (1 + (0.04 * Math.Pow(graetz, 2.0 / 3.0))));
    }

    /// <summary>Volumetric sink coefficient W_v (W/m³/K) of a vessel; 0 below <see cref="MinimumCalibreMm"/>.</summary>
    public static double SinkCoefficient(double calibreMm, double heatedLengthMm)
    {
        if (!(calibreMm >= MinimumCalibreMm))
        {
            return 0;
        }

        var d = calibreMm * 1e-3;
        var h = Nusselt(calibreMm, heatedLengthMm) * TissueTable.BloodConductivityWPerMK / d;
        return 4 * h / d;
    }
}
