using LocalControl.Ablation.Devices;

namespace LocalControl.Ablation.Zones;

/// <summary>
/// Known limitations of a prediction, said beside the numbers they concern so that a reader of a zone or a plan sees
/// them where they matter (docs/ablation.md gives the measurements behind each).
/// </summary>
public static class ModelCaveats
{
    /// <summary>MW next to a vessel: the model's heat sink is stronger than published.</summary>
    public const string MicrowaveHeatSink =
        "microwave heat sink overestimated: next to vessels this model cuts microwave zones as much as or more than RF zones (6 mm vessel 10 mm away: 63 % of the radius vs RF 40 %), while perfused-liver studies find little or no microwave heat sink (Primavesi et al., Oncol Lett 2017); read the vessel-side shortfall as an upper bound (docs/ablation.md)";

    /// <summary>Cryo on a grid coarser than 1 mm.</summary>
    public const string CoarseCryoGrid =
        "cryo lethal zone overestimated on grids coarser than 1 mm: the 2 mm grid gave a lethal zone 32 % larger than 1 mm in the convergence bench (1 vs 0.5 mm: 2.3 %); use --grid-mm 1 or 0.5 for decisions (docs/ablation.md)";

    /// <summary>The caveats of a thermal or cryo prediction with these vessel effects on this grid.</summary>
    public static IReadOnlyList<string> For(AblationModality modality, double gridMm, IReadOnlyList<VesselEffect> vessels)
    {
        ArgumentNullException.ThrowIfNull(vessels);
        var list = new List<string>();
        if (modality == AblationModality.Mwa && vessels.Any(v => v.ShrinkMm > 0))
        {
            list.Add(MicrowaveHeatSink);
        }

        if (modality == AblationModality.Cryoablation && gridMm > 1 + 1e-9)
        {
            list.Add(CoarseCryoGrid);
        }

        return list;
    }
}
