namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// One explicit enthalpy step of Pennes bioheat with freezing on a <see cref="CryoGrid"/> (the update is written there).
/// The model (probes, tissues, vessels) only fills the grid's arrays, so a GPU back end (ILGPU) can implement this
/// interface beside the SIMD CPU kernel without touching it.
/// </summary>
public interface ICryoKernel
{
    /// <summary>Advances the active voxels by <paramref name="dtSeconds"/> and swaps the buffers.</summary>
    void Step(CryoGrid grid, float dtSeconds);
}
