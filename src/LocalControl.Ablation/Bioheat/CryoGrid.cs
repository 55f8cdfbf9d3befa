namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// The fields of a freezing run (cryoablation) on an isotropic block, i fastest, with phase change by the enthalpy
/// method. The state is the temperature; the volumetric enthalpy (J/m³, zero at the solidus T_s) is the continuous,
/// strictly increasing function
/// <code>H(T) = C_f·min(T − T_s, 0) + C_a·clamp(T − T_s, 0, ΔT) + C_u·max(T − T_l, 0),  C_a = (C_u + C_f)/2 + L_v/ΔT</code>
/// with ΔT = T_l − T_s the mushy range, so T(H) is its exact inverse and storing T loses nothing. Conductivity goes
/// linearly from k_f to k_u across the mushy range; perfusion and vessel convection act in proportion to the liquid
/// fraction f = clamp((T − T_s)/ΔT, 0, 1), so they are off in frozen tissue. One explicit step (see <see cref="ICryoKernel"/>):
/// <code>H' = H(T) + Δt·[∇·(k∇T) + f·W·(T_b − T)],  T' = T(H'),  k' = k(T'),  T_min = min(T_min, T')</code>
/// Voxels with <see cref="Active"/> = 0 (the outer layer, the probes' freezing segments) keep their temperature.
/// <para>
/// The probe surface lies between voxel centres: an updated voxel next to a held probe voxel gets the extra conductance
/// k·<see cref="ProbeGain"/>/h² toward <see cref="ProbeCelsius"/>, which turns that face's k/h² into k/(θh²), θh being the
/// distance from the voxel centre to the probe surface along the face's axis (Shortley–Weller for a Dirichlet surface
/// cut by the grid). The probe is then as wide as it is on every grid, not as wide as the staircase of its voxels.
/// </para>
/// </summary>
public sealed class CryoGrid
{
    /// <summary>Allocates the fields.</summary>
    public CryoGrid(int nx, int ny, int nz, double spacingM, double solidusCelsius, double liquidusCelsius, double bloodCelsius = TissueTable.BloodTemperatureCelsius)
    {
        if (nx < 3 || ny < 3 || nz < 3)
        {
            throw new ArgumentException($"The grid needs at least 3 voxels per axis, got {nx}x{ny}x{nz}.");
        }

        if (!(spacingM > 0) || !double.IsFinite(spacingM))
        {
            throw new ArgumentException($"Grid spacing must be positive, got {spacingM} m.");
        }

        if (!(liquidusCelsius > solidusCelsius))
        {
            throw new ArgumentException($"The liquidus ({liquidusCelsius} C) must lie above the solidus ({solidusCelsius} C).");
        }

        Nx = nx;
        Ny = ny;
        Nz = nz;
        SpacingM = spacingM;
        SolidusCelsius = solidusCelsius;
        LiquidusCelsius = liquidusCelsius;
        BloodCelsius = bloodCelsius;
        var n = checked(nx * ny * nz);
        Temperature = new float[n];
        Next = new float[n];
        Conductivity = new float[n];
        NextConductivity = new float[n];
        UnfrozenConductivity = new float[n];
        FrozenConductivity = new float[n];
        UnfrozenHeatCapacity = new float[n];
        FrozenHeatCapacity = new float[n];
        LatentHeat = new float[n];
        Sink = new float[n];
        Active = new float[n];
        MinTemperature = new float[n];
        ProbeGain = new float[n];
        UpdateBox = (1, nx - 2, 1, ny - 2, 1, nz - 2);
    }

    /// <summary>
    /// The voxels the kernel sweeps, inclusive bounds within the interior (all of it by default). A run may narrow it to
    /// the part the cold has reached (see <see cref="CryoSimulation"/>); outside it the temperature stays as it was.
    /// </summary>
    public (int ILo, int IHi, int JLo, int JHi, int KLo, int KHi) UpdateBox { get; set; }

    /// <summary>Bytes of the fields for <paramref name="voxels"/> voxels.</summary>
    public static long BytesFor(long voxels) => voxels * sizeof(float) * 13;

    /// <summary>Voxels along x (i).</summary>
    public int Nx { get; }

    /// <summary>Voxels along y (j).</summary>
    public int Ny { get; }

    /// <summary>Voxels along z (k).</summary>
    public int Nz { get; }

    /// <summary>Voxel edge (m).</summary>
    public double SpacingM { get; }

    /// <summary>Solidus T_s (°C): below it the tissue is frozen.</summary>
    public double SolidusCelsius { get; }

    /// <summary>Liquidus T_l (°C): above it the tissue is unfrozen.</summary>
    public double LiquidusCelsius { get; }

    /// <summary>Arterial blood temperature T_b (°C) of perfusion and vessels.</summary>
    public double BloodCelsius { get; }

    /// <summary>Voxel count.</summary>
    public int Count => Temperature.Length;

    /// <summary>Voxel volume (m³).</summary>
    public double VoxelVolumeM3 => SpacingM * SpacingM * SpacingM;

    /// <summary>Temperature (°C) now.</summary>
    public float[] Temperature { get; private set; }

    /// <summary>Temperature (°C) after the step being computed.</summary>
    public float[] Next { get; private set; }

    /// <summary>k(T) now (W/m/K); faces use the arithmetic mean of two voxels.</summary>
    public float[] Conductivity { get; private set; }

    /// <summary>k(T') after the step.</summary>
    public float[] NextConductivity { get; private set; }

    /// <summary>k_u (W/m/K).</summary>
    public float[] UnfrozenConductivity { get; }

    /// <summary>k_f (W/m/K).</summary>
    public float[] FrozenConductivity { get; }

    /// <summary>C_u = ρc unfrozen (J/m³/K).</summary>
    public float[] UnfrozenHeatCapacity { get; }

    /// <summary>C_f = ρc frozen (J/m³/K).</summary>
    public float[] FrozenHeatCapacity { get; }

    /// <summary>L_v (J/m³).</summary>
    public float[] LatentHeat { get; }

    /// <summary>W = ω_b ρ_b c_b + vessel convection (W/m³/K) of unfrozen tissue.</summary>
    public float[] Sink { get; }

    /// <summary>1 where the voxel is updated, 0 where it is held (outer layer, probe).</summary>
    public float[] Active { get; }

    /// <summary>The lowest temperature each voxel has reached (°C): the lethal isotherm reads it.</summary>
    public float[] MinTemperature { get; }

    /// <summary>
    /// Σ (1/θ − 1) over the voxel's faces to held probe voxels (dimensionless; 0 elsewhere): the sub-voxel correction of
    /// the probe surface, applied as k·gain·(T_probe − T)/h². Negative where the surface lies beyond the held neighbour.
    /// </summary>
    public float[] ProbeGain { get; }

    /// <summary>The probes' surface temperature (°C) <see cref="ProbeGain"/> pulls toward.</summary>
    public double ProbeCelsius { get; set; }

    /// <summary>Linear index of (i, j, k).</summary>
    public int Index(int i, int j, int k) => ((k * Ny) + j) * Nx + i;

    /// <summary>Swaps the temperature and conductivity buffers after a step.</summary>
    public void Swap()
    {
        (Temperature, Next) = (Next, Temperature);
        (Conductivity, NextConductivity) = (NextConductivity, Conductivity);
    }

    /// <summary>Liquid fraction at <paramref name="t"/> °C.</summary>
    public double LiquidFraction(double t) => Math.Clamp((t - SolidusCelsius) / (LiquidusCelsius - SolidusCelsius), 0, 1);

    /// <summary>Volumetric enthalpy H(T) of voxel <paramref name="n"/> (J/m³, zero at the solidus).</summary>
    public double Enthalpy(int n, double t)
    {
        var dT = LiquidusCelsius - SolidusCelsius;
        var cu = (double)UnfrozenHeatCapacity[n];
        var cf = (double)FrozenHeatCapacity[n];
        var ca = (0.5 * (cu + cf)) + (LatentHeat[n] / dT);
        return (cf * Math.Min(t - SolidusCelsius, 0)) + (ca * Math.Clamp(t - SolidusCelsius, 0, dT)) + (cu * Math.Max(t - LiquidusCelsius, 0));
    }

    /// <summary>k(T) of voxel <paramref name="n"/>.</summary>
    public float ConductivityAt(int n, double t) => (float)(FrozenConductivity[n] + ((UnfrozenConductivity[n] - FrozenConductivity[n]) * LiquidFraction(t)));

    /// <summary>Sets <see cref="Conductivity"/>, <see cref="NextConductivity"/>, <see cref="Next"/> and <see cref="MinTemperature"/> from the temperature.</summary>
    public void Initialise()
    {
        for (var n = 0; n < Count; n++)
        {
            Conductivity[n] = NextConductivity[n] = ConductivityAt(n, Temperature[n]);
            Next[n] = Temperature[n];
            MinTemperature[n] = Temperature[n];
        }
    }

    /// <summary>Largest stable explicit step (s): 0.9 / max((6 + gain)α/h² + W/C) over the updated voxels, in both phases.</summary>
    public double StableTimeStepSeconds()
    {
        var h2 = SpacingM * SpacingM;
        var worst = 0.0;
        for (var n = 0; n < Count; n++)
        {
            if (Active[n] == 0)
            {
                continue;
            }

            var kMax = Math.Max(UnfrozenConductivity[n], FrozenConductivity[n]);
            var cMin = Math.Min(UnfrozenHeatCapacity[n], FrozenHeatCapacity[n]);
            worst = Math.Max(worst, (((6 + Math.Max(ProbeGain[n], 0)) * kMax / h2) + Sink[n]) / cMin);
        }

        return worst > 0 ? 0.9 / worst : 1.0;
    }
}
