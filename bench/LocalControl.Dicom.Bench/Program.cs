using System.Diagnostics;
using System.Globalization;
using LocalControl.Imaging.Formats.Dicom;

// Usage: dotnet run -c Release --project bench/LocalControl.Dicom.Bench [-- SLICES [REPEATS]]
//        dotnet run -c Release --project bench/LocalControl.Dicom.Bench -- jpeg [SLICES [REPEATS]]
//   jpeg: a 512x512xSLICES series built from the real dcmqi CT slices, compressed as JPEG Lossless SV1 (dcmcjpeg +e1),
//   decoded by us (DicomSeriesBuilder.Load, all cores; and frame by frame on one thread) and by dcmtk's dcmdjpeg
//   (one process per file, as a user would run it) on the same files in the same run; prints the ratios.
// Writes a 512x512xSLICES CT series (one 16-bit file per slice, with pydicom) into a temp folder, then times, in the
// same run: our DicomSeriesBuilder.Load (scan, sort, check, decode into float HU) and pydicom + numpy stacking with
// the modality LUT (/usr/bin/python3). Best of REPEATS for both. Prints the ratio.
if (args.Length > 0 && args[0] == "jpeg")
{
    JpegBench.Run(FindRepoRoot(), args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3);
    return;
}

var slices = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
var repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var root = FindRepoRoot();
var folder = Path.Combine(Path.GetTempPath(), "lc-dicom-bench-" + Guid.NewGuid().ToString("N"));
try
{
    var make = Path.Combine(root, "tests", "LocalControl.Imaging.Tests", "Formats", "Dicom", "Oracle", "make_series.py");
    var gen = Stopwatch.StartNew();
    Run("/usr/bin/python3", make, folder, "512", "512", slices.ToString(CultureInfo.InvariantCulture), "0.8", "ok");
    Console.WriteLine($"wrote {slices} files of 512x512 int16 in {gen.Elapsed.TotalSeconds:F1} s to {folder}");

    DicomSeriesBuilder.Load(folder); // warm-up (JIT, file cache)
    var ours = double.MaxValue;
    for (var r = 0; r < repeats; r++)
    {
        var sw = Stopwatch.StartNew();
        var volume = DicomSeriesBuilder.Load(folder);
        sw.Stop();
        ours = Math.Min(ours, sw.Elapsed.TotalSeconds);
        GC.KeepAlive(volume);
        GC.Collect();
    }

    var script = Path.Combine(AppContext.BaseDirectory, "pydicom_load.py");
    var pydicom = double.Parse(Run("/usr/bin/python3", script, folder, repeats.ToString(CultureInfo.InvariantCulture)).Trim(), CultureInfo.InvariantCulture);
    Console.WriteLine(FormattableString.Invariant($"LocalControl DicomSeriesBuilder.Load: {ours:F3} s (best of {repeats}, {Environment.ProcessorCount} cores)"));
    Console.WriteLine(FormattableString.Invariant($"pydicom + numpy stacking:            {pydicom:F3} s (best of {repeats})"));
    Console.WriteLine(FormattableString.Invariant($"ratio pydicom / ours:                {pydicom / ours:F2}x"));
}
finally
{
    if (Directory.Exists(folder))
    {
        Directory.Delete(folder, recursive: true);
    }
}

static string Run(string exe, params string[] arguments)
{
    var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var a in arguments)
    {
        psi.ArgumentList.Add(a);
    }

    using var p = Process.Start(psi)!;
    var output = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    return p.ExitCode == 0 ? output : throw new InvalidOperationException($"{exe} {string.Join(' ', arguments)} failed with {p.ExitCode}");
}

static string FindRepoRoot()
{
    var dir = AppContext.BaseDirectory;
    while (dir is not null && !File.Exists(Path.Combine(dir, "LocalControl.sln")))
    {
        dir = Path.GetDirectoryName(dir);
    }

    return dir ?? throw new InvalidOperationException("run from inside the repository");
}
