using System.Collections.Concurrent;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Planning;

/// <summary>
/// The search zone of a cryo setting: the lethal zone (≤ the lethal isotherm, −40 °C by default) that the cryo model
/// itself (<see cref="CryoSimulation"/>, the kernel <see cref="CryoPredictor"/> runs) predicts for the setting's probe
/// cluster in homogeneous perfused liver at 37 °C, held as a voxel mask in the cluster's own frame. The catalogue gives
/// only a diameter measured in a 39 °C gel phantom at −30 °C (PMC2762356), which is not the zone in perfused liver, so
/// no ellipsoid is made up from it. Simulated once per (device, setting, grid, isotherm, block margin) and cached for
/// the process (docs/ablation.md, "Cryo clusters").
/// </summary>
/// <remarks>
/// Frame: <c>u</c> along the shafts (entry → tip), <c>w</c> the layout's first axis, <c>v = u × w</c>; the origin is
/// the cluster's zone centre, the mid-point of the freezing segments at the layout's centre. The probes stand at
/// <see cref="LayoutMm"/> (w, v) across the shafts, their tips <see cref="CentreOffsetMm"/> beyond the centre along u.
/// </remarks>
internal sealed class CryoSearchZone
{
    private static readonly ConcurrentDictionary<(string Device, string Setting, double GridMm, double LethalCelsius, double MarginMm), Lazy<CryoSearchZone>> Cache = new();

    private readonly byte[] _lethal;
    private readonly int _nx, _ny, _nz;
    private readonly float _x0, _y0, _z0, _inverseSpacing;

    private CryoSearchZone(byte[] lethal, RegionOfInterest roi, IReadOnlyList<(double W, double V)> layout, double centreOffsetMm, double simulatedSeconds)
    {
        _lethal = lethal;
        _nx = roi.Nx;
        _ny = roi.Ny;
        _nz = roi.Nz;
        _x0 = (float)roi.OriginLps.X;
        _y0 = (float)roi.OriginLps.Y;
        _z0 = (float)roi.OriginLps.Z;
        _inverseSpacing = (float)(1 / roi.SpacingMm);
        SpacingMm = roi.SpacingMm;
        LayoutMm = layout;
        CentreOffsetMm = centreOffsetMm;
        SimulatedSeconds = simulatedSeconds;
        double reachAlong = 0, reachAcross = 0;
        long count = 0;
        var n = 0;
        for (var k = 0; k < roi.Nz; k++)
        {
            for (var j = 0; j < roi.Ny; j++)
            {
                for (var i = 0; i < roi.Nx; i++, n++)
                {
                    if (lethal[n] == 0)
                    {
                        continue;
                    }

                    count++;
                    var p = roi.PointLps(i, j, k);
                    reachAlong = Math.Max(reachAlong, Math.Abs(p.Z) + (roi.SpacingMm / 2));
                    reachAcross = Math.Max(reachAcross, Math.Sqrt((p.X * p.X) + (p.Y * p.Y)) + (roi.SpacingMm / 2));
                }
            }
        }

        HalfLengthMm = reachAlong;
        ReachAcrossMm = reachAcross;
        VolumeMl = count * roi.SpacingMm * roi.SpacingMm * roi.SpacingMm / 1000;
    }

    /// <summary>The template's grid (mm).</summary>
    public double SpacingMm { get; }

    /// <summary>Probe positions across the shafts (mm, in w and v).</summary>
    public IReadOnlyList<(double W, double V)> LayoutMm { get; }

    /// <summary>Distance from the zone centre forward to the tips (mm): the freezing segment's offset plus half its length.</summary>
    public double CentreOffsetMm { get; }

    /// <summary>Farthest lethal voxel edge from the centre along the shafts (mm).</summary>
    public double HalfLengthMm { get; }

    /// <summary>Farthest lethal voxel edge from the cluster's axis (mm).</summary>
    public double ReachAcrossMm { get; }

    /// <summary>Lethal volume in homogeneous liver (mL).</summary>
    public double VolumeMl { get; }

    /// <summary>Freeze simulated (s).</summary>
    public double SimulatedSeconds { get; }

    /// <summary>True when the point (s along u, a along w, b along v; mm from the centre) is lethal in homogeneous liver (nearest voxel).</summary>
    public bool Contains(float s, float a, float b)
    {
        // Template block: u = −z, w = +x, v = u × w = −y.
        var i = (int)MathF.Floor(((a - _x0) * _inverseSpacing) + 0.5f);
        var j = (int)MathF.Floor(((-b - _y0) * _inverseSpacing) + 0.5f);
        var k = (int)MathF.Floor(((-s - _z0) * _inverseSpacing) + 0.5f);
        return (uint)i < (uint)_nx && (uint)j < (uint)_ny && (uint)k < (uint)_nz && _lethal[(((k * _ny) + j) * _nx) + i] != 0;
    }

    /// <summary>The setting's zone, simulated on first use and cached.</summary>
    public static CryoSearchZone For(AblationDevice device, DeviceSetting setting, double gridMm, double lethalCelsius, double marginMm, int? threads, CancellationToken cancellation = default)
    {
        var key = (device.Id, setting.Id, gridMm, lethalCelsius, marginMm);
        var lazy = Cache.GetOrAdd(key, _ => new Lazy<CryoSearchZone>(() => Simulate(device, setting, gridMm, lethalCelsius, marginMm, threads, cancellation), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch (OperationCanceledException)
        {
            Cache.TryRemove(key, out _);
            throw;
        }
    }

    /// <summary>
    /// The cluster in homogeneous perfused liver: probes along −z (tip down) at the setting's layout, a block of the
    /// layout's extent and the freezing segment plus <paramref name="marginMm"/> each side, outer layer at 37 °C, the
    /// liver's unfrozen and frozen properties, the setting's calibrated probe temperature and duration.
    /// </summary>
    /// <remarks>
    /// The axes lie half a voxel off the voxel centres in all three directions (<paramref name="gridShiftMm"/> null). With
    /// the staircase probe of catalogue 2026.12.3 that was the smaller zone (1 mm, 4 probes: 43.0 mL on centres, 36.0 mL
    /// half off), so the search did not promise what an oblique cluster's confirmation could not give. Since the probe
    /// surface lies between voxel centres (<see cref="CryoSimulation.ProbeSurface"/>) the zone moves 3–19 % with the
    /// alignment at 1 mm and half off is the larger one for 1, 2 and 4 probes (docs/ablation.md, "Cryo clusters"); the
    /// confirmation in the patient is what a plan reports.
    /// </remarks>
    internal static CryoSearchZone Simulate(AblationDevice device, DeviceSetting setting, double gridMm, double lethalCelsius, double marginMm, int? threads, CancellationToken cancellation = default, Vector3D? gridShiftMm = null)
    {
        var m = setting.Cryo ?? throw new ArgumentException($"{device.Id}/{setting.Id} has no cryo model.");
        var layout = CryoPhantom.Layout(m.Layout, m.SpacingMm);
        var mid = m.FreezeOffsetMm + (m.FreezeLengthMm / 2);
        double w0 = layout.Min(p => p.X), w1 = layout.Max(p => p.X), v0 = layout.Min(p => p.Y), v1 = layout.Max(p => p.Y);

        // u = −z, w = +x, v = −y; centre at the origin.
        var u = new Vector3D(0, 0, -1);
        var probes = layout.Select(p => new Vector3D(p.X, -p.Y, 0) + (u * mid)).Select(tip => new ProbePose(tip, tip - (u * 100))).ToList();
        // An odd count each way, so that the centre of the layout is a voxel centre before the shift.
        int Count(double lo, double hi) => (2 * (int)Math.Ceiling((((hi - lo) / 2) + marginMm) / gridMm)) + 1;
        var nx = Count(w0, w1);
        var ny = Count(-v1, -v0);
        var nz = Count(-m.FreezeLengthMm / 2, m.FreezeLengthMm / 2);
        var origin = new Vector3D(((w0 + w1) / 2) - ((nx - 1) * gridMm / 2), (-(v0 + v1) / 2) - ((ny - 1) * gridMm / 2), -((nz - 1) * gridMm / 2)) + (gridShiftMm ?? new Vector3D(gridMm / 2, gridMm / 2, gridMm / 2));
        var roi = new RegionOfInterest(origin, gridMm, nx, ny, nz);
        var outcome = CryoSimulation.Run(new CryoSetup
        {
            Roi = roi,
            Material = new byte[roi.VoxelCount],
            Tissues = [TissueTable.Default["liver"]],
            Freezing = [FreezingProperties.Default["liver"]],
            Probes = probes,
            Probe = m,
            ProbeDiameterMm = device.ProbeDiameterMm ?? 2.4,
            FreezeSeconds = (setting.DurationMin ?? throw new ArgumentException($"{device.Id}/{setting.Id} has no duration.")) * 60,
            Perfused = true,
            BodyTemperatureCelsius = TissueTable.BloodTemperatureCelsius,
            MaxDegreeOfParallelism = threads,
        }, null, null, cancellation);
        var lethal = new byte[roi.VoxelCount];
        for (var n = 0; n < lethal.Length; n++)
        {
            lethal[n] = outcome.MinTemperature[n] <= lethalCelsius ? (byte)1 : (byte)0;
        }

        return new CryoSearchZone(lethal, roi, layout, mid, outcome.SimulatedSeconds);
    }
}
