using System.Diagnostics;
using System.Globalization;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Phantoms;
using LocalControl.Imaging.Volumes;
using LocalControl.Verification.Margins;
using LocalControl.Verification.Registration;

var inv = CultureInfo.InvariantCulture;
var sizeArg = args.SkipWhile(a => a != "--size").Skip(1).FirstOrDefault() ?? "512,512,300";
var dims = sizeArg.Split(',').Select(s => int.Parse(s, inv)).ToArray();
var size = new VolumeSize(dims[0], dims[1], dims[2]);
var spacing = new Vector3D(0.7, 0.7, 1.5);
var dir = Directory.CreateTempSubdirectory("lc-verify-bench-").FullName;
Console.WriteLine($"verify benchmark: {size.I}x{size.J}x{size.K} at 0.7 x 0.7 x 1.5 mm, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}");

// The pair: the default liver phantom (3 tumours) before; after, the same patient moved by 3° and (4, -3, 5) mm, each
// tumour inside a spherical zone whose margin is about 6, 3 and 11 mm (zones offset by 1 mm).
var spec = LiverPhantomSpec.Default(size, spacing);
var motion = new RigidTransform(RigidTransform.AxisAngle(new Vector3D(1, -1, 2), 3 * Math.PI / 180), new Vector3D(4, -3, 5)); // post → pre
var margins = new[] { 6.0, 3.0, 11.0 };
var clock = Stopwatch.StartNew();
var grid = ImageGeometry.AxisAligned(size, spacing);
var pre = new Volume<byte>(grid);
var post = new Volume<byte>(grid);
Parallel.For(0, size.K, k =>
{
    for (var j = 0; j < size.J; j++)
    {
        for (var i = 0; i < size.I; i++)
        {
            var p = grid.IndexToPointLps(i, j, k);
            var a = LiverPhantom.LabelAt(spec, p);
            pre[i, j, k] = (byte)(a == LiverPhantomSpec.TumourLabel ? 2 : a != 0 ? 1 : 0);
            var q = motion.Apply(p); // the pre point shown by post voxel p
            var zone = false;
            for (var t = 0; t < spec.Tumours.Count; t++)
            {
                var tumour = spec.Tumours[t];
                if ((q - (tumour.CentreLps + new Vector3D(1, 0, 0))).Length <= tumour.RadiusMm + margins[t] + 1)
                {
                    zone = true;
                }
            }

            post[i, j, k] = (byte)(zone ? 3 : LiverPhantom.LabelAt(spec, q) != 0 ? 1 : 0);
        }
    }
});
var prePath = Path.Combine(dir, "pre.nii");
var postPath = Path.Combine(dir, "post.nii");
NiftiWriter.Write(prePath, pre);
NiftiWriter.Write(postPath, post);
File.WriteAllText(Path.Combine(dir, "pre-table.json"), "{\"1\": \"liver\", \"2\": \"tumour\"}");
File.WriteAllText(Path.Combine(dir, "post-table.json"), "{\"1\": \"liver\", \"3\": \"ablation-zone\"}");
Console.WriteLine($"made the pair in {clock.Elapsed.TotalSeconds:0.0} s (in {dir})");

// 1. The whole verify, as a user runs it (a new process: start-up and file reading included), best of 3.
var cli = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/LocalControl.Cli/bin/Release/net10.0/localcontrol.dll"));
// Wall time is what a user waits for; on this shared machine (see the load average) CPU seconds are the steadier
// figure, and CPU / 2 is what two otherwise idle cores would need when the work is parallel.
double lastCpu = double.NaN;
double Run(string file, string arguments, out string stdout)
{
    // bash's `time` gives the child's CPU seconds (user + system), which .NET cannot read after the child exits.
    var info = new ProcessStartInfo("bash", ["-c", $"TIMEFORMAT='@cpu %U %S'; time {file} {arguments}"]) { RedirectStandardOutput = true, RedirectStandardError = true };
    var sw = Stopwatch.StartNew();
    using var process = Process.Start(info)!;
    var o = process.StandardOutput.ReadToEndAsync();
    var e = process.StandardError.ReadToEndAsync();
    process.WaitForExit();
    sw.Stop();
    var err = e.Result;
    var cpuLine = err.Split('\n').LastOrDefault(l => l.StartsWith("@cpu ", StringComparison.Ordinal));
    lastCpu = cpuLine is null ? double.NaN : cpuLine.Split(' ').Skip(1).Sum(x => double.Parse(x, inv));
    stdout = o.Result + err;
    return process.ExitCode == 0 ? sw.Elapsed.TotalSeconds : double.NaN;
}

var verifyArgs = $"{cli} verify --pre {prePath} --pre-table {dir}/pre-table.json --post {postPath} --post-table {dir}/post-table.json --format json";
double whole = double.PositiveInfinity, wholeCpu = double.PositiveInfinity;
var verifyOut = "";
var skipWhole = args.Contains("--no-whole");
var skipElastix = args.Contains("--no-elastix");
if (skipWhole)
{
    Console.WriteLine("whole verify: skipped (--no-whole)");
}
else if (File.Exists(cli))
{
    for (var r = 0; r < 2; r++)
    {
        whole = Math.Min(whole, Run("dotnet", verifyArgs, out verifyOut));
        wholeCpu = Math.Min(wholeCpu, lastCpu);
    }

    Console.WriteLine($"whole verify (new process, file reading included): wall {whole:0.00} s, CPU {wholeCpu:0.00} s (target < 5 s wall on 2 cores)");
    var mam = verifyOut.Split('\n').FirstOrDefault(l => l.Contains("\"minimalMarginMm\"", StringComparison.Ordinal))?.Trim();
    Console.WriteLine($"   first line of the result: {mam}");
}
else
{
    Console.WriteLine($"whole verify: skipped, build the CLI in Release first ({cli} is missing)");
}

// 2. The margin step alone (known registration), in process, best of 3.
var swLoad = Stopwatch.StartNew();
var preMap = new LabelMap(VolumeFormats.Load(prePath).ToLabelVolume(), new LabelTable().Set(new LabelEntry(1, "liver", LabelRole.Liver)).Set(new LabelEntry(2, "tumour", LabelRole.Tumour)));
var postMap = new LabelMap(VolumeFormats.Load(postPath).ToLabelVolume(), new LabelTable().Set(new LabelEntry(1, "liver", LabelRole.Liver)).Set(new LabelEntry(3, "ablation zone", LabelRole.AblationZone)));
Console.WriteLine($"reading both label maps in process: {swLoad.Elapsed.TotalSeconds:0.000} s wall");
var step = double.PositiveInfinity;
var stepCpu = double.PositiveInfinity;
MarginResult? result = null;
var self = Process.GetCurrentProcess();
for (var r = 0; r < 3; r++)
{
    self.Refresh();
    var cpu0 = self.TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    result = MarginAnalysis.Compute(preMap, postMap, motion);
    step = Math.Min(step, sw.Elapsed.TotalSeconds);
    self.Refresh();
    stepCpu = Math.Min(stepCpu, (self.TotalProcessorTime - cpu0).TotalSeconds);
}

Console.WriteLine($"margin step alone: wall {step:0.000} s, CPU {stepCpu:0.000} s (target < 0.5 s); MAMs {string.Join(", ", result!.Tumours.Select(t => t.MinimalMarginMm.ToString("0.00", inv)))} mm (built for about 6, 3, 11 mm)");

// 3. The registration step alone, in process.
self.Refresh();
var regCpu0 = self.TotalProcessorTime;
var swReg = Stopwatch.StartNew();
var registration = MaskRegistration.Register(preMap, postMap);
var regSeconds = swReg.Elapsed.TotalSeconds;
self.Refresh();
var regCpu = (self.TotalProcessorTime - regCpu0).TotalSeconds;
var rotErr = new RigidTransform(registration.PostToPre.Rotation * motion.Rotation.Transpose(), Vector3D.Zero).RotationDegrees;
var posErr = spec.Tumours.Max(t => (registration.PostToPre.Apply(motion.Inverse().Apply(t.CentreLps)) - t.CentreLps).Length);
Console.WriteLine($"registration alone: wall {regSeconds:0.000} s, CPU {regCpu:0.000} s; error {rotErr:0.000}°, {posErr:0.000} mm at the tumours; residual mean {registration.ResidualMeanMm:0.00} mm");
// The reported uncertainty must cover the true error at each tumour (a near-symmetric liver leaves a rotation free).
Console.WriteLine("   per tumour, true error vs reported uncertainty: " + string.Join("; ", spec.Tumours.Select((t, n) =>
    $"T{n + 1} {(registration.PostToPre.Apply(motion.Inverse().Apply(t.CentreLps)) - t.CentreLps).Length:0.00} mm vs ±{registration.UncertaintyAt(t.CentreLps):0.00} mm")));

// 3b. With --mi: the registration refined by mutual information on synthetic CTs of the same pair (liver with a
// smooth texture, other tissue; the post CT with an inverted intensity mapping), in process.
if (args.Contains("--mi"))
{
    static double Hu(LiverPhantomSpec spec, Vector3D p) => LiverPhantom.LabelAt(spec, p) != 0
        ? 100 + 40 * Math.Sin(p.X / 9) * Math.Cos(p.Y / 11) * Math.Sin(p.Z / 7)
        : 40 + 10 * Math.Sin(p.X / 15);
    var preCt = new Volume<float>(grid);
    var postCt = new Volume<float>(grid);
    Parallel.For(0, size.K, k =>
    {
        for (var j = 0; j < size.J; j++)
        {
            for (var i = 0; i < size.I; i++)
            {
                var p = grid.IndexToPointLps(i, j, k);
                preCt[i, j, k] = (float)Hu(spec, p);
                postCt[i, j, k] = (float)(300 - 0.7 * Hu(spec, motion.Apply(p)));
            }
        }
    });
    self.Refresh();
    var miCpu0 = self.TotalProcessorTime;
    var swMi = Stopwatch.StartNew();
    var refined = MaskRegistration.Register(preMap, postMap, new RegistrationOptions { PreImage = preCt, PostImage = postCt });
    var miSeconds = swMi.Elapsed.TotalSeconds;
    self.Refresh();
    var miRot = new RigidTransform(refined.PostToPre.Rotation * motion.Rotation.Transpose(), Vector3D.Zero).RotationDegrees;
    var miPos = spec.Tumours.Max(t => (refined.PostToPre.Apply(motion.Inverse().Apply(t.CentreLps)) - t.CentreLps).Length);
    Console.WriteLine($"registration with mutual information ({refined.Method}): wall {miSeconds:0.000} s, CPU {(self.TotalProcessorTime - miCpu0).TotalSeconds:0.000} s; error {miRot:0.000}°, {miPos:0.000} mm at the tumours; {refined.Notes[^1]}");
}

// 4. scipy's EDT doing the margin step on the full grid (signed EDT of the zone, sampled at the tumour surface voxels).
var py = """
import sys, time, numpy as np, nibabel
from scipy import ndimage
d = sys.argv[1]
def load(p):
    return np.asanyarray(nibabel.load(p).dataobj)
pre, post = load(d + '/pre.nii'), load(d + '/post.nii')
best = 1e9
for _ in range(2):
    t = time.perf_counter()
    zone = post == 3
    sp = (0.7, 0.7, 1.5)
    signed = ndimage.distance_transform_edt(zone, sampling=sp) - ndimage.distance_transform_edt(~zone, sampling=sp)
    tumour = pre == 2
    surface = tumour & ~ndimage.binary_erosion(tumour)
    mam = float(signed[surface].min())
    best = min(best, time.perf_counter() - t)
print(f"{best:.3f} {mam:.2f}")
""";
File.WriteAllText(Path.Combine(dir, "scipy_margin.py"), py);
var scipySeconds = double.NaN;
var scipyOut = "skipped (--no-scipy)";
// Debian's python (scipy, numpy, nibabel), not whatever python3 comes first on PATH.
var scipyTime = args.Contains("--no-scipy") ? double.NaN : Run("/usr/bin/python3", $"{dir}/scipy_margin.py {dir}", out scipyOut);
scipyOut = string.Join('\n', scipyOut.Split('\n').Where(l => !l.StartsWith("@cpu ", StringComparison.Ordinal)));
if (double.IsFinite(scipyTime) && scipyOut.Trim().Split(' ') is [var s, var m])
{
    scipySeconds = double.Parse(s, inv);
    Console.WriteLine($"scipy EDT margin step, full grid (no registration, voxel-centre MAM {m} mm): {scipySeconds:0.000} s wall, process CPU {lastCpu:0.00} s → ratio scipy / our margin step {scipySeconds / step:0.0}× wall (load {File.ReadAllText("/proc/loadavg").Trim()})");
}
else
{
    Console.WriteLine($"scipy: not available ({scipyOut.Trim().Split('\n').LastOrDefault()})");
}

// 5. elastix doing the rigid registration of the same pair (Euler, mean squares on the label images, 3 resolutions).
var parameters = """
(FixedInternalImagePixelType "float")
(MovingInternalImagePixelType "float")
(Registration "MultiResolutionRegistration")
(Interpolator "BSplineInterpolator")
(ResampleInterpolator "FinalBSplineInterpolator")
(Resampler "DefaultResampler")
(FixedImagePyramid "FixedSmoothingImagePyramid")
(MovingImagePyramid "MovingSmoothingImagePyramid")
(Optimizer "AdaptiveStochasticGradientDescent")
(Transform "EulerTransform")
(Metric "AdvancedMeanSquares")
(AutomaticTransformInitialization "true")
(AutomaticScalesEstimation "true")
(NumberOfResolutions 3)
(MaximumNumberOfIterations 250)
(NumberOfSpatialSamples 2048)
(ImageSampler "RandomCoordinate")
(NewSamplesEveryIteration "true")
(BSplineInterpolationOrder 1)
(FinalBSplineInterpolationOrder 0)
(WriteResultImage "false")
(ResultImagePixelType "unsigned char")
""";
File.WriteAllText(Path.Combine(dir, "rigid.txt"), parameters);
Directory.CreateDirectory(Path.Combine(dir, "elastix"));
var elastixOut = "";
var elastixTime = skipElastix ? double.NaN : Run("elastix", $"-f {prePath} -m {postPath} -p {dir}/rigid.txt -out {dir}/elastix -threads 2", out elastixOut);
if (skipElastix)
{
    Console.WriteLine("elastix: skipped (--no-elastix)");
}
else if (double.IsFinite(elastixTime))
{
    Console.WriteLine($"elastix rigid registration of the same pair (-threads 2): wall {elastixTime:0.00} s, CPU {lastCpu:0.00} s → ratio elastix / our registration {elastixTime / regSeconds:0.0}× wall, {lastCpu / regCpu:0.0}× CPU" +
        (double.IsFinite(whole) ? $"; elastix / our whole verify {elastixTime / whole:0.0}× wall" : "") + $" (load {File.ReadAllText("/proc/loadavg").Trim()})");
}
else
{
    Console.WriteLine($"elastix: failed or missing ({elastixOut.Trim().Split('\n').LastOrDefault()})");
}

Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
if (args.Contains("--keep"))
{
    Console.WriteLine($"kept the pair in {dir} (--keep)");
}
else
{
    Directory.Delete(dir, recursive: true);
}
