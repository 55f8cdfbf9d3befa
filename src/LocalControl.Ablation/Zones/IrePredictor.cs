using System.Diagnostics;
using System.Globalization;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Zones;

/// <summary>
/// Irreversible electroporation: electrodes fired in pairs, each pair's quasi-static field solved on the patient's
/// block with the conductivity of each tissue (<see cref="ElectroporationField"/>), and the lethal zone the union over
/// pairs of |E| ≥ the lethal threshold. Non-thermal: no heat sink, no Joule heating (docs/ablation.md).
/// </summary>
public static class IrePredictor
{
    /// <summary>
    /// Default lethal field for liver (V/cm): 637 V/cm, the irreversible threshold of rabbit liver (Miklavčič et al. 2000,
    /// as the project brief quotes it; not re-read from the paper). Overridable per run.
    /// </summary>
    public const double DefaultFieldThresholdVPerCm = 637;

    /// <summary>Largest angle between two electrodes' axes still taken as parallel (°); an assumption of this model.</summary>
    public const double MaxNonParallelDegrees = 10;

    /// <summary>Margin of tissue simulated around the electrodes' exposed sections (mm).</summary>
    public const double RoiMarginMm = 25;

    private const byte VesselMaterial = 2;
    private static readonly string[] TissueNames = ["liver", "tumour", "vessel", "lung", "bone", "body"];

    /// <summary>The electrode pairs fired: every pair whose spacing lies within the device's limits.</summary>
    public static IReadOnlyList<(int A, int B, double SpacingMm)> Pairs(IReadOnlyList<ProbePose> probes, IreProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(probes);
        ArgumentNullException.ThrowIfNull(protocol);
        var pairs = new List<(int, int, double)>();
        for (var a = 0; a < probes.Count; a++)
        {
            for (var b = a + 1; b < probes.Count; b++)
            {
                var d = SpacingMm(probes[a], probes[b], protocol.ExposureMm);
                if (d >= protocol.SpacingMinMm - 1e-9 && d <= protocol.SpacingMaxMm + 1e-9)
                {
                    pairs.Add((a, b, d));
                }
            }
        }

        return pairs;
    }

    /// <summary>Distance between the centres of two exposed sections, across the first electrode's axis (mm).</summary>
    public static double SpacingMm(ProbePose a, ProbePose b, double exposureMm)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var u = a.Axis;
        var ca = a.TipLps - u * (exposureMm / 2);
        var cb = b.TipLps - b.Axis * (exposureMm / 2);
        var d = cb - ca;
        return (d - u * d.Dot(u)).Length;
    }

    /// <summary>Checks an IRE request; the message names the probe or value.</summary>
    public static (RegionOfInterest Roi, IreProtocol Protocol, IReadOnlyList<(int A, int B, double SpacingMm)> Pairs) Validate(ZoneRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Labels.Table.ValuesWithRole(LabelRole.Liver).Count == 0)
        {
            throw new AblationInputException("label-table: no label has the role \"liver\"; the simulator needs the liver to place tissue properties.");
        }

        var protocol = request.Setting.Electroporation
            ?? throw new AblationInputException($"--setting {request.Setting.Id}: the source gives no complete pulse protocol (voltage, spacing, exposure) for this setting; it is in the catalogue only.");
        if (request.FieldThresholdVPerCm is { } th && (!double.IsFinite(th) || th <= 0))
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture, $"--field-threshold {th}: the lethal field must be a positive number of V/cm."));
        }

        if (!double.IsFinite(request.GridMm) || request.GridMm <= 0)
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture, $"--grid-mm {request.GridMm}: the grid spacing must be a positive number of millimetres."));
        }

        if (request.Probes.Count < 2)
        {
            throw new AblationInputException($"--probe: IRE fires electrodes in pairs; give at least 2 electrodes (one --probe each), got {request.Probes.Count}.");
        }

        var geometry = request.Labels.Labels.Geometry;
        for (var p = 0; p < request.Probes.Count; p++)
        {
            ZonePredictor.CheckProbe(request, p + 1, request.Probes[p], geometry);
        }

        var u0 = request.Probes[0].Axis;
        for (var p = 1; p < request.Probes.Count; p++)
        {
            var angle = Math.Acos(Math.Clamp(request.Probes[p].Axis.Dot(u0), -1, 1)) * 180 / Math.PI;
            if (angle > MaxNonParallelDegrees)
            {
                throw new AblationInputException(string.Create(CultureInfo.InvariantCulture,
                    $"--probe {p + 1}: {angle:0.#} degrees from probe 1; IRE electrodes must be parallel (within {MaxNonParallelDegrees} degrees) for the protocol's spacing to hold."));
            }
        }

        for (var a = 0; a < request.Probes.Count; a++)
        {
            var partner = false;
            for (var b = 0; b < request.Probes.Count; b++)
            {
                if (a == b)
                {
                    continue;
                }

                var d = SpacingMm(request.Probes[Math.Min(a, b)], request.Probes[Math.Max(a, b)], protocol.ExposureMm);
                if (d < protocol.SpacingMinMm - 1e-9)
                {
                    throw new AblationInputException(string.Create(CultureInfo.InvariantCulture,
                        $"--probe {Math.Max(a, b) + 1}: {d:0.#} mm from probe {Math.Min(a, b) + 1}, closer than the {protocol.SpacingMinMm} mm device {request.Device.Id} allows ({protocol.SpacingMinMm}-{protocol.SpacingMaxMm} mm)."));
                }

                partner |= d <= protocol.SpacingMaxMm + 1e-9;
            }

            if (!partner)
            {
                throw new AblationInputException(string.Create(CultureInfo.InvariantCulture,
                    $"--probe {a + 1}: no other electrode within the {protocol.SpacingMaxMm} mm device {request.Device.Id} allows ({protocol.SpacingMinMm}-{protocol.SpacingMaxMm} mm), so it cannot be fired."));
            }
        }

        var roi = RoiFor(request, protocol);
        var bytes = roi.VoxelCount * (long)((11 * sizeof(float)) + (3 * sizeof(bool)) + sizeof(int) + 2);
        var available = Math.Min(request.MaxBytes, (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.8));
        if (roi.VoxelCount > int.MaxValue / 4 || bytes > available)
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture,
                $"--grid-mm {request.GridMm}: a {roi.Nx}x{roi.Ny}x{roi.Nz} block would need {bytes / 1e9:0.0} GB, more than the {available / 1e9:0.0} GB allowed; use a coarser grid."));
        }

        return (roi, protocol, Pairs(request.Probes, protocol));
    }

    /// <summary>The block: a cube around the exposed sections plus <see cref="RoiMarginMm"/> each side (or <c>--roi-mm</c>).</summary>
    internal static RegionOfInterest RoiFor(ZoneRequest r, IreProtocol protocol)
    {
        var lo = new Vector3D(double.MaxValue, double.MaxValue, double.MaxValue);
        var hi = new Vector3D(double.MinValue, double.MinValue, double.MinValue);
        foreach (var p in r.Probes)
        {
            foreach (var q in new[] { p.TipLps, p.TipLps - p.Axis * protocol.ExposureMm })
            {
                lo = new Vector3D(Math.Min(lo.X, q.X), Math.Min(lo.Y, q.Y), Math.Min(lo.Z, q.Z));
                hi = new Vector3D(Math.Max(hi.X, q.X), Math.Max(hi.Y, q.Y), Math.Max(hi.Z, q.Z));
            }
        }

        var extent = hi - lo;
        var side = r.RoiMm ?? (Math.Max(extent.X, Math.Max(extent.Y, extent.Z)) + (2 * RoiMarginMm));
        return RegionOfInterest.Cube((lo + hi) * 0.5, side, r.GridMm);
    }

    /// <summary>
    /// Voxels of one electrode's exposed section: centres within radius + h/2 of the segment (at least √3/2 h, a
    /// connected line on any grid). A staircase electrode acts smaller than its outer voxels (a single node acts as a
    /// wire of about 0.2 h, Peaceman 1978), hence the half voxel added; the analytic tests measure what remains.
    /// </summary>
    internal static int[] ElectrodeVoxels(RegionOfInterest roi, ProbePose probe, double exposureMm, double diameterMm)
    {
        var u = probe.Axis;
        var tip = probe.TipLps;
        var h = roi.SpacingMm;
        var radius = Math.Max((diameterMm / 2) + (h / 2), h * Math.Sqrt(3) / 2);
        var list = new List<int>();
        for (var k = 1; k < roi.Nz - 1; k++)
        {
            for (var j = 1; j < roi.Ny - 1; j++)
            {
                for (var i = 1; i < roi.Nx - 1; i++)
                {
                    var d = roi.PointLps(i, j, k) - tip;
                    var s = Math.Clamp(-d.Dot(u), 0, exposureMm);
                    var off = d + u * s;
                    if (off.Length <= radius)
                    {
                        list.Add(((k * roi.Ny) + j) * roi.Nx + i);
                    }
                }
            }
        }

        return [.. list];
    }

    /// <summary>Runs the IRE prediction.</summary>
    public static ZonePrediction Predict(ZoneRequest request, IProgress<double>? progress = null, CancellationToken cancellation = default, ConductivityRise? rise = null)
    {
        var (roi, protocol, pairs) = Validate(request);
        var clock = Stopwatch.StartNew();
        var threshold = request.FieldThresholdVPerCm ?? DefaultFieldThresholdVPerCm;
        var map = request.Labels;
        var (material, roiLabel) = ZonePredictor.Sample(map, roi);
        var n = (int)roi.VoxelCount;
        var sigmaOf = TissueNames.Select(t => (float)request.Tissues[t].ElectricalConductivitySPerM).ToArray();
        var sigma = new float[n];
        var sigmaLiver = new float[n];
        for (var v = 0; v < n; v++)
        {
            sigma[v] = sigmaOf[material[v]];
            sigmaLiver[v] = material[v] == VesselMaterial ? sigmaOf[0] : sigma[v];
        }

        var electrodes = request.Probes.Select(p => ElectrodeVoxels(roi, p, protocol.ExposureMm, protocol.ElectrodeDiameterMm)).ToArray();
        var hasVessels = Array.IndexOf(material, VesselMaterial) >= 0;
        var solver = new ElectroporationField(roi.Nx, roi.Ny, roi.Nz, roi.SpacingMm / 1000, request.MaxDegreeOfParallelism);
        var field = new float[n];
        var runs = hasVessels ? 2 : 1;
        var maxField = new float[runs][];
        for (var run = 0; run < runs; run++)
        {
            var max = maxField[run] = new float[n];
            var s = run == 0 ? sigma : sigmaLiver;
            for (var p = 0; p < pairs.Count; p++)
            {
                cancellation.ThrowIfCancellationRequested();
                var (a, b, _) = pairs[p];
                solver.SolvePair(s, electrodes[a], electrodes[b], protocol.VoltageV, field, rise);
                for (var v = 0; v < n; v++)
                {
                    max[v] = Math.Max(max[v], field[v]);
                }

                progress?.Report((run * pairs.Count + p + 1) / (double)(runs * pairs.Count));
            }
        }

        var isElectrode = new bool[n];
        foreach (var (a, b, _) in pairs)
        {
            foreach (var v in electrodes[a])
            {
                isElectrode[v] = true;
            }

            foreach (var v in electrodes[b])
            {
                isElectrode[v] = true;
            }
        }

        var thresholdVPerM = (float)(threshold * 100);
        var peak = 0f;
        var damage = new float[n];
        var reference = new bool[n];
        for (var v = 0; v < n; v++)
        {
            damage[v] = isElectrode[v] || maxField[0][v] >= thresholdVPerM ? (float)ArrheniusDamage.LethalDamage : 0;
            reference[v] = isElectrode[v] || maxField[runs - 1][v] >= thresholdVPerM;
            if (!isElectrode[v])
            {
                peak = Math.Max(peak, maxField[0][v]);
            }
        }

        var onTimeSeconds = pairs.Count * protocol.Pulses * protocol.PulseLengthUs * 1e-6;
        var outcome = new ThermalOutcome
        {
            Damage = damage,
            FinalTemperature = [],
            PeakTemperatureCelsius = double.NaN,
            SimulatedSeconds = onTimeSeconds,
            TimeStepSeconds = 0,
            DepositedEnergyJ = 0,
            PotentialSolves = pairs.Count * runs,
        };
        var shape = ZoneShape.Measure(roi, outcome.IsDead, request.Probes[0]);
        var zone = ZonePredictor.OnInputGrid(map.Labels.Geometry, roi, outcome);
        var tumours = ZonePredictor.Tumours(map, zone, roi);
        var vessels = hasVessels ? Vessels(request, roi, roiLabel, material, ZonePredictor.LocalCalibre(material, roi), outcome, reference, protocol) : [];
        var model = string.Create(CultureInfo.InvariantCulture,
            $"IRE: quasi-static potential div(sigma grad V)=0 (CG) per electrode pair on a {request.GridMm} mm block, {pairs.Count} pair(s) at {protocol.VoltageV} V, exposed {protocol.ExposureMm} mm at +V/0, outer layer at V/2; sigma per tissue{(rise is null ? "" : " rising with |E| (fixed point)")}; lethal zone = union over pairs of |E| >= {threshold} V/cm; vessels conduct (blood sigma) and are not heat sinks; no Joule heating");
        return new ZonePrediction
        {
            Zone = zone,
            ZoneVolumeMl = shape.VolumeMl,
            Shape = shape,
            Tumours = tumours,
            Vessels = vessels,
            SimulatedSeconds = onTimeSeconds,
            WallSeconds = clock.Elapsed.TotalSeconds,
            Model = model,
            Roi = roi,
            Outcome = outcome,
            FieldThresholdVPerCm = threshold,
            MaxFieldVPerCm = peak / 100.0,
        };
    }

    // Each vessel: closest approach to an exposed section, its calibre there, and how much shorter the zone reaches
    // toward it than with the vessel's conductivity replaced by liver's (the zone may cross the lumen).
    private static List<VesselEffect> Vessels(ZoneRequest r, RegionOfInterest roi, int[] roiLabel, byte[] material, float[] calibre, ThermalOutcome result, bool[] reference, IreProtocol protocol)
    {
        var list = new List<VesselEffect>();
        var centre = r.Probes.Select(p => p.TipLps - p.Axis * (protocol.ExposureMm / 2)).Aggregate(Vector3D.Zero, (a, b) => a + b) * (1.0 / r.Probes.Count);
        var u = r.Probes[0].Axis;
        foreach (var value in r.Labels.Table.Entries.Where(e => e.Role.IsVessel()).Select(e => e.Value))
        {
            var best = double.MaxValue;
            var bestVoxel = -1;
            var n = 0;
            for (var k = 0; k < roi.Nz; k++)
            {
                for (var j = 0; j < roi.Ny; j++)
                {
                    for (var i = 0; i < roi.Nx; i++, n++)
                    {
                        if (roiLabel[n] != value || material[n] != VesselMaterial)
                        {
                            continue;
                        }

                        var p = roi.PointLps(i, j, k);
                        foreach (var probe in r.Probes)
                        {
                            var s = Math.Clamp(-(p - probe.TipLps).Dot(probe.Axis), 0, protocol.ExposureMm);
                            var d = (p - (probe.TipLps - probe.Axis * s)).Length;
                            if (d < best)
                            {
                                best = d;
                                bestVoxel = n;
                            }
                        }
                    }
                }
            }

            if (bestVoxel < 0)
            {
                continue;
            }

            var vi = bestVoxel % roi.Nx;
            var vj = bestVoxel / roi.Nx % roi.Ny;
            var vk = bestVoxel / (roi.Nx * roi.Ny);
            var towards = roi.PointLps(vi, vj, vk) - centre;
            towards -= u * towards.Dot(u);
            var shrink = 0.0;
            if (towards.Length > 1e-9)
            {
                var dir = towards * (1 / towards.Length);
                shrink = ZoneShape.Reach(roi, v => reference[v], centre, dir) - ZoneShape.Reach(roi, result.IsDead, centre, dir, v => material[v] == VesselMaterial);
            }

            list.Add(new VesselEffect(value, calibre[bestVoxel], Math.Max(0, best - (0.5 * roi.SpacingMm)), shrink));
        }

        return list;
    }
}
