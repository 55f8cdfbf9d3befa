using System.Diagnostics;
using System.Globalization;
using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Measurements;
using LocalControl.Imaging.Phantoms;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Bench;

/// <summary>
/// <c>edt</c>: our EDT on 1 and 2 threads vs scipy.ndimage.distance_transform_edt on the same 512×512×300 map
/// (0.7×0.7×1.5 mm), distance to the tumours. <c>measure</c>: the full lesion measurement of that map.
/// Timings are wall-clock, best of <c>--repeat</c> runs (default 1 for scipy, 3 for ours).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var command = args.Length > 0 ? args[0] : "edt";
        if (command == "totalseg")
        {
            return TotalSegmentatorFolderBench.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 117);
        }

        var map = BenchMap();
        var code = command switch
        {
            "edt" => Edt(map),
            "measure" => Measure(map),
            _ => Usage(),
        };
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak working set of this process: {self.PeakWorkingSet64 / 1048576.0:F0} MiB (the int32 label map alone is {map.Labels.Buffer.LongLength * 4 / 1048576.0:F0} MiB, a float32 volume {map.Labels.Buffer.LongLength * 4 / 1048576.0:F0} MiB)"));
        return code;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: LocalControl.Imaging.Bench edt|measure|totalseg [MASKS]");
        return 2;
    }

    /// <summary>The benchmark map: the default phantom on 512×512×300 at 0.7×0.7×1.5 mm with five tumours.</summary>
    public static LabelMap BenchMap()
    {
        var sw = Stopwatch.StartNew();
        var spec = LiverPhantomSpec.Default(new VolumeSize(512, 512, 300), new Vector3D(0.7, 0.7, 1.5));
        var c = spec.LiverCentreLps;
        var a = spec.LiverSemiAxesMm;
        Vector3D At(double fx, double fy, double fz) => new(c.X + fx * a.X, c.Y + fy * a.Y, c.Z + fz * a.Z);
        spec = spec with
        {
            Tumours =
            [
                new(At(-0.35, 0.35, -0.45), 15),
                new(At(0.45, 0.3, 0.4), 10),
                new(At(0.3, -0.5, 0.1), 6),
                new(At(-0.2, -0.55, -0.3), 8),
                new(At(0.55, -0.1, 0.45), 4),
            ],
        };
        var map = LiverPhantom.Draw(spec);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"map: 512x512x300, spacing 0.7x0.7x1.5 mm, 5 tumours + vessel tree, drawn in {sw.Elapsed.TotalSeconds:F2} s"));
        return map;
    }

    private static int Edt(LabelMap map)
    {
        var labels = map.Labels;
        var mask = new Volume<byte>(labels.Geometry);
        long fg = 0;
        for (var n = 0; n < mask.Buffer.Length; n++)
        {
            if (labels.Buffer[n] == LiverPhantomSpec.TumourLabel)
            {
                mask.Buffer[n] = 1;
                fg++;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"EDT: distance to the tumours ({fg} tumour voxels, {100.0 - 100.0 * fg / mask.Buffer.Length:F1} % of voxels get a distance)"));
        // Memory of the EDT itself: the growth of the peak working set over one run (mask and map already exist).
        using (var self = Process.GetCurrentProcess())
        {
            GC.Collect();
            self.Refresh();
            var before = self.PeakWorkingSet64;
            var once = EuclideanDistance.ToForeground(mask, new EdtOptions { MaxDegreeOfParallelism = 2 });
            self.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"EDT memory: peak working set grew by {(self.PeakWorkingSet64 - before) / 1048576.0:F0} MiB for a {once.Buffer.LongLength * 4 / 1048576.0:F0} MiB float32 result (the input mask is {mask.Buffer.LongLength / 1048576.0:F0} MiB)"));
        }

        var t1 = Time(() => EuclideanDistance.ToForeground(mask, new EdtOptions { MaxDegreeOfParallelism = 1 }), 3, out _);
        var t2 = Time(() => EuclideanDistance.ToForeground(mask, new EdtOptions { MaxDegreeOfParallelism = 2 }), 3, out var ours);

        var dir = Directory.CreateTempSubdirectory("lc-bench-");
        try
        {
            var maskPath = Path.Combine(dir.FullName, "mask.nii");
            var outPath = Path.Combine(dir.FullName, "scipy.f4");
            NiftiWriter.Write(maskPath, mask);
            const string script = """
import sys, time, numpy as np, nibabel as nib
from scipy import ndimage
img = nib.load(sys.argv[1]); m = np.asanyarray(img.dataobj) != 0
sp = [float(z) for z in img.header.get_zooms()[:3]]
t = time.perf_counter(); d = ndimage.distance_transform_edt(~m, sampling=sp); t = time.perf_counter() - t
d.astype('<f4').ravel(order='F').tofile(sys.argv[2]); print(t)
""";
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(maskPath);
            psi.ArgumentList.Add(outPath);
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                Console.Error.WriteLine("scipy failed");
                return 1;
            }

            var tScipy = double.Parse(output.Trim(), CultureInfo.InvariantCulture);
            var bytes = File.ReadAllBytes(outPath);
            var scipy = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, scipy, 0, bytes.Length);
            var worst = 0.0;
            var max = 0.0;
            for (var n = 0; n < scipy.Length; n++)
            {
                worst = Math.Max(worst, Math.Abs(scipy[n] - ours!.Buffer[n]));
                max = Math.Max(max, ours.Buffer[n]);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ours, 1 thread : {t1:F3} s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ours, 2 threads: {t2:F3} s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scipy 1.10 (1 thread, float64): {tScipy:F3} s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio scipy/ours: {tScipy / t1:F1}x on 1 thread, {tScipy / t2:F1}x on 2 threads"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"largest |ours - scipy| = {worst:G3} mm (scipy stored as float32 here), max distance {max:F2} mm"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        return 0;
    }

    private static int Measure(LabelMap map)
    {
        var t = Time(() => LesionMeasurer.Measure(map, new MeasureOptions()), 3, out var lesions);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"measure: {lesions!.Count} lesions in {t:F3} s (best of 3, all cores = {Environment.ProcessorCount})"));
        foreach (var l in lesions)
        {
            Console.WriteLine(l.ToCaseLesionJson().ToJsonString());
        }

        return 0;
    }

    private static double Time<T>(Func<T> action, int repeat, out T? last)
    {
        var best = double.MaxValue;
        last = default;
        for (var r = 0; r < repeat; r++)
        {
            GC.Collect();
            var sw = Stopwatch.StartNew();
            last = action();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }

        return best;
    }
}
