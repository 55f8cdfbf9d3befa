// Load benchmark of the tumour-board web app: seeds N cases into a fresh SQLite registry, starts the app
// (Release build, separate process, loopback), signs in, and drives C concurrent clients for S seconds per
// scenario: the case list (pages, status filter, search) and the case page (random case). Reports p50/p95/p99.
//
// Usage: dotnet run -c Release --project bench/LocalControl.Web.Bench -- [--cases 10000] [--clients 50] [--seconds 20] [--warmup 20] [--keep]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using Microsoft.EntityFrameworkCore;

var cases = Arg("--cases", 10_000);
var clients = Arg("--clients", 50);
var seconds = Arg("--seconds", 20);
var warmup = Arg("--warmup", 20);
var keep = args.Contains("--keep");
const string Password = "bench-admin-password";

var repo = FindRepo();
var appFolder = Path.Combine(repo, "src", "LocalControl.Web", "bin", "Release", "net10.0");
if (!File.Exists(Path.Combine(appFolder, "LocalControl.Web.dll")))
{
    Console.Error.WriteLine($"Build the app first: dotnet build -c Release LocalControl.sln (looked in {appFolder}).");
    return 2;
}
var data = Path.Combine(Path.GetTempPath(), "lc-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(data);
var caseIds = new List<string>(cases);
try
{
    // 1. Seed: migrate with the app's migrations, insert N cases (1-5 lesions each) with their audit lines.
    var sw = Stopwatch.StartNew();
    await using (var db = new SqliteRegistryDbContext(new DbContextOptionsBuilder<SqliteRegistryDbContext>().UseSqlite($"Data Source={Path.Combine(data, "localcontrol.db")}").Options))
    {
        await db.MigrateRegistryAsync();
        var rng = new Random(20261127);
        var organs = new[] { "liver", "liver", "liver", "lung", "lung", "bone", "lymph-node" };
        var statuses = CaseStatusNames.All;
        var t0 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var batch = 0; batch < cases; batch += 1000)
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            for (var i = batch; i < Math.Min(cases, batch + 1000); i++)
            {
                var id = $"CRC-{i:D6}";
                caseIds.Add(id);
                var lesions = new JsonArray();
                var n = rng.Next(1, 6);
                var used = new SortedSet<string>(StringComparer.Ordinal);
                for (var l = 1; l <= n; l++)
                {
                    var organ = organs[rng.Next(organs.Length)];
                    used.Add(organ);
                    lesions.Add(new JsonObject
                    {
                        ["id"] = $"L{l}", ["organ"] = organ, ["location"] = "site " + l, ["longestDiameterMm"] = rng.Next(5, 60),
                        ["distanceToLargeVesselMm"] = rng.Next(0, 30), ["largeVesselCalibreMm"] = rng.Next(2, 12),
                        ["surgicalAssessment"] = rng.Next(3) switch { 0 => "resectable", 1 => "unresectable", _ => "not-assessed" },
                    });
                }
                var json = new JsonObject
                {
                    ["caseId"] = id,
                    ["patient"] = new JsonObject
                    {
                        ["ageYears"] = rng.Next(35, 90), ["ecog"] = rng.Next(0, 3), ["rasStatus"] = rng.Next(2) == 0 ? "mutant" : "wild-type",
                        ["primary"] = new JsonObject { ["site"] = rng.Next(2) == 0 ? "colon" : "rectum", ["nodePositive"] = rng.Next(2) == 0, ["resected"] = true },
                        ["cea"] = rng.Next(1, 400), ["diseaseFreeIntervalMonths"] = rng.Next(0, 48),
                    },
                    ["lesions"] = lesions,
                }.ToJsonString();
                var at = t0.AddMinutes(i);
                db.Cases.Add(new CaseRecord
                {
                    CaseId = id, CaseFileJson = json, LesionCount = n, Organs = string.Join(",", used),
                    Status = statuses[rng.Next(statuses.Count)], CreatedUtc = at, UpdatedUtc = at, Version = 1,
                    MeetingDate = DateOnly.FromDateTime(at).AddDays(7),
                });
                db.Audit.Add(new AuditEntry { AtUtc = at, UserName = "bench", Action = AuditActions.Create, EntityType = "case", EntityKey = id, Detail = "version 1" });
            }
            await db.SaveChangesAsync();
            await tx.CommitAsync();
            db.ChangeTracker.Clear();
        }
    }
    Console.WriteLine($"seeded {cases} cases in {sw.Elapsed.TotalSeconds:F1} s");

    // 2. Start the app (Release) on a free loopback port.
    var port = FreePort();
    var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = appFolder, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    psi.ArgumentList.Add(Path.Combine(appFolder, "LocalControl.Web.dll"));
    psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
    psi.Environment["Urls"] = $"http://127.0.0.1:{port}";
    psi.Environment["Registry__DataFolder"] = data;
    psi.Environment["Registry__SeedSamples"] = "false";
    psi.Environment["LOCALCONTROL_ADMIN_PASSWORD"] = Password;
    psi.Environment["Logging__LogLevel__Default"] = "Warning";
    psi.Environment["Security__AllowInsecureCookies"] = "true"; // plain http on loopback: the client sends no Secure cookie over http
    psi.Environment["Security__SignInAttemptsPerMinute"] = "1000"; // every client signs in from 127.0.0.1
    using var server = Process.Start(psi)!;
    server.OutputDataReceived += (_, _) => { };
    server.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("[server] " + e.Data); } };
    server.BeginOutputReadLine();
    server.BeginErrorReadLine();
    var baseAddress = new Uri($"http://127.0.0.1:{port}");
    try
    {
        await WaitReadyAsync(baseAddress);
        var cookie = await SignInAsync(baseAddress, "admin", Password);
        Console.WriteLine($"app on {baseAddress}, {clients} clients, {seconds} s per scenario; the admin reads (every case page view writes an audit line)");
        Console.WriteLine($"wrk equivalent: wrk -t2 -c{clients} -d{seconds}s -H 'Cookie: {cookie.Split('=')[0]}=…' {baseAddress}cases");

        var rng = new Random(7);
        var scenarios = new (string Name, Func<Random, string> Path)[]
        {
            ("case list (first page)", _ => "/cases"),
            ("case list (random page, status filter, search)", r => r.Next(3) switch
            {
                0 => $"/cases?page={r.Next(1, cases / 50 + 1)}",
                1 => $"/cases?status={CaseStatusNames.All[r.Next(4)].ToName()}&page={r.Next(1, 20)}",
                _ => $"/cases?search={r.Next(0, 100):D2}",
            }),
            ("case page (random case)", r => $"/cases/{caseIds[r.Next(caseIds.Count)]}"),
        };
        // Warm-up over every scenario: JIT and tiered compilation (with dynamic PGO a method runs instrumented code
        // before its optimised version; a few seconds are not enough to reach the steady state a tumour-board server
        // spends its life in), connection pools, SQLite page cache.
        await RunAsync(baseAddress, cookie, clients, TimeSpan.FromSeconds(warmup), r => scenarios[r.Next(scenarios.Length)].Path(r));
        Console.WriteLine($"warm-up: {warmup} s over all scenarios");
        Console.WriteLine();
        Console.WriteLine($"| scenario | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |");
        Console.WriteLine($"|---|---|---|---|---|---|---|---|");
        foreach (var (name, path) in scenarios)
        {
            var r = await RunAsync(baseAddress, cookie, clients, TimeSpan.FromSeconds(seconds), path);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {r.Count} | {r.Count / (double)seconds:F0} | {r.P(50):F1} | {r.P(95):F1} | {r.P(99):F1} | {r.P(100):F1} | {r.Errors} |"));
        }
    }
    finally
    {
        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync();
    }
    return 0;
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    if (!keep)
    {
        Directory.Delete(data, recursive: true);
    }
    else
    {
        Console.WriteLine("data kept in " + data);
    }
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static async Task<Result> RunAsync(Uri address, string cookie, int clients, TimeSpan duration, Func<Random, string> path)
{
    using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
    using var http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    var all = new List<double>[clients];
    var errors = 0;
    var tasks = Enumerable.Range(0, clients).Select(async c =>
    {
        var rng = new Random(c * 7919 + 1);
        var mine = all[c] = new List<double>(4096);
        var buffer = new byte[64 * 1024];
        while (Stopwatch.GetTimestamp() < until)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path(rng));
            request.Headers.Add("Cookie", cookie);
            var start = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                await using var body = await response.Content.ReadAsStreamAsync();
                while (await body.ReadAsync(buffer) > 0)
                {
                }
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }
            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    });
    await Task.WhenAll(tasks);
    var latencies = all.SelectMany(x => x).Order().ToArray();
    return new Result(latencies, errors);
}

static async Task WaitReadyAsync(Uri address)
{
    using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
    for (var i = 0; i < 300; i++)
    {
        try
        {
            if ((await http.GetAsync("/health")).IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
        }
        await Task.Delay(200);
    }
    throw new TimeoutException("the app did not start");
}

static async Task<string> SignInAsync(Uri address, string user, string password)
{
    var jar = new CookieContainer();
    using var http = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false }) { BaseAddress = address };
    var html = await http.GetStringAsync("/account/login");
    var token = WebUtility.HtmlDecode(Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value);
    var r = await http.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["UserName"] = user, ["Password"] = password, ["__RequestVerificationToken"] = token,
    }));
    if (r.StatusCode != HttpStatusCode.Redirect)
    {
        throw new InvalidOperationException("sign-in failed");
    }
    var auth = jar.GetCookies(address).FirstOrDefault(c => c.Name == "localcontrol.auth") ?? throw new InvalidOperationException("no auth cookie");
    return $"{auth.Name}={auth.Value}";
}

static string FindRepo()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
    {
        if (File.Exists(Path.Combine(d.FullName, "LocalControl.sln")))
        {
            return d.FullName;
        }
    }
    throw new InvalidOperationException("LocalControl.sln not found above " + AppContext.BaseDirectory);
}

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}

internal sealed record Result(double[] Latencies, int Errors)
{
    public int Count => Latencies.Length;

    public double P(double percentile) => Latencies.Length == 0 ? double.NaN
        : Latencies[Math.Clamp((int)Math.Ceiling(percentile / 100 * Latencies.Length) - 1, 0, Latencies.Length - 1)];
}
