using LocalControl.Ablation.Devices;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// How liver's microwave loss falls as it dries (docs/ablation.md, "Drying"). Tissue water boils off near 100 °C and
/// the dielectric loss that water carries goes with it: ablated liver next to a 2.45 GHz antenna measured ε_r ≈ 7 and
/// σ ≈ 0.3 S/m against 43 and 1.8 S/m far from it, at measured temperatures up to 105 °C (Lopresto, Pinto &amp; Cavagnaro,
/// "Experimental characterisation of the thermal lesion induced by microwave ablation", Int J Hyperthermia), and the fall is concentrated
/// where the tissue reached ~100 °C (Ji &amp; Brace, Phys Med Biol 2011;56:5249). Drying is irreversible: the state of a voxel
/// follows the highest temperature it has reached.
/// </summary>
public static class MicrowaveDrying
{
    /// <summary>The antennas' frequency (Hz).</summary>
    public const double FrequencyHz = 2.45e9;

    /// <summary>Liver at 37 °C, 2.45 GHz: relative permittivity (Gabriel et al. 1996, as quoted in hepatic MW models).</summary>
    public const double LiverPermittivity = 43.0;

    /// <summary>Liver at 37 °C, 2.45 GHz: effective conductivity (S/m), the source of the 10.4 mm penetration depth.</summary>
    public const double LiverConductivitySPerM = 1.69;

    /// <summary>Dried (ablated, next to the antenna) liver: relative permittivity (Lopresto et al., lowest measured).</summary>
    public const double DriedPermittivity = 7.0;

    /// <summary>Dried liver: effective conductivity (S/m) (Lopresto et al., lowest measured).</summary>
    public const double DriedConductivitySPerM = 0.3;

    /// <summary>
    /// Temperature at which half the tissue's water is taken as gone (°C): an assumption, the boiling point of tissue
    /// water; the width <see cref="DryingWidthKelvin"/> spreads the fall over about 95–105 °C.
    /// </summary>
    public const double DryingMidpointCelsius = 100;

    /// <summary>Width of the logistic fall (K): 10 % to 90 % dried between about 94.5 and 105.5 °C.</summary>
    public const double DryingWidthKelvin = 2.5;

    /// <summary>How often (simulated seconds) the loss map and the absorption are brought up to date while the power is on.</summary>
    public const double UpdateSeconds = 20;

    /// <summary>
    /// The attenuation constant α (Np/m) of a plane wave in a medium of relative permittivity ε_r and conductivity σ at
    /// <see cref="FrequencyHz"/>: α = (ω/c) √(ε_r/2 · (√(1 + tan²δ) − 1)), tan δ = σ/(ω ε₀ ε_r).
    /// </summary>
    public static double AttenuationNpPerM(double relativePermittivity, double conductivitySPerM)
    {
        const double c = 299_792_458.0;
        const double epsilon0 = 8.8541878128e-12;
        var omega = 2 * Math.PI * FrequencyHz;
        var tan = conductivitySPerM / (omega * epsilon0 * relativePermittivity);
        return omega / c * Math.Sqrt(relativePermittivity / 2 * (Math.Sqrt(1 + (tan * tan)) - 1));
    }

    /// <summary>α of dried over α of native liver: ≈ 0.44 (21 vs 48 Np/m).</summary>
    public static double DriedLossRatio { get; } =
        AttenuationNpPerM(DriedPermittivity, DriedConductivitySPerM) / AttenuationNpPerM(LiverPermittivity, LiverConductivitySPerM);

    /// <summary>
    /// The tissue's microwave loss (α, so absorption per unit of passing power) relative to native liver, after it has
    /// reached <paramref name="highestCelsius"/>: 1 while wet, <see cref="DriedLossRatio"/> once dry, logistic between.
    /// </summary>
    public static float RelativeLoss(float highestCelsius)
    {
        if (highestCelsius < DryingMidpointCelsius - (12 * DryingWidthKelvin))
        {
            return 1f;
        }

        var wet = 1 / (1 + Math.Exp((highestCelsius - DryingMidpointCelsius) / DryingWidthKelvin));
        return (float)(DriedLossRatio + ((1 - DriedLossRatio) * wet));
    }
}

/// <summary>
/// The microwave source of a set of antennas on a block, built once and shared by runs that differ only in tissue
/// (the heat-sink run and its no-vessel reference): each antenna's line-radiator SAR normalised to 1 W, and the
/// geometry of the straight paths from the antenna to every voxel along which drying changes the attenuation.
/// </summary>
public sealed class MicrowaveField
{
    /// <summary>Azimuth bins of the ray tables.</summary>
    internal const int AzimuthBins = 128;

    /// <summary>Polar-angle bins of each end cap's ray table (0 to 90° from the axis).</summary>
    internal const int PolarBins = 32;

    /// <summary>Spacing of the side rays along the radiating section (mm).</summary>
    internal const double SideStepMm = 0.5;

    private MicrowaveField(RegionOfInterest roi, MicrowaveModel model, Antenna[] antennas, float[] source)
    {
        Roi = roi;
        Model = model;
        Antennas = antennas;
        Source = source;
    }

    /// <summary>The block.</summary>
    public RegionOfInterest Roi { get; }

    /// <summary>The calibrated SAR model.</summary>
    public MicrowaveModel Model { get; }

    /// <summary>Power density at full power with no drying (W/m³), all antennas summed.</summary>
    public float[] Source { get; }

    internal Antenna[] Antennas { get; }

    /// <summary>Bytes this field keeps per voxel for <paramref name="antennas"/> antennas, plus the per-run drying state.</summary>
    public static long BytesPerVoxel(int antennas) => sizeof(float) + (antennas * ((2 * sizeof(float)) + sizeof(int))) + (3 * sizeof(float));

    /// <summary>Builds the field of the setup's probes on its block.</summary>
    public static MicrowaveField For(ThermalSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var m = setup.Microwave ?? throw new ArgumentException("A microwave setting needs its calibrated SAR model.");
        var roi = setup.Roi;
        var count = checked((int)roi.VoxelCount);
        var options = new ParallelOptions { MaxDegreeOfParallelism = setup.MaxDegreeOfParallelism ?? Environment.ProcessorCount };
        var voxelVolume = Math.Pow(roi.SpacingMm * 1e-3, 3);
        var source = new float[count];
        var antennas = new Antenna[setup.Probes.Count];
        for (var p = 0; p < antennas.Length; p++)
        {
            var a = new Antenna(setup.Probes[p], m, count);
            var partial = new double[roi.Nz];
            Parallel.For(0, roi.Nz, options, k => partial[k] = a.Classify(roi, m, k));
            var total = 0.0;
            foreach (var s in partial)
            {
                total += s;
            }

            // Normalised to 1 W over the block.
            var norm = 1 / (total * voxelVolume);
            var shape = a.Shape;
            for (var v = 0; v < count; v++)
            {
                shape[v] = (float)(shape[v] * norm);
                source[v] += (float)(shape[v] * m.EffectivePowerW);
            }

            antennas[p] = a;
        }

        return new MicrowaveField(roi, m, antennas, source);
    }

    /// <summary>One antenna: its SAR shape (W/m³ per W) and, per voxel, the ray-table bin and the path length from the radiating section (mm).</summary>
    internal sealed class Antenna
    {
        public Antenna(ProbePose probe, MicrowaveModel m, int count)
        {
            Tip = probe.TipLps;
            Axis = probe.Axis;
            var helper = Math.Abs(Axis.X) < 0.9 ? new Vector3D(1, 0, 0) : new Vector3D(0, 1, 0);
            var e1 = helper - (Axis * helper.Dot(Axis));
            E1 = e1 * (1 / e1.Length);
            E2 = Axis.Cross(E1);
            NearMm = m.FeedOffsetMm - (m.RadiatingLengthMm / 2);
            FarMm = m.FeedOffsetMm + (m.RadiatingLengthMm / 2);
            SideBins = m.RadiatingLengthMm < 1e-6 ? 0 : Math.Max(1, (int)Math.Ceiling(m.RadiatingLengthMm / MicrowaveField.SideStepMm));
            Shape = new float[count];
            Bin = new int[count];
            PathMm = new float[count];
            RayStart = new Vector3D[RayCount];
            RayDirection = new Vector3D[RayCount];
            for (var r = 0; r < RayCount; r++)
            {
                (RayStart[r], RayDirection[r]) = Ray(r);
            }
        }

        /// <summary>Start (LPS) of each table ray.</summary>
        public Vector3D[] RayStart { get; }

        /// <summary>Unit direction of each table ray.</summary>
        public Vector3D[] RayDirection { get; }

        public Vector3D Tip { get; }

        /// <summary>Unit vector along the shaft toward the tip.</summary>
        public Vector3D Axis { get; }

        public Vector3D E1 { get; }

        public Vector3D E2 { get; }

        /// <summary>The radiating section spans NearMm..FarMm back from the tip.</summary>
        public double NearMm { get; }

        public double FarMm { get; }

        public int SideBins { get; }

        public int RayCount => (SideBins + (2 * PolarBins)) * AzimuthBins;

        public float[] Shape { get; }

        public int[] Bin { get; }

        public float[] PathMm { get; }

        /// <summary>Fills plane k of the shape, bins and path lengths; returns the plane's unnormalised SAR sum.</summary>
        public double Classify(RegionOfInterest roi, MicrowaveModel m, int k)
        {
            var sum = 0.0;
            for (var j = 0; j < roi.Ny; j++)
            {
                for (var i = 0; i < roi.Nx; i++)
                {
                    var v = ((k * roi.Ny) + j) * roi.Nx + i;
                    var rel = roi.PointLps(i, j, k) - Tip;
                    var along = -rel.Dot(Axis);
                    var radial2 = Math.Max(0, rel.Dot(rel) - (along * along));
                    var q = ThermalSimulation.LineRadiator(Math.Sqrt(radial2), along, m);
                    Shape[v] = (float)q;
                    sum += q;
                    var a = Math.Clamp(along, NearMm, FarMm);
                    var d = rel + (Axis * a); // from the nearest point of the section (tip − u·a) to the voxel
                    var length = d.Length;
                    PathMm[v] = (float)length;
                    var phi = Math.Atan2(d.Dot(E2), d.Dot(E1));
                    var phiBin = Math.Clamp((int)((phi + Math.PI) / (2 * Math.PI) * AzimuthBins), 0, AzimuthBins - 1);
                    if (SideBins > 0 && along >= NearMm && along <= FarMm)
                    {
                        var aBin = Math.Clamp((int)((along - NearMm) / (FarMm - NearMm) * SideBins), 0, SideBins - 1);
                        Bin[v] = (aBin * AzimuthBins) + phiBin;
                    }
                    else
                    {
                        // Beyond an end: the polar angle from the outward axis of that end (toward the tip = +u at the near end).
                        var outward = along < NearMm ? 1.0 : -1.0;
                        var cos = length > 1e-9 ? Math.Clamp(outward * d.Dot(Axis) / length, 0, 1) : 1;
                        var tBin = Math.Clamp((int)(Math.Acos(cos) / (Math.PI / 2) * PolarBins), 0, PolarBins - 1);
                        var cap = along < NearMm ? 0 : 1;
                        Bin[v] = ((SideBins + (cap * PolarBins) + tBin) * AzimuthBins) + phiBin;
                    }
                }
            }

            return sum;
        }

        /// <summary>Start point (LPS) and unit direction of table ray <paramref name="ray"/>.</summary>
        public (Vector3D Start, Vector3D Direction) Ray(int ray)
        {
            var aBin = ray / AzimuthBins;
            var phi = (((ray % AzimuthBins) + 0.5) / AzimuthBins * 2 * Math.PI) - Math.PI;
            var across = (E1 * Math.Cos(phi)) + (E2 * Math.Sin(phi));
            if (aBin < SideBins)
            {
                var a = NearMm + ((aBin + 0.5) / SideBins * (FarMm - NearMm));
                return (Tip - (Axis * a), across);
            }

            var cap = (aBin - SideBins) / PolarBins;
            var theta = ((((aBin - SideBins) % PolarBins) + 0.5) / PolarBins) * (Math.PI / 2);
            var outward = cap == 0 ? Axis : Axis * -1;
            var end = Tip - (Axis * (cap == 0 ? NearMm : FarMm));
            return (end, (outward * Math.Cos(theta)) + (across * Math.Sin(theta)));
        }
    }
}

/// <summary>
/// The per-run drying state of a microwave run: the highest temperature each voxel has reached, its relative loss, and
/// the absorption it implies. Each antenna's power P deposits, at a voxel x on the straight path from the nearest point
/// of its radiating section (read from a table of rays binned by axial position and azimuth, or polar angle and azimuth
/// beyond the section's ends), g(x) · exp(−∫(g − 1) ds / δ) times the homogeneous SAR, renormalised so the block still
/// takes P: dried tissue absorbs less and lets more through, so the absorption moves outward as the zone dries.
/// </summary>
internal sealed class MicrowaveDryingState
{
    private readonly MicrowaveField _field;
    private readonly ParallelOptions _options;
    private readonly float[] _highest;
    private readonly float[] _loss;
    private readonly float[] _weight;
    private readonly float[][] _transmission;
    private readonly float[][] _cumulative;
    private readonly double[] _partial;
    private readonly double[] _reach;
    private readonly int[] _dried;
    private readonly double _penetrationMm;
    private readonly double _stepMm;

    public MicrowaveDryingState(MicrowaveField field, float[] temperature, int? maxDegreeOfParallelism)
    {
        _field = field;
        _options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount };
        _highest = (float[])temperature.Clone();
        _loss = new float[temperature.Length];
        _weight = new float[temperature.Length];
        _transmission = [.. field.Antennas.Select(a => new float[a.RayCount])];
        _cumulative = new float[field.Antennas.Length][];
        _partial = new double[field.Roi.Nz];
        _reach = new double[field.Roi.Nz * field.Antennas.Length];
        _dried = new int[field.Roi.Nz];
        _penetrationMm = field.Model.PenetrationMm;
        _stepMm = field.Roi.SpacingMm / 2;
    }

    /// <summary>Dried voxels (relative loss below 0.999) after the last update.</summary>
    public int DriedVoxels { get; private set; }

    /// <summary>
    /// Takes the temperatures in, and when any tissue has dried rewrites <paramref name="source"/> (W/m³ at full power);
    /// returns whether it did.
    /// </summary>
    public bool Update(float[] temperature, float[] source)
    {
        var roi = _field.Roi;
        var plane = roi.Nx * roi.Ny;
        var antennas = _field.Antennas;

        // One pass: the highest temperature, the loss, and how far from each section the dried tissue reaches.
        Parallel.For(0, roi.Nz, _options, k =>
        {
            var n = 0;
            for (var p = 0; p < antennas.Length; p++)
            {
                _reach[(k * antennas.Length) + p] = 0;
            }

            for (var v = k * plane; v < (k + 1) * plane; v++)
            {
                var t = Math.Max(_highest[v], temperature[v]);
                _highest[v] = t;
                var g = MicrowaveDrying.RelativeLoss(t);
                _loss[v] = g;
                if (g < 0.999f)
                {
                    n++;
                    for (var p = 0; p < antennas.Length; p++)
                    {
                        ref var r = ref _reach[(k * antennas.Length) + p];
                        r = Math.Max(r, antennas[p].PathMm[v]);
                    }
                }
            }

            _dried[k] = n;
        });
        DriedVoxels = 0;
        foreach (var n in _dried)
        {
            DriedVoxels += n;
        }

        if (DriedVoxels == 0)
        {
            return false;
        }

        Array.Clear(source);
        var voxelVolume = Math.Pow(roi.SpacingMm * 1e-3, 3);
        for (var p = 0; p < antennas.Length; p++)
        {
            var a = antennas[p];

            // Paths are integrated only as far as the dried tissue reaches from the section.
            var reach = 0.0;
            for (var k = 0; k < roi.Nz; k++)
            {
                reach = Math.Max(reach, _reach[(k * antennas.Length) + p]);
            }

            reach += roi.SpacingMm;

            // Each table ray: ∫(g − 1) ds from the antenna's radius in half-voxel steps, kept at every step, and the
            // transmission at its end. A voxel inside the reach reads its ray's integral at its own distance.
            var from = ThermalSimulation.SarCoreMm;
            var steps = Math.Max(1, (int)Math.Ceiling((reach - from) / _stepMm));
            var stride = steps + 1;
            if (_cumulative[p] is null || _cumulative[p].Length < a.RayCount * stride)
            {
                _cumulative[p] = new float[a.RayCount * stride];
            }

            var cumulative = _cumulative[p];
            var table = _transmission[p];
            Parallel.For(0, table.Length, _options, ray =>
            {
                var end = March(a.RayStart[ray], a.RayDirection[ray], from, steps, cumulative.AsSpan(ray * stride, stride));
                table[ray] = (float)Math.Exp(-end / _penetrationMm);
            });

            Parallel.For(0, roi.Nz, _options, k =>
            {
                var sum = 0.0;
                for (var v = k * plane; v < (k + 1) * plane; v++)
                {
                    var length = a.PathMm[v];
                    var bin = a.Bin[v];
                    float transmitted;
                    if (length >= reach)
                    {
                        transmitted = table[bin];
                    }
                    else if (length <= from)
                    {
                        transmitted = 1f;
                    }
                    else
                    {
                        var u = (length - from) / _stepMm;
                        var m = Math.Min((int)u, steps - 1);
                        var f = (float)(u - m);
                        var c0 = cumulative[(bin * stride) + m];
                        var excess = c0 + (f * (cumulative[(bin * stride) + m + 1] - c0));
                        transmitted = MathF.Exp(-excess / (float)_penetrationMm);
                    }

                    var w = _loss[v] * transmitted * a.Shape[v];
                    _weight[v] = w;
                    sum += w;
                }

                _partial[k] = sum;
            });

            var total = _partial.Sum() * voxelVolume;
            var scale = (float)(_field.Model.EffectivePowerW / total);
            Parallel.For(0, roi.Nz, _options, k =>
            {
                for (var v = k * plane; v < (k + 1) * plane; v++)
                {
                    source[v] += scale * _weight[v];
                }
            });
        }

        return true;
    }

    /// <summary>
    /// ∫(g − 1) ds (mm) along the ray from <paramref name="start"/> in <paramref name="dir"/>, from <paramref name="fromMm"/>
    /// in <paramref name="steps"/> half-voxel steps, midpoint rule, nearest voxel; the running integral goes into
    /// <paramref name="running"/> (steps + 1 values, the first 0). Returns the whole integral. Outside the block g = 1.
    /// </summary>
    private float March(Vector3D start, Vector3D dir, double fromMm, int steps, Span<float> running)
    {
        var roi = _field.Roi;
        var h = roi.SpacingMm;
        var x0 = (start.X - roi.OriginLps.X) / h;
        var y0 = (start.Y - roi.OriginLps.Y) / h;
        var z0 = (start.Z - roi.OriginLps.Z) / h;
        var sum = 0f;
        running[0] = 0;
        for (var m = 0; m < steps; m++)
        {
            var s = (fromMm + ((m + 0.5) * _stepMm)) / h;
            var i = (int)Math.Round(x0 + (dir.X * s));
            var j = (int)Math.Round(y0 + (dir.Y * s));
            var k = (int)Math.Round(z0 + (dir.Z * s));
            if ((uint)i < (uint)roi.Nx && (uint)j < (uint)roi.Ny && (uint)k < (uint)roi.Nz)
            {
                sum += (_loss[((k * roi.Ny) + j) * roi.Nx + i] - 1) * (float)_stepMm;
            }

            running[m + 1] = sum;
        }

        return sum;
    }
}
