using System.Diagnostics;
using System.Globalization;
using LocalControl.Follow.Survival;

// 100,000 lesion records: months to local tumour progression or censoring, five tools with different hazards,
// about a third censored (seeded, so every run measures the same table).
const int n = 100_000;
const int repeats = 7;
var random = new Random(13);
string[] tools = ["rfa", "mwa", "cryoablation", "ire", "resection"];
var times = new double[n];
var events = new bool[n];
var groups = new string[n];
for (var i = 0; i < n; i++)
{
    var g = i % tools.Length;
    var eventMonths = -Math.Log(1 - random.NextDouble()) * (20 + (8 * g));
    var censorMonths = random.NextDouble() * 60;
    times[i] = Math.Round(Math.Min(eventMonths, censorMonths), 1); // follow-up recorded to 0.1 month: many ties
    events[i] = eventMonths <= censorMonths;
    groups[i] = tools[g];
}

// Peer measured in the same run: sorting the times alone, the floor of any Kaplan–Meier implementation.
double Median(Func<double> run)
{
    run();
    var samples = Enumerable.Range(0, repeats).Select(_ => run()).Order().ToArray();
    return samples[repeats / 2];
}

var sortMs = Median(() =>
{
    var copy = (double[])times.Clone();
    var sw = Stopwatch.StartNew();
    Array.Sort(copy);
    return sw.Elapsed.TotalMilliseconds;
});

SurvivalAnalysisResult? result = null;
var analysisMs = Median(() =>
{
    var sw = Stopwatch.StartNew();
    result = SurvivalAnalysis.Run(times, events, groups);
    return sw.Elapsed.TotalMilliseconds;
});

var pngMs = Median(() =>
{
    var sw = Stopwatch.StartNew();
    _ = KaplanMeierPlot.Png(result!, "Months from treatment", "Local-tumour-progression-free survival by tool");
    return sw.Elapsed.TotalMilliseconds;
});

var jsonMs = Median(() =>
{
    var sw = Stopwatch.StartNew();
    _ = SurvivalReport.Json(result!);
    return sw.Elapsed.TotalMilliseconds;
});

var total = analysisMs + pngMs;
var c = CultureInfo.InvariantCulture;
Console.WriteLine(string.Create(c, $"records {n}, groups {tools.Length}, events {events.Count(e => e)}, distinct times {times.Distinct().Count()}, cores {Environment.ProcessorCount}"));
Console.WriteLine(string.Create(c, $"peer: Array.Sort of the times      {sortMs,8:0.0} ms"));
Console.WriteLine(string.Create(c, $"Kaplan–Meier ×5 + log-rank (5 groups) {analysisMs,8:0.0} ms  ({analysisMs / sortMs:0.0}× the sort)"));
Console.WriteLine(string.Create(c, $"PNG with bands and number at risk     {pngMs,8:0.0} ms"));
Console.WriteLine(string.Create(c, $"JSON contract                         {jsonMs,8:0.0} ms"));
Console.WriteLine(string.Create(c, $"curves + picture                      {total,8:0.0} ms  (budget 1000 ms: {(total < 1000 ? "met" : "NOT met")})"));
Console.WriteLine(string.Create(c, $"log-rank chi-square {result!.LogRank!.ChiSquare:0.0} on {result.LogRank.DegreesOfFreedom} df, p = {result.LogRank.PValue:G3}"));
return total < 1000 ? 0 : 1;
