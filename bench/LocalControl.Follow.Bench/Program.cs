using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using LocalControl.Core.Cases;
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

// The cohort page path (web app, /cohort and /cohort/plot.png): case files as stored in the registry, 25,000 cases
// with 4 ablated lesions each = 100,000 lesion records. Cold: every file parsed by the case-file reader (in parallel,
// as CohortService does on its first request); warm: the cohort built by the response engine's rules, the curves,
// the page's table (survival with CI and at risk at 12/24/36/60 months per group) and the PNG - what a request costs
// after an edit (one file re-parsed, negligible). The database query (id, version of every case) is not in here.
const int cohortCases = 25_000;
var files = new string[cohortCases];
var rng = new Random(2026);
string[] ablations = ["rfa", "mwa", "cryoablation", "ire"];
string[] ras = ["wild-type", "mutated", "unknown"];
var start = new DateOnly(2022, 1, 1);
string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
for (var i = 0; i < cohortCases; i++)
{
    var treated = start.AddDays(rng.Next(0, 900));
    var lesions = new JsonArray();
    var ids = new JsonArray();
    var first = new JsonArray();
    var later = new JsonArray();
    for (var l = 1; l <= 4; l++)
    {
        lesions.Add(new JsonObject { ["id"] = $"L{l}", ["organ"] = l <= 3 ? "liver" : "lung", ["location"] = $"site {l}", ["longestDiameterMm"] = rng.Next(8, 50) });
        ids.Add($"L{l}");
        first.Add(new JsonObject { ["lesionId"] = $"L{l}", ["status"] = "present", ["ablationZone"] = new JsonObject { ["enhancingTissue"] = false } });
        var ltp = rng.NextDouble() < 0.3;
        later.Add(new JsonObject
        {
            ["lesionId"] = $"L{l}", ["status"] = "present",
            ["ablationZone"] = ltp ? new JsonObject { ["enhancingTissue"] = true, ["adjacentToZone"] = true } : new JsonObject { ["enhancingTissue"] = false },
        });
    }
    var last = treated.AddDays(60 + rng.Next(0, 1400));
    var caseFile = new JsonObject
    {
        ["caseId"] = $"CRC-{i:D6}",
        ["patient"] = new JsonObject { ["ageYears"] = 50 + rng.Next(30), ["ecog"] = rng.Next(2), ["rasStatus"] = ras[rng.Next(3)], ["primary"] = new JsonObject { ["site"] = "colon" } },
        ["lesions"] = lesions,
        ["treatments"] = new JsonArray(new JsonObject
        {
            ["id"] = "T1", ["date"] = Iso(treated), ["therapy"] = ablations[rng.Next(4)], ["lesionIds"] = ids,
            ["minimalAblativeMarginMm"] = Math.Round(rng.NextDouble() * 15, 1), ["technicalSuccess"] = true,
        }),
        ["followUps"] = new JsonArray(
            new JsonObject { ["date"] = Iso(treated.AddDays(30)), ["modality"] = "ct", ["lesions"] = first },
            new JsonObject { ["date"] = Iso(last), ["modality"] = "ct", ["lesions"] = later }),
        ["survival"] = rng.NextDouble() < 0.3
            ? new JsonObject { ["vitalStatus"] = "dead", ["deathDate"] = Iso(last.AddDays(rng.Next(1, 400))) }
            : new JsonObject { ["vitalStatus"] = "alive", ["lastContactDate"] = Iso(last.AddDays(rng.Next(1, 400))) },
    };
    files[i] = caseFile.ToJsonString();
}
if (files.Select(f => CaseFileReader.Read(f)).FirstOrDefault(r => !r.IsValid) is { } bad)
{
    Console.Error.WriteLine("generated case file does not read: " + string.Join("; ", bad.Errors));
    return 2;
}

MetastaticCase[] parsedCases = [];
var coldMs = Median(() =>
{
    var sw = Stopwatch.StartNew();
    var parsed = new MetastaticCase[files.Length];
    Parallel.For(0, files.Length, k => parsed[k] = CaseFileReader.Read(files[k]).Case!);
    parsedCases = parsed;
    return sw.Elapsed.TotalMilliseconds;
});

CohortView? view = null;
double TimeView(CohortEndpoint endpoint, CohortGrouping by, out CohortView built)
{
    CohortView? last = null;
    var ms = Median(() =>
    {
        var sw = Stopwatch.StartNew();
        last = CohortView.Compute(parsedCases, endpoint, by);
        foreach (var g in last.Analysis.Groups)
        {
            foreach (var m in CohortView.TableMonths)
            {
                _ = CohortView.At(g.Curve, m);
            }
        }
        _ = last.Png();
        return sw.Elapsed.TotalMilliseconds;
    });
    built = last!;
    return ms;
}
var ltpMs = TimeView(CohortEndpoint.Ltp, CohortGrouping.Tool, out view);
var ltpMarginMs = TimeView(CohortEndpoint.Ltp, CohortGrouping.Margin, out _);
var osMs = TimeView(CohortEndpoint.Os, CohortGrouping.Ras, out var osView);
var buildMs = Median(() =>
{
    var sw = Stopwatch.StartNew();
    _ = CohortOutcomes.Build(parsedCases, CohortEndpoint.Ltp, CohortGrouping.Tool);
    return sw.Elapsed.TotalMilliseconds;
});
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
Console.WriteLine();
Console.WriteLine(string.Create(c, $"cohort page path: {cohortCases} case files, {view.Cohort.Subjects.Count} ablated lesions in the LTP cohort ({view.Cohort.Excluded.Count} left out), {osView.Cohort.Subjects.Count} patients in the OS cohort"));
Console.WriteLine(string.Create(c, $"cold: parse every case file (Parallel.For)   {coldMs,8:0.0} ms  (first request after a start)"));
Console.WriteLine(string.Create(c, $"the cohort rules alone (LTP by tool, warm)  {buildMs,8:0.0} ms"));
Console.WriteLine(string.Create(c, $"warm: LTP by tool: cohort + curves + table + PNG   {ltpMs,8:0.0} ms  (budget 1000 ms: {(ltpMs < 1000 ? "met" : "NOT met")})"));
Console.WriteLine(string.Create(c, $"warm: LTP by margin                            {ltpMarginMs,8:0.0} ms"));
Console.WriteLine(string.Create(c, $"warm: OS by RAS (25,000 patients)              {osMs,8:0.0} ms"));
Console.WriteLine($"load average (1, 5, 15 min; running/total; last pid): {load}");
return total < 1000 && ltpMs < 1000 ? 0 : 1;
