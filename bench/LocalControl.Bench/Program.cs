using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using LocalControl.Core.Cases;
using LocalControl.Core.Engine;

namespace LocalControl.Bench;

/// <summary>
/// Engine throughput: assesses 100,000 generated cases on one thread and reports cases per second.
/// <c>dotnet run -c Release --project bench/LocalControl.Bench -- engine [count]</c>; <c>-- bdn</c> runs BenchmarkDotNet.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "bdn")
        {
            BenchmarkRunner.Run<EngineBenchmark>();
            return 0;
        }

        var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        var cases = CaseGenerator.Generate(count, seed: 42);
        var engine = TumourBoardEngine.Default;
        var lesions = cases.Sum(c => c.Lesions.Count);

        // Warm up (JIT, tiered compilation) on a slice, then time whole passes on this thread only.
        for (var i = 0; i < Math.Min(count, 20_000); i++)
        {
            engine.Assess(cases[i]);
        }

        var rates = new List<double>();
        var cpuRates = new List<double>();
        long checksum = 0;
        var process = Process.GetCurrentProcess();
        for (var pass = 0; pass < 3; pass++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            foreach (var c in cases)
            {
                checksum += (int)engine.Assess(c).PatientOptions[0].Eligibility;
            }

            sw.Stop();
            process.Refresh();
            rates.Add(count / sw.Elapsed.TotalSeconds);
            // CPU time of the whole process (this thread plus GC): on a shared, loaded machine wall time
            // includes waiting for a core, CPU time does not.
            cpuRates.Add(count / (process.TotalProcessorTime - cpuBefore).TotalSeconds);
        }

        cpuRates.Sort();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            engine.Assess(cases[i]);
        }

        var bytesPerCase = (GC.GetAllocatedBytesForCurrentThread() - before) / 10_000.0;
        var scoreWatch = Stopwatch.StartNew();
        foreach (var c in cases)
        {
            checksum += LocalControl.Core.Scores.PrognosticScoreCalculator.Compute(c).Fong is null ? 0 : 1;
        }

        scoreWatch.Stop();
        rates.Sort();
        Console.WriteLine(FormattableString.Invariant($"engine: {count} cases ({lesions} lesions), 1 thread, 3 passes"));
        Console.WriteLine(FormattableString.Invariant($"  cases/s (wall clock): best {rates[2]:N0}, median {rates[1]:N0}, worst {rates[0]:N0}"));
        Console.WriteLine(FormattableString.Invariant($"  cases per CPU second (process): best {cpuRates[2]:N0}, median {cpuRates[1]:N0}; load average now {LoadAverage()}"));
        Console.WriteLine(FormattableString.Invariant($"  allocated per case: {bytesPerCase:N0} bytes; prognostic scores alone: {count / scoreWatch.Elapsed.TotalSeconds:N0} cases/s"));
        Console.WriteLine(FormattableString.Invariant($"  target 50,000 cases/s: best is {rates[2] / 50_000:0.00}x the target (checksum {checksum})"));
        return 0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}

/// <summary>Deterministic generator of realistic cases: 1-8 lesions, mixed organs, some data missing.</summary>
public static class CaseGenerator
{
    public static MetastaticCase[] Generate(int count, int seed)
    {
        var random = new Random(seed);
        var cases = new MetastaticCase[count];
        for (var i = 0; i < count; i++)
        {
            var n = 1 + random.Next(random.Next(2) == 0 ? 3 : 8);
            var lesions = new Lesion[n];
            for (var l = 0; l < n; l++)
            {
                var organ = random.Next(10) switch { < 6 => Organ.Liver, < 8 => Organ.Lung, 8 => Organ.Bone, _ => Organ.LymphNode };
                lesions[l] = new Lesion
                {
                    Id = "L" + l.ToString(CultureInfo.InvariantCulture),
                    Organ = organ,
                    LongestDiameterMm = Maybe(random, 5 + random.NextDouble() * 70),
                    DistanceToLargeVesselMm = Maybe(random, random.NextDouble() * 30),
                    LargeVesselCalibreMm = Maybe(random, 3 + random.NextDouble() * 10),
                    DistanceToHilumMm = Maybe(random, random.NextDouble() * 60),
                    AdjacentStructures = random.Next(5) == 0 ? null : random.Next(4) == 0 ? ["bowel"] : [],
                    Visibility = new GuidanceVisibility { Ultrasound = (Visibility)random.Next(4), Ct = (Visibility)random.Next(4) },
                    SurgicalAssessment = (SurgicalAssessment)random.Next(4),
                    Intent = organ == Organ.Bone ? (BoneLesionIntent)random.Next(3) : BoneLesionIntent.NotAssessed,
                    WorstPainScore = organ == Organ.Bone ? random.Next(11) : null,
                };
            }

            var patient = new Patient
            {
                Ecog = random.Next(6) == 0 ? null : random.Next(4),
                RasStatus = (MutationStatus)random.Next(3),
                Primary = new PrimaryTumour { NodePositive = random.Next(2) == 0, Resected = random.Next(3) != 0 },
                CeaNgPerMl = Maybe(random, random.NextDouble() * 300),
                DiseaseFreeIntervalMonths = Maybe(random, random.NextDouble() * 36),
                PriorSystemicTherapy = random.Next(3) switch
                {
                    0 => [],
                    1 => [new SystemicTherapyLine { Line = 1, ContainsOxaliplatin = true, Progressed = true }],
                    _ => null,
                },
                Liver = new LiverStatus { FutureLiverRemnantPercent = Maybe(random, 15 + random.NextDouble() * 60), Cirrhosis = false },
            };
            cases[i] = new MetastaticCase("GEN-" + i.ToString(CultureInfo.InvariantCulture), patient, lesions);
        }

        return cases;
    }

    private static double? Maybe(Random random, double value) => random.Next(8) == 0 ? null : Math.Round(value, 1);
}

/// <summary>BenchmarkDotNet view of the same work: one assessment of a typical case.</summary>
[MemoryDiagnoser]
public class EngineBenchmark
{
    private MetastaticCase[] _cases = [];
    private int _next;

    [GlobalSetup]
    public void Setup() => _cases = CaseGenerator.Generate(1024, seed: 7);

    [Benchmark]
    public Assessment AssessOneCase() => TumourBoardEngine.Default.Assess(_cases[_next++ & 1023]);
}
