using System.Diagnostics;
using System.Globalization;
using LocalControl.Imaging.Formats.Dicom;

/// <summary>JPEG Lossless decoding: ours against dcmtk's dcmdjpeg on the same 300 files, in the same run.</summary>
internal static class JpegBench
{
    public static void Run(string root, int slices, int repeats)
    {
        var work = Path.Combine(Path.GetTempPath(), "lc-jpeg-bench-" + Guid.NewGuid().ToString("N"));
        var plain = Path.Combine(work, "plain");
        var jpeg = Path.Combine(work, "jpeg");
        var decoded = Path.Combine(work, "decoded");
        try
        {
            Directory.CreateDirectory(jpeg);
            Directory.CreateDirectory(decoded);
            Exec("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "make_ct_series.py"), Path.Combine(root, "tests", "data", "dcmqi", "ct-3slice"), plain, slices.ToString(CultureInfo.InvariantCulture));
            var files = Directory.GetFiles(plain).Order(StringComparer.Ordinal).ToArray();
            Parallel.ForEach(files, f => Exec("/usr/bin/dcmcjpeg", "+e1", f, Path.Combine(jpeg, Path.GetFileName(f))));
            var compressed = Directory.GetFiles(jpeg).Order(StringComparer.Ordinal).ToArray();
            var bytes = compressed.Sum(f => new FileInfo(f).Length);
            Console.WriteLine(FormattableString.Invariant($"{slices} files of 512x512 CT, JPEG Lossless SV1: {bytes / 1e6:F1} MB ({files.Sum(f => new FileInfo(f).Length) / (double)bytes:F2}x smaller than native)"));

            // Correctness first: the compressed series loads to the same volume as the native one.
            var reference = DicomSeriesBuilder.Load(plain).Voxels.Buffer;
            var check = DicomSeriesBuilder.Load(jpeg).Voxels.Buffer;
            if (!reference.AsSpan().SequenceEqual(check))
            {
                throw new InvalidOperationException("the decoded series differs from the native one");
            }

            var oursParallel = Best(repeats, () => GC.KeepAlive(DicomSeriesBuilder.Load(jpeg)));
            var oursSingle = Best(repeats, () =>
            {
                foreach (var f in compressed)
                {
                    GC.KeepAlive(DicomPixelDecoder.DecodeFrame(DicomReader.Read(f), 0, rescale: true));
                }
            });
            var dcmtk = Best(repeats, () =>
            {
                foreach (var f in compressed)
                {
                    Exec("/usr/bin/dcmdjpeg", f, Path.Combine(decoded, Path.GetFileName(f)));
                }
            });
            var dcmtkParallel = Best(repeats, () => Parallel.ForEach(compressed, f => Exec("/usr/bin/dcmdjpeg", f, Path.Combine(decoded, Path.GetFileName(f)))));

            Console.WriteLine(FormattableString.Invariant($"ours, DicomSeriesBuilder.Load (scan + decode to float HU, {Environment.ProcessorCount} cores): {oursParallel:F3} s"));
            Console.WriteLine(FormattableString.Invariant($"ours, one thread, file by file (read + decode + rescale):      {oursSingle:F3} s"));
            Console.WriteLine(FormattableString.Invariant($"dcmdjpeg, one process per file, one after another:          {dcmtk:F3} s"));
            Console.WriteLine(FormattableString.Invariant($"dcmdjpeg, one process per file, {Environment.ProcessorCount} at a time:                {dcmtkParallel:F3} s"));
            Console.WriteLine(FormattableString.Invariant($"speed ratio ours/dcmdjpeg: sequential {dcmtk / oursSingle:F2}x, parallel {dcmtkParallel / oursParallel:F2}x (issue 15 asks >= 0.5x)"));
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static double Best(int repeats, Action action)
    {
        action(); // warm-up: JIT, page cache
        var best = double.MaxValue;
        for (var r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            action();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            GC.Collect();
        }

        return best;
    }

    private static void Exec(string exe, params string[] arguments)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{exe} {string.Join(' ', arguments)} failed with {p.ExitCode}: {err.Result}");
        }
    }
}
