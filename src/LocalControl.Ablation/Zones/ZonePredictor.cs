using System.Diagnostics;
using System.Globalization;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Zones;

/// <summary>A mistake in the simulation request (probe, setting, labels, grid, properties): the message names the value.</summary>
public sealed class AblationInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AblationInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public AblationInputException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public AblationInputException()
    {
    }
}

/// <summary>What to simulate in this patient.</summary>
public sealed record ZoneRequest
{
    /// <summary>The segmentation with its roles (must contain liver).</summary>
    public required LabelMap Labels { get; init; }

    /// <summary>The probes, LPS mm.</summary>
    public required IReadOnlyList<ProbePose> Probes { get; init; }

    /// <summary>The device.</summary>
    public required AblationDevice Device { get; init; }

    /// <summary>The setting (power, time).</summary>
    public required DeviceSetting Setting { get; init; }

    /// <summary>Simulation grid spacing (mm).</summary>
    public double GridMm { get; init; } = 1.0;

    /// <summary>Side of the simulated cube (mm); null = the expected zone plus 20 mm on each side.</summary>
    public double? RoiMm { get; init; }

    /// <summary>Vessels cool (true) or are simulated as liver (false, <c>--no-heat-sink</c>).</summary>
    public bool HeatSink { get; init; } = true;

    /// <summary>Perfusion on (in vivo, the default) or off (ex vivo).</summary>
    public bool Perfused { get; init; } = true;

    /// <summary>Tissue properties (a centre's overrides already applied).</summary>
    public TissueTable Tissues { get; init; } = TissueTable.Default;

    /// <summary>Largest memory the simulation may take (bytes); the request is refused before allocating beyond it.</summary>
    public long MaxBytes { get; init; } = 4L << 30;

    /// <summary>Threads (null = all cores).</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>IRE: lethal field threshold (V/cm); null = <see cref="IrePredictor.DefaultFieldThresholdVPerCm"/>.</summary>
    public double? FieldThresholdVPerCm { get; init; }

    /// <summary>Cryo: lethal isotherm (°C); null = <see cref="CryoPredictor.DefaultLethalCelsius"/>.</summary>
    public double? LethalCelsius { get; init; }

    /// <summary>Body temperature (°C): the initial temperature of the block and of its outer layer.</summary>
    public double BodyTemperatureCelsius { get; init; } = TissueTable.BloodTemperatureCelsius;
}

/// <summary>Coverage of one tumour (a 26-connected component of the tumour labels, ids as <c>measure</c> gives them).</summary>
/// <param name="Id">T1, T2, … in the order <c>measure</c> numbers lesions.</param>
/// <param name="CoveragePercent">Share of the tumour's voxels inside the zone (%).</param>
/// <param name="MinimalMarginMm">Smallest distance from the tumour to the zone's edge (mm), negative when the zone misses part of it; null when the tumour is outside the simulated block.</param>
public sealed record TumourCoverage(string Id, double CoveragePercent, double? MinimalMarginMm);

/// <summary>A vessel near the zone and what it did.</summary>
/// <param name="Label">Label value of the vessel.</param>
/// <param name="CalibreMm">Local calibre where it comes closest (mm), from the inside distance map.</param>
/// <param name="DistanceMm">Distance from the probe's shaft to the vessel wall (mm).</param>
/// <param name="ShrinkMm">How much shorter the zone reaches toward the vessel than in the same run without vessels (mm).</param>
public sealed record VesselEffect(int Label, double CalibreMm, double DistanceMm, double ShrinkMm);

/// <summary>The predicted zone in this patient.</summary>
public sealed record ZonePrediction
{
    /// <summary>Dead tissue (1) on the input grid.</summary>
    public required Volume<byte> Zone { get; init; }

    /// <summary>Zone volume (mL).</summary>
    public required double ZoneVolumeMl { get; init; }

    /// <summary>Along the first probe's shaft, across, across (mm).</summary>
    public required ZoneShape Shape { get; init; }

    /// <summary>Each tumour's coverage and margin.</summary>
    public required IReadOnlyList<TumourCoverage> Tumours { get; init; }

    /// <summary>Each vessel label in the simulated block.</summary>
    public required IReadOnlyList<VesselEffect> Vessels { get; init; }

    /// <summary>Simulated time (s).</summary>
    public required double SimulatedSeconds { get; init; }

    /// <summary>Wall time of the prediction (s).</summary>
    public required double WallSeconds { get; init; }

    /// <summary>One line saying what was modelled.</summary>
    public required string Model { get; init; }

    /// <summary>The simulated block.</summary>
    public required RegionOfInterest Roi { get; init; }

    /// <summary>The run that gave the zone.</summary>
    public required ThermalOutcome Outcome { get; init; }

    /// <summary>IRE: the lethal field threshold used (V/cm); null for thermal modalities.</summary>
    public double? FieldThresholdVPerCm { get; init; }

    /// <summary>IRE: the largest field in tissue off the electrodes (V/cm); null for thermal modalities.</summary>
    public double? MaxFieldVPerCm { get; init; }

    /// <summary>Cryo: the lethal isotherm used (°C); null for the other modalities.</summary>
    public double? LethalCelsius { get; init; }

    /// <summary>Cryo: the 0 °C ice ball at the end of the freeze, measured as the zone is; null for the other modalities.</summary>
    public ZoneShape? IceBall { get; init; }

    /// <summary>Cryo: the freezing run that gave the zone.</summary>
    public CryoOutcome? Cryo { get; init; }

    /// <summary>Known limitations that concern this prediction (<see cref="ModelCaveats"/>); empty when none.</summary>
    public IReadOnlyList<string> Caveats { get; init; } = [];
}

/// <summary>
/// Predicts the zone a probe setting kills in this patient: labels resampled onto an isotropic block around the expected
/// zone, tissue properties by role, vessels as convective sinks with their calibre, Pennes + Arrhenius
/// (<see cref="ThermalSimulation"/>), then the zone on the input grid with tumour coverage, margins and each vessel's
/// heat-sink shrinkage against a run without vessels.
/// </summary>
public static class ZonePredictor
{
    private const byte Liver = 0, Tumour = 1, Vessel = 2, Lung = 3, Bone = 4, Body = 5;

    /// <summary>Checks the request and refuses it (before allocating) with a message naming the value.</summary>
    public static RegionOfInterest Validate(ZoneRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var table = request.Labels.Table;
        if (table.ValuesWithRole(LabelRole.Liver).Count == 0)
        {
            throw new AblationInputException("label-table: no label has the role \"liver\"; the simulator needs the liver to place tissue properties.");
        }

        var setting = request.Setting;
        var device = request.Device;
        if (device.Modality is not (AblationModality.Mwa or AblationModality.Rfa))
        {
            throw new AblationInputException($"--device {device.Id}: {DeviceCatalogue.ModalityName(device.Modality)} is not a heating modality; the thermal validation covers mwa and rfa (cryoablation and ire have their own predictors).");
        }

        if ((device.Modality == AblationModality.Mwa && setting.Microwave is null) || (device.Modality == AblationModality.Rfa && setting.Radiofrequency is null))
        {
            throw new AblationInputException($"--setting {setting.Id}: the catalogue has no calibrated model for this setting.");
        }

        if (!double.IsFinite(request.GridMm) || request.GridMm <= 0)
        {
            throw new AblationInputException($"--grid-mm {request.GridMm.ToString(CultureInfo.InvariantCulture)}: the grid spacing must be a positive number of millimetres.");
        }

        if (request.Probes.Count == 0)
        {
            throw new AblationInputException("--probe: at least one probe is needed.");
        }

        var geometry = request.Labels.Labels.Geometry;
        for (var p = 0; p < request.Probes.Count; p++)
        {
            CheckProbe(request, p + 1, request.Probes[p], geometry);
        }

        var roi = RoiFor(request);
        var bytes = BioheatGrid.BytesFor(roi.VoxelCount, device.Modality == AblationModality.Rfa) + (roi.VoxelCount * (sizeof(int) + sizeof(float) + 2))
            + (device.Modality == AblationModality.Mwa ? roi.VoxelCount * MicrowaveField.BytesPerVoxel(request.Probes.Count) : 0);
        var available = Math.Min(request.MaxBytes, (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.8));
        if (roi.VoxelCount > int.MaxValue / 4 || bytes > available)
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture,
                $"--grid-mm {request.GridMm}: a {roi.Nx}x{roi.Ny}x{roi.Nz} block would need {bytes / 1e9:0.0} GB, more than the {available / 1e9:0.0} GB allowed; use a coarser grid."));
        }

        return roi;
    }

    /// <summary>Runs the prediction.</summary>
    public static ZonePrediction Predict(ZoneRequest request, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Device.Modality == AblationModality.Ire)
        {
            return IrePredictor.Predict(request, progress, cancellation);
        }

        if (request.Device.Modality == AblationModality.Cryoablation)
        {
            return CryoPredictor.Predict(request, progress, cancellation);
        }

        var roi = Validate(request);
        var clock = Stopwatch.StartNew();
        var map = request.Labels;
        var (material, roiLabel) = Sample(map, roi);
        var hasVessels = Array.IndexOf(material, Vessel) >= 0;
        var heatedLengthMm = request.Setting.ExpectedZone.LengthMm ?? request.Setting.ExpectedZone.DiameterMm;
        float[]? sinks = null;
        float[]? calibre = null;
        if (hasVessels)
        {
            calibre = LocalCalibre(material, roi);
        }

        var tissues = new[] { "liver", "tumour", "vessel", "lung", "bone", "body" }.Select(n => request.Tissues[n]).ToArray();

        // The SAR does not depend on tissue: the heat-sink run and its no-vessel reference share one (bit for bit).
        var microwave = request.Device.Modality == AblationModality.Mwa ? MicrowaveField.For(SetupFor(request, roi, material, tissues, null, null)) : null;
        ThermalOutcome? withSink = null;
        var runSink = hasVessels && request.HeatSink;
        if (runSink)
        {
            sinks = new float[material.Length];
            for (var n = 0; n < material.Length; n++)
            {
                if (material[n] == Vessel)
                {
                    sinks[n] = (float)VesselHeatSink.SinkCoefficient(calibre![n], heatedLengthMm);
                }
            }

            withSink = ThermalSimulation.Run(SetupFor(request, roi, material, tissues, sinks, microwave), null, Scaled(progress, 0, 0.5), cancellation);
        }

        // The reference run: vessels as liver (also the result of --no-heat-sink).
        var asLiver = (byte[])material.Clone();
        for (var n = 0; n < asLiver.Length; n++)
        {
            if (asLiver[n] == Vessel)
            {
                asLiver[n] = Liver;
            }
        }

        var reference = ThermalSimulation.Run(SetupFor(request, roi, asLiver, tissues, null, microwave), null, Scaled(progress, runSink ? 0.5 : 0, 1), cancellation);
        var result = withSink ?? reference;
        var probe = request.Probes[0];
        var shape = ZoneShape.Measure(roi, result.IsDead, probe);
        var zone = OnInputGrid(map.Labels.Geometry, roi, result);
        var tumours = Tumours(map, zone, roi);
        var vessels = Vessels(request, roi, roiLabel, material, calibre, result, reference, runSink);
        var model = ModelLine(request, runSink, hasVessels);
        return new ZonePrediction
        {
            Zone = zone,
            ZoneVolumeMl = shape.VolumeMl,
            Shape = shape,
            Tumours = tumours,
            Vessels = vessels,
            SimulatedSeconds = result.SimulatedSeconds,
            WallSeconds = clock.Elapsed.TotalSeconds,
            Model = model,
            Roi = roi,
            Outcome = result,
            Caveats = ModelCaveats.For(request.Device.Modality, request.GridMm, vessels),
        };
    }

    private static string ModelLine(ZoneRequest r, bool sink, bool hasVessels)
    {
        var source = r.Device.Modality == AblationModality.Mwa
            ? "microwave line-radiator SAR whose loss falls as tissue dries near 100 C (absorption moves outward), calibrated on homogeneous liver to the catalogue zone"
            : "RF quasi-static potential (CG) with sigma(T) and impedance roll-off near 100 C, calibrated on homogeneous liver";
        var vessels = !hasVessels ? "no vessels in the block" : sink ? "vessels as convective heat sinks (Hausen Nusselt, flow from calibre)" : "vessels simulated as liver (--no-heat-sink)";
        return string.Create(CultureInfo.InvariantCulture,
            $"Pennes bioheat, explicit finite volumes on a {r.GridMm} mm block, {(r.Perfused ? "perfused (in vivo)" : "unperfused (ex vivo)")}; {source}; {vessels}; Arrhenius damage (liver A, Ea), dead at Omega >= 1, {ThermalSimulation.DefaultCooldownSeconds} s cool-down included");
    }

    private static IProgress<double>? Scaled(IProgress<double>? p, double from, double to) =>
        p is null ? null : new ScaledProgress(p, from, to);

    private static ThermalSetup SetupFor(ZoneRequest r, RegionOfInterest roi, byte[] material, TissueProperties[] tissues, float[]? sinks, MicrowaveField? microwave) => new()
    {
        MicrowaveField = microwave,
        Roi = roi,
        Material = material,
        Tissues = tissues,
        VesselSink = sinks,
        Modality = r.Device.Modality,
        Microwave = r.Setting.Microwave,
        Radiofrequency = r.Setting.Radiofrequency,
        Probes = r.Probes,
        HeatingSeconds = (r.Setting.DurationMin ?? 0) * 60,
        Perfused = r.Perfused,
        MaxDegreeOfParallelism = r.MaxDegreeOfParallelism,
    };

    internal static void CheckProbe(ZoneRequest request, int number, ProbePose probe, ImageGeometry g)
    {
        if (!probe.TipLps.IsFinite || !probe.EntryLps.IsFinite || (probe.TipLps - probe.EntryLps).Length < 1e-6)
        {
            throw new AblationInputException($"--probe {number}: tip and entry must be two different finite points.");
        }

        var tipIndex = g.PointLpsToIndex(probe.TipLps);
        if (!Inside(g, tipIndex))
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture,
                $"--probe {number}: the tip ({probe.TipLps.X:0.#}, {probe.TipLps.Y:0.#}, {probe.TipLps.Z:0.#}) LPS mm is outside the label volume."));
        }

        // Walk the shaft from entry to tip in quarter-voxel steps: no bone on the way.
        var bone = request.Labels.Table.ValuesWithRole(LabelRole.Bone).ToHashSet();
        if (bone.Count == 0)
        {
            return;
        }

        var length = (probe.TipLps - probe.EntryLps).Length;
        var step = Math.Min(g.SpacingMm.X, Math.Min(g.SpacingMm.Y, g.SpacingMm.Z)) / 4;
        var u = probe.Axis;
        var labels = request.Labels.Labels;
        for (var t = 0.0; t <= length; t += step)
        {
            var p = probe.EntryLps + u * t;
            var idx = g.PointLpsToIndex(p);
            if (!Inside(g, idx))
            {
                continue;
            }

            var (i, j, k) = Round(g, idx);
            if (bone.Contains(labels[i, j, k]))
            {
                throw new AblationInputException(string.Create(CultureInfo.InvariantCulture,
                    $"--probe {number}: the shaft passes through bone (label {labels[i, j, k]}) at ({p.X:0.#}, {p.Y:0.#}, {p.Z:0.#}) LPS mm."));
            }
        }
    }

    private static bool Inside(ImageGeometry g, Vector3D idx) =>
        idx.X > -0.5 && idx.Y > -0.5 && idx.Z > -0.5 && idx.X < g.Size.I - 0.5 && idx.Y < g.Size.J - 0.5 && idx.Z < g.Size.K - 0.5;

    // Round half up (not to even): a block offset by half a voxel then samples every structure with the same shift.
    private static (int I, int J, int K) Round(ImageGeometry g, Vector3D idx) => (
        Math.Clamp((int)Math.Floor(idx.X + 0.5), 0, g.Size.I - 1),
        Math.Clamp((int)Math.Floor(idx.Y + 0.5), 0, g.Size.J - 1),
        Math.Clamp((int)Math.Floor(idx.Z + 0.5), 0, g.Size.K - 1));

    /// <summary>The block: centred on the mean expected zone centre, the expected zone plus 20 mm each side (and the probes' spread).</summary>
    internal static RegionOfInterest RoiFor(ZoneRequest r)
    {
        var offset = HomogeneousLiver.ExpectedCentreOffsetMm(r.Device, r.Setting);
        var centres = r.Probes.Select(p => p.TipLps - p.Axis * offset).ToList();
        var mean = centres.Aggregate(Vector3D.Zero, (a, b) => a + b) * (1.0 / centres.Count);
        var spread = centres.Max(c => (c - mean).Length);
        var zone = r.Setting.ExpectedZone;
        var side = r.RoiMm ?? (Math.Max(zone.LengthMm ?? zone.DiameterMm, zone.DiameterMm) + (2 * HomogeneousLiver.RoiMarginMm) + (2 * spread));
        return RegionOfInterest.Cube(mean, side, r.GridMm);
    }

    internal static (byte[] Material, int[] Label) Sample(LabelMap map, RegionOfInterest roi)
    {
        var g = map.Labels.Geometry;
        var lookup = new Dictionary<int, byte>();
        foreach (var e in map.Table.Entries)
        {
            lookup[e.Value] = TissueTable.TissueNameFor(e.Role) switch
            {
                "liver" => Liver,
                "tumour" => Tumour,
                "vessel" => Vessel,
                "lung" => Lung,
                "bone" => Bone,
                _ => Body,
            };
        }

        var material = new byte[roi.VoxelCount];
        var label = new int[roi.VoxelCount];
        var labels = map.Labels;
        Parallel.For(0, roi.Nz, k =>
        {
            for (var j = 0; j < roi.Ny; j++)
            {
                for (var i = 0; i < roi.Nx; i++)
                {
                    var n = ((k * roi.Ny) + j) * roi.Nx + i;
                    var idx = g.PointLpsToIndex(roi.PointLps(i, j, k));
                    if (!Inside(g, idx))
                    {
                        material[n] = Body;
                        continue;
                    }

                    var (a, b, c) = Round(g, idx);
                    var value = labels[a, b, c];
                    label[n] = value;
                    material[n] = value == 0 ? Body : lookup.GetValueOrDefault(value, Body);
                }
            }
        });
        return (material, label);
    }

    /// <summary>
    /// Local calibre of every vessel voxel: twice the largest inside distance (distance to the nearest non-vessel voxel
    /// centre, minus half a voxel) within reach, i.e. of the centreline running through that part of the vessel.
    /// </summary>
    internal static float[] LocalCalibre(byte[] material, RegionOfInterest roi)
    {
        var geometry = roi.Geometry;
        var mask = new Volume<byte>(geometry);
        for (var n = 0; n < material.Length; n++)
        {
            mask.Buffer[n] = material[n] == Vessel ? (byte)1 : (byte)0;
        }

        var inside = EuclideanDistance.ToBackground(mask).Buffer;
        var h = roi.SpacingMm;
        var calibre = new float[material.Length];
        Parallel.For(0, roi.Nz, k =>
        {
            for (var j = 0; j < roi.Ny; j++)
            {
                for (var i = 0; i < roi.Nx; i++)
                {
                    var n = ((k * roi.Ny) + j) * roi.Nx + i;
                    if (material[n] != Vessel)
                    {
                        continue;
                    }

                    // The centreline of this voxel's vessel lies within the largest radius seen nearby.
                    var best = inside[n];
                    var w = (int)Math.Ceiling(Math.Min(15.0, best + h) / h) + 1;
                    for (var dz = -w; dz <= w; dz++)
                    {
                        for (var dy = -w; dy <= w; dy++)
                        {
                            for (var dx = -w; dx <= w; dx++)
                            {
                                int a = i + dx, b = j + dy, c = k + dz;
                                if (a < 0 || b < 0 || c < 0 || a >= roi.Nx || b >= roi.Ny || c >= roi.Nz)
                                {
                                    continue;
                                }

                                var m = ((c * roi.Ny) + b) * roi.Nx + a;
                                var d = inside[m];
                                if (d > best && material[m] == Vessel && Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz)) * h <= d + (0.5 * h))
                                {
                                    best = d;
                                }
                            }
                        }
                    }

                    calibre[n] = (float)Math.Max(h, (2 * best) - h);
                }
            }
        });
        return calibre;
    }

    internal static Volume<byte> OnInputGrid(ImageGeometry g, RegionOfInterest roi, ThermalOutcome outcome)
    {
        var zone = new Volume<byte>(g);
        var (lo, hi) = RoiBoxOnGrid(g, roi);
        var buffer = zone.Buffer;
        Parallel.For(lo.K, hi.K + 1, k =>
        {
            for (var j = lo.J; j <= hi.J; j++)
            {
                for (var i = lo.I; i <= hi.I; i++)
                {
                    if (roi.Nearest(g.IndexToPointLps(i, j, k)) is { } v && outcome.IsDead(((v.K * roi.Ny) + v.J) * roi.Nx + v.I))
                    {
                        buffer[g.Size.LinearIndex(i, j, k)] = 1;
                    }
                }
            }
        });
        return zone;
    }

    private static ((int I, int J, int K) Lo, (int I, int J, int K) Hi) RoiBoxOnGrid(ImageGeometry g, RegionOfInterest roi)
    {
        double[] lo = [double.MaxValue, double.MaxValue, double.MaxValue], hi = [double.MinValue, double.MinValue, double.MinValue];
        foreach (var ci in new[] { 0, roi.Nx - 1 })
        {
            foreach (var cj in new[] { 0, roi.Ny - 1 })
            {
                foreach (var ck in new[] { 0, roi.Nz - 1 })
                {
                    var idx = g.PointLpsToIndex(roi.PointLps(ci, cj, ck));
                    for (var a = 0; a < 3; a++)
                    {
                        lo[a] = Math.Min(lo[a], idx[a]);
                        hi[a] = Math.Max(hi[a], idx[a]);
                    }
                }
            }
        }

        return (
            (Math.Clamp((int)Math.Floor(lo[0]), 0, g.Size.I - 1), Math.Clamp((int)Math.Floor(lo[1]), 0, g.Size.J - 1), Math.Clamp((int)Math.Floor(lo[2]), 0, g.Size.K - 1)),
            (Math.Clamp((int)Math.Ceiling(hi[0]), 0, g.Size.I - 1), Math.Clamp((int)Math.Ceiling(hi[1]), 0, g.Size.J - 1), Math.Clamp((int)Math.Ceiling(hi[2]), 0, g.Size.K - 1)));
    }

    internal static List<TumourCoverage> Tumours(LabelMap map, Volume<byte> zone, RegionOfInterest roi)
    {
        var g = map.Labels.Geometry;
        var tumourValues = map.Table.ValuesWithRole(LabelRole.Tumour).ToHashSet();
        var result = new List<TumourCoverage>();
        if (tumourValues.Count == 0)
        {
            return result;
        }

        var mask = new Volume<byte>(g);
        var labels = map.Labels.Buffer;
        for (var n = 0; n < labels.Length; n++)
        {
            mask.Buffer[n] = tumourValues.Contains(labels[n]) ? (byte)1 : (byte)0;
        }

        var (components, count) = ConnectedComponents.Label26(mask);
        var (lo, hi) = RoiBoxOnGrid(g, roi);
        var cropSize = new VolumeSize(hi.I - lo.I + 1, hi.J - lo.J + 1, hi.K - lo.K + 1);
        var cropGeometry = new ImageGeometry(cropSize, g.SpacingMm, g.IndexToPointLps(lo.I, lo.J, lo.K), g.Direction);
        var cropZone = new Volume<byte>(cropGeometry);
        var anyZone = false;
        for (var k = 0; k < cropSize.K; k++)
        {
            for (var j = 0; j < cropSize.J; j++)
            {
                for (var i = 0; i < cropSize.I; i++)
                {
                    var z = zone[lo.I + i, lo.J + j, lo.K + k];
                    cropZone[i, j, k] = z;
                    anyZone |= z != 0;
                }
            }
        }

        // Signed distance to the zone: negative inside. The margin of a tumour is minus its worst voxel's value.
        var signed = anyZone ? EuclideanDistance.Signed(cropZone).Buffer : null;
        var total = new long[count + 1];
        var covered = new long[count + 1];
        var worst = new double[count + 1];
        var inCrop = new bool[count + 1];
        Array.Fill(worst, double.MinValue);
        var comp = components.Buffer;
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    var n = g.Size.LinearIndex(i, j, k);
                    var c = comp[n];
                    if (c == 0)
                    {
                        continue;
                    }

                    total[c]++;
                    if (zone.Buffer[n] != 0)
                    {
                        covered[c]++;
                    }

                    if (i >= lo.I && i <= hi.I && j >= lo.J && j <= hi.J && k >= lo.K && k <= hi.K)
                    {
                        inCrop[c] = true;
                        if (signed is not null)
                        {
                            worst[c] = Math.Max(worst[c], signed[cropSize.LinearIndex(i - lo.I, j - lo.J, k - lo.K)]);
                        }
                    }
                    else
                    {
                        worst[c] = double.MaxValue; // part of the tumour lies outside the block: not covered there
                    }
                }
            }
        }

        for (var c = 1; c <= count; c++)
        {
            double? margin = !inCrop[c] || signed is null || worst[c] == double.MaxValue ? null : -worst[c];
            result.Add(new TumourCoverage($"T{c}", 100.0 * covered[c] / total[c], margin));
        }

        return result;
    }

    private static List<VesselEffect> Vessels(ZoneRequest r, RegionOfInterest roi, int[] roiLabel, byte[] material, float[]? calibre, ThermalOutcome result, ThermalOutcome reference, bool compared)
    {
        var list = new List<VesselEffect>();
        if (calibre is null)
        {
            return list;
        }

        var offset = HomogeneousLiver.ExpectedCentreOffsetMm(r.Device, r.Setting);
        foreach (var value in r.Labels.Table.Entries.Where(e => e.Role.IsVessel()).Select(e => e.Value))
        {
            double best = double.MaxValue;
            var bestVoxel = -1;
            ProbePose? bestProbe = null;
            var n = 0;
            for (var k = 0; k < roi.Nz; k++)
            {
                for (var j = 0; j < roi.Ny; j++)
                {
                    for (var i = 0; i < roi.Nx; i++, n++)
                    {
                        if (roiLabel[n] != value || material[n] != Vessel)
                        {
                            continue;
                        }

                        var p = roi.PointLps(i, j, k);
                        foreach (var probe in r.Probes)
                        {
                            // The heated part of the shaft: tip to twice the zone-centre offset back.
                            var u = probe.Axis;
                            var s = Math.Clamp(-(p - probe.TipLps).Dot(u), 0, Math.Max(2 * offset, roi.SpacingMm));
                            var axisPoint = probe.TipLps - u * s;
                            var d = (p - axisPoint).Length;
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
            var uu = bestProbe!.Axis;

            // Reach is compared at the level of the zone's centre (its widest part), toward the vessel across the shaft.
            var centre = bestProbe.TipLps - uu * offset;
            var towards = roi.PointLps(vi, vj, vk) - centre;
            towards -= uu * towards.Dot(uu);
            var shrink = 0.0;
            if (compared && towards.Length > 1e-9)
            {
                var dir = towards * (1 / towards.Length);
                bool Lumen(int v) => material[v] == Vessel;

                // Without vessels the lumen is liver and counts as tissue; with them the zone may wrap round the lumen.
                shrink = ZoneShape.Reach(roi, reference.IsDead, centre, dir) - ZoneShape.Reach(roi, result.IsDead, centre, dir, Lumen);
            }

            list.Add(new VesselEffect(value, calibre[bestVoxel], Math.Max(0, best - (0.5 * roi.SpacingMm)), shrink));
        }

        return list;
    }
}

/// <summary>Maps a run's 0–1 progress into a part of the whole, on the caller's thread.</summary>
internal sealed class ScaledProgress(IProgress<double> inner, double from, double to) : IProgress<double>
{
    public void Report(double value) => inner.Report(from + ((to - from) * value));
}
