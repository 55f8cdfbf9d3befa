using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Web.Tests;

/// <summary>
/// The attacks of issue 8 on sign-in, sessions, transport, audit, request limits and uploads, each reproduced as a
/// request and checked against what a security review expects. Run on SQLite and on PostgreSQL (subclasses below).
/// </summary>
public abstract class HardeningTests(LocalControlApp app)
{
    private const string FailedMessage = "Wrong user name or password.";

    protected LocalControlApp App { get; } = app;

    private static string NewName(string prefix) => $"{prefix}{Guid.NewGuid().ToString("N")[..8]}";

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<string> CreateUserAsync(string role)
    {
        await using var scope = App.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
        var user = new RegistryUser { UserName = NewName(role), DisplayName = "Test " + role };
        Assert.True((await users.CreateAsync(user, LocalControlApp.Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return user.UserName!;
    }

    private async Task<HttpResponseMessage> PostLoginWithCookiesAsync(string userName, string password, string? address = null, string? forwardedFor = null)
    {
        // A cookie-keeping client, so that the anti-forgery cookie and token pair up.
        var client = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri("https://localhost"),
        });
        var token = await LocalControlApp.AntiforgeryTokenAsync(client, "/account/login");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["UserName"] = userName, ["Password"] = password, ["__RequestVerificationToken"] = token,
            }),
        };
        if (address is not null)
        {
            request.Headers.Add(LocalControlApp.ClientAddressHeader, address);
        }
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return await client.SendAsync(request);
    }

    private async Task<List<AuditEntry>> AuditAsync(Func<AuditEntry, bool> where)
    {
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        return (await db.Audit.AsNoTracking().ToListAsync()).Where(where).ToList();
    }

    [Fact]
    public async Task A_failed_sign_in_keeps_no_typed_name_in_clear_and_every_failure_reads_the_same()
    {
        var typed = "Summer2026!" + Guid.NewGuid().ToString("N")[..6]; // a password typed in the user-name box
        var firstId = (await AuditAsync(_ => true)).Select(a => a.Id).DefaultIfEmpty(0).Max();
        var unknown = await PostLoginWithCookiesAsync(typed, "whatever-password");
        var clinician = await CreateUserAsync(Roles.Clinician);
        var wrong = await PostLoginWithCookiesAsync(clinician, "not-the-password");
        await DisableAsync(clinician);
        var disabled = await PostLoginWithCookiesAsync(clinician, LocalControlApp.Password);
        foreach (var response in new[] { unknown, wrong, disabled })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains(FailedMessage, body, StringComparison.Ordinal);
            Assert.DoesNotContain("locked", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("disabled", body, StringComparison.OrdinalIgnoreCase);
        }
        var all = await AuditAsync(_ => true);
        Assert.DoesNotContain(all, a => (a.UserName + a.EntityKey + a.Detail).Contains(typed, StringComparison.OrdinalIgnoreCase));
        var failed = all.Where(a => a.Action == AuditActions.SignInFailed && a.Id > firstId).ToList();
        var hashed = Assert.Single(failed, a => a.EntityKey.StartsWith("unknown:", StringComparison.Ordinal) && a.Detail.StartsWith("unknown user name", StringComparison.Ordinal));
        Assert.Matches("^unknown:[0-9a-f]{24}$", hashed.EntityKey);
        Assert.Equal("anonymous", hashed.UserName);
        // Keyed, not a plain digest: no unkeyed SHA-256 of the name (upper-cased as the app normalises it) appears.
        var plain = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(typed.ToUpperInvariant())));
        Assert.DoesNotContain(plain[..24], hashed.EntityKey, StringComparison.Ordinal);
        // The same name hashes the same way (an admin can see repeated attempts).
        await PostLoginWithCookiesAsync(typed, "again");
        Assert.Equal(2, (await AuditAsync(a => a.EntityKey == hashed.EntityKey)).Count);
        Assert.Contains(failed, a => a.EntityKey == clinician && a.Detail.StartsWith("wrong password", StringComparison.Ordinal));
        Assert.Contains(failed, a => a.EntityKey == clinician && a.Detail.StartsWith("account disabled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_user_name_costs_a_password_hash_like_a_wrong_password()
    {
        var clinician = await CreateUserAsync(Roles.Clinician);
        var nobody = NewName("nobody");
        // One address per attempt (TEST-NET ranges), so the per-address throttle never answers in place of the hash.
        async Task<double> TimeMsAsync(string user, int i)
        {
            var address = user == nobody ? $"198.18.0.{i + 20}" : $"192.0.2.{i + 20}";
            var sw = Stopwatch.StartNew();
            var r = await PostLoginWithCookiesAsync(user, "not-the-password-" + i, address);
            sw.Stop();
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return sw.Elapsed.TotalMilliseconds;
        }
        await TimeMsAsync(clinician, -1); // warm up both paths
        await TimeMsAsync(nobody, -1);
        // Interleaved, so that a burst of load on a shared machine falls on both sides alike; medians of 9.
        var wrong = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < 9; i++)
        {
            wrong.Add(await TimeMsAsync(clinician, i));
            unknown.Add(await TimeMsAsync(nobody, i));
        }
        wrong.Sort();
        unknown.Sort();
        double wrongPassword = wrong[4], unknownUser = unknown[4];
        Assert.True(unknownUser > 0.5 * wrongPassword, $"unknown user {unknownUser:F1} ms vs wrong password {wrongPassword:F1} ms");
    }

    [Fact]
    public async Task Sign_in_is_throttled_per_address_and_never_locks_the_account()
    {
        var admin = await CreateUserAsync(Roles.Admin);
        const string attacker = "203.0.113.77";
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PostLoginWithCookiesAsync(admin, "guess-" + i, attacker)).StatusCode);
        }
        // The eleventh attempt in the minute is refused before any password is checked, even the right one.
        var throttled = await PostLoginWithCookiesAsync(admin, LocalControlApp.Password, attacker);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(10, (await AuditAsync(a => a.Detail.EndsWith("from " + attacker, StringComparison.Ordinal))).Count);
        // Many more failures from other addresses: the account is not locked for its owner.
        for (var i = 0; i < 12; i++)
        {
            await PostLoginWithCookiesAsync(admin, "guess", $"198.51.100.{i + 1}");
        }
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginWithCookiesAsync(admin, LocalControlApp.Password, "192.0.2.10")).StatusCode);
    }

    [Fact]
    public async Task A_copied_session_cookie_stops_working_after_sign_out()
    {
        var user = await CreateUserAsync(Roles.Viewer);
        var victim = new CookieSession(App);
        await victim.SignInAsync(user, LocalControlApp.Password);
        Assert.Equal(HttpStatusCode.OK, (await victim.GetAsync("/api/cases")).StatusCode);
        // What an attacker copied from the browser: the session cookie, used from another client.
        var thief = new CookieSession(App);
        thief.Cookies["localcontrol.auth"] = victim.Cookies["localcontrol.auth"];
        Assert.Equal(HttpStatusCode.OK, (await thief.GetAsync("/api/cases")).StatusCode);

        var token = await victim.TokenAsync("/cases");
        var signedOut = await victim.PostFormAsync("/account/logout", new() { ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await thief.GetAsync("/api/cases")).StatusCode);
        Assert.Single(await AuditAsync(a => a.Action == AuditActions.SignOut && a.UserName == user));
    }

    /// <summary>A client whose cookies the test can read and copy (the factory's own cookie container is hidden).</summary>
    private sealed class CookieSession(LocalControlApp app)
    {
        private readonly HttpClient _client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost"),
        });

        public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

        public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
        {
            if (Cookies.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
            }
            var response = await _client.SendAsync(request);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
            {
                foreach (var cookie in set)
                {
                    var pair = cookie.Split(';')[0].Split('=', 2);
                    if (pair[1].Length == 0)
                    {
                        Cookies.Remove(pair[0]);
                    }
                    else
                    {
                        Cookies[pair[0]] = pair[1];
                    }
                }
            }
            return response;
        }

        public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

        public Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> fields) =>
            SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) });

        public async Task<string> TokenAsync(string path)
        {
            var html = await (await GetAsync(path)).Content.ReadAsStringAsync();
            var m = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"");
            return m.Success ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException($"No anti-forgery token on {path}");
        }

        public async Task SignInAsync(string user, string password)
        {
            var token = await TokenAsync("/account/login");
            var r = await PostFormAsync("/account/login", new() { ["UserName"] = user, ["Password"] = password, ["__RequestVerificationToken"] = token });
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.True(Cookies.ContainsKey("localcontrol.auth"));
        }
    }

    [Fact]
    public async Task Changing_the_password_ends_other_sessions_and_keeps_this_one()
    {
        var user = await CreateUserAsync(Roles.Clinician);
        var here = await App.SignInAsync(user);
        var elsewhere = await App.SignInAsync(user);
        const string newPassword = "a-new-long-password-42";
        var token = await LocalControlApp.AntiforgeryTokenAsync(here, "/account/password");
        var mismatch = await here.PostAsync("/account/password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["CurrentPassword"] = "wrong-current-password", ["NewPassword"] = newPassword, ["ConfirmPassword"] = newPassword, ["__RequestVerificationToken"] = token,
        }));
        Assert.Contains("The current password is wrong.", await mismatch.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var changed = await here.PostAsync("/account/password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["CurrentPassword"] = LocalControlApp.Password, ["NewPassword"] = newPassword, ["ConfirmPassword"] = newPassword, ["__RequestVerificationToken"] = token,
        }));
        Assert.Contains("Password changed", await changed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/api/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsewhere.GetAsync("/api/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostLoginWithCookiesAsync(user, LocalControlApp.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginWithCookiesAsync(user, newPassword)).StatusCode);
    }

    private async Task<HttpResponseMessage> AdminPostAsync(HttpClient admin, string handler, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await LocalControlApp.AntiforgeryTokenAsync(admin, "/admin/users");
        return await admin.PostAsync($"/admin/users?handler={handler}", new FormUrlEncodedContent(fields));
    }

    private async Task DisableAsync(string user)
    {
        var admin = await App.SignInAsync("admin");
        var r = await AdminPostAsync(admin, "Disable", new() { ["Target"] = user });
        Assert.Contains($"{user} is disabled", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_disables_demotes_and_resets_and_each_ends_the_persons_sessions()
    {
        var admin = await App.SignInAsync("admin");
        var clinician = await CreateUserAsync(Roles.Clinician);
        var session = await App.SignInAsync(clinician);
        var caseFile = TestCases.Liver(NewName("HARD-"));
        Assert.Equal(HttpStatusCode.Created, (await session.PostAsync("/api/cases", JsonBody(TestCases.Json(caseFile)))).StatusCode);

        // Demote to viewer: the session ends; signed in again, the person can read but not create.
        await AdminPostAsync(admin, "Role", new() { ["Target"] = clinician, ["Role"] = Roles.Viewer });
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/cases")).StatusCode);
        session = await App.SignInAsync(clinician);
        caseFile["caseId"] = NewName("HARD-");
        Assert.Equal(HttpStatusCode.Forbidden, (await session.PostAsync("/api/cases", JsonBody(TestCases.Json(caseFile)))).StatusCode);

        // Reset the password: the session ends, the old password no longer works, the new one does.
        const string reset = "reset-by-admin-password";
        await AdminPostAsync(admin, "Reset", new() { ["Target"] = clinician, ["ResetPassword"] = reset });
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostLoginWithCookiesAsync(clinician, LocalControlApp.Password)).StatusCode);
        var again = new CookieSession(App);
        await again.SignInAsync(clinician, reset);

        // Disable: the session ends and sign-in is refused with the common message; enable restores it.
        await AdminPostAsync(admin, "Disable", new() { ["Target"] = clinician });
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.GetAsync("/api/cases")).StatusCode);
        Assert.Contains(FailedMessage, await (await PostLoginWithCookiesAsync(clinician, reset)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AdminPostAsync(admin, "Enable", new() { ["Target"] = clinician });
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginWithCookiesAsync(clinician, reset)).StatusCode);

        var changes = await AuditAsync(a => a.Action == AuditActions.UserChange && a.EntityKey == clinician);
        Assert.Equal(["role clinician -> viewer", "password reset by an admin", "disabled", "enabled"], changes.OrderBy(a => a.Id).Select(a => a.Detail));
        Assert.All(changes, a => Assert.Equal("admin", a.UserName));
    }

    [Fact]
    public async Task The_last_enabled_admin_cannot_be_disabled_or_demoted()
    {
        var admin = await App.SignInAsync("admin");
        await using (var scope = App.Scope())
        {
            // Disable every other admin a test may have made, so that "admin" is the last one.
            var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
            foreach (var other in (await users.GetUsersInRoleAsync(Roles.Admin)).Where(u => u.UserName != "admin"))
            {
                other.Disabled = true;
                await users.UpdateAsync(other);
            }
        }
        var body = await (await AdminPostAsync(admin, "Disable", new() { ["Target"] = "admin" })).Content.ReadAsStringAsync();
        Assert.Contains("last enabled admin", body, StringComparison.Ordinal);
        body = await (await AdminPostAsync(admin, "Role", new() { ["Target"] = "admin", ["Role"] = Roles.Viewer })).Content.ReadAsStringAsync();
        Assert.Contains("last enabled admin", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/users")).StatusCode);
    }

    [Fact]
    public async Task Cookies_are_secure_hsts_is_sent_and_the_client_address_comes_from_a_trusted_proxy_only()
    {
        var user = await CreateUserAsync(Roles.Viewer);
        var signIn = await PostLoginWithCookiesAsync(user, LocalControlApp.Password);
        var session = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("localcontrol.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", session, StringComparison.OrdinalIgnoreCase);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.Host = "registry.hospital.example";
        var hsts = await App.Anonymous().SendAsync(request);
        Assert.StartsWith("max-age=31536000", Assert.Single(hsts.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);

        // X-Forwarded-For from the loopback proxy is believed; from anyone else it is ignored.
        await PostLoginWithCookiesAsync(user, "wrong-password-1", "127.0.0.1", forwardedFor: "192.0.2.200");
        await PostLoginWithCookiesAsync(user, "wrong-password-2", "198.51.100.200", forwardedFor: "192.0.2.201");
        var failures = await AuditAsync(a => a.EntityKey == user && a.Action == AuditActions.SignInFailed);
        Assert.Contains(failures, a => a.Detail.EndsWith("from 192.0.2.200", StringComparison.Ordinal));
        Assert.Contains(failures, a => a.Detail.EndsWith("from 198.51.100.200", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, a => a.Detail.Contains("192.0.2.201", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_query_and_body_types_are_400_and_their_raw_values_are_not_logged()
    {
        var clinician = await App.SignInAsync("clinician1");
        const string sentinel = "zz-raw-value-sentinel";
        Assert.Equal(HttpStatusCode.BadRequest, (await clinician.GetAsync($"/api/cases?page={sentinel}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await clinician.GetAsync($"/api/cases?pageSize={sentinel}")).StatusCode);
        var huge = await clinician.GetFromJsonAsync<JsonObject>("/api/cases?page=2147483647&pageSize=2147483647");
        Assert.Empty(huge!["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, (await (await App.SignInAsync("admin")).GetAsync("/admin/audit?page=2147483647")).StatusCode);

        var caseFile = TestCases.Liver(NewName("TYPES-"));
        Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsync("/api/cases", JsonBody(TestCases.Json(caseFile)))).StatusCode);
        var id = caseFile["caseId"]!.GetValue<string>();
        var decision = $$"""{"meetingDate":"2026-12-03","intent":"curative","choices":[],"rationale":"r","attendees":"a","caseVersion":"{{sentinel}}"}""";
        Assert.Equal(HttpStatusCode.BadRequest, (await clinician.PostAsync($"/api/cases/{id}/decisions", JsonBody(decision))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await clinician.PostAsync("/api/cases/preview", JsonBody("""{"caseFileText": 5}"""))).StatusCode);
        Assert.DoesNotContain(App.Logs, l => l.Message.Contains(sentinel, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Case_size_and_lesion_count_are_limited_on_the_api_and_the_preview()
    {
        var clinician = await App.SignInAsync("clinician1");
        var many = TestCases.Liver(NewName("MANY-"));
        var lesions = new JsonArray();
        // The registry's limit is the engine's (the rule set's maxLesionsPerCase): one more is refused.
        var limit = (int)LocalControl.Core.Rules.RuleSet.Default.MaxLesionsPerCase;
        Assert.Equal(limit, LocalControl.Web.Infrastructure.CaseService.MaxLesions);
        for (var i = 1; i <= limit + 1; i++)
        {
            lesions.Add(new JsonObject { ["id"] = $"L{i}", ["organ"] = "liver", ["longestDiameterMm"] = 10 });
        }
        many["lesions"] = lesions;
        var created = await clinician.PostAsync("/api/cases", JsonBody(TestCases.Json(many)));
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Contains($"at most {limit}", await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var preview = await (await clinician.PostAsJsonAsync("/api/cases/preview", new { caseFileText = TestCases.Json(many) })).Content.ReadFromJsonAsync<JsonObject>();
        Assert.False(preview!["validation"]!["valid"]!.GetValue<bool>());
        Assert.Equal("lesions", preview["validation"]!["errors"]![0]!["path"]!.GetValue<string>());
        Assert.Null(preview["options"]);

        // The limit itself is still a case (inclusive), and the engine assesses it.
        lesions.RemoveAt(limit);
        many["caseId"] = NewName("HUNDRED-");
        var sw = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsync("/api/cases", JsonBody(TestCases.Json(many)))).StatusCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"{limit} lesions took {sw.Elapsed}");

        var big = TestCases.Liver(NewName("BIG-"));
        big["patient"]!["notes"] = new string('x', 1_000_001);
        var tooBig = await clinician.PostAsync("/api/cases/preview", JsonContent.Create(new { caseFileText = TestCases.Json(big) }));
        var tooBigBody = await tooBig.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains("at most 1,000,000", tooBigBody!["validation"]!["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_with_errors_carry_no_inline_style_the_csp_would_refuse()
    {
        var failed = await (await PostLoginWithCookiesAsync("nobody-" + Guid.NewGuid().ToString("N")[..6], "x")).Content.ReadAsStringAsync();
        var admin = await App.SignInAsync("admin");
        var users = await admin.GetStringAsync("/admin/users");
        foreach (var html in new[] { failed, users, await App.Anonymous().GetStringAsync("/account/login") })
        {
            Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Contains(FailedMessage, failed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_version_of_a_case_file_is_kept_and_the_case_history_shows_the_diff()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseFile = TestCases.Liver(NewName("HIST-"), location: "segment VI");
        var id = caseFile["caseId"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsync("/api/cases", JsonBody(TestCases.Json(caseFile)))).StatusCode);
        caseFile["lesions"]![0]!["location"] = "segment VII";
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/cases/{id}") { Content = JsonBody(TestCases.Json(caseFile)) };
        put.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        Assert.Equal(HttpStatusCode.OK, (await clinician.SendAsync(put)).StatusCode);

        var viewer = await App.SignInAsync("viewer1");
        var html = WebUtility.HtmlDecode(await viewer.GetStringAsync($"/cases/{id}/history"));
        Assert.Contains("Version 1 → 2", html, StringComparison.Ordinal);
        Assert.Matches("<span class=\"del\">- +\"location\": \"segment VI\",", html);
        Assert.Matches("<span class=\"add\">\\+ +\"location\": \"segment VII\",", html);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "class=\"del\""));
        await WaitForAsync(async () => (await AuditAsync(a => a.EntityKey == id && a.Action == AuditActions.View && a.Detail == "case history" && a.UserName == "viewer1")).Count == 1);
    }

    [Fact]
    public async Task The_audit_filter_finds_a_users_rows_and_the_whole_history_verifies()
    {
        var user = await CreateUserAsync(Roles.Viewer);
        var client = await App.SignInAsync(user);
        await client.GetAsync("/cases");
        var admin = await App.SignInAsync("admin");
        var html = await admin.GetStringAsync($"/admin/audit?key={user}");
        Assert.Contains(AuditActions.SignIn, html, StringComparison.Ordinal);
        await using var scope = App.Scope();
        var reports = await AuditChain.VerifyAsync(scope.ServiceProvider.GetRequiredService<RegistryDbContext>());
        Assert.All(reports, r => Assert.Empty(r.Problems));
        Assert.True(reports.Single(r => r.Table == "audit").HeadSeq > 0);
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string caseId, byte[] content, string fileName, string kind)
    {
        var token = await LocalControlApp.AntiforgeryTokenAsync(client, "/cases");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(content), "Upload", fileName },
            { new StringContent(kind), "Kind" },
            { new StringContent(token), "__RequestVerificationToken" },
        };
        return await client.PostAsync($"/cases/{caseId}/images", form);
    }

    private async Task<string> NewCaseAsync(HttpClient clinician)
    {
        var caseFile = TestCases.Liver(NewName("UP-"));
        Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsync("/api/cases", JsonBody(TestCases.Json(caseFile)))).StatusCode);
        return caseFile["caseId"]!.GetValue<string>();
    }

    private async Task<int> ImageCountAsync()
    {
        await using var scope = App.Scope();
        return await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Images.CountAsync();
    }

    private static string UploadError(string html) =>
        System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "data-upload-error>(.*?)</p>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value);

    [Fact]
    public async Task An_upload_pointing_at_a_server_file_is_refused_and_its_error_names_no_server_path()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await NewCaseAsync(clinician);
        var before = await ImageCountAsync();
        foreach (var target in new[] { "/etc/passwd", "../registry.db" })
        {
            var nrrd = Encoding.ASCII.GetBytes($"NRRD0004\ntype: unsigned char\ndimension: 3\nsizes: 4 4 4\nencoding: raw\ndata file: {target}\n\n");
            var html = await (await UploadAsync(clinician, caseId, nrrd, "scan.nrrd", "image")).Content.ReadAsStringAsync();
            var error = UploadError(html);
            Assert.Contains("LC-IMG-006", error, StringComparison.Ordinal);
            Assert.Contains("separate file", error, StringComparison.Ordinal);
            Assert.DoesNotContain(target, error, StringComparison.Ordinal);
            Assert.DoesNotContain("root:", html, StringComparison.Ordinal);
        }
        var garbage = await (await UploadAsync(clinician, caseId, Encoding.ASCII.GetBytes("not an image at all"), "scan.nii", "image")).Content.ReadAsStringAsync();
        var garbageError = UploadError(garbage);
        Assert.NotEmpty(garbageError);
        Assert.DoesNotContain(App.ImagesFolder, garbage, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath(), garbageError, StringComparison.Ordinal);
        Assert.Equal(before, await ImageCountAsync());
    }

    [Fact]
    public async Task A_small_gzip_claiming_1024_cubed_voxels_is_refused_from_its_header_at_upload()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await NewCaseAsync(clinician);
        var folder = Directory.CreateTempSubdirectory("lc-bomb-").FullName;
        try
        {
            // A real NIfTI header (the imaging library's writer) whose dims are then set to 1024³ uint8: 1 GiB of voxels,
            // under the reader's own 2 GiB cap, so only the upload budget stands in the way.
            var small = Path.Combine(folder, "small.nii");
            var geometry = LocalControl.Imaging.Geometry.ImageGeometry.AxisAligned(new(2, 2, 2), new(1, 1, 1));
            LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(small, new LocalControl.Imaging.Volumes.Volume<byte>(geometry, new byte[8]));
            var header = (await File.ReadAllBytesAsync(small))[..352];
            foreach (var offset in new[] { 42, 44, 46 })
            {
                BitConverter.TryWriteBytes(header.AsSpan(offset), (short)1024);
            }
            using var gz = new MemoryStream();
            using (var z = new System.IO.Compression.GZipStream(gz, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            {
                z.Write(header);
                var zeros = new byte[1 << 20];
                for (var i = 0; i < 256; i++)
                {
                    z.Write(zeros); // 256 MiB of zeros compress to a few hundred KB
                }
            }
            Assert.True(gz.Length < 1_200_000, $"bomb is {gz.Length} bytes");
            var sw = Stopwatch.StartNew();
            var html = await (await UploadAsync(clinician, caseId, gz.ToArray(), "bomb.nii.gz", "image")).Content.ReadAsStringAsync();
            sw.Stop();
            Assert.Contains("LC-IMG-003", UploadError(html), StringComparison.Ordinal);
            Assert.Contains("claims 1073741824 voxels", UploadError(html), StringComparison.Ordinal);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"refusal took {sw.Elapsed}");
            Assert.DoesNotContain(Directory.GetFiles(App.ImagesFolder), f => f.EndsWith(".nii.gz", StringComparison.Ordinal) && new FileInfo(f).Length == gz.Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Slices_come_from_the_voxels_decoded_once_are_not_cached_are_audited_and_a_clinician_can_delete_the_image()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await NewCaseAsync(clinician);
        var folder = Directory.CreateTempSubdirectory("lc-up-").FullName;
        try
        {
            var geometry = LocalControl.Imaging.Geometry.ImageGeometry.AxisAligned(new(5, 3, 4), new(1, 1, 2));
            var hu = new float[5 * 3 * 4];
            for (var p = 0; p < hu.Length; p++)
            {
                hu[p] = p % 5 * 100 - 200; // 100 i - 200
            }
            var ct = Path.Combine(folder, "ct.nii.gz");
            LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(ct, new LocalControl.Imaging.Volumes.Volume<float>(geometry, hu));
            Assert.Equal(HttpStatusCode.Redirect, (await UploadAsync(clinician, caseId, await File.ReadAllBytesAsync(ct), "ct.nii.gz", "image")).StatusCode);
            CaseImage image;
            await using (var scope = App.Scope())
            {
                var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
                image = await db.Images.AsNoTracking().OrderByDescending(i => i.Id).FirstAsync();
            }
            var stored = Path.Combine(App.ImagesFolder, image.StoredPath);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stored));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stored + ".voxels"));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(App.ImagesFolder));
            }
            // The voxel file holds the decoded float32 volume, i fastest: exactly 5·3·4·4 bytes.
            Assert.Equal(5 * 3 * 4 * 4, new FileInfo(stored + ".voxels").Length);
            // Remove the uploaded file: slices still render, so no request decodes it.
            var keep = await File.ReadAllBytesAsync(stored);
            File.Delete(stored);
            var viewer = await App.SignInAsync("viewer1");
            var url = $"/cases/{caseId}/images/{image.Id}/slices/2.png?c=0&w=400";
            var slice = await viewer.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, slice.StatusCode);
            Assert.Equal("no-store", slice.Headers.CacheControl!.ToString());
            Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync($"/cases/{caseId}/images/{image.Id}/slices/2.png?c=NaN")).StatusCode);
            await File.WriteAllBytesAsync(stored, keep);
            // Scrolling is one audited view of the image per user (the queue writes within ~50 ms).
            await WaitForAsync(async () => (await AuditAsync(a => a.EntityKey == caseId && a.Detail == $"image {image.Id} slices" && a.UserName == "viewer1")).Count == 1);

            var viewerDelete = await DeleteImageAsync(viewer, caseId, image.Id);
            Assert.Equal(HttpStatusCode.Redirect, viewerDelete.StatusCode);
            Assert.StartsWith("/account/denied", viewerDelete.Headers.Location!.IsAbsoluteUri ? viewerDelete.Headers.Location.PathAndQuery : viewerDelete.Headers.Location.OriginalString, StringComparison.Ordinal);
            Assert.True(File.Exists(stored));
            Assert.Equal(HttpStatusCode.Redirect, (await DeleteImageAsync(clinician, caseId, image.Id)).StatusCode);
            Assert.False(File.Exists(stored));
            Assert.False(File.Exists(stored + ".voxels"));
            Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync(url)).StatusCode);
            var deleted = Assert.Single(await AuditAsync(a => a.Action == AuditActions.Delete && a.EntityKey == caseId));
            Assert.Equal("clinician1", deleted.UserName);
            Assert.Contains(image.Sha256, deleted.Detail, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(memory, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(content);
            }
        }
        return memory.ToArray();
    }

    private static byte[] Nhdr(string dataFile) => Encoding.ASCII.GetBytes(
        "NRRD0004\ntype: unsigned char\ndimension: 3\nspace: left-posterior-superior\nsizes: 3 2 2\n" +
        "space directions: (1,0,0) (0,1,0) (0,0,2)\nspace origin: (0,0,0)\nencoding: raw\ndata file: " + dataFile + "\n\n");

    [Fact]
    public async Task A_zip_of_a_header_and_its_data_is_accepted_and_one_pointing_outside_is_refused()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await NewCaseAsync(clinician);
        // 3 x 2 x 2 voxels, value 10 i + 50 k (i fastest).
        var raw = new byte[12];
        for (var k = 0; k < 2; k++) { for (var j = 0; j < 2; j++) { for (var i = 0; i < 3; i++) { raw[(k * 2 + j) * 3 + i] = (byte)(10 * i + 50 * k); } } }
        var ok = await UploadAsync(clinician, caseId, Zip(("scan.nhdr", Nhdr("scan.raw")), ("scan.raw", raw)), "scan.zip", "image");
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        var html = await clinician.GetStringAsync($"/cases/{caseId}/images");
        var id = System.Text.RegularExpressions.Regex.Match(html, "data-image-id=\"(\\d+)\"").Groups[1].Value;
        Assert.Contains("3 × 2 × 2", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        // Slice k = 1 through window centre 100, width 200: grey = round((10 i + 50) / 200 · 255).
        var png = await clinician.GetByteArrayAsync($"/cases/{caseId}/images/{id}/slices/1.png?c=100&w=200");
        var pixels = GreyPixels(png, 3, 2);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((byte)Math.Round((10.0 * i + 50) / 200 * 255), pixels[i]);
        }

        var before = await ImageCountAsync();
        var outside = await UploadAsync(clinician, caseId, Zip(("scan.nhdr", Nhdr("../../registry.db")), ("scan.raw", raw)), "scan.zip", "image");
        var error = UploadError(await outside.Content.ReadAsStringAsync());
        Assert.StartsWith("LC-IMG-", error, StringComparison.Ordinal);
        Assert.DoesNotContain(App.ImagesFolder, error, StringComparison.Ordinal);
        var nested = await UploadAsync(clinician, caseId, Zip(("scan.nhdr", Nhdr("x/../scan.raw")), ("../scan.raw", raw)), "scan.zip", "image");
        Assert.Contains("plain names", UploadError(await nested.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(before, await ImageCountAsync());
        // Nothing of the refused zips stays behind: one folder and one zip, both the accepted upload's.
        Assert.Single(Directory.GetDirectories(App.ImagesFolder), d => Directory.GetFiles(d).Any(f => f.EndsWith("scan.nhdr", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Slices_are_drawn_radiologically_from_the_geometry_and_a_label_map_through_patient_space_or_refused()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await NewCaseAsync(clinician);
        var folder = Directory.CreateTempSubdirectory("lc-rad-").FullName;
        try
        {
            // One patient, voxel centres x 0..5, y 0..4, z 0..6 mm (LPS), value 10 x + 40 y + 5 z + 3 (no grey level
            // falls on a rounding tie): stored LPS-first
            // and RAS-first (i towards the patient's right, j towards anterior).
            static float Value(LocalControl.Imaging.Geometry.Vector3D p) => (float)(10 * p.X + 40 * p.Y + 5 * p.Z + 3);
            var size = new LocalControl.Imaging.Geometry.VolumeSize(6, 5, 4);
            var spacing = new LocalControl.Imaging.Geometry.Vector3D(1, 1, 2);
            var lps = new LocalControl.Imaging.Geometry.ImageGeometry(size, spacing, new(0, 0, 0), LocalControl.Imaging.Geometry.Matrix3D.Identity);
            var ras = new LocalControl.Imaging.Geometry.ImageGeometry(size, spacing, new(5, 4, 0), new LocalControl.Imaging.Geometry.Matrix3D(-1, 0, 0, 0, -1, 0, 0, 0, 1));
            // Label map on a 2 × 2 × 4 mm grid: label 1 in voxel i = 2, j = 0 (cells x 3.5..5.5, y −0.5..1.5, all z).
            var labelGrid = new LocalControl.Imaging.Geometry.ImageGeometry(new(3, 3, 2), new(2, 2, 4), new(0.5, 0.5, 1), LocalControl.Imaging.Geometry.Matrix3D.Identity);
            var farGrid = new LocalControl.Imaging.Geometry.ImageGeometry(new(3, 3, 2), new(2, 2, 4), new(1000, 0.5, 1), LocalControl.Imaging.Geometry.Matrix3D.Identity);
            async Task<long> UploadVolumeAsync<T>(string name, LocalControl.Imaging.Geometry.ImageGeometry g, Func<int, int, int, T> value, string kind) where T : unmanaged
            {
                var volume = new LocalControl.Imaging.Volumes.Volume<T>(g);
                for (var k = 0; k < g.Size.K; k++) { for (var j = 0; j < g.Size.J; j++) { for (var i = 0; i < g.Size.I; i++) { volume[i, j, k] = value(i, j, k); } } }
                var path = Path.Combine(folder, name);
                LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(path, volume);
                Assert.Equal(HttpStatusCode.Redirect, (await UploadAsync(clinician, caseId, await File.ReadAllBytesAsync(path), name, kind)).StatusCode);
                await using var scope = App.Scope();
                return (await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Images.AsNoTracking().OrderByDescending(i => i.Id).FirstAsync()).Id;
            }
            var lpsId = await UploadVolumeAsync("lps.nii.gz", lps, (i, j, k) => Value(lps.IndexToPointLps(i, j, k)), "image");
            var rasId = await UploadVolumeAsync("ras.nii.gz", ras, (i, j, k) => Value(ras.IndexToPointLps(i, j, k)), "image");
            var labelsId = await UploadVolumeAsync("labels.nii.gz", labelGrid, (i, j, k) => (byte)(i == 2 && j == 0 ? 1 : 0), "labels");
            var farId = await UploadVolumeAsync("far.nii.gz", farGrid, (i, j, k) => (byte)1, "labels");

            static byte Grey(double v) => (byte)Math.Clamp(Math.Round((v + 100) / 400 * 255), 0, 255);
            // Per plane: picture size, slice shown, and the LPS point of pixel (column, row) by the radiological convention.
            var planes = new (string Plane, int W, int H, int Slice, Func<int, int, LocalControl.Imaging.Geometry.Vector3D> Point, string Letters)[]
            {
                ("axial", 6, 5, 1, (c, r) => new(c, r, 2), "RLAP"),            // right on the left, anterior up; slice 1: z = 2
                ("coronal", 6, 4, 3, (c, r) => new(c, 3, 6 - 2 * r), "RLSI"),  // superior up; slice 3: y = 3
                ("sagittal", 5, 4, 1, (c, r) => new(4, c, 6 - 2 * r), "APSI"), // anterior on the left; slice 1: x = 5 − 1
            };
            foreach (var (plane, w, h, slice, point, letters) in planes)
            {
                foreach (var id in new[] { lpsId, rasId })
                {
                    var view = System.Text.Json.Nodes.JsonNode.Parse(await clinician.GetStringAsync($"/cases/{caseId}/images/{id}/view?plane={plane}"))!;
                    Assert.Equal((w, h), ((int)view["width"]!, (int)view["height"]!));
                    Assert.Equal(letters, $"{view["left"]}{view["right"]}{view["top"]}{view["bottom"]}");
                    var pixels = PngPixels(await clinician.GetByteArrayAsync($"/cases/{caseId}/images/{id}/slices/{slice}.png?c=100&w=400&plane={plane}"), w, h, 1);
                    for (var r = 0; r < h; r++)
                    {
                        for (var c = 0; c < w; c++)
                        {
                            Assert.True(Grey(Value(point(c, r))) == pixels[r * w + c], $"{plane}, image {id}, pixel ({c}, {r})");
                        }
                    }
                }
            }

            // The label map lands on x 4..5, y 0..1 of the axial slice, i.e. columns 4..5 of rows 0..1, on either copy.
            foreach (var id in new[] { lpsId, rasId })
            {
                var view = System.Text.Json.Nodes.JsonNode.Parse(await clinician.GetStringAsync($"/cases/{caseId}/images/{id}/view?plane=axial&overlay={labelsId}"))!;
                Assert.True((bool)view["overlay"]!["drawn"]!);
                var rgba = PngPixels(await clinician.GetByteArrayAsync($"/cases/{caseId}/images/{labelsId}/slices/1.png?on={id}&plane=axial"), 6, 5, 4);
                for (var r = 0; r < 5; r++)
                {
                    for (var c = 0; c < 6; c++)
                    {
                        Assert.Equal(c >= 4 && r <= 1 ? 255 : 0, rgba[(r * 6 + c) * 4 + 3]);
                    }
                }
            }

            // No overlap in patient space: refused, with the reason, in the view and on the slice.
            var refusedView = System.Text.Json.Nodes.JsonNode.Parse(await clinician.GetStringAsync($"/cases/{caseId}/images/{rasId}/view?plane=axial&overlay={farId}"))!;
            Assert.False((bool)refusedView["overlay"]!["drawn"]!);
            Assert.Contains("does not overlap", (string)refusedView["overlay"]!["refused"]!, StringComparison.Ordinal);
            var refused = await clinician.GetAsync($"/cases/{caseId}/images/{farId}/slices/1.png?on={rasId}");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Contains("does not overlap", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, (await clinician.GetAsync($"/cases/{caseId}/images/{rasId}/slices/1.png?plane=oblique")).StatusCode);
            // Sagittal slices run over x (6 of them, 0..5), not over the stored k (4).
            Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync($"/cases/{caseId}/images/{rasId}/slices/5.png?plane=sagittal")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await clinician.GetAsync($"/cases/{caseId}/images/{rasId}/slices/6.png?plane=sagittal")).StatusCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // A slice PNG's pixels (8-bit, `channels` per pixel, filter 0), read independently of the app's encoder.
    private static byte[] PngPixels(byte[] png, int width, int height, int channels)
    {
        using var idat = new MemoryStream();
        for (var p = 8; p < png.Length;)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(p));
            if (Encoding.ASCII.GetString(png, p + 4, 4) == "IHDR")
            {
                Assert.Equal(width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(p + 8)));
                Assert.Equal(height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(p + 12)));
            }
            if (Encoding.ASCII.GetString(png, p + 4, 4) == "IDAT")
            {
                idat.Write(png, p + 8, length);
            }
            p += 12 + length;
        }
        idat.Position = 0;
        using var z = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress);
        using var rows = new MemoryStream();
        z.CopyTo(rows);
        var bytes = rows.ToArray();
        var stride = width * channels;
        var pixels = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            Assert.Equal(0, bytes[y * (stride + 1)]);
            Array.Copy(bytes, y * (stride + 1) + 1, pixels, y * stride, stride);
        }
        return pixels;
    }

    // The slice PNG's grey pixels (8-bit, filter 0), read independently of the app's encoder.
    private static byte[] GreyPixels(byte[] png, int width, int height)
    {
        using var idat = new MemoryStream();
        for (var p = 8; p < png.Length;)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(p));
            if (Encoding.ASCII.GetString(png, p + 4, 4) == "IDAT")
            {
                idat.Write(png, p + 8, length);
            }
            p += 12 + length;
        }
        idat.Position = 0;
        using var z = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress);
        using var rows = new MemoryStream();
        z.CopyTo(rows);
        var bytes = rows.ToArray();
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            Array.Copy(bytes, y * (width + 1) + 1, pixels, y * width, width);
        }
        return pixels;
    }

    private static async Task<HttpResponseMessage> DeleteImageAsync(HttpClient client, string caseId, long imageId)
    {
        var token = await LocalControlApp.AntiforgeryTokenAsync(client, "/cases");
        return await client.PostAsync($"/cases/{caseId}/images?handler=Delete", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["imageId"] = imageId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["__RequestVerificationToken"] = token,
        }));
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail("condition not met within 10 s");
    }
}

public sealed class SqliteHardeningTests(SqliteApp app) : HardeningTests(app), IClassFixture<SqliteApp>
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_registry_file_and_the_key_file_are_private()
    {
        var db = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(App.ConnectionString).DataSource;
        foreach (var file in new[] { db, db + "-wal", Path.Combine(App.DataFolder, "audit-name.key") })
        {
            Assert.True(File.Exists(file), file);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresHardeningTests(PostgresApp app) : HardeningTests(app), IClassFixture<PostgresApp>;

/// <summary>The app in the Development environment (what `dotnet run` used to start): a wrong type is still a 400.</summary>
public sealed class DevelopmentSqliteApp : SqliteApp
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseEnvironment(builder, "Development");
    }
}

public sealed class DevelopmentEnvironmentTests(DevelopmentSqliteApp app) : IClassFixture<DevelopmentSqliteApp>
{
    [Fact]
    public async Task Bad_query_and_body_types_are_400_not_500_and_not_logged_in_development_too()
    {
        var clinician = await app.SignInAsync("clinician1");
        const string sentinel = "zz-dev-raw-value";
        Assert.Equal(HttpStatusCode.BadRequest, (await clinician.GetAsync($"/api/cases?page={sentinel}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await clinician.PostAsync("/api/cases/preview", new StringContent("""{"caseFileText": 5}""", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.DoesNotContain(app.Logs, l => l.Message.Contains(sentinel, StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }
}
