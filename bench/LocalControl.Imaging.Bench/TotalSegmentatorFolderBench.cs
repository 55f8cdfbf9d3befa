using System.Diagnostics;
using System.Globalization;
using LocalControl.Imaging.Formats;

namespace LocalControl.Imaging.Bench;

/// <summary>
/// <c>totalseg [MASKS]</c>: a folder of MASKS (default 117, TotalSegmentator's 'total' task) uint8 NIfTI masks of
/// 512×512×300 written by nibabel, read into one label map by us (VolumeFormats.Load) and by nibabel + numpy
/// painting in the same run (best of 3 each). Issue 15 asks for under 3 s.
/// </summary>
internal static class TotalSegmentatorFolderBench
{
    public static int Run(int masks)
    {
        var folder = Path.Combine(Path.GetTempPath(), "lc-totalseg-bench-" + Guid.NewGuid().ToString("N"));
        var script = Path.Combine(AppContext.BaseDirectory, "totalseg_folder.py");
        try
        {
            var make = Stopwatch.StartNew();
            Exec("make", folder, masks.ToString(CultureInfo.InvariantCulture), "512", "512", "300");
            Console.WriteLine(FormattableString.Invariant($"wrote {masks} masks of 512x512x300 uint8 ({Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length) / 1e6:F1} MB gzip) in {make.Elapsed.TotalSeconds:F0} s"));
            VolumeFormats.Load(folder); // warm-up: JIT, page cache
            var ours = double.MaxValue;
            for (var r = 0; r < 3; r++)
            {
                var sw = Stopwatch.StartNew();
                GC.KeepAlive(VolumeFormats.Load(folder));
                ours = Math.Min(ours, sw.Elapsed.TotalSeconds);
                GC.Collect();
            }

            var peer = double.Parse(Exec("load", folder, "3").Trim(), CultureInfo.InvariantCulture);
            Console.WriteLine(FormattableString.Invariant($"ours, VolumeFormats.Load(folder) ({Environment.ProcessorCount} cores): {ours:F3} s (target < 3 s)"));
            Console.WriteLine(FormattableString.Invariant($"nibabel + numpy painting (one thread):      {peer:F3} s"));
            Console.WriteLine(FormattableString.Invariant($"ratio nibabel / ours: {peer / ours:F2}x"));
            return 0;
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        string Exec(params string[] arguments)
        {
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add(script);
            foreach (var a in arguments)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : throw new InvalidOperationException($"totalseg_folder.py {string.Join(' ', arguments)} failed with {p.ExitCode}");
        }
    }
}
