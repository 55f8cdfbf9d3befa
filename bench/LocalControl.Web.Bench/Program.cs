// Load benchmark of the tumour-board web app: seeds N cases into a fresh SQLite registry, starts the app
// (Release build, separate process, loopback), signs in, and drives C concurrent clients for S seconds per
// scenario: the case list (pages, status filter, search) and the case page (random case). Reports p50/p95/p99.
//
// Usage: dotnet run -c Release --project bench/LocalControl.Web.Bench -- [--cases 10000] [--clients 50] [--seconds 20] [--warmup 20] [--keep] [--no-identities]
//
// By default every case gets a patient identity (PUT /api/cases/{id}/identity by a clinician the admin creates) and the
// scenarios run as that clinician, who sees identities in clear: each list row and case page decrypts one.
// --no-identities: no identity recorded, the scenarios run as the admin (the figures before issue 14's list identities).
// --read-as-admin: identities recorded, the scenarios run as the admin (masked, but decrypted): the same pages as
// --no-identities, so the difference is the identities' cost alone (a clinician's case page also renders the forms).
//
// --cohort: instead, the cohort page (issue 13): N cases (default 25,000) with 4 ablated lesions each (100,000
// lesion records, follow-up studies, survival), a viewer signed in; times the first /cohort after the start (the
// background parse), then /cohort and /cohort/plot.png unchanged, and /cohort after an edit (one case's version
// bumped in the database: one file re-parsed, the curves recomputed); then --clients viewers at once for --seconds on
// random end points and groupings while one case is edited every second.
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
var cohortMode = args.Contains("--cohort");
var withIdentities = !args.Contains("--no-identities");
var readAsAdmin = args.Contains("--read-as-admin");
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("""
        LocalControl web benchmark: seeds a fresh SQLite registry, starts the Release app, drives concurrent clients.
          --cases N        cases to seed (default 10000; 25000 with --cohort)
          --clients N      concurrent keep-alive clients (default 50)
          --seconds N      seconds per scenario (default 20)
          --warmup N       warm-up seconds over all scenarios (default 20)
          --no-identities  record no patient identity and read as the admin (default: every case has one, read as a clinician)
          --read-as-admin  with identities: read as the admin (masked, still decrypted), to compare with --no-identities
          --keep           keep the data folder
          --cohort         the cohort-page benchmark instead (see docs/web.md)
        Standard scenario (docs/web.md): --cases 10000 --clients 50 --seconds 15 --warmup 20
        """);
    return 0;
}
if (cohortMode && !args.Contains("--cases"))
{
    cases = 25_000;
}
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
                var json = cohortMode ? CohortCase(rng, id) : new JsonObject
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
                    CaseId = id, CaseFileJson = json, LesionCount = cohortMode ? 4 : n, Organs = cohortMode ? "liver,lung" : string.Join(",", used),
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
    Process StartServer()
    {
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("[server] " + e.Data); } };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }
    var server = StartServer();
    var baseAddress = new Uri($"http://127.0.0.1:{port}");
    try
    {
        await WaitReadyAsync(baseAddress);
        if (cohortMode)
        {
            await CohortBenchAsync(baseAddress, Path.Combine(data, "localcontrol.db"), caseIds);
            return 0;
        }
        var reader = "admin";
        if (withIdentities)
        {
            var made = Stopwatch.StartNew();
            await CreateUserAsync(baseAddress, "bench-clinician", Roles.Clinician);
            var clinicianCookie = await SignInAsync(baseAddress, "bench-clinician", Password);
            await SeedIdentitiesAsync(baseAddress, clinicianCookie, caseIds);
            Console.WriteLine($"recorded {caseIds.Count} patient identities through the API in {made.Elapsed.TotalSeconds:F1} s");
            // Restart, as a server in use would have been: at start the identities are decrypted into memory in the
            // background (the warm-up below gives it time), so the run measures the steady state.
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            server.Dispose();
            server = StartServer();
            await WaitReadyAsync(baseAddress);
            Console.WriteLine("restarted the app on the same registry");
            reader = readAsAdmin ? "admin" : "bench-clinician";
        }
        var cookie = await SignInAsync(baseAddress, reader, Password);
        Console.WriteLine($"app on {baseAddress}, {clients} clients, {seconds} s per scenario; {reader} reads{(withIdentities ? $" (identities {(readAsAdmin ? "masked" : "in clear")}: one decrypted per list row and case page)" : "")} (every case page view writes an audit line)");
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
        // Server CPU per request (user + system time of the app's process over the scenario, divided by its requests):
        // unlike the latencies, hardly changed by what else runs on the machine, so runs at different loads compare.
        Console.WriteLine($"| scenario | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | server CPU ms/request |");
        Console.WriteLine($"|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, path) in scenarios)
        {
            server.Refresh();
            var cpu0 = server.TotalProcessorTime;
            var r = await RunAsync(baseAddress, cookie, clients, TimeSpan.FromSeconds(seconds), path);
            server.Refresh();
            var cpuMs = (server.TotalProcessorTime - cpu0).TotalMilliseconds / Math.Max(1, r.Count);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {r.Count} | {r.Count / (double)seconds:F0} | {r.P(50):F1} | {r.P(95):F1} | {r.P(99):F1} | {r.P(100):F1} | {r.Errors} | {cpuMs:F2} |"));
        }
        Console.WriteLine("load average after: " + (File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a"));
    }
    finally
    {
        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync();
        server.Dispose();
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

// 100,000 lesion records for the cohort page: the same shape as bench/LocalControl.Follow.Bench's.
static string CohortCase(Random rng, string id)
{
    static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    string[] ablations = ["rfa", "mwa", "cryoablation", "ire"];
    string[] ras = ["wild-type", "mutant", "unknown"];
    var treated = new DateOnly(2022, 1, 1).AddDays(rng.Next(0, 900));
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
    return new JsonObject
    {
        ["caseId"] = id,
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
    }.ToJsonString();
}

// An account with one role, created by the admin through the users page.
async Task CreateUserAsync(Uri address, string userName, string role)
{
    var jar = new CookieContainer();
    using var admin = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false }) { BaseAddress = address };
    await SignInWithAsync(admin, "admin", Password);
    var page = await admin.GetStringAsync("/admin/users");
    var token = WebUtility.HtmlDecode(Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value);
    var made = await admin.PostAsync("/admin/users", new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["NewUserName"] = userName, ["NewDisplayName"] = userName, ["NewRole"] = role, ["NewPassword"] = Password,
        ["__RequestVerificationToken"] = token,
    }));
    if (!(await made.Content.ReadAsStringAsync()).Contains($"User {userName} added as {role}.", StringComparison.Ordinal))
    {
        throw new InvalidOperationException($"could not create {userName}: {(int)made.StatusCode}");
    }
}

// A patient identity for every case, through the API as a clinician would enter it (8 at a time).
static async Task SeedIdentitiesAsync(Uri address, string cookie, List<string> ids)
{
    using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 8, UseCookies = false };
    using var http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    string[] family = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"];
    string[] given = ["Anne", "Louis", "Marie Claire", "Jean", "Paul", "Sophie", "Luc", "Claire"];
    var next = -1;
    var failures = 0;
    await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < ids.Count)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/cases/{ids[i]}/identity");
            request.Headers.Add("Cookie", cookie);
            request.Headers.TryAddWithoutValidation("If-Match", "\"0\"");
            var body = new JsonObject
            {
                ["mrn"] = $"MRN{i:D8}", ["familyName"] = family[i % family.Length], ["givenNames"] = given[i / 8 % given.Length],
                ["birthDate"] = new DateOnly(1940, 1, 1).AddDays(i % 15000).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["sex"] = i % 2 == 0 ? "female" : "male",
            };
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            using var response = await http.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.OK && Interlocked.Increment(ref failures) == 1)
            {
                Console.Error.WriteLine($"identity of {ids[i]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
    }));
    if (failures > 0)
    {
        throw new InvalidOperationException($"{failures} identities could not be recorded");
    }
}

// The cohort page as a viewer sees it, one request at a time (the figure of interest is one request's latency).
async Task CohortBenchAsync(Uri address, string dbPath, List<string> ids)
{
    // A viewer, created by the admin through the users page (the admin may not see the cohort page).
    var jar = new CookieContainer();
    using (var admin = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false }) { BaseAddress = address })
    {
        await SignInWithAsync(admin, "admin", Password);
        var page = await admin.GetStringAsync("/admin/users");
        var token = WebUtility.HtmlDecode(Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value);
        var made = await admin.PostAsync("/admin/users", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["NewUserName"] = "bench-viewer", ["NewDisplayName"] = "Bench viewer", ["NewRole"] = Roles.Viewer, ["NewPassword"] = Password,
            ["__RequestVerificationToken"] = token,
        }));
        if (!(await made.Content.ReadAsStringAsync()).Contains("User bench-viewer added as viewer.", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"could not create the viewer: {(int)made.StatusCode}");
        }
    }
    var cookie = await SignInAsync(address, "bench-viewer", Password);
    using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(120) };
    async Task<double> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK || body.Length < 1000)
        {
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode}, {body.Length} bytes");
        }
        return ms;
    }
    var first = await GetAsync("/cohort");
    var firstPng = await GetAsync("/cohort/plot.png");
    static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
    var unchanged = new List<double>();
    var png = new List<double>();
    for (var i = 0; i < 9; i++)
    {
        unchanged.Add(await GetAsync("/cohort"));
        png.Add(await GetAsync("/cohort/plot.png"));
    }
    var edited = new List<double>();
    var editedPng = new List<double>();
    var other = new List<double>();
    await using var db = new SqliteRegistryDbContext(new DbContextOptionsBuilder<SqliteRegistryDbContext>().UseSqlite($"Data Source={dbPath}").Options);
    for (var i = 0; i < 7; i++)
    {
        var id = ids[i * 997 % ids.Count];
        await db.Cases.Where(c => c.CaseId == id).ExecuteUpdateAsync(u => u.SetProperty(c => c.Version, c => c.Version + 1));
        edited.Add(await GetAsync("/cohort?endpoint=ltp&by=tool"));
        editedPng.Add(await GetAsync("/cohort/plot.png?endpoint=ltp&by=tool"));
        other.Add(await GetAsync("/cohort?endpoint=os&by=ras"));
    }
    // Concurrent: `clients` viewers for `seconds` s on random end point x grouping, while one case is edited every
    // second (each edit makes the next request re-parse one file and recompute its view).
    string[] endpoints = ["ltp", "os"];
    string[] groupings = ["tool", "size", "margin", "organ", "ras"];
    using var editing = new CancellationTokenSource();
    var edits = 0;
    var editor = Task.Run(async () =>
    {
        await using var edb = new SqliteRegistryDbContext(new DbContextOptionsBuilder<SqliteRegistryDbContext>().UseSqlite($"Data Source={dbPath}").Options);
        while (!editing.IsCancellationRequested)
        {
            var id = ids[(edits * 7919 + 13) % ids.Count];
            await edb.Cases.Where(x => x.CaseId == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Version, x => x.Version + 1));
            edits++;
            try { await Task.Delay(1000, editing.Token); } catch (OperationCanceledException) { }
        }
    });
    var concurrent = await RunAsync(address, cookie, clients, TimeSpan.FromSeconds(seconds),
        r => r.Next(4) == 0 ? $"/cohort/plot.png?endpoint={endpoints[r.Next(2)]}&by={groupings[r.Next(5)]}" : $"/cohort?endpoint={endpoints[r.Next(2)]}&by={groupings[r.Next(5)]}");
    editing.Cancel();
    await editor;
    var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
    var c = CultureInfo.InvariantCulture;
    Console.WriteLine(string.Create(c, $"cohort page, {ids.Count} cases x 4 ablated lesions, one viewer, sequential requests, {Environment.ProcessorCount} cores"));
    Console.WriteLine(string.Create(c, $"| request | ms (median) |"));
    Console.WriteLine(string.Create(c, $"|---|---|"));
    Console.WriteLine(string.Create(c, $"| first /cohort after the start (waits for the background parse if still running) | {first:F0} |"));
    Console.WriteLine(string.Create(c, $"| first /cohort/plot.png | {firstPng:F0} |"));
    Console.WriteLine(string.Create(c, $"| /cohort, registry unchanged (9) | {Median(unchanged):F1} |"));
    Console.WriteLine(string.Create(c, $"| /cohort/plot.png, unchanged (9) | {Median(png):F1} |"));
    Console.WriteLine(string.Create(c, $"| /cohort after an edit: one file re-parsed, LTP by tool recomputed (7) | {Median(edited):F1} (max {edited.Max():F0}) |"));
    Console.WriteLine(string.Create(c, $"| /cohort/plot.png after it (PNG drawn once) (7) | {Median(editedPng):F1} |"));
    Console.WriteLine(string.Create(c, $"| /cohort?endpoint=os&by=ras after it (7) | {Median(other):F1} |"));
    Console.WriteLine(string.Create(c, $"| concurrent: {clients} viewers, {seconds} s, random end point x grouping (1 in 4 the PNG), {edits} edits (1/s): p50 / p95 / p99 / max | {concurrent.P(50):F0} / {concurrent.P(95):F0} / {concurrent.P(99):F0} / {concurrent.P(100):F0} ({concurrent.Count} requests, {concurrent.Errors} errors) |"));
    Console.WriteLine($"load average: {load}");
}

static async Task SignInWithAsync(HttpClient http, string user, string password)
{
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
