using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalControl.Core.Cases;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace LocalControl.Web.Tests;

/// <summary>The app as a real process: killed during a burst of writes, and refusing to start on a bad configuration.</summary>
public sealed partial class DurabilityTests : IDisposable
{
    private const string AdminPassword = "durability-admin-pw";
    private const string ClinicianPassword = "durability-clinician-pw";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "lc-kill-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Killing_the_server_during_a_burst_of_writes_loses_no_acknowledged_write_and_leaves_nothing_half_written()
    {
        var acknowledgedCases = new ConcurrentDictionary<string, string>();
        var acknowledgedDecisions = new ConcurrentBag<string>();
        int port;
        await using (var server = ServerProcess.Start(_data, AdminPassword))
        {
            port = server.Address.Port;
            await server.WaitReadyAsync(TimeSpan.FromSeconds(60));
            using var admin = await SignInAsync(server.Address, "admin", AdminPassword);
            var token = await TokenAsync(admin, "/admin/users");
            var created = await admin.PostAsync("/admin/users", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["NewUserName"] = "clin", ["NewDisplayName"] = "Clinician", ["NewRole"] = "clinician", ["NewPassword"] = ClinicianPassword,
                ["__RequestVerificationToken"] = token,
            }));
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);

            // Eight writers: each creates cases and records a decision on every other one, until the kill.
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(async w =>
            {
                using var client = await SignInAsync(server.Address, "clin", ClinicianPassword);
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var caseId = $"K{w}-{i:D5}";
                    var json = TestCases.Json(TestCases.Liver(caseId, location: $"segment {i % 8 + 1}"));
                    try
                    {
                        var r = await client.PostAsync("/api/cases", new StringContent(json, Encoding.UTF8, "application/json"), stop.Token);
                        if (r.StatusCode != HttpStatusCode.Created)
                        {
                            continue;
                        }
                        acknowledgedCases[caseId] = json;
                        if (i % 2 == 0)
                        {
                            var d = await client.PostAsJsonAsync($"/api/cases/{caseId}/decisions", new
                            {
                                meetingDate = "2026-12-03", intent = "curative", choices = Array.Empty<object>(), rationale = "burst " + caseId, attendees = "board", caseVersion = 1,
                            }, stop.Token);
                            if (d.StatusCode == HttpStatusCode.Created)
                            {
                                acknowledgedDecisions.Add(caseId);
                            }
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
                    {
                        return; // the server is gone: what was not acknowledged does not count
                    }
                }
            }).ToList();

            // Let the burst run, then kill -9 while requests are in flight.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (acknowledgedCases.Count < 150 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        Assert.True(acknowledgedCases.Count >= 50, $"only {acknowledgedCases.Count} writes were acknowledged before the kill");
        Assert.NotEmpty(acknowledgedDecisions);

        // Restart on the same data folder: every acknowledged write is there, byte for byte.
        await using (var server = ServerProcess.Start(_data, AdminPassword, port))
        {
            await server.WaitReadyAsync(TimeSpan.FromSeconds(60));
            using var client = await SignInAsync(server.Address, "clin", ClinicianPassword);
            foreach (var (caseId, json) in acknowledgedCases)
            {
                var stored = await client.GetFromJsonAsync<JsonObject>($"/api/cases/{caseId}");
                Assert.NotNull(stored);
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), stored["caseFile"]), $"case {caseId} differs after the restart");
            }
            foreach (var caseId in acknowledgedDecisions)
            {
                var decisions = await client.GetFromJsonAsync<JsonArray>($"/api/cases/{caseId}/decisions");
                Assert.Single(decisions!);
            }
        }

        // Nothing half-written: the file is sound, every case reads, and every case and decision has its audit line
        // (they were written in one transaction, so one without the other would be a torn write).
        await using var db = new SqliteConnection($"Data Source={Path.Combine(_data, "localcontrol.db")}");
        await db.OpenAsync();
        Assert.Equal("ok", await ScalarAsync(db, "PRAGMA integrity_check"));
        await using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT CaseId, CaseFileJson FROM cases";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                Assert.True(CaseFileReader.Read(reader.GetString(1)).IsValid, $"case {reader.GetString(0)} does not read");
            }
        }
        Assert.Equal("0", await ScalarAsync(db, "SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.Action = 'create' AND a.EntityType = 'case' AND a.EntityKey = c.CaseId)"));
        Assert.Equal("0", await ScalarAsync(db, "SELECT COUNT(*) FROM audit a WHERE a.Action = 'create' AND a.EntityType = 'case' AND a.EntityKey LIKE 'K%' AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.CaseId = a.EntityKey)"));
        Assert.Equal("0", await ScalarAsync(db, "SELECT COUNT(*) FROM decisions d JOIN cases c ON c.Id = d.CaseRecordId WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.Action = 'decide' AND a.EntityKey = c.CaseId)"));
        Assert.Equal("0", await ScalarAsync(db, "SELECT COUNT(*) FROM decisions d JOIN cases c ON c.Id = d.CaseRecordId WHERE c.Status <> 'discussed' OR c.Version <> 2"));
    }

    [Fact]
    public async Task A_weak_first_admin_password_stops_the_start_with_a_message_not_a_stack_trace()
    {
        await using var server = ServerProcess.Start(_data, adminPassword: "short");
        var exit = await server.WaitExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, exit);
        Assert.Contains("LocalControl cannot start", server.Output, StringComparison.Ordinal);
        Assert.Contains("at least 12", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
    }

    private static async Task<string> ScalarAsync(SqliteConnection db, string sql)
    {
        await using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    private static async Task<HttpClient> SignInAsync(Uri address, string user, string password)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var token = await TokenAsync(client, "/account/login");
        var r = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = user, ["Password"] = password, ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        return client;
    }

    private static async Task<string> TokenAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        return WebUtility.HtmlDecode(TokenPattern().Match(html).Groups[1].Value);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
