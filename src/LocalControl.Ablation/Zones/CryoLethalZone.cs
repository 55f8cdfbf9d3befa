using System.Globalization;
using LocalControl.Ablation.Bioheat;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Zones;

/// <summary>
/// The lethal zone of a cryo request in the patient, with the vessels' warming, and nothing else: the heat-sink run
/// of <see cref="CryoPredictor.Predict"/> (the same setup, <see cref="CryoPredictor.SetupFor"/>) without its no-vessel reference run (which only serves <c>shrinkMm</c>), so
/// half the cost when the block holds a vessel. Used by the planner's confirmation (docs/ablation.md, "Cryo clusters").
/// The zone must equal <see cref="CryoPredictor.Predict"/>'s for the same request; the planner's tests check that.
/// </summary>
public static class CryoLethalZone
{
    /// <summary>The lethal zone on the input grid and the model line; bad input throws <see cref="AblationInputException"/> as <see cref="CryoPredictor.Predict"/> does.</summary>
    public static (Volume<byte> Zone, string Model) Predict(ZoneRequest request, CancellationToken cancellation = default)
    {
        var (roi, model, lethal) = CryoPredictor.Validate(request);
        var (material, _) = ZonePredictor.Sample(request.Labels, roi);
        var hasVessels = Array.IndexOf(material, CryoPredictor.VesselMaterial) >= 0;
        var runSink = hasVessels && request.HeatSink;
        var setup = runSink
            ? CryoPredictor.SetupFor(request, roi, material, CryoPredictor.VesselSinks(material, ZonePredictor.LocalCalibre(material, roi), model), model)
            : CryoPredictor.SetupFor(request, roi, hasVessels ? CryoPredictor.VesselsAsLiver(material) : material, null, model);
        var result = CryoSimulation.Run(setup, null, null, cancellation);
        var outcome = CryoPredictor.AsThermalOutcome(result, lethal, request.BodyTemperatureCelsius);
        var zone = ZonePredictor.OnInputGrid(request.Labels.Labels.Geometry, roi, outcome);
        var vesselText = !hasVessels ? "no vessels in the block" : runSink ? "vessels as convective heat sources (blood at 37 C, Hausen Nusselt, flow from calibre)" : "vessels simulated as liver (--no-heat-sink)";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"Cryoablation: Pennes bioheat with phase change (enthalpy method, mushy {CryoSimulation.TissueSolidusCelsius} to {CryoSimulation.TissueLiquidusCelsius} C, latent heat of tissue water, frozen k and rho*c) on a {request.GridMm} mm block, {(request.Perfused ? "perfused (in vivo), perfusion off in frozen tissue" : "unperfused")}; {request.Probes.Count} probe(s), freezing segment {model.FreezeLengthMm} mm held at {model.ProbeCelsius} C (calibrated on the source's phantom), single freeze of {request.Setting.DurationMin} min; {vesselText}; lethal zone = reached <= {lethal} C");
        return (zone, line);
    }
}
