using System.Diagnostics;
using System.Globalization;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Zones;

/// <summary>
/// Cryoablation in this patient: the tissues of the labels with their frozen properties, vessels as convective heat
/// sources (blood at 37 °C, the same wall term as the thermal modalities' heat sink), the probes' freezing segments held
/// at the calibrated probe temperature, phase change by the enthalpy method (<see cref="CryoSimulation"/>). The lethal
/// zone is every voxel that reached the lethal isotherm (−40 °C by default); the 0 °C ice ball is reported beside it.
/// </summary>
public static class CryoPredictor
{
    /// <summary>
    /// Default lethal isotherm (°C): −40 °C, the temperature below which cell death is taken as complete in cryosurgery
    /// (Gage &amp; Baust 1998, Cryobiology 37:171; the −40 °C core of PMC4850244 lies ≈1 cm inside the 0 °C edge).
    /// −20 °C (and the source's −30 °C) are allowed with <c>--lethal-celsius</c>: a porcine lung study found the −20 °C
    /// isotherm closest to the pathological necrosis (Hinshaw et al., JVIR 2010).
    /// </summary>
    public const double DefaultLethalCelsius = -40;

    /// <summary>Warmest lethal isotherm accepted (°C).</summary>
    public const double WarmestLethalCelsius = -10;

    /// <summary>Coldest lethal isotherm accepted (°C).</summary>
    public const double ColdestLethalCelsius = -80;

    /// <summary>The visible ice ball edge (°C).</summary>
    public const double IceEdgeCelsius = 0;

    /// <summary>Margin of tissue simulated around the freezing segments (mm), the calibration's too.</summary>
    public const double RoiMarginMm = 35;

    internal const byte VesselMaterial = 2;
    internal static readonly string[] TissueNames = ["liver", "tumour", "vessel", "lung", "bone", "body"];

    /// <summary>Checks a cryo request; the message names the probe or value.</summary>
    public static (RegionOfInterest Roi, CryoModel Model, double LethalCelsius) Validate(ZoneRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Labels.Table.ValuesWithRole(LabelRole.Liver).Count == 0)
        {
            throw new AblationInputException("label-table: no label has the role \"liver\"; the simulator needs the liver to place tissue properties.");
        }

        var model = request.Setting.Cryo
            ?? throw new AblationInputException($"--setting {request.Setting.Id}: the catalogue has no calibrated cryoprobe model for this setting.");
        var lethal = request.LethalCelsius ?? DefaultLethalCelsius;
        if (!double.IsFinite(lethal) || lethal > WarmestLethalCelsius || lethal < ColdestLethalCelsius)
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture,
                $"--lethal-celsius {lethal}: the lethal isotherm must lie between {ColdestLethalCelsius} and {WarmestLethalCelsius} C (-40 by default, -20 as in some studies; docs/ablation.md)."));
        }

        if (lethal <= model.ProbeCelsius)
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture,
                $"--lethal-celsius {lethal}: colder than the probe ({model.ProbeCelsius} C); nothing could reach it."));
        }

        if (!double.IsFinite(request.GridMm) || request.GridMm <= 0)
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture, $"--grid-mm {request.GridMm}: the grid spacing must be a positive number of millimetres."));
        }

        if (request.Probes.Count == 0)
        {
            throw new AblationInputException("--probe: at least one cryoprobe is needed.");
        }

        if (request.Setting.ProbeCount is { } count && count != request.Probes.Count)
        {
            throw new AblationInputException(
                $"--probe: setting {request.Setting.Id} of {request.Device.Id} is for {count} cryoprobe{(count == 1 ? "" : "s")}, but {request.Probes.Count} --probe {(request.Probes.Count == 1 ? "was" : "were")} given; choose the setting for {request.Probes.Count} or give {count}.");
        }

        var geometry = request.Labels.Labels.Geometry;
        for (var p = 0; p < request.Probes.Count; p++)
        {
            ZonePredictor.CheckProbe(request, p + 1, request.Probes[p], geometry);
        }

        var roi = RoiFor(request.Probes, model, request.GridMm, request.RoiMm);
        var bytes = CryoGrid.BytesFor(roi.VoxelCount) + (roi.VoxelCount * (long)((3 * sizeof(float)) + sizeof(int) + 3));
        var available = Math.Min(request.MaxBytes, (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.8));
        if (roi.VoxelCount > int.MaxValue / 4 || bytes > available)
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture,
                $"--grid-mm {request.GridMm}: a {roi.Nx}x{roi.Ny}x{roi.Nz} block would need {bytes / 1e9:0.0} GB, more than the {available / 1e9:0.0} GB allowed; use a coarser grid."));
        }

        return (roi, model, lethal);
    }

    /// <summary>The block: a cube around the freezing segments plus <see cref="RoiMarginMm"/> each side (or <c>--roi-mm</c>).</summary>
    internal static RegionOfInterest RoiFor(IReadOnlyList<ProbePose> probes, CryoModel model, double gridMm, double? roiMm)
    {
        var (lo, hi) = SegmentBox(probes, model);
        var extent = hi - lo;
        var side = roiMm ?? (Math.Max(extent.X, Math.Max(extent.Y, extent.Z)) + (2 * RoiMarginMm));
        return RegionOfInterest.Cube((lo + hi) * 0.5, side, gridMm);
    }

    /// <summary>The bounding box (LPS mm) of the probes' freezing segments.</summary>
    internal static (Vector3D Lo, Vector3D Hi) SegmentBox(IReadOnlyList<ProbePose> probes, CryoModel model)
    {
        var lo = new Vector3D(double.MaxValue, double.MaxValue, double.MaxValue);
        var hi = new Vector3D(double.MinValue, double.MinValue, double.MinValue);
        foreach (var p in probes)
        {
            foreach (var q in new[] { p.TipLps - p.Axis * model.FreezeOffsetMm, p.TipLps - p.Axis * (model.FreezeOffsetMm + model.FreezeLengthMm) })
            {
                lo = new Vector3D(Math.Min(lo.X, q.X), Math.Min(lo.Y, q.Y), Math.Min(lo.Z, q.Z));
                hi = new Vector3D(Math.Max(hi.X, q.X), Math.Max(hi.Y, q.Y), Math.Max(hi.Z, q.Z));
            }
        }

        return (lo, hi);
    }

    /// <summary>Runs the cryo prediction.</summary>
    public static ZonePrediction Predict(ZoneRequest request, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        var (roi, model, lethal) = Validate(request);
        var clock = Stopwatch.StartNew();
        var map = request.Labels;
        var (material, roiLabel) = ZonePredictor.Sample(map, roi);
        var hasVessels = Array.IndexOf(material, VesselMaterial) >= 0;
        float[]? calibre = hasVessels ? ZonePredictor.LocalCalibre(material, roi) : null;
        var runSink = hasVessels && request.HeatSink;
        CryoOutcome? withSink = null;
        if (runSink)
        {
            withSink = CryoSimulation.Run(SetupFor(request, roi, material, VesselSinks(material, calibre!, model), model), null, Scaled(progress, 0, 0.5), cancellation);
        }

        var reference = CryoSimulation.Run(SetupFor(request, roi, VesselsAsLiver(material), null, model), null, Scaled(progress, runSink ? 0.5 : 0, 1), cancellation);
        var result = withSink ?? reference;
        var outcome = AsThermalOutcome(result, lethal, request.BodyTemperatureCelsius);
        var probe = request.Probes[0];
        var shape = ZoneShape.Measure(roi, outcome.IsDead, probe);
        var ice = ZoneShape.Measure(roi, v => result.FinalTemperature[v] <= IceEdgeCelsius, probe);
        var zone = ZonePredictor.OnInputGrid(map.Labels.Geometry, roi, outcome);
        var tumours = ZonePredictor.Tumours(map, zone, roi);
        var vessels = hasVessels ? Vessels(request, model, roi, roiLabel, material, calibre!, v => result.Reached(v, lethal), v => reference.Reached(v, lethal), runSink) : [];
        var vesselText = !hasVessels ? "no vessels in the block" : runSink ? "vessels as convective heat sources (blood at 37 C, Hausen Nusselt, flow from calibre)" : "vessels simulated as liver (--no-heat-sink)";
        var modelLine = string.Create(CultureInfo.InvariantCulture,
            $"Cryoablation: Pennes bioheat with phase change (enthalpy method, mushy {CryoSimulation.TissueSolidusCelsius} to {CryoSimulation.TissueLiquidusCelsius} C, latent heat of tissue water, frozen k and rho*c) on a {request.GridMm} mm block, {(request.Perfused ? "perfused (in vivo), perfusion off in frozen tissue" : "unperfused")}; {request.Probes.Count} probe(s), freezing segment {model.FreezeLengthMm} mm held at {model.ProbeCelsius} C (calibrated on the source's phantom), single freeze of {request.Setting.DurationMin} min; {vesselText}; lethal zone = reached <= {lethal} C");
        var minT = float.MaxValue;
        foreach (var t in result.MinTemperature)
        {
            minT = Math.Min(minT, t);
        }

        return new ZonePrediction
        {
            Zone = zone,
            ZoneVolumeMl = shape.VolumeMl,
            Shape = shape,
            Tumours = tumours,
            Vessels = vessels,
            SimulatedSeconds = result.SimulatedSeconds,
            WallSeconds = clock.Elapsed.TotalSeconds,
            Model = modelLine,
            Roi = roi,
            Outcome = outcome,
            LethalCelsius = lethal,
            IceBall = ice,
            Cryo = result,
            Caveats = ModelCaveats.For(request.Device.Modality, request.GridMm, vessels),
        };
    }

    /// <summary>The lethal voxels as a damage field (1 = dead) so the zone tools of the other modalities apply.</summary>
    internal static ThermalOutcome AsThermalOutcome(CryoOutcome result, double lethalCelsius, double bodyCelsius)
    {
        var damage = new float[result.MinTemperature.Length];
        var peak = double.MinValue;
        for (var v = 0; v < damage.Length; v++)
        {
            damage[v] = result.MinTemperature[v] <= lethalCelsius ? (float)ArrheniusDamage.LethalDamage : 0;
        }

        foreach (var t in result.FinalTemperature)
        {
            peak = Math.Max(peak, t);
        }

        return new ThermalOutcome
        {
            Damage = damage,
            FinalTemperature = result.FinalTemperature,
            PeakTemperatureCelsius = Math.Max(peak, bodyCelsius),
            SimulatedSeconds = result.SimulatedSeconds,
            TimeStepSeconds = result.TimeStepSeconds,
            DepositedEnergyJ = result.Energy?.ProbeJ ?? 0,
            VoxelUpdates = result.VoxelUpdates,
        };
    }

    /// <summary>The freezing run of <paramref name="r"/> on <paramref name="roi"/> (the tissues of <see cref="TissueNames"/>).</summary>
    internal static CryoSetup SetupFor(ZoneRequest r, RegionOfInterest roi, byte[] material, float[]? sinks, CryoModel model) => new()
    {
        Roi = roi,
        Material = material,
        Tissues = [.. TissueNames.Select(n => r.Tissues[n])],
        Freezing = [.. TissueNames.Select(n => FreezingProperties.Default[n])],
        VesselSink = sinks,
        Probes = r.Probes,
        Probe = model,
        ProbeDiameterMm = r.Device.ProbeDiameterMm ?? 2.4,
        FreezeSeconds = (r.Setting.DurationMin ?? 0) * 60,
        Perfused = r.Perfused,
        BodyTemperatureCelsius = r.BodyTemperatureCelsius,
        MaxDegreeOfParallelism = r.MaxDegreeOfParallelism,
    };

    /// <summary>Warm blood's wall term W_v per voxel (Hausen Nusselt, flow from the local calibre; 0 outside vessels).</summary>
    internal static float[] VesselSinks(byte[] material, float[] calibre, CryoModel model)
    {
        var sinks = new float[material.Length];
        for (var n = 0; n < material.Length; n++)
        {
            if (material[n] == VesselMaterial)
            {
                sinks[n] = (float)VesselHeatSink.SinkCoefficient(calibre[n], model.FreezeLengthMm);
            }
        }

        return sinks;
    }

    /// <summary>A copy of <paramref name="material"/> with the vessels as liver (the reference run, <c>--no-heat-sink</c>).</summary>
    internal static byte[] VesselsAsLiver(byte[] material)
    {
        var asLiver = (byte[])material.Clone();
        for (var n = 0; n < asLiver.Length; n++)
        {
            if (asLiver[n] == VesselMaterial)
            {
                asLiver[n] = 0;
            }
        }

        return asLiver;
    }

    private static IProgress<double>? Scaled(IProgress<double>? p, double from, double to) =>
        p is null ? null : new ScaledProgress(p, from, to);

    // Each vessel: closest approach to a freezing segment, its calibre there, and how much shorter the lethal zone
    // reaches toward it (from the segments' mid-point, across the shaft) than with the vessel as liver.
    private static List<VesselEffect> Vessels(ZoneRequest r, CryoModel model, RegionOfInterest roi, int[] roiLabel, byte[] material, float[] calibre, Func<int, bool> inZone, Func<int, bool> inReference, bool compared)
    {
        var list = new List<VesselEffect>();
        var mid = model.FreezeOffsetMm + (model.FreezeLengthMm / 2);
        foreach (var value in r.Labels.Table.Entries.Where(e => e.Role.IsVessel()).Select(e => e.Value))
        {
            var best = double.MaxValue;
            var bestVoxel = -1;
            ProbePose? bestProbe = null;
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
                            var s = Math.Clamp(-(p - probe.TipLps).Dot(probe.Axis), model.FreezeOffsetMm, model.FreezeOffsetMm + model.FreezeLengthMm);
                            var d = (p - (probe.TipLps - probe.Axis * s)).Length;
                            if (d < best)
                            {
                                best = d;
                                bestVoxel = n;
                                bestProbe = probe;
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
            var u = bestProbe!.Axis;
            var centre = bestProbe.TipLps - u * mid;
            var towards = roi.PointLps(vi, vj, vk) - centre;
            towards -= u * towards.Dot(u);
            var shrink = 0.0;
            if (compared && towards.Length > 1e-9)
            {
                var dir = towards * (1 / towards.Length);
                shrink = ZoneShape.Reach(roi, inReference, centre, dir) - ZoneShape.Reach(roi, inZone, centre, dir, v => material[v] == VesselMaterial);
            }

            list.Add(new VesselEffect(value, calibre[bestVoxel], Math.Max(0, best - (0.5 * roi.SpacingMm)), shrink));
        }

        return list;
    }
}

/// <summary>
/// The cryo settings in the conditions of their source (PMC2762356): an agar gel phantom at 39 °C, no perfusion, the
/// probes parallel and 2 cm apart in the setting's layout. The calibration fits the probe temperature once here; the
/// tests check the stored values against the catalogue.
/// </summary>
public static class CryoPhantom
{
    /// <summary>Probe positions across the shaft (mm) for a layout of side <paramref name="spacingMm"/>, centred on the origin.</summary>
    public static IReadOnlyList<(double X, double Y)> Layout(string layout, double spacingMm) => layout switch
    {
        "single" => [(0, 0)],
        "line" => [(-spacingMm / 2, 0), (spacingMm / 2, 0)],
        "triangle" => [(0, spacingMm / Math.Sqrt(3)), (-spacingMm / 2, -spacingMm / (2 * Math.Sqrt(3))), (spacingMm / 2, -spacingMm / (2 * Math.Sqrt(3)))],
        "square" => [(-spacingMm / 2, -spacingMm / 2), (spacingMm / 2, -spacingMm / 2), (spacingMm / 2, spacingMm / 2), (-spacingMm / 2, spacingMm / 2)],
        _ => throw new ArgumentException($"unknown cryo layout \"{layout}\"."),
    };

    /// <summary>The phantom setup: probes along −z (tip down), the freezing segments centred on <paramref name="centreLps"/>.</summary>
    public static CryoSetup Setup(AblationDevice device, DeviceSetting setting, double gridMm, CryoModel? model = null, Vector3D? centreLps = null, bool trackEnergy = false)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(setting);
        var m = model ?? setting.Cryo ?? throw new ArgumentException($"{device.Id}/{setting.Id} has no cryo model.");
        var centre = centreLps ?? Vector3D.Zero;
        var u = new Vector3D(0, 0, -1);
        var mid = m.FreezeOffsetMm + (m.FreezeLengthMm / 2);
        var probes = Layout(m.Layout, m.SpacingMm)
            .Select(p => centre + new Vector3D(p.X, p.Y, 0) + u * mid)
            .Select(tip => new ProbePose(tip, tip - u * 100))
            .ToList();
        var spread = 0.0;
        foreach (var a in probes)
        {
            foreach (var b in probes)
            {
                spread = Math.Max(spread, (a.TipLps - b.TipLps).Length);
            }
        }

        var across = spread + (2 * CryoPredictor.RoiMarginMm);
        var along = m.FreezeLengthMm + (2 * CryoPredictor.RoiMarginMm);
        var nxy = (int)Math.Ceiling(across / gridMm) + 1;
        var nz = (int)Math.Ceiling(along / gridMm) + 1;
        var origin = centre - new Vector3D((nxy - 1) * gridMm / 2, (nxy - 1) * gridMm / 2, (nz - 1) * gridMm / 2);
        var roi = new RegionOfInterest(origin, gridMm, nxy, nxy, nz);
        return new CryoSetup
        {
            Roi = roi,
            Material = new byte[roi.VoxelCount],
            Tissues = [FreezingProperties.GelUnfrozen],
            Freezing = [FreezingProperties.Default["gel"]],
            Probes = probes,
            Probe = m,
            ProbeDiameterMm = device.ProbeDiameterMm ?? 2.4,
            FreezeSeconds = (setting.DurationMin ?? throw new ArgumentException($"{device.Id}/{setting.Id} has no duration.")) * 60,
            Perfused = false,
            BodyTemperatureCelsius = m.BaselineCelsius,
            SolidusCelsius = CryoSimulation.GelSolidusCelsius,
            LiquidusCelsius = CryoSimulation.GelLiquidusCelsius,
            TrackEnergy = trackEnergy,
        };
    }

    /// <summary>Runs the phantom and measures the zone inside the source's isotherm (largest extent across the shafts).</summary>
    public static (ZoneShape Lethal, ZoneShape Ice, CryoOutcome Outcome) Simulate(AblationDevice device, DeviceSetting setting, double gridMm, CryoModel? model = null, Vector3D? centreLps = null)
    {
        var setup = Setup(device, setting, gridMm, model, centreLps);
        var outcome = CryoSimulation.Run(setup);
        var isotherm = setup.Probe.IsothermCelsius;
        var lethal = ZoneShape.Measure(setup.Roi, v => outcome.MinTemperature[v] <= isotherm, setup.Probes[0]);
        var ice = ZoneShape.Measure(setup.Roi, v => outcome.FinalTemperature[v] <= CryoPredictor.IceEdgeCelsius, setup.Probes[0]);
        return (lethal, ice, outcome);
    }
}
