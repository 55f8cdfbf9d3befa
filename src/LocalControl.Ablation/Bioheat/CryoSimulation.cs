using LocalControl.Ablation.Devices;

namespace LocalControl.Ablation.Bioheat;

/// <summary>Everything one freezing run needs, on the region of interest.</summary>
public sealed record CryoSetup
{
    /// <summary>The simulation block.</summary>
    public required RegionOfInterest Roi { get; init; }

    /// <summary>Tissue of every ROI voxel, as an index into <see cref="Tissues"/> and <see cref="Freezing"/>.</summary>
    public required byte[] Material { get; init; }

    /// <summary>Unfrozen properties of the tissues <see cref="Material"/> indexes.</summary>
    public required IReadOnlyList<TissueProperties> Tissues { get; init; }

    /// <summary>Frozen properties and water of the same tissues.</summary>
    public required IReadOnlyList<FreezingProperties> Freezing { get; init; }

    /// <summary>Vessel convection W_v per ROI voxel (W/m³/K); null = none.</summary>
    public float[]? VesselSink { get; init; }

    /// <summary>The cryoprobes.</summary>
    public required IReadOnlyList<ProbePose> Probes { get; init; }

    /// <summary>The probe model (surface temperature, freezing segment).</summary>
    public required CryoModel Probe { get; init; }

    /// <summary>Probe diameter (mm).</summary>
    public required double ProbeDiameterMm { get; init; }

    /// <summary>Freeze time (s): a single freeze, the probes held at <see cref="CryoModel.ProbeCelsius"/> throughout.</summary>
    public required double FreezeSeconds { get; init; }

    /// <summary>Perfusion on (in vivo) or off (phantom, ex vivo).</summary>
    public bool Perfused { get; init; } = true;

    /// <summary>Initial temperature and that of the block's outer layer (°C).</summary>
    public double BodyTemperatureCelsius { get; init; } = TissueTable.BloodTemperatureCelsius;

    /// <summary>Solidus (°C): tissue is fully frozen below it.</summary>
    public double SolidusCelsius { get; init; } = CryoSimulation.TissueSolidusCelsius;

    /// <summary>Liquidus (°C): tissue starts to freeze below it.</summary>
    public double LiquidusCelsius { get; init; } = CryoSimulation.TissueLiquidusCelsius;

    /// <summary>Record the energy ledger (slower; for verification).</summary>
    public bool TrackEnergy { get; init; }

    /// <summary>Threads (null = all cores).</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>
    /// Sweep only the part of the block the cold has reached (<see cref="CryoSimulation.DisturbanceCelsius"/>), re-found
    /// every <see cref="CryoSimulation.BoxEvery"/> steps; false sweeps the whole block every step (for comparison).
    /// </summary>
    public bool NarrowUpdate { get; init; } = true;

    /// <summary>
    /// The probe surface between voxel centres (<see cref="CryoSimulation.ProbeSurface"/>); false holds the staircase of
    /// voxels within max(d/2, √3/2·h) of the axis, as versions before 2026.12.4 did (for comparison only).
    /// </summary>
    public bool SubVoxelProbe { get; init; } = true;
}

/// <summary>Energy bookkeeping of a freezing run (J): stored change (sensible + latent) = heat in through held voxels + from blood.</summary>
/// <param name="StoredJ">Σ (H_end − H_start)·V over updated voxels, latent heat included (negative: heat removed).</param>
/// <param name="ProbeJ">Heat conducted from the probes into tissue (negative: the probes extract it).</param>
/// <param name="BoundaryJ">Heat conducted in from the block's outer layer.</param>
/// <param name="BloodJ">Heat brought by perfusion and vessels, f·W·(T_b − T).</param>
public sealed record CryoEnergyLedger(double StoredJ, double ProbeJ, double BoundaryJ, double BloodJ)
{
    /// <summary>|stored − (probe + boundary + blood)| / |probe|.</summary>
    public double RelativeImbalance => Math.Abs(StoredJ - (ProbeJ + BoundaryJ + BloodJ)) / Math.Max(Math.Abs(ProbeJ), 1e-30);
}

/// <summary>What a freezing run produced on the ROI.</summary>
public sealed record CryoOutcome
{
    /// <summary>The lowest temperature each voxel reached (°C).</summary>
    public required float[] MinTemperature { get; init; }

    /// <summary>Temperature at the end of the freeze (°C).</summary>
    public required float[] FinalTemperature { get; init; }

    /// <summary>Voxels held at the probe temperature.</summary>
    public required bool[] ProbeVoxel { get; init; }

    /// <summary>Simulated time (s).</summary>
    public required double SimulatedSeconds { get; init; }

    /// <summary>Time step (s).</summary>
    public required double TimeStepSeconds { get; init; }

    /// <summary>Voxel updates performed (the swept boxes).</summary>
    public required long VoxelUpdates { get; init; }

    /// <summary>Voxel updates a sweep of the whole block every step would have taken.</summary>
    public long FullBlockVoxelUpdates { get; init; }

    /// <summary>The ledger, when tracked.</summary>
    public CryoEnergyLedger? Energy { get; init; }

    /// <summary>True where the voxel reached <paramref name="lethalCelsius"/> or colder.</summary>
    public bool Reached(int n, double lethalCelsius) => MinTemperature[n] <= lethalCelsius;
}

/// <summary>
/// Cryoablation: Pennes bioheat with phase change by the enthalpy method (<see cref="CryoGrid"/>, <see cref="ICryoKernel"/>),
/// the freezing segment of each probe held at the probe's surface temperature, perfusion and vessel convection off in
/// frozen tissue, and the lethal zone read from the lowest temperature each voxel reached.
/// </summary>
public static class CryoSimulation
{
    /// <summary>Tissue solidus (°C): the mushy range −8 to −1 °C of cryosurgery models (Rabin &amp; Shitzer 1998; Deng &amp; Liu 2004).</summary>
    public const double TissueSolidusCelsius = -8;

    /// <summary>Tissue liquidus (°C).</summary>
    public const double TissueLiquidusCelsius = -1;

    /// <summary>Agar gel solidus (°C): a nearly pure water gel freezes over a narrow range; −1 to 0 °C is this model's choice.</summary>
    public const double GelSolidusCelsius = -1;

    /// <summary>Agar gel liquidus (°C).</summary>
    public const double GelLiquidusCelsius = 0;

    /// <summary>
    /// A voxel counts as reached by the freeze once it is this far (K) from its initial temperature; the swept box is
    /// every such voxel's bounding box grown by <see cref="BoxEvery"/> + 1 voxels (the stencil moves a change one voxel
    /// per step), so what lies outside it has moved by less than this.
    /// </summary>
    public const float DisturbanceCelsius = 1e-4f;

    /// <summary>Steps between two searches for the swept box.</summary>
    public const int BoxEvery = 16;

    /// <summary>Largest time step used (s), whatever the stability limit allows.</summary>
    public const double MaxTimeStepSeconds = 1;

    /// <summary>
    /// Held voxels lie at most this fraction of a voxel outside the probe surface; every updated neighbour is then at
    /// least this far from it, so the sub-voxel conductance k/(θh²) stays bounded (θ ≥ 0.5: at most twice a face's).
    /// </summary>
    public const double HeldWithinVoxels = 0.5;

    /// <summary>The voxels held at the probe temperature (see <see cref="ProbeSurface"/>).</summary>
    public static bool[] ProbeVoxels(RegionOfInterest roi, IReadOnlyList<ProbePose> probes, CryoModel model, double probeDiameterMm, bool subVoxel = true) =>
        ProbeSurface(roi, probes, model, probeDiameterMm, subVoxel).Held;

    /// <summary>
    /// The probes' freezing segments on the grid. The surface is the capsule of radius d/2 round each segment, described by
    /// its signed distance φ (negative inside). With <paramref name="subVoxel"/> the voxels with φ &lt; h/2 are held at the
    /// probe temperature, and each updated voxel i next to a held probe voxel j gets <c>gain += 1/θ − 1</c> with
    /// θ = φ_i/(φ_i − φ_j), where the linear interpolant of φ along the face crosses zero (clamped to [0.5, 1.5]), so the
    /// face conducts k/(θh²) to the surface instead of k/h² to the voxel centre (Shortley &amp; Weller 1938; Gibou et al.,
    /// J Comput Phys 2002;176:205). Without it (the staircase of earlier versions, kept for comparison) the voxels whose
    /// centres lie within max(d/2, √3/2·h) of a segment are held and the gain is zero.
    /// </summary>
    public static (bool[] Held, float[] Gain) ProbeSurface(RegionOfInterest roi, IReadOnlyList<ProbePose> probes, CryoModel model, double probeDiameterMm, bool subVoxel = true)
    {
        ArgumentNullException.ThrowIfNull(roi);
        ArgumentNullException.ThrowIfNull(probes);
        ArgumentNullException.ThrowIfNull(model);
        var h = roi.SpacingMm;
        var r = probeDiameterMm / 2;
        var heldBelow = subVoxel ? HeldWithinVoxels * h : Math.Max(r, h * Math.Sqrt(3) / 2) - r;
        var nx = roi.Nx;
        var ny = roi.Ny;
        var plane = nx * ny;
        var phi = new float[roi.VoxelCount];
        var held = new bool[roi.VoxelCount];
        var start = model.FreezeOffsetMm;
        var end = model.FreezeOffsetMm + model.FreezeLengthMm;
        Parallel.For(0, roi.Nz, k =>
        {
            for (var j = 0; j < ny; j++)
            {
                for (var i = 0; i < nx; i++)
                {
                    var p = roi.PointLps(i, j, k);
                    var best = double.MaxValue;
                    foreach (var probe in probes)
                    {
                        var u = probe.Axis;
                        var d = p - probe.TipLps;
                        var s = Math.Clamp(-d.Dot(u), start, end);
                        best = Math.Min(best, (d + u * s).Length - r);
                    }

                    var n = (k * plane) + (j * nx) + i;
                    phi[n] = (float)best;
                    var interior = i > 0 && j > 0 && k > 0 && i < nx - 1 && j < ny - 1 && k < roi.Nz - 1;
                    held[n] = interior && best <= heldBelow;
                }
            }
        });

        var gain = new float[roi.VoxelCount];
        if (!subVoxel)
        {
            return (held, gain);
        }

        Parallel.For(1, roi.Nz - 1, k =>
        {
            for (var j = 1; j < ny - 1; j++)
            {
                for (var i = 1; i < nx - 1; i++)
                {
                    var n = (k * plane) + (j * nx) + i;
                    if (held[n])
                    {
                        continue;
                    }

                    var g = Face(n, n - 1) + Face(n, n + 1) + Face(n, n - nx) + Face(n, n + nx) + Face(n, n - plane) + Face(n, n + plane);
                    gain[n] = (float)g;
                }
            }
        });

        return (held, gain);

        double Face(int n, int m)
        {
            if (!held[m])
            {
                return 0;
            }

            var theta = Math.Clamp(phi[n] / (double)(phi[n] - phi[m]), HeldWithinVoxels, 1 + HeldWithinVoxels);
            return (1 / theta) - 1;
        }
    }

    /// <summary>Runs the freeze.</summary>
    public static CryoOutcome Run(CryoSetup setup, ICryoKernel? kernel = null, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(setup);
        kernel ??= new SimdCryoKernel(setup.MaxDegreeOfParallelism);
        var roi = setup.Roi;
        var grid = new CryoGrid(roi.Nx, roi.Ny, roi.Nz, roi.SpacingMm * 1e-3, setup.SolidusCelsius, setup.LiquidusCelsius);
        var (probe, gain) = ProbeSurface(roi, setup.Probes, setup.Probe, setup.ProbeDiameterMm, setup.SubVoxelProbe);
        Array.Copy(gain, grid.ProbeGain, gain.Length);
        grid.ProbeCelsius = setup.Probe.ProbeCelsius;
        var any = false;
        foreach (var p in probe)
        {
            any |= p;
        }

        if (!any)
        {
            throw new ArgumentException("The cryoprobes' freezing segments do not fall on any voxel of the grid.");
        }

        var bloodRhoC = TissueTable.BloodDensityKgPerM3 * TissueTable.BloodSpecificHeatJPerKgK;
        var plane = roi.Nx * roi.Ny;
        var options = new ParallelOptions { MaxDegreeOfParallelism = setup.MaxDegreeOfParallelism ?? Environment.ProcessorCount };
        Parallel.For(0, roi.Nz, options, k =>
        {
            for (var v = k * plane; v < (k + 1) * plane; v++)
            {
                var m = setup.Material[v];
                var t = setup.Tissues[m];
                var f = setup.Freezing[m];
                grid.UnfrozenConductivity[v] = (float)t.ConductivityWPerMK;
                grid.FrozenConductivity[v] = (float)f.FrozenConductivityWPerMK;
                grid.UnfrozenHeatCapacity[v] = (float)(t.DensityKgPerM3 * t.SpecificHeatJPerKgK);
                grid.FrozenHeatCapacity[v] = (float)f.FrozenHeatCapacityJPerM3K;
                grid.LatentHeat[v] = (float)f.LatentHeatJPerM3(t.DensityKgPerM3);
                grid.Sink[v] = (float)((setup.Perfused ? t.PerfusionPerS * bloodRhoC : 0) + (setup.VesselSink?[v] ?? 0));
                var i = v % roi.Nx;
                var j = v / roi.Nx % roi.Ny;
                var outer = i == 0 || j == 0 || k == 0 || i == roi.Nx - 1 || j == roi.Ny - 1 || k == roi.Nz - 1;
                grid.Active[v] = outer || probe[v] ? 0 : 1;
                grid.Temperature[v] = (float)(probe[v] ? setup.Probe.ProbeCelsius : setup.BodyTemperatureCelsius);
            }
        });
        grid.Initialise();

        var dtMax = Math.Min(MaxTimeStepSeconds, grid.StableTimeStepSeconds());
        var steps = Math.Max(1, (int)Math.Ceiling(setup.FreezeSeconds / dtMax));
        var dt = setup.FreezeSeconds / steps;
        var initialH = setup.TrackEnergy ? StoredEnthalpy(grid) : 0;
        double probeJ = 0, boundaryJ = 0, bloodJ = 0;
        var reportEvery = Math.Max(1, steps / 20);

        // Undisturbed tissue at body temperature stays there only if blood pulls it nowhere: narrow the sweep then.
        var narrow = setup.NarrowUpdate && (setup.BodyTemperatureCelsius == grid.BloodCelsius || !HasSink(grid));
        var planeBox = narrow ? new int[roi.Nz * 6] : [];
        long updates = 0;
        for (var step = 0; step < steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            if (narrow && step % BoxEvery == 0)
            {
                grid.UpdateBox = GrowBox(grid, (float)setup.BodyTemperatureCelsius, planeBox, grid.UpdateBox, step == 0);
            }

            var b = grid.UpdateBox;
            updates += (long)(b.IHi - b.ILo + 1) * (b.JHi - b.JLo + 1) * (b.KHi - b.KLo + 1);
            if (setup.TrackEnergy)
            {
                var (fromProbe, fromBoundary, fromBlood) = Fluxes(grid, probe);
                probeJ += fromProbe * dt;
                boundaryJ += fromBoundary * dt;
                bloodJ += fromBlood * dt;
            }

            kernel.Step(grid, (float)dt);
            if (step % reportEvery == 0 || step == steps - 1)
            {
                progress?.Report((step + 1) / (double)steps);
            }
        }

        CryoEnergyLedger? ledger = setup.TrackEnergy ? new CryoEnergyLedger(StoredEnthalpy(grid) - initialH, probeJ, boundaryJ, bloodJ) : null;
        return new CryoOutcome
        {
            MinTemperature = grid.MinTemperature,
            FinalTemperature = grid.Temperature,
            ProbeVoxel = probe,
            SimulatedSeconds = steps * dt,
            TimeStepSeconds = dt,
            VoxelUpdates = updates,
            FullBlockVoxelUpdates = (long)(roi.Nx - 2) * (roi.Ny - 2) * (roi.Nz - 2) * steps,
            Energy = ledger,
        };
    }

    private static bool HasSink(CryoGrid grid)
    {
        foreach (var w in grid.Sink)
        {
            if (w != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The swept box: the bounding box of the voxels more than <see cref="DisturbanceCelsius"/> from <paramref name="initial"/>
    /// (the probes among them), grown by <see cref="BoxEvery"/> + 1, clipped to the interior and never smaller than before.
    /// </summary>
    internal static (int ILo, int IHi, int JLo, int JHi, int KLo, int KHi) GrowBox(CryoGrid g, float initial, int[] planeBox, (int ILo, int IHi, int JLo, int JHi, int KLo, int KHi) previous, bool first)
    {
        var nx = g.Nx;
        var ny = g.Ny;
        var t = g.Temperature;
        Parallel.For(1, g.Nz - 1, k =>
        {
            int iLo = int.MaxValue, iHi = -1, jLo = int.MaxValue, jHi = -1;
            for (var j = 1; j < ny - 1; j++)
            {
                var row = ((k * ny) + j) * nx;
                for (var i = 1; i < nx - 1; i++)
                {
                    if (MathF.Abs(t[row + i] - initial) > DisturbanceCelsius)
                    {
                        iLo = Math.Min(iLo, i);
                        iHi = Math.Max(iHi, i);
                        jLo = Math.Min(jLo, j);
                        jHi = Math.Max(jHi, j);
                    }
                }
            }

            planeBox[(k * 6) + 0] = iLo;
            planeBox[(k * 6) + 1] = iHi;
            planeBox[(k * 6) + 2] = jLo;
            planeBox[(k * 6) + 3] = jHi;
        });

        int bILo = int.MaxValue, bIHi = -1, bJLo = int.MaxValue, bJHi = -1, bKLo = int.MaxValue, bKHi = -1;
        for (var k = 1; k < g.Nz - 1; k++)
        {
            if (planeBox[(k * 6) + 1] < 0)
            {
                continue;
            }

            bILo = Math.Min(bILo, planeBox[k * 6]);
            bIHi = Math.Max(bIHi, planeBox[(k * 6) + 1]);
            bJLo = Math.Min(bJLo, planeBox[(k * 6) + 2]);
            bJHi = Math.Max(bJHi, planeBox[(k * 6) + 3]);
            bKLo = Math.Min(bKLo, k);
            bKHi = Math.Max(bKHi, k);
        }

        if (bIHi < 0)
        {
            return previous;
        }

        const int Grow = BoxEvery + 1;
        var box = (
            Math.Max(1, bILo - Grow), Math.Min(nx - 2, bIHi + Grow),
            Math.Max(1, bJLo - Grow), Math.Min(ny - 2, bJHi + Grow),
            Math.Max(1, bKLo - Grow), Math.Min(g.Nz - 2, bKHi + Grow));
        return first ? box : (
            Math.Min(box.Item1, previous.ILo), Math.Max(box.Item2, previous.IHi),
            Math.Min(box.Item3, previous.JLo), Math.Max(box.Item4, previous.JHi),
            Math.Min(box.Item5, previous.KLo), Math.Max(box.Item6, previous.KHi));
    }

    /// <summary>Σ H(T)·V over the updated voxels (J).</summary>
    internal static double StoredEnthalpy(CryoGrid grid)
    {
        var s = 0.0;
        for (var n = 0; n < grid.Count; n++)
        {
            if (grid.Active[n] > 0)
            {
                s += grid.Enthalpy(n, grid.Temperature[n]);
            }
        }

        return s * grid.VoxelVolumeM3;
    }

    /// <summary>
    /// Heat flows (W) into the updated voxels this step, exactly as the kernel's explicit update takes them: conduction
    /// from probe voxels (the faces and the sub-voxel surface conductance) and from the outer layer (the kernel's faces),
    /// and f·W·(T_b − T) from blood.
    /// </summary>
    internal static (double Probe, double Boundary, double Blood) Fluxes(CryoGrid grid, bool[] probe)
    {
        double fromProbe = 0, fromBoundary = 0, fromBlood = 0;
        var t = grid.Temperature;
        var kk = grid.Conductivity;
        var plane = grid.Nx * grid.Ny;
        var h = grid.SpacingM;
        for (var k = 1; k < grid.Nz - 1; k++)
        {
            for (var j = 1; j < grid.Ny - 1; j++)
            {
                for (var i = 1; i < grid.Nx - 1; i++)
                {
                    var v = grid.Index(i, j, k);
                    if (grid.Active[v] == 0)
                    {
                        continue;
                    }

                    Face(v, v - 1);
                    Face(v, v + 1);
                    Face(v, v - grid.Nx);
                    Face(v, v + grid.Nx);
                    Face(v, v - plane);
                    Face(v, v + plane);
                    fromProbe += kk[v] * grid.ProbeGain[v] * (grid.ProbeCelsius - t[v]);
                    fromBlood += grid.LiquidFraction(t[v]) * grid.Sink[v] * (grid.BloodCelsius - t[v]);
                }
            }
        }

        return (fromProbe * h, fromBoundary * h, fromBlood * grid.VoxelVolumeM3);

        void Face(int v, int w)
        {
            if (grid.Active[w] > 0)
            {
                return;
            }

            var q = 0.5 * (kk[v] + kk[w]) * (t[w] - t[v]); // × h (k ΔT / h · h²) applied at the end
            if (probe[w])
            {
                fromProbe += q;
            }
            else
            {
                fromBoundary += q;
            }
        }
    }
}
