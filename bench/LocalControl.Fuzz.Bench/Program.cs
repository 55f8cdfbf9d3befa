using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using LocalControl.Core;
using LocalControl.Core.Cases;
using LocalControl.Core.IO;
using LocalControl.Core.Rules;
using LocalControl.Imaging;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

// Seeded in-process fuzzing of every reader LocalControl has (issue 8): NIfTI, NRRD, DICOM images, SEG, RTSTRUCT,
// case files, label tables and rule-set overrides. Each execution is either a random mutation of a real file or a
// hostile header built field by field from boundary values (huge sizes, NaN spacings, data files outside the
// folder, FIFOs, frame-count bombs, deflate bombs, duplicate keys, lone surrogates). The only acceptable outcomes
// are success or the user-error exceptions (ImagingException, LocalControlInputException, InputFileException);
// anything else is a crash. A watchdog stops the run on a hang (one execution over --hang-seconds) and the peak
// resident memory is compared with the fuzzing budget. Everything is derived from --seed: a run reproduces.
if (args.Length == 3 && args[0] == "replay")
{
    // replay FILE READER: one execution of a kept input (crash-…, hang-…, most-allocating-…), with its allocation.
    return Fuzzer.Replay(args[1], args[2]);
}

var settings = Settings.Parse(args);
var repo = FindRepo();
// Inputs are written to a RAM-backed folder when there is one (/dev/shm): a million small files would wear a disk.
var work = Directory.Exists("/dev/shm") ? Path.Combine("/dev/shm", "lc-fuzz-" + Guid.NewGuid().ToString("N")) : Directory.CreateTempSubdirectory("lc-fuzz-").FullName;
Directory.CreateDirectory(work);
var crashesDir = Path.Combine(work, "crashes");
Directory.CreateDirectory(crashesDir);
var fuzz = new Fuzzer(repo, work, settings);
try
{
    return fuzz.Run(crashesDir);
}
finally
{
    if (!settings.Keep)
    {
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

static string FindRepo()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LocalControl.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("LocalControl.sln not found above the bench binaries.");
}

internal sealed record Settings(long Executions, int Seed, double Minutes, double HangSeconds, bool Keep)
{
    public static Settings Parse(string[] args)
    {
        long executions = 1_000_000;
        var seed = 20261202;
        var minutes = 120.0;
        var hang = 20.0;
        var keep = false;
        for (var i = 0; i < args.Length; i++)
        {
            var next = i + 1 < args.Length ? args[i + 1] : "";
            switch (args[i].TrimStart('-'))
            {
                case "executions": executions = long.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "seed": seed = int.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "minutes": minutes = double.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "hang-seconds": hang = double.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "keep": keep = true; break;
                default: throw new ArgumentException($"unknown argument {args[i]} (executions N, seed S, minutes M, hang-seconds H, keep)");
            }
        }

        return new Settings(executions, seed, minutes, hang, keep);
    }
}

/// <summary>The per-reader tally.</summary>
internal sealed class Tally
{
    public long Executions;
    public long Accepted;
    public long Rejected;
    public long Crashes;
    public long Slow;
    public double SlowestMs;
    public long MostAllocated;
}

internal sealed class Fuzzer
{
    /// <summary>The budget every image read runs under here: small, so a budget breach would show in the peak memory.</summary>
    private static readonly ImagingReadOptions Read = new() { Budget = new ImagingBudget(16L << 20, 64L << 20), MaxFolderFiles = 64 };

    private static readonly ImageGeometry RtGrid = new(new VolumeSize(64, 64, 8), new Vector3D(8, 8, 20), new Vector3D(-256, -256, -80), Matrix3D.Identity);

    private readonly string _work;
    private readonly Settings _settings;
    private readonly Random _rng;
    private readonly List<(string Reader, byte[] Data, string Extension)> _fileSeeds = [];
    private readonly List<string> _caseSeeds = [];
    private readonly string _ruleSeed;
    private readonly string _labelSeed = """{"1": "liver", "2": {"role": "tumour", "name": "CRLM"}, "3": "vessel", "4": "hilum"}""";
    private readonly Dictionary<string, Tally> _tallies = new(StringComparer.Ordinal);
    private readonly List<string> _crashReports = [];
    private const double MemoryStopMiB = 1536;
    private long _currentStart;
    private double _baselineMiB;
    private double _lastPeakMiB;
    private readonly List<string> _peakRaisers = [];
    private string _currentInput = "";
    private string _currentReader = "";

    public Fuzzer(string repo, string work, Settings settings)
    {
        _work = work;
        _settings = settings;
        _rng = new Random(settings.Seed);
        var data = Path.Combine(repo, "tests", "data");
        foreach (var f in Directory.GetFiles(Path.Combine(data, "dcmqi", "23x38x3", "image")))
        {
            _fileSeeds.Add(("dicom", File.ReadAllBytes(f), ".dcm"));
        }

        _fileSeeds.Add(("dicom", File.ReadAllBytes(Path.Combine(data, "dcmqi", "23x38x3", "multiframe", "mf.dcm")), ".dcm"));
        _fileSeeds.Add(("seg", File.ReadAllBytes(Path.Combine(data, "dcmqi", "23x38x3", "seg", "label.seg")), ".dcm"));
        _fileSeeds.Add(("nrrd", File.ReadAllBytes(Path.Combine(data, "dcmqi", "23x38x3", "nrrd", "label.nrrd")), ".nrrd"));
        foreach (var f in Directory.GetFiles(Path.Combine(data, "dcmqi", "ct-3slice")))
        {
            _fileSeeds.Add(("dicom", File.ReadAllBytes(f), ".dcm"));
        }

        var pydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
        foreach (var (name, reader) in new[] { ("rtstruct.dcm", "rtstruct"), ("CT_small.dcm", "dicom"), ("image_dfl.dcm", "dicom"), ("MR_small_RLE.dcm", "dicom"), ("MR_small_bigendian.dcm", "dicom") })
        {
            var p = Path.Combine(pydicom, name);
            if (File.Exists(p))
            {
                _fileSeeds.Add((reader, File.ReadAllBytes(p), ".dcm"));
            }
        }

        _fileSeeds.Add(("nifti", SmallNifti(gzip: false), ".nii"));
        _fileSeeds.Add(("nifti", SmallNifti(gzip: true), ".nii.gz"));
        _fileSeeds.Add(("nrrd", Encoding.Latin1.GetBytes("NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\nsizes: 4 3 2\nspace directions: (0.7,0,0) (0,0.7,0) (0,0,2.5)\nspace origin: (-10,20,30)\nendian: little\nencoding: raw\n\n" + new string('\u0001', 48)), ".nrrd"));
        _fileSeeds.Add(("nrrd", Encoding.Latin1.GetBytes("NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 2\nspacings: 1 1 2\nencoding: ascii\n\n1 2 3 4 5 6 7 8\n"), ".nrrd"));
        foreach (var f in Directory.GetFiles(Path.Combine(repo, "samples", "cases"), "*.json"))
        {
            _caseSeeds.Add(File.ReadAllText(f));
        }

        _ruleSeed = File.ReadAllText(Path.Combine(repo, "samples", "rules", "centre-example.json"));

        // Files hostile headers point at: a FIFO, a link out of the folder, a subfolder, a legitimate data file.
        Exec("mkfifo", Path.Combine(work, "pipe.raw"));
        File.CreateSymbolicLink(Path.Combine(work, "out.raw"), "/etc/passwd");
        Directory.CreateDirectory(Path.Combine(work, "sub"));
        File.WriteAllBytes(Path.Combine(work, "d.raw"), new byte[4096]);
        Directory.CreateSymbolicLink(Path.Combine(work, "sub", "loop"), "..");
    }

    public static int Replay(string path, string reader)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        try
        {
            if (reader is not ("nifti" or "nrrd"))
            {
                DicomReader.Read(path, Read);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"header read: {clock.Elapsed.TotalMilliseconds:F1} ms, {(GC.GetTotalAllocatedBytes(precise: true) - before) / 1048576.0:F1} MiB allocated"));
            }

            if (reader is "nifti" or "nrrd")
            {
                Image(path);
            }
            else
            {
                Dicom(path, reader);
            }

            Console.WriteLine("accepted");
        }
#pragma warning disable CA1031 // a replay reports whatever happens
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Console.WriteLine($"{ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalMilliseconds:F1} ms, {(GC.GetTotalAllocatedBytes(precise: true) - before) / 1048576.0:F1} MiB allocated (all threads), peak {PeakRssMiB():F0} MiB"));
        return 0;
    }

    public int Run(string crashesDir)
    {
        // Warm-up: each seed once, so one-time costs (the DICOM dictionary, JIT) are not charged to an execution.
        foreach (var (reader, data, extension) in _fileSeeds)
        {
            var path = Path.Combine(_work, "warm" + extension);
            File.WriteAllBytes(path, data);
            try
            {
                if (reader is "nifti" or "nrrd")
                {
                    Image(path);
                }
                else
                {
                    Dicom(path, reader);
                }
            }
            catch (ImagingException)
            {
            }
        }

        CaseFileReader.Read(_caseSeeds[0]);
        GC.Collect(); // the bombs above were built from large zero arrays; start the measured run without them
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _baselineMiB = CurrentRssMiB();
        _lastPeakMiB = PeakRssMiB();
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromMinutes(_settings.Minutes);
        var watchdog = new Thread(() => Watch(crashesDir)) { IsBackground = true, Name = "fuzz watchdog" };
        watchdog.Start();
        long n = 0;
        var lastReport = clock.Elapsed;
        for (; n < _settings.Executions && clock.Elapsed < deadline; n++)
        {
            var (reader, action, input) = Next(n);
            var tally = TallyOf(reader);
            tally.Executions++;
            _currentReader = reader;
            _currentInput = input;
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            Volatile.Write(ref _currentStart, started);
            try
            {
                action();
                tally.Accepted++;
            }
            catch (Exception ex) when (ex is ImagingException or LocalControlInputException or InputFileException or FileNotFoundException)
            {
                tally.Rejected++;
            }
#pragma warning disable CA1031 // any other exception is what the fuzzer looks for
            catch (Exception ex)
#pragma warning restore CA1031
            {
                tally.Crashes++;
                if (_crashReports.Count < 20)
                {
                    var saved = Path.Combine(crashesDir, string.Create(CultureInfo.InvariantCulture, $"crash-{n}-{reader}{Path.GetExtension(input)}"));
                    if (File.Exists(input))
                    {
                        File.Copy(input, saved, overwrite: true);
                    }

                    _crashReports.Add(string.Create(CultureInfo.InvariantCulture, $"execution {n} ({reader}): {ex.GetType().Name}: {ex.Message}\n  input kept as {saved}\n  {ex.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}"));
                }
            }

            Volatile.Write(ref _currentStart, 0);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            tally.SlowestMs = Math.Max(tally.SlowestMs, ms);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            if (allocated > tally.MostAllocated)
            {
                tally.MostAllocated = allocated;
                if (_settings.Keep && File.Exists(input))
                {
                    File.Copy(input, Path.Combine(crashesDir, "most-allocating-" + reader + Path.GetExtension(input)), overwrite: true);
                }
            }
            if (ms > 1000)
            {
                tally.Slow++;
            }

            if (n % 16 == 0 || ms > 20)
            {
                var peak = PeakRssMiB();
                if (peak > MemoryStopMiB)
                {
                    // A shared machine: never let a leak run away. Stopping here is a failure of the run.
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MEMORY: resident memory passed {MemoryStopMiB} MiB at execution {n} ({reader}); stopping."));
                    Report(n + 1, clock.Elapsed);
                    return 4;
                }

                if (peak > _lastPeakMiB + 16)
                {
                    // Say which execution raised the high-water mark (and keep its input when asked to).
                    if (_peakRaisers.Count < 12)
                    {
                        _peakRaisers.Add(string.Create(CultureInfo.InvariantCulture, $"execution {n} ({reader}) raised the peak to {peak:F0} MiB"));
                    }

                    if (_settings.Keep && File.Exists(input))
                    {
                        File.Copy(input, Path.Combine(crashesDir, string.Create(CultureInfo.InvariantCulture, $"peak-{n}-{reader}{Path.GetExtension(input)}")), overwrite: true);
                    }

                    _lastPeakMiB = peak;
                }
            }

            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(30))
            {
                lastReport = clock.Elapsed;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … {n + 1} executions, {clock.Elapsed.TotalSeconds:F0} s, peak {PeakRssMiB():F0} MiB"));
            }
        }

        return Report(n, clock.Elapsed);
    }

    private int Report(long executions, TimeSpan elapsed)
    {
        var peak = PeakRssMiB();
        var budgetMiB = Read.Budget.MaxDecodedBytes / 1048576.0;
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LocalControl reader fuzz: seed {_settings.Seed}, {executions} executions in {elapsed.TotalSeconds:F0} s ({executions / Math.Max(1e-9, elapsed.TotalSeconds):F0}/s, 1 thread), load average {load}"));
        if (executions < _settings.Executions)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  stopped by the {_settings.Minutes} min time cap before the {_settings.Executions} executions asked for"));
        }

        Console.WriteLine("  reader     executions   accepted   rejected  crashes  >1s  slowest ms  most allocated by one (MiB)");
        foreach (var (name, t) in _tallies.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-9} {t.Executions,11} {t.Accepted,10} {t.Rejected,10} {t.Crashes,8} {t.Slow,4} {t.SlowestMs,11:F1} {t.MostAllocated / 1048576.0,12:F1}"));
        }

        var crashes = _tallies.Values.Sum(t => t.Crashes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  crashes: {crashes}; hangs: 0 (watchdog at {_settings.HangSeconds} s per execution)"));
        // One read may hold its decoded bytes plus one converted copy (e.g. stored int16 and the float32 volume built
        // from it): twice the budget above the process's resting size is the bound.
        var bound = _baselineMiB + 2 * budgetMiB;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  managed heap hard limit: {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1048576.0:F0} MiB (an over-budget read would have failed with OutOfMemoryException, a crash)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  peak resident memory: {peak:F0} MiB (at rest before the run: {_baselineMiB:F0} MiB); fuzzing budget: {Read.Budget.MaxVoxels} voxels, {budgetMiB:F0} MiB decoded per read; bound rest + 2 x budget = {bound:F0} MiB: {(peak <= bound ? "within" : "ABOVE")}"));
        foreach (var p in _peakRaisers)
        {
            Console.WriteLine("  " + p);
        }

        foreach (var c in _crashReports)
        {
            Console.WriteLine("  " + c);
        }

        return crashes == 0 ? 0 : 1;
    }

    private void Watch(string crashesDir)
    {
        while (true)
        {
            Thread.Sleep(250);
            var start = Volatile.Read(ref _currentStart);
            if (start != 0 && Stopwatch.GetElapsedTime(start).TotalSeconds > _settings.HangSeconds)
            {
                var saved = Path.Combine(crashesDir, "hang-" + _currentReader + Path.GetExtension(_currentInput));
                if (File.Exists(_currentInput))
                {
                    File.Copy(_currentInput, saved, overwrite: true);
                }

                Console.WriteLine($"HANG: one {_currentReader} execution ran over {_settings.HangSeconds} s; input kept as {saved} (run with keep).");
                Console.Out.Flush();
                Environment.Exit(3);
            }
        }
    }

    private Tally TallyOf(string reader)
    {
        if (!_tallies.TryGetValue(reader, out var t))
        {
            t = new Tally();
            _tallies[reader] = t;
        }

        return t;
    }

    private static double CurrentRssMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return Process.GetCurrentProcess().WorkingSet64 / 1048576.0;
    }

    private static double PeakRssMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
    }

    /// <summary>The n-th execution: which reader, the call, and the input file (for saving a crash).</summary>
    private (string Reader, Action Action, string Input) Next(long n)
    {
        var choice = _rng.Next(100);
        if (choice < 10)
        {
            var json = _rng.Next(3) == 0 ? HostileJson(_caseSeeds[_rng.Next(_caseSeeds.Count)]) : MutateText(_caseSeeds[_rng.Next(_caseSeeds.Count)]);
            return ("case", () => CaseFileReader.Read(json), "");
        }

        if (choice < 15)
        {
            var json = _rng.Next(3) == 0 ? HostileJson(_labelSeed) : MutateText(_labelSeed);
            return ("labels", () => LabelTableJson.Parse(json, "labels.json"), "");
        }

        if (choice < 20)
        {
            var json = _rng.Next(3) == 0 ? HostileJson(_ruleSeed) : MutateText(_ruleSeed);
            return ("rules", () => RuleSet.Default.WithOverrides(json, "rules.json"), "");
        }

        if (choice < 35)
        {
            var path = Path.Combine(_work, (n % 2 == 0 ? "h" : "i") + ".nii");
            File.WriteAllBytes(path, HostileNifti());
            return ("nifti", () => Image(path), path);
        }

        if (choice < 50)
        {
            var path = Path.Combine(_work, "h.nhdr");
            File.WriteAllBytes(path, HostileNrrd());
            return ("nrrd", () => Image(path), path);
        }

        if (choice < 65)
        {
            var (reader, bytes) = HostileDicom();
            var path = Path.Combine(_work, "h.dcm");
            File.WriteAllBytes(path, bytes);
            return (reader, () => Dicom(path, reader), path);
        }

        var seed = _fileSeeds[_rng.Next(_fileSeeds.Count)];
        var file = Path.Combine(_work, "m" + seed.Extension);
        var gzip = seed.Extension.EndsWith(".gz", StringComparison.Ordinal);
        var data = gzip ? Gunzip(seed.Data) : seed.Data;
        var mutated = MutateBytes(data, Math.Min(data.Length, seed.Reader == "nrrd" ? 400 : seed.Reader == "nifti" ? 352 : data.Length));
        File.WriteAllBytes(file, gzip ? Gzip(mutated) : mutated);
        return (seed.Reader, seed.Reader is "nifti" or "nrrd" ? () => Image(file) : () => Dicom(file, seed.Reader), file);
    }

    private static void Image(string path)
    {
        VolumeFormats.Identify(path, Read);
        var image = VolumeFormats.Load(path, Read);
        if (image.Info.FrameCount == 1 && image.Info.Geometry.Size.VoxelCount < 1 << 20)
        {
            try
            {
                image.ToLabelVolume();
            }
            catch (ImagingException)
            {
                // Non-integral values are not a label map: a clean refusal.
            }

            image.ToFloatVolume();
        }
    }

    private static void Dicom(string path, string reader)
    {
        var file = DicomReader.Read(path, Read);
        switch (reader)
        {
            case "seg":
                DicomSegReader.Read(file);
                DicomSegReader.Read(file, RtGrid);
                break;
            case "rtstruct":
                DicomContourRasteriser.Rasterise(DicomRtStructReader.Read(file), RtGrid);
                break;
            default:
                if (file.Dataset.Contains(DicomTag.PixelData))
                {
                    var d = DicomPixelDescription.From(file.Dataset, path);
                    DicomPixelDecoder.DecodeFrame(file, d.NumberOfFrames - 1, rescale: true);
                    var series = DicomSeriesScanner.Group([file]);
                    if (series.Count == 1)
                    {
                        DicomSeriesBuilder.Build(series[0]);
                    }
                }

                break;
        }
    }

    // ---- hostile generators -------------------------------------------------------------------------------------

    private static readonly double[] HostileNumbers = [0, 1, -1, 2, 3, 7, 8, 255, 256, 32767, -32768, 65535, int.MaxValue, int.MinValue, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e38, -1e38, 1e-38, 0.5];

    private byte[] HostileNifti()
    {
        var bytes = SmallNifti(gzip: false);
        var span = bytes.AsSpan();
        var fields = 1 + _rng.Next(4);
        for (var f = 0; f < fields; f++)
        {
            var v = HostileNumbers[_rng.Next(HostileNumbers.Length)];
            switch (_rng.Next(9))
            {
                case 0: BinaryPrimitives.WriteInt16LittleEndian(span[(40 + 2 * _rng.Next(8))..], Short(v)); break; // dim
                case 1: BinaryPrimitives.WriteInt16LittleEndian(span[70..], (short)new[] { 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 768, 1024, 1280, 1536, 2304, -1 }[_rng.Next(17)]); break;
                case 2: BinaryPrimitives.WriteInt16LittleEndian(span[72..], Short(v)); break; // bitpix
                case 3: BinaryPrimitives.WriteSingleLittleEndian(span[(76 + 4 * _rng.Next(8))..], (float)v); break; // pixdim
                case 4: BinaryPrimitives.WriteSingleLittleEndian(span[108..], (float)(v * (_rng.Next(2) == 0 ? 1 : 1e6))); break; // vox_offset
                case 5: BinaryPrimitives.WriteSingleLittleEndian(span[(112 + 4 * _rng.Next(2))..], (float)v); break; // scl
                case 6: BinaryPrimitives.WriteInt16LittleEndian(span[(252 + 2 * _rng.Next(2))..], Short(v)); break; // qform/sform code
                case 7: BinaryPrimitives.WriteSingleLittleEndian(span[(256 + 4 * _rng.Next(18))..], (float)v); break; // quatern, qoffset, srow
                default: "ni1\0"u8.CopyTo(span[344..]); break; // a two-file header without its .img
            }
        }

        return bytes;
    }

    private static short Short(double v) => double.IsFinite(v) ? (short)Math.Clamp(v, short.MinValue, short.MaxValue) : (short)-1;

    private static readonly string[] NrrdValues = ["0", "1", "2", "3", "-1", "16", "17", "2147483647", "2147483648", "99999999999999999999", "nan", "NaN", "inf", "-inf", "1e308", "x", ""];

    private static readonly string[] DataFiles = ["/etc/passwd", "../d.raw", "d.raw", "pipe.raw", "out.raw", "sub", "sub/loop/d.raw", "sub/../../d.raw", "~/d.raw", "LIST", "%03d.raw 1 3 1", "/dev/zero", "none.raw", "", "d.raw\0x"];

    private byte[] HostileNrrd()
    {
        string Pick(string[] a) => a[_rng.Next(a.Length)];
        string Sizes(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => _rng.Next(3) == 0 ? Pick(NrrdValues) : (1 + _rng.Next(8)).ToString(CultureInfo.InvariantCulture)));
        string Vector() => $"({Pick(NrrdValues)},{(_rng.Next(2) == 0 ? "0" : Pick(NrrdValues))},{(_rng.Next(2) == 0 ? "1" : Pick(NrrdValues))})";
        var dim = _rng.Next(5) == 0 ? Pick(NrrdValues) : "3";
        var dimN = int.TryParse(dim, NumberStyles.Integer, CultureInfo.InvariantCulture, out var d) && d is > 0 and < 8 ? d : 3;
        var lines = new List<string>
        {
            "type: " + (_rng.Next(4) == 0 ? Pick(["uchar", "short", "double", "int64", "weird", ""]) : "uchar"),
            "dimension: " + dim,
            "sizes: " + Sizes(dimN),
        };
        if (_rng.Next(2) == 0)
        {
            lines.Add("space: " + Pick(["left-posterior-superior", "RAS", "scanner-xyz", "nowhere"]));
            lines.Add("space directions: " + string.Join(' ', Enumerable.Range(0, dimN).Select(_ => _rng.Next(6) == 0 ? "none" : Vector())));
            lines.Add("space origin: " + Vector());
        }
        else if (_rng.Next(2) == 0)
        {
            lines.Add("spacings: " + Sizes(dimN));
        }

        lines.Add("encoding: " + (_rng.Next(3) == 0 ? Pick(["raw", "gzip", "ascii", "bzip2", "hex", ""]) : "raw"));
        lines.Add("endian: " + Pick(["little", "big", "middle"]));
        if (_rng.Next(4) == 0)
        {
            lines.Add("byte skip: " + Pick(["-1", "0", "4611686018427387904", "-5", "100000"]));
        }

        if (_rng.Next(6) == 0)
        {
            lines.Add("line skip: " + Pick(["0", "2147483647", "-1", "3"]));
        }

        if (_rng.Next(5) == 0)
        {
            lines.Add("kinds: " + string.Join(' ', Enumerable.Range(0, dimN).Select(_ => Pick(["domain", "space", "list", "vector", "???"]))));
        }

        var detached = _rng.Next(2) == 0;
        if (detached)
        {
            lines.Add((_rng.Next(5) == 0 ? "datafile: " : "data file: ") + Pick(DataFiles));
        }

        if (_rng.Next(5) == 0)
        {
            lines.Add(lines[_rng.Next(lines.Count)]); // a duplicate field
        }

        if (_rng.Next(8) == 0)
        {
            lines.Add("Segment0_Name:=" + Pick(["tumour", "liver", new string('x', 5000)]));
        }

        var header = "NRRD000" + (1 + _rng.Next(5)).ToString(CultureInfo.InvariantCulture) + "\n" + string.Join('\n', lines) + (_rng.Next(10) == 0 ? "" : "\n\n");
        var payload = new byte[_rng.Next(5) == 0 ? _rng.Next(4096) : _rng.Next(64)];
        _rng.NextBytes(payload);
        if (_rng.Next(4) == 0)
        {
            payload = _rng.Next(2) == 0 ? Gzip(new byte[64]) : GzipBomb; // a small gzip, or 96 MiB of zeros in ~100 KB
        }

        return [.. Encoding.Latin1.GetBytes(header), .. (detached ? [] : payload)];
    }

    private (string Reader, byte[] Bytes) HostileDicom()
    {
        var reader = _rng.Next(4) switch { 0 => "seg", 1 => "rtstruct", _ => "dicom" };
        var syntax = _rng.Next(6) switch { 0 => "1.2.840.10008.1.2", 1 => "1.2.840.10008.1.2.2", 2 => "1.2.840.10008.1.2.1.99", 3 => "1.2.840.10008.1.2.5", _ => "1.2.840.10008.1.2.1" };
        using var body = new MemoryStream();
        string Pick(string[] a) => a[_rng.Next(a.Length)];
        ushort U16() => (ushort)new[] { 0, 1, 2, 3, 8, 12, 16, 32, 64, 512, 65535 }[_rng.Next(11)];
        void El(ushort g, ushort e, string vr, byte[] v) => Element(body, g, e, vr, v);
        El(0x0008, 0x0016, "UI", Text(reader == "seg" ? "1.2.840.10008.5.1.4.1.1.66.4" : reader == "rtstruct" ? "1.2.840.10008.5.1.4.1.1.481.3" : "1.2.840.10008.5.1.4.1.1.2"));
        El(0x0008, 0x0060, "CS", Text(reader == "seg" ? "SEG" : reader == "rtstruct" ? "RTSTRUCT" : Pick(["CT", "MR", "OT"])));
        if (_rng.Next(3) == 0)
        {
            // A private element whose length claims up to 4 GB (the data is short: a truncation the reader must refuse).
            El(0x0009, 0x0010, "LO", Text("EVIL"));
            body.Write([0x09, 0x00, 0x10, 0x10, (byte)'O', (byte)'B', 0, 0]);
            body.Write(BitConverter.GetBytes(new[] { 0xFFFFFFF0u, 900u << 20, 0x7FFFFFFFu, 16u }[_rng.Next(4)]));
            body.Write(new byte[16]);
        }

        El(0x0020, 0x000E, "UI", Text("1.2.3." + _rng.Next(3).ToString(CultureInfo.InvariantCulture)));
        El(0x0020, 0x0032, "DS", Text(Pick(["0\\0\\0", "nan\\0\\0", "1e308\\1e308\\1e308", "1\\2", "x"])));
        El(0x0020, 0x0037, "DS", Text(Pick(["1\\0\\0\\0\\1\\0", "1\\0\\0\\1\\0\\0", "0\\0\\0\\0\\0\\0", "nan\\0\\0\\0\\1\\0"])));
        El(0x0028, 0x0002, "US", BitConverter.GetBytes(_rng.Next(3) == 0 ? U16() : (ushort)1));
        El(0x0028, 0x0004, "CS", Text(Pick(["MONOCHROME2", "MONOCHROME1", "RGB", "PALETTE COLOR", ""])));
        El(0x0028, 0x0008, "IS", Text(Pick(["1", "2", "0", "-1", "2147483647", "1000000", "99999999999", "1e9", "abc"])));
        var rows = _rng.Next(2) == 0 ? U16() : (ushort)4;
        var cols = _rng.Next(2) == 0 ? U16() : (ushort)4;
        El(0x0028, 0x0010, "US", BitConverter.GetBytes(rows));
        El(0x0028, 0x0011, "US", BitConverter.GetBytes(cols));
        El(0x0028, 0x0030, "DS", Text(Pick(["1\\1", "0\\0", "nan\\1", "-1\\1", "1"])));
        var bits = _rng.Next(2) == 0 ? U16() : (ushort)(reader == "seg" ? 1 : 16);
        El(0x0028, 0x0100, "US", BitConverter.GetBytes(bits));
        El(0x0028, 0x0101, "US", BitConverter.GetBytes(_rng.Next(2) == 0 ? U16() : bits));
        El(0x0028, 0x0102, "US", BitConverter.GetBytes((ushort)Math.Max(0, bits - 1)));
        El(0x0028, 0x0103, "US", BitConverter.GetBytes((ushort)_rng.Next(2)));
        if (reader == "seg")
        {
            El(0x0062, 0x0001, "CS", Text(Pick(["BINARY", "FRACTIONAL", "LABELMAP"])));
        }

        if (reader == "rtstruct" || _rng.Next(4) == 0)
        {
            // StructureSetROISequence / ROIContourSequence with a nesting depth and counts from the boundary list.
            var depth = _rng.Next(4) == 0 ? 200 : 1;
            for (var i = 0; i < depth; i++)
            {
                body.Write([0x06, 0x30, 0x20, 0x00, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
            }

            Element(body, 0x3006, 0x0022, "IS", Text(Pick(["1", "2147483647", "-1"])));
            Element(body, 0x3006, 0x0050, "DS", Text(Pick(["0\\0\\0\\10\\0\\0\\10\\10\\0", "nan\\nan\\nan", "1e308\\0\\0\\0\\1e308\\0\\0\\0\\1e308"])));
            for (var i = 0; i < depth; i++)
            {
                body.Write([0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
            }
        }

        var pixelLength = _rng.Next(3) switch { 0 => 0u, 1 => (uint)(rows * cols * Math.Max(1, bits / 8)), _ => (uint)_rng.Next(256) };
        if (_rng.Next(8) == 0)
        {
            pixelLength = 0xFFFFFFFFu; // undefined length: encapsulated
        }

        body.Write([0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)(bits > 8 ? 'W' : 'B'), 0, 0]);
        body.Write(BitConverter.GetBytes(pixelLength));
        if (pixelLength == 0xFFFFFFFFu)
        {
            body.Write([0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0x00, 0xE0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        }
        else
        {
            var px = new byte[Math.Min(pixelLength, 1u << 16)];
            _rng.NextBytes(px);
            body.Write(px);
        }

        var dataset = body.ToArray();
        if (syntax.EndsWith(".99", StringComparison.Ordinal))
        {
            using var deflated = new MemoryStream();
            var bomb = _rng.Next(3) == 0;
            var z = new DeflateStream(deflated, CompressionLevel.Fastest, leaveOpen: true);
            z.Write(dataset);
            if (bomb)
            {
                // A sync flush ends on a byte boundary with no final block, so the bomb's own deflate blocks can follow:
                // 96 MiB of zeros (over the 64 MiB fuzz budget) in ~100 KB.
                z.Flush();
                dataset = [.. deflated.ToArray(), .. DeflateBomb];
                z.Dispose();
            }
            else
            {
                z.Dispose();
                dataset = deflated.ToArray();
            }
        }

        return (reader, [.. Meta(syntax), .. dataset]);
    }

    private string HostileJson(string seed)
    {
        var s = seed;
        switch (_rng.Next(9))
        {
            case 0: // a duplicate key
                var brace = s.IndexOf('{', StringComparison.Ordinal);
                var colon = s.IndexOf(':', brace + 1);
                return brace < 0 || colon < 0 ? s : s.Insert(colon + 1, " 1, " + s[(brace + 1)..colon] + ":");
            case 1: // a lone surrogate in a string
                var q = s.IndexOf('"', s.Length / 2);
                return q < 0 ? s : s.Insert(q + 1, _rng.Next(2) == 0 ? "\\ud800" : "\\udc00x");
            case 2: // extreme numbers
                return ReplaceNumber(s, Pick(["1e400", "-1e400", "64.0", "6.4e1", "-0", "1e-400", "99999999999999999999999", "NaN", "0x10", "1.", "+1"]));
            case 3: // a megabyte string
                var at = s.IndexOf("\":\"", StringComparison.Ordinal);
                return at < 0 ? s : s.Insert(at + 3, new string('x', 1 << 20));
            case 4: // deep nesting
                var depth = _rng.Next(2) == 0 ? 63 : 5000;
                return new string('[', depth) + new string(']', depth);
            case 5: // control characters and ANSI escapes
                var v = s.IndexOf("\": \"", StringComparison.Ordinal);
                return v < 0 ? s : s.Insert(v + 4, "\\u001b[31m\\u0000\u0007");
            case 6: // a BOM, trailing commas, comments
                return "\uFEFF" + s.Replace("}", ",}", StringComparison.Ordinal) + "// end";
            case 7: // wrong types everywhere
                return s.Replace("\"", "", StringComparison.Ordinal);
            default: // a different root
                return Pick(["[]", "null", "\"x\"", "1", "{}", "", " ", "{\"\":{}}"]);
        }

        string Pick(string[] a) => a[_rng.Next(a.Length)];
    }

    private string ReplaceNumber(string s, string with)
    {
        var digits = Enumerable.Range(0, s.Length).Where(i => char.IsAsciiDigit(s[i]) && (i == 0 || !char.IsAsciiLetterOrDigit(s[i - 1]))).ToList();
        if (digits.Count == 0)
        {
            return s;
        }

        var start = digits[_rng.Next(digits.Count)];
        var end = start;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] is '.' or 'e' or 'E' or '-' or '+'))
        {
            end++;
        }

        return s[..start] + with + s[end..];
    }

    // ---- mutation ---------------------------------------------------------------------------------------------

    private string MutateText(string seed) => Encoding.UTF8.GetString(MutateBytes(Encoding.UTF8.GetBytes(seed), seed.Length));

    private byte[] MutateBytes(byte[] input, int focus)
    {
        var data = (byte[])input.Clone();
        var ops = 1 + _rng.Next(4);
        for (var op = 0; op < ops && data.Length > 0; op++)
        {
            var limit = _rng.Next(4) == 0 ? data.Length : Math.Max(1, Math.Min(data.Length, focus));
            var at = _rng.Next(limit);
            switch (_rng.Next(8))
            {
                case 0: data[at] ^= (byte)(1 << _rng.Next(8)); break;
                case 1: data[at] = (byte)_rng.Next(256); break;
                case 2 when at + 4 <= data.Length:
                    BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), new[] { 0xFFFFFFFFu, 0x7FFFFFFFu, 0u, 1u, 0x80000000u, (uint)_rng.Next() }[_rng.Next(6)]);
                    break;
                case 3 when at + 2 <= data.Length:
                    BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(at), (ushort)new[] { 0xFFFF, 0xFFFE, 0xE000, 0xE00D, 0xE0DD, 0, 0x7FFF, 0x8000 }[_rng.Next(8)]);
                    break;
                case 4: data = data[.._rng.Next(data.Length)]; break;
                case 5 when data[at] is >= (byte)'0' and <= (byte)'9':
                    data = [.. data[..at], .. "99999999999"u8.ToArray(), .. data[(at + 1)..]];
                    break;
                case 6:
                    var len = Math.Min(1 + _rng.Next(64), data.Length - at);
                    data = _rng.Next(2) == 0 ? [.. data[..at], .. data[at..(at + len)], .. data[at..]] : [.. data[..at], .. data[(at + len)..]];
                    break;
                default:
                    var junk = new byte[1 + _rng.Next(16)];
                    _rng.NextBytes(junk);
                    data = [.. data[..at], .. junk, .. data[at..]];
                    break;
            }
        }

        return data;
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static readonly byte[] GzipBomb = Gzip(new byte[96 << 20]);

    private static readonly byte[] DeflateBomb = Deflate(new byte[96 << 20]);

    private static byte[] Deflate(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new DeflateStream(ms, CompressionLevel.Optimal))
        {
            z.Write(data);
        }

        return ms.ToArray();
    }

    private static byte[] SmallNifti(bool gzip)
    {
        var h = new byte[352];
        BinaryPrimitives.WriteInt32LittleEndian(h, 348);
        short[] dim = [3, 4, 3, 2, 1, 1, 1, 1];
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(h.AsSpan(40 + 2 * i), dim[i]);
        }

        BinaryPrimitives.WriteInt16LittleEndian(h.AsSpan(70), 4); // int16
        BinaryPrimitives.WriteInt16LittleEndian(h.AsSpan(72), 16);
        float[] pixdim = [1, 0.8f, 0.8f, 2.5f, 1, 1, 1, 1];
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(h.AsSpan(76 + 4 * i), pixdim[i]);
        }

        BinaryPrimitives.WriteSingleLittleEndian(h.AsSpan(108), 352);
        BinaryPrimitives.WriteSingleLittleEndian(h.AsSpan(112), 1);
        BinaryPrimitives.WriteInt16LittleEndian(h.AsSpan(252), 1); // qform_code
        BinaryPrimitives.WriteInt16LittleEndian(h.AsSpan(254), 1); // sform_code
        BinaryPrimitives.WriteSingleLittleEndian(h.AsSpan(280), -0.8f);
        BinaryPrimitives.WriteSingleLittleEndian(h.AsSpan(300), -0.8f);
        BinaryPrimitives.WriteSingleLittleEndian(h.AsSpan(320), 2.5f);
        "n+1\0"u8.CopyTo(h.AsSpan(344));
        var voxels = new byte[24 * 2];
        for (var i = 0; i < voxels.Length; i += 2)
        {
            voxels[i] = (byte)(i % 5);
        }

        byte[] file = [.. h, .. voxels];
        return gzip ? Gzip(file) : file;
    }

    private static byte[] Meta(string syntax)
    {
        var uid = Text(syntax, pad: 0);
        using var group = new MemoryStream();
        Element(group, 0x0002, 0x0010, "UI", uid);
        using var ms = new MemoryStream();
        ms.Write(new byte[128]);
        ms.Write("DICM"u8);
        Element(ms, 0x0002, 0x0000, "UL", BitConverter.GetBytes((uint)group.Length));
        group.WriteTo(ms);
        return ms.ToArray();
    }

    private static void Element(Stream s, ushort group, ushort element, string vr, byte[] value)
    {
        s.Write(BitConverter.GetBytes(group));
        s.Write(BitConverter.GetBytes(element));
        s.Write(Encoding.ASCII.GetBytes(vr));
        if (vr is "OB" or "OW" or "SQ" or "UN" or "UT")
        {
            s.Write([0, 0]);
            s.Write(BitConverter.GetBytes((uint)value.Length));
        }
        else
        {
            s.Write(BitConverter.GetBytes((ushort)value.Length));
        }

        s.Write(value);
    }

    private static byte[] Text(string s, byte pad = (byte)' ')
    {
        var b = Encoding.ASCII.GetBytes(s);
        return b.Length % 2 == 0 ? b : [.. b, pad];
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static void Exec(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false })!;
        p.WaitForExit();
    }
}
