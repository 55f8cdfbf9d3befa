using LocalControl.Ablation.Devices;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Bioheat;

/// <summary>A probe placed in the patient: tip and skin entry in LPS millimetres.</summary>
/// <param name="TipLps">The probe tip (LPS mm).</param>
/// <param name="EntryLps">A point on the shaft toward the skin, usually the entry (LPS mm).</param>
public sealed record ProbePose(Vector3D TipLps, Vector3D EntryLps)
{
    /// <summary>Unit vector along the shaft, from the entry toward the tip.</summary>
    public Vector3D Axis
    {
        get
        {
            var d = TipLps - EntryLps;
            var l = d.Length;
            return l > 0 ? d * (1 / l) : throw new ArgumentException("The probe's tip and entry are the same point.");
        }
    }
}

/// <summary>Everything one thermal run needs, on the region of interest.</summary>
public sealed record ThermalSetup
{
    /// <summary>The simulation block.</summary>
    public required RegionOfInterest Roi { get; init; }

    /// <summary>Tissue of every ROI voxel, as an index into <see cref="Tissues"/>.</summary>
    public required byte[] Material { get; init; }

    /// <summary>The tissues <see cref="Material"/> indexes.</summary>
    public required IReadOnlyList<TissueProperties> Tissues { get; init; }

    /// <summary>Vessel convection W_v per ROI voxel (W/m³/K); null = none.</summary>
    public float[]? VesselSink { get; init; }

    /// <summary>Microwave or RF.</summary>
    public required AblationModality Modality { get; init; }

    /// <summary>Microwave SAR parameters.</summary>
    public MicrowaveModel? Microwave { get; init; }

    /// <summary>
    /// The antennas' SAR and path geometry from <see cref="MicrowaveField.For"/> for these probes and this ROI; null = built
    /// by the run. Runs that differ only in tissue (the heat-sink run and its no-vessel reference) share it, bit for bit.
    /// </summary>
    public MicrowaveField? MicrowaveField { get; init; }

    /// <summary>
    /// Microwave: the loss falls as tissue dries near 100 °C and the absorption moves outward (<see cref="Bioheat.MicrowaveDrying"/>);
    /// false = the fixed SAR of the homogeneous antenna pattern (the model before drying, for comparison).
    /// </summary>
    public bool MicrowaveDrying { get; init; } = true;

    /// <summary>RF electrode parameters.</summary>
    public RadiofrequencyModel? Radiofrequency { get; init; }

    /// <summary>The probes (each with the setting's power).</summary>
    public required IReadOnlyList<ProbePose> Probes { get; init; }

    /// <summary>Power-on time (s).</summary>
    public required double HeatingSeconds { get; init; }

    /// <summary>Time after power-off still simulated, while damage keeps accumulating (s).</summary>
    public double CooldownSeconds { get; init; } = ThermalSimulation.DefaultCooldownSeconds;

    /// <summary>Perfusion on (in vivo) or off (ex vivo).</summary>
    public bool Perfused { get; init; } = true;

    /// <summary>Body (and initial) temperature (°C).</summary>
    public double BodyTemperatureCelsius { get; init; } = TissueTable.BloodTemperatureCelsius;

    /// <summary>Record the energy ledger (slower; for verification).</summary>
    public bool TrackEnergy { get; init; }

    /// <summary>Threads (null = all cores).</summary>
    public int? MaxDegreeOfParallelism { get; init; }
}

/// <summary>Energy bookkeeping of a run (J): deposited = stored + perfusion/vessels + outer boundary.</summary>
public sealed record EnergyLedger(double DepositedJ, double StoredJ, double PerfusionAndVesselsJ, double BoundaryJ)
{
    /// <summary>|deposited − (stored + losses)| / deposited.</summary>
    public double RelativeImbalance => Math.Abs(DepositedJ - (StoredJ + PerfusionAndVesselsJ + BoundaryJ)) / Math.Max(DepositedJ, 1e-30);
}

/// <summary>What a thermal run produced on the ROI.</summary>
public sealed record ThermalOutcome
{
    /// <summary>Ω per ROI voxel.</summary>
    public required float[] Damage { get; init; }

    /// <summary>Temperature at the end (°C).</summary>
    public required float[] FinalTemperature { get; init; }

    /// <summary>Highest temperature reached anywhere (°C).</summary>
    public required double PeakTemperatureCelsius { get; init; }

    /// <summary>Simulated time (s), heating plus cool-down.</summary>
    public required double SimulatedSeconds { get; init; }

    /// <summary>Time step used (s).</summary>
    public required double TimeStepSeconds { get; init; }

    /// <summary>Energy deposited (J).</summary>
    public required double DepositedEnergyJ { get; init; }

    /// <summary>The ledger, when tracked.</summary>
    public EnergyLedger? Energy { get; init; }

    /// <summary>RF: potential solves.</summary>
    public int PotentialSolves { get; init; }

    /// <summary>RF: times the generator halved its power because tissue reached 100 °C (roll-off).</summary>
    public int RollOffs { get; init; }

    /// <summary>RF: conjugate-gradient iterations over all potential solves.</summary>
    public int PotentialIterations { get; init; }

    /// <summary>RF: wall time spent in the potential solves (s).</summary>
    public double PotentialSeconds { get; init; }

    /// <summary>MW: times the absorption was recomputed for dried tissue.</summary>
    public int DryingUpdates { get; init; }

    /// <summary>MW: voxels dried (relative loss below 0.999) at the last update.</summary>
    public int DriedVoxels { get; init; }

    /// <summary>Voxel updates performed (for speed figures).</summary>
    public long VoxelUpdates { get; init; }

    /// <summary>True where Ω ≥ 1.</summary>
    public bool IsDead(int n) => Damage[n] >= ArrheniusDamage.LethalDamage;
}

/// <summary>
/// Runs Pennes bioheat with the modality's heat source on a <see cref="ThermalSetup"/>: microwave with an axial SAR
/// pattern, RF with the quasi-static potential, σ(T) and impedance roll-off; Arrhenius damage throughout.
/// </summary>
public static class ThermalSimulation
{
    /// <summary>Cool-down simulated after power-off (s).</summary>
    public const double DefaultCooldownSeconds = 60;

    /// <summary>Internally cooled RF electrode surface temperature (°C): a model assumption (docs/ablation.md).</summary>
    public const double RfCoolantCelsius = 20;

    /// <summary>RF: σ(T) is updated and the potential re-solved every this many simulated seconds.</summary>
    public const double RfResolveSeconds = 10;

    /// <summary>Smallest distance used in the SAR pattern (mm): about the antenna's own radius (a 13-gauge antenna is 2.4 mm across).</summary>
    public const double SarCoreMm = 1.2;

    /// <summary>Runs the simulation.</summary>
    public static ThermalOutcome Run(ThermalSetup setup, IBioheatKernel? kernel = null, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(setup);
        kernel ??= new SimdBioheatKernel(setup.MaxDegreeOfParallelism);
        var roi = setup.Roi;
        var h = roi.SpacingMm * 1e-3;
        var grid = new BioheatGrid(roi.Nx, roi.Ny, roi.Nz, h);
        var n = grid.Count;
        var bloodRhoC = TissueTable.BloodDensityKgPerM3 * TissueTable.BloodSpecificHeatJPerKgK;
        var present = new bool[setup.Tissues.Count];
        foreach (var m in setup.Material)
        {
            present[m] = true;
        }

        var alphaMax = 0.0;
        for (var m = 0; m < present.Length; m++)
        {
            alphaMax = present[m] ? Math.Max(alphaMax, setup.Tissues[m].DiffusivityM2PerS) : alphaMax;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = setup.MaxDegreeOfParallelism ?? Environment.ProcessorCount };
        var plane = roi.Nx * roi.Ny;
        Parallel.For(0, roi.Nz, options, k =>
        {
            for (var v = k * plane; v < (k + 1) * plane; v++)
            {
                var t = setup.Tissues[setup.Material[v]];
                grid.Conductivity[v] = (float)t.ConductivityWPerMK;
                grid.HeatCapacity[v] = (float)(t.DensityKgPerM3 * t.SpecificHeatJPerKgK);
                grid.Sink[v] = (float)((setup.Perfused ? t.PerfusionPerS * bloodRhoC : 0) + (setup.VesselSink?[v] ?? 0));
                grid.Temperature[v] = (float)setup.BodyTemperatureCelsius;
            }
        });

        // Monotone explicit limit Δt ≤ h²/(6α) (perfusion and vessels are implicit), at most 1 s.
        var dtMax = Math.Min(1.0, 0.9 * h * h / (6 * alphaMax));
        var heatingSteps = Math.Max(1, (int)Math.Ceiling(setup.HeatingSeconds / dtMax));
        var dt = setup.HeatingSeconds / heatingSteps;
        var coolSteps = (int)Math.Ceiling(setup.CooldownSeconds / dt);

        // Held voxels keep their temperature: the outer layer (body around the ROI) and cooled electrodes.
        var held = new bool[n];
        for (var k = 0; k < roi.Nz; k++)
        {
            for (var j = 0; j < roi.Ny; j++)
            {
                for (var i = 0; i < roi.Nx; i++)
                {
                    if (i == 0 || j == 0 || k == 0 || i == roi.Nx - 1 || j == roi.Ny - 1 || k == roi.Nz - 1)
                    {
                        held[grid.Index(i, j, k)] = true;
                    }
                }
            }
        }

        PotentialSolver? potential = null;
        MicrowaveDryingState? drying = null;
        switch (setup.Modality)
        {
            case AblationModality.Mwa:
                var field = BuildMicrowaveSource(setup, grid);

                drying = field is null ? null : new MicrowaveDryingState(field, grid.Temperature, setup.MaxDegreeOfParallelism);
                break;
            case AblationModality.Rfa:
                potential = BuildElectrodes(setup, grid, held);
                break;
            default:
                throw new NotSupportedException($"The simulator does not model {DeviceCatalogue.ModalityName(setup.Modality)} yet.");
        }

        for (var v = 0; v < n; v++)
        {
            grid.Next[v] = grid.Temperature[v];
        }

        grid.PrepareCoefficients(dt, held, TissueTable.BloodTemperatureCelsius);
        var initial = setup.TrackEnergy ? (float[])grid.Temperature.Clone() : null;
        double deposited = 0, sinkLoss = 0, boundaryLoss = 0;
        var sourceTotal = SourceTotalW(grid, held);
        var scale = 1.0;
        var solves = 0;
        var rollOffs = 0;
        var potentialIterations = 0;
        var potentialSeconds = 0.0;
        var dryingUpdates = 0;
        double powerFactor = 1, nextSolve = 0, nextDrying = MicrowaveDrying.UpdateSeconds;
        var peak = setup.BodyTemperatureCelsius;
        var totalSteps = heatingSteps + coolSteps;
        var reportEvery = Math.Max(1, totalSteps / 20);

        for (var step = 0; step < totalSteps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var time = step * dt;
            var heating = step < heatingSteps;
            if (potential is not null && heating && time >= nextSolve)
            {
                // Generator control: full power while the hottest tissue stays below boiling; at 100 °C it halves
                // (the roll-off an impedance-controlled generator performs when tissue desiccates), and recovers
                // by 25 % per interval once the peak is below 95 °C.
                var hottest = MaxUpdated(grid, held);
                if (hottest >= 100)
                {
                    powerFactor = Math.Max(0.05, powerFactor * 0.5);
                    rollOffs++;
                }
                else if (hottest < 95)
                {
                    powerFactor = Math.Min(1, powerFactor * 1.25);
                }

                var solveClock = System.Diagnostics.Stopwatch.StartNew();
                var g = SolvePotential(potential, grid, setup, solves == 0 ? 1e-5 : 1e-3);
                potentialSeconds += solveClock.Elapsed.TotalSeconds;
                potentialIterations += potential.LastIterations;
                solves++;
                scale = powerFactor * setup.Radiofrequency!.PowerW / g; // V² for the power at unit-voltage heating
                sourceTotal = SourceTotalW(grid, held);
                nextSolve = time + RfResolveSeconds;
            }

            if (drying is not null && heating && time >= nextDrying)
            {
                // Drying is irreversible and slow next to a step: the absorption is brought up to date every few seconds.
                if (drying.Update(grid.Temperature, grid.Source))
                {
                    sourceTotal = SourceTotalW(grid, held);
                    dryingUpdates++;
                }

                nextDrying = time + MicrowaveDrying.UpdateSeconds;
            }

            var s = heating ? scale : 0;
            if (setup.TrackEnergy)
            {
                deposited += s * sourceTotal * dt;
                boundaryLoss += BoundaryFlux(grid, held) * dt;
            }

            kernel.Step(grid, (float)s, (float)dt);
            if (setup.TrackEnergy)
            {
                sinkLoss += SinkLoss(grid, held) * dt;
            }
            else if (heating)
            {
                deposited += s * sourceTotal * dt;
            }

            if (step % reportEvery == 0 || step == totalSteps - 1)
            {
                peak = Math.Max(peak, Max(grid.Temperature));
                progress?.Report((step + 1) / (double)totalSteps);
            }
        }

        EnergyLedger? ledger = null;
        if (initial is not null)
        {
            var stored = 0.0;
            for (var v = 0; v < n; v++)
            {
                stored += grid.HeatCapacity[v] * (double)(grid.Temperature[v] - initial[v]);
            }

            ledger = new EnergyLedger(deposited, stored * grid.VoxelVolumeM3, sinkLoss, boundaryLoss);
        }

        return new ThermalOutcome
        {
            Damage = grid.Damage,
            FinalTemperature = grid.Temperature,
            PeakTemperatureCelsius = peak,
            SimulatedSeconds = totalSteps * dt,
            TimeStepSeconds = dt,
            DepositedEnergyJ = deposited,
            Energy = ledger,
            PotentialSolves = solves,
            RollOffs = rollOffs,
            PotentialIterations = potentialIterations,
            PotentialSeconds = potentialSeconds,
            DryingUpdates = dryingUpdates,
            DriedVoxels = drying?.DriedVoxels ?? 0,
            VoxelUpdates = (long)(roi.Nx - 2) * (roi.Ny - 2) * (roi.Nz - 2) * totalSteps,
        };
    }

    /// <summary>
    /// Microwave SAR: each antenna is a line of incoherent isotropic radiators spread evenly over its radiating section
    /// (length L centred s_f back from the tip). A point radiator in a lossy medium deposits P e^(−R/δ) / (4π δ R²) at
    /// distance R, δ the power penetration depth; summed along the section this falls as 1/ρ (cylindrical) beside the
    /// antenna and as 1/R² (spherical) beyond its ends, the shape of the near-field SAR of coaxial antennas at 2.45 GHz
    /// (docs/ablation.md). R is floored by the antenna radius r₀. Scaled so the grid receives the calibrated effective power.
    /// </summary>
    /// <returns>The field the drying model needs, or null when drying is off.</returns>
    internal static MicrowaveField? BuildMicrowaveSource(ThermalSetup setup, BioheatGrid grid)
    {
        var field = setup.MicrowaveField ?? MicrowaveField.For(setup);
        var q = field.Source;
        if (q.Length != grid.Count)
        {
            throw new ArgumentException($"The precomputed microwave source has {q.Length} voxels; the grid has {grid.Count}.");
        }

        q.CopyTo(grid.Source, 0);
        return setup.MicrowaveDrying ? field : null;
    }

    /// <summary>
    /// The unnormalised SAR of a line radiator at <paramref name="radialMm"/> across the shaft and <paramref name="alongMm"/>
    /// back from the tip: ∫ e^(−R/δ)/R² ds/L over the radiating section, R² = ρ² + r₀² + (s − a)². With s − a = ρ′ tan θ
    /// the integral is (1/(ρ′ L)) ∫ e^(−ρ′/(δ cos θ)) dθ, a smooth integrand, taken by 16-point Gauss–Legendre; a section of
    /// zero length is the point radiator e^(−R/δ)/R².
    /// </summary>
    internal static double LineRadiator(double radialMm, double alongMm, MicrowaveModel m)
    {
        var rho = Math.Sqrt((radialMm * radialMm) + (SarCoreMm * SarCoreMm));
        var delta = m.PenetrationMm;
        var half = m.RadiatingLengthMm / 2;
        if (half < 1e-6)
        {
            var a = alongMm - m.FeedOffsetMm;
            var r = Math.Sqrt((rho * rho) + (a * a));
            return Math.Exp(-r / delta) / (r * r);
        }

        var theta1 = Math.Atan((m.FeedOffsetMm - half - alongMm) / rho);
        var theta2 = Math.Atan((m.FeedOffsetMm + half - alongMm) / rho);
        var mid = 0.5 * (theta1 + theta2);
        var halfWidth = 0.5 * (theta2 - theta1);
        var sum = 0.0;
        for (var g = 0; g < GaussNodes.Length; g++)
        {
            var theta = mid + (halfWidth * GaussNodes[g]);
            sum += GaussWeights[g] * Math.Exp(-rho / (delta * Math.Cos(theta)));
        }

        return sum * halfWidth / (rho * 2 * half);
    }

    // 16-point Gauss–Legendre nodes and weights on [−1, 1] (Abramowitz & Stegun 25.4.30).
    private static readonly double[] GaussNodes =
    [
        -0.9894009349916499, -0.9445750230732326, -0.8656312023878318, -0.7554044083550030,
        -0.6178762444026438, -0.4580167776572274, -0.2816035507792589, -0.0950125098376374,
        0.0950125098376374, 0.2816035507792589, 0.4580167776572274, 0.6178762444026438,
        0.7554044083550030, 0.8656312023878318, 0.9445750230732326, 0.9894009349916499,
    ];

    private static readonly double[] GaussWeights =
    [
        0.0271524594117541, 0.0622535239386479, 0.0951585116824928, 0.1246289712555339,
        0.1495959888165767, 0.1691565193950025, 0.1826034150449236, 0.1894506104550685,
        0.1894506104550685, 0.1826034150449236, 0.1691565193950025, 0.1495959888165767,
        0.1246289712555339, 0.0951585116824928, 0.0622535239386479, 0.0271524594117541,
    ];

    /// <summary>RF: the electrode voxels (within the shaft radius of the active tip) are held at V = 1 and the coolant temperature.</summary>
    private static PotentialSolver BuildElectrodes(ThermalSetup setup, BioheatGrid grid, bool[] held)
    {
        var rf = setup.Radiofrequency ?? throw new ArgumentException("An RF setting needs its calibrated electrode model.");
        var roi = setup.Roi;
        var solver = new PotentialSolver(roi.Nx, roi.Ny, roi.Nz, grid.SpacingM, setup.MaxDegreeOfParallelism);
        var radius = Math.Max(0.75, 0.6 * roi.SpacingMm);
        var any = false;
        foreach (var probe in setup.Probes)
        {
            var u = probe.Axis;
            for (var k = 1; k < roi.Nz - 1; k++)
            {
                for (var j = 1; j < roi.Ny - 1; j++)
                {
                    for (var i = 1; i < roi.Nx - 1; i++)
                    {
                        var rel = roi.PointLps(i, j, k) - probe.TipLps;
                        var along = -rel.Dot(u);
                        var radial = Math.Sqrt(Math.Max(0, rel.Dot(rel) - (along * along)));
                        if (along >= -0.5 * roi.SpacingMm && along <= rf.ActiveLengthMm && radial <= radius)
                        {
                            var n = grid.Index(i, j, k);
                            solver.Fixed[n] = true;
                            solver.Potential[n] = 1;
                            held[n] = true;
                            grid.Temperature[n] = (float)RfCoolantCelsius;
                            any = true;
                        }
                    }
                }
            }
        }

        if (!any)
        {
            throw new ArgumentException("The RF electrode does not fall on any voxel of the grid.");
        }

        return solver;
    }

    /// <summary>
    /// σ(T) = σ₀ (1 + 0.015 (T − 37)) up to 99 °C, falling by 10⁴ between 99 and 100 °C (desiccation), the form used in
    /// RFA models (Haemmerich et al. 2003; Tungjitkusolmun et al. 2002); then the unit-voltage solve and its heating.
    /// Returns the conductance at 1 V (S).
    /// </summary>
    private static double SolvePotential(PotentialSolver solver, BioheatGrid grid, ThermalSetup setup, double tolerance)
    {
        for (var v = 0; v < grid.Count; v++)
        {
            var s0 = setup.Tissues[setup.Material[v]].ElectricalConductivitySPerM;
            var t = grid.Temperature[v];
            var factor = t < 99 ? 1 + (0.015 * (t - 37)) : t < 100 ? (1 + (0.015 * 62)) * Math.Pow(1e-4, t - 99) : (1 + (0.015 * 62)) * 1e-4;
            solver.Conductivity[v] = (float)(s0 * Math.Max(factor, 1e-4));
        }

        solver.Solve(tolerance);
        return solver.JouleHeating(grid.Source);
    }

    private static double SourceTotalW(BioheatGrid grid, bool[] held)
    {
        // Only updated voxels take up the source; power on held voxels (the electrode itself) goes to the coolant.
        var s = 0.0;
        for (var v = 0; v < grid.Count; v++)
        {
            if (!held[v])
            {
                s += grid.Source[v];
            }
        }

        return s * grid.VoxelVolumeM3;
    }

    private static double SinkLoss(BioheatGrid grid, bool[] held)
    {
        // The semi-implicit step removes W (T' − T_b) on every updated voxel.
        var s = 0.0;
        for (var k = 1; k < grid.Nz - 1; k++)
        {
            for (var j = 1; j < grid.Ny - 1; j++)
            {
                for (var i = 1; i < grid.Nx - 1; i++)
                {
                    var v = grid.Index(i, j, k);
                    if (!held[v])
                    {
                        s += grid.Sink[v] * (grid.Temperature[v] - TissueTable.BloodTemperatureCelsius);
                    }
                }
            }
        }

        return s * grid.VoxelVolumeM3;
    }

    private static double BoundaryFlux(BioheatGrid grid, bool[] held)
    {
        // Heat conducted from updated voxels into held ones (outer layer, cooled electrodes), in W, with the kernel's faces.
        var s = 0.0;
        var t = grid.Temperature;
        var kk = grid.Conductivity;
        var plane = grid.Nx * grid.Ny;
        for (var k = 1; k < grid.Nz - 1; k++)
        {
            for (var j = 1; j < grid.Ny - 1; j++)
            {
                for (var i = 1; i < grid.Nx - 1; i++)
                {
                    var v = grid.Index(i, j, k);
                    if (held[v])
                    {
                        continue;
                    }

                    s += Face(v, v - 1) + Face(v, v + 1) + Face(v, v - grid.Nx) + Face(v, v + grid.Nx) + Face(v, v - plane) + Face(v, v + plane);
                }
            }
        }

        return s * grid.SpacingM; // k ΔT / h · h²

        double Face(int v, int w) => held[w] ? 0.5 * (kk[v] + kk[w]) * (t[v] - t[w]) : 0;
    }

    private static double MaxUpdated(BioheatGrid grid, bool[] held)
    {
        var m = double.MinValue;
        for (var v = 0; v < grid.Count; v++)
        {
            if (!held[v] && grid.Temperature[v] > m)
            {
                m = grid.Temperature[v];
            }
        }

        return m;
    }

    private static double Max(float[] values)
    {
        var m = float.MinValue;
        foreach (var v in values)
        {
            m = Math.Max(m, v);
        }

        return m;
    }
}
