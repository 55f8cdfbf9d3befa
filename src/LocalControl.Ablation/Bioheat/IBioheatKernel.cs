namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// One explicit Pennes step on a <see cref="BioheatGrid"/> (Pennes 1948, J Appl Physiol 1:93):
/// <c>ρc ∂T/∂t = ∇·(k∇T) − W (T − T_b) + s·Q</c>, with W implicit, followed by the Arrhenius update
/// <c>Ω += Δt · exp(ln A − E_a / (R T))</c> where T exceeds <see cref="ArrheniusDamage.ThresholdCelsius"/>.
/// The model (sources, properties, vessels) only fills the grid's arrays, so a GPU back end (ILGPU) can implement this
/// interface beside the SIMD CPU kernel without touching it.
/// </summary>
public interface IBioheatKernel
{
    /// <summary>Advances the interior voxels by <paramref name="dtSeconds"/> and swaps the temperature buffers.</summary>
    /// <param name="grid">The fields.</param>
    /// <param name="sourceScale">Multiplies <see cref="BioheatGrid.Source"/> during this step (0 = power off).</param>
    /// <param name="dtSeconds">The time step the coefficients were prepared with.</param>
    void Step(BioheatGrid grid, float sourceScale, float dtSeconds);
}
