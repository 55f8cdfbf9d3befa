namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// The simulation grid and its fields: an isotropic Cartesian block of <see cref="Nx"/> × <see cref="Ny"/> × <see cref="Nz"/>
/// voxels of <see cref="SpacingM"/> metres, i fastest. The outermost layer is held at its initial temperature
/// (Dirichlet, the body around the region of interest). Per-voxel coefficients are precomputed so that one step is
/// <c>T' = B·T + A·(∇·(k∇T) + s·Q) + C</c> (see <see cref="IBioheatKernel"/>); a GPU back end needs only these arrays.
/// </summary>
public sealed class BioheatGrid
{
    /// <summary>Allocates every field of an <paramref name="nx"/> × <paramref name="ny"/> × <paramref name="nz"/> grid.</summary>
    public BioheatGrid(int nx, int ny, int nz, double spacingM)
    {
        if (nx < 3 || ny < 3 || nz < 3)
        {
            throw new ArgumentException($"The grid needs at least 3 voxels per axis, got {nx}x{ny}x{nz}.");
        }

        if (!(spacingM > 0) || !double.IsFinite(spacingM))
        {
            throw new ArgumentException($"Grid spacing must be positive, got {spacingM} m.");
        }

        Nx = nx;
        Ny = ny;
        Nz = nz;
        SpacingM = spacingM;
        var n = checked(nx * ny * nz);
        Temperature = new float[n];
        Next = new float[n];
        Conductivity = new float[n];
        CoefficientA = new float[n];
        CoefficientB = new float[n];
        CoefficientC = new float[n];
        Source = new float[n];
        Damage = new float[n];
        HeatCapacity = new float[n];
        Sink = new float[n];
    }

    /// <summary>Bytes the fields of a grid of <paramref name="voxels"/> voxels take (thermal only, or with the RF potential solve).</summary>
    public static long BytesFor(long voxels, bool withPotential) => voxels * sizeof(float) * (10 + (withPotential ? 7 : 0));

    /// <summary>Voxels along x (i).</summary>
    public int Nx { get; }

    /// <summary>Voxels along y (j).</summary>
    public int Ny { get; }

    /// <summary>Voxels along z (k).</summary>
    public int Nz { get; }

    /// <summary>Voxel edge (m).</summary>
    public double SpacingM { get; }

    /// <summary>Voxel count.</summary>
    public int Count => Temperature.Length;

    /// <summary>Voxel volume (m³).</summary>
    public double VoxelVolumeM3 => SpacingM * SpacingM * SpacingM;

    /// <summary>Temperature (°C) now.</summary>
    public float[] Temperature { get; private set; }

    /// <summary>Temperature (°C) after the step being computed.</summary>
    public float[] Next { get; private set; }

    /// <summary>Thermal conductivity k (W/m/K); faces use the arithmetic mean of the two voxels.</summary>
    public float[] Conductivity { get; }

    /// <summary>A = (Δt/ρc) / (1 + Δt·W/ρc) (m³·K/J); 0 for held voxels.</summary>
    public float[] CoefficientA { get; }

    /// <summary>B = 1 / (1 + Δt·W/ρc); 1 for held voxels.</summary>
    public float[] CoefficientB { get; }

    /// <summary>C = A·W·T_blood (K).</summary>
    public float[] CoefficientC { get; }

    /// <summary>Power density shape Q (W/m³), multiplied by the step's source scale.</summary>
    public float[] Source { get; }

    /// <summary>Arrhenius damage integral Ω (dimensionless).</summary>
    public float[] Damage { get; }

    /// <summary>ρc (J/m³/K), for the energy ledger.</summary>
    public float[] HeatCapacity { get; }

    /// <summary>W = ω_b ρ_b c_b + vessel convection (W/m³/K), for the energy ledger.</summary>
    public float[] Sink { get; }

    /// <summary>Linear index of (i, j, k).</summary>
    public int Index(int i, int j, int k) => ((k * Ny) + j) * Nx + i;

    /// <summary>Swaps <see cref="Temperature"/> and <see cref="Next"/> after a step.</summary>
    public void Swap() => (Temperature, Next) = (Next, Temperature);

    /// <summary>
    /// Sets the semi-implicit coefficients from ρc, W and the time step: perfusion and vessel convection are implicit,
    /// so a strong sink (a large vessel) never limits Δt. Voxels in <paramref name="held"/> keep their temperature.
    /// </summary>
    public void PrepareCoefficients(double dtSeconds, ReadOnlySpan<bool> held, double bloodTemperatureCelsius)
    {
        var heldArray = held.IsEmpty ? null : held.ToArray();
        var plane = Nx * Ny;
        Parallel.For(0, Nz, k =>
        {
            for (var n = k * plane; n < (k + 1) * plane; n++)
            {
                if (heldArray is not null && heldArray[n])
                {
                    CoefficientA[n] = 0;
                    CoefficientB[n] = 1;
                    CoefficientC[n] = 0;
                    continue;
                }

                var a = dtSeconds / HeatCapacity[n];
                var denominator = 1 + (a * Sink[n]);
                CoefficientA[n] = (float)(a / denominator);
                CoefficientB[n] = (float)(1 / denominator);
                CoefficientC[n] = (float)(a * Sink[n] * bloodTemperatureCelsius / denominator);
            }
        });
    }
}
