using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalControl.Core.Cases;
using LocalControl.Registry;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Web.Tests;

/// <summary>
/// The integration suite: the real app on a real database, through HTTP. Run once on SQLite and once on PostgreSQL
/// (the subclasses at the bottom), so both providers and both migrations sets are exercised by the same assertions.
/// </summary>
public abstract class WebAppTests(LocalControlApp app)
{
    private static int _next;

    protected LocalControlApp App { get; } = app;

    private static string NewCaseId(string prefix = "T") => $"{prefix}-{Interlocked.Increment(ref _next):D4}-{Guid.NewGuid().ToString("N")[..6]}";

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<string> CreateCaseAsync(HttpClient client, JsonObject caseFile)
    {
        var response = await client.PostAsync("/api/cases", JsonBody(TestCases.Json(caseFile)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return caseFile["caseId"]!.GetValue<string>();
    }

    [Fact]
    public async Task Every_page_and_api_endpoint_refuses_an_anonymous_user()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician, TestCases.Liver(NewCaseId()));
        var anonymous = App.Anonymous();
        var open = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "/account/login", "/account/setup", "/health", "/Error", "/" };
        var endpoints = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var checkedCount = 0;
        foreach (var endpoint in endpoints)
        {
            var template = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            var path = template.Replace("{caseId}", Uri.EscapeDataString(caseId), StringComparison.Ordinal);
            path = System.Text.RegularExpressions.Regex.Replace(path, "\\{[^}]+\\}", "1"); // image ids, slice numbers
            if (open.Contains(path.TrimEnd('/')) || open.Contains(path))
            {
                continue;
            }
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"];
            foreach (var method in methods)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method != "GET")
                {
                    request.Content = JsonBody("{}");
                }
                var response = await anonymous.SendAsync(request);
                var isApi = path.StartsWith("/api", StringComparison.Ordinal) || path.StartsWith("/openapi", StringComparison.Ordinal);
                if (isApi)
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
                }
                else
                {
                    // Pages: a redirect to sign-in (GET) or a refusal (POST without a session or token): never content.
                    Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized,
                        $"{method} {path}: {(int)response.StatusCode}");
                    if (response.StatusCode == HttpStatusCode.Redirect)
                    {
                        Assert.StartsWith("/account/login", response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location.PathAndQuery : response.Headers.Location.OriginalString, StringComparison.Ordinal);
                    }
                    var body = await response.Content.ReadAsStringAsync();
                    Assert.DoesNotContain(caseId, body, StringComparison.Ordinal);
                }
                checkedCount++;
            }
        }
        // The case pages, the API and OpenAPI: if routing changed so much that few endpoints are left, say so.
        Assert.True(checkedCount >= 20, $"only {checkedCount} endpoints checked");
    }

    [Fact]
    public async Task A_viewer_reads_but_cannot_create_edit_schedule_or_decide()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician, TestCases.Liver(NewCaseId()));
        var viewer = await App.SignInAsync("viewer1");

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/cases/{caseId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/cases/{caseId}")).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/cases", JsonBody(TestCases.Json(TestCases.Liver(NewCaseId()))))).StatusCode);
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/api/cases/{caseId}") { Content = JsonBody(TestCases.Json(TestCases.Liver(caseId, "changed"))) })
        {
            put.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.SendAsync(put)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync($"/api/cases/{caseId}/schedule", new { status = "treated" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"/api/cases/{caseId}/decisions", Decision(1))).StatusCode);

        // The pages: the editor and the decision form send a viewer to "not allowed", and a posted form (with a
        // valid anti-forgery token from a page the viewer may see) changes nothing.
        var edit = await viewer.GetAsync($"/cases/{caseId}/edit");
        Assert.Equal(HttpStatusCode.Redirect, edit.StatusCode);
        Assert.StartsWith("/account/denied", edit.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        var token = await LocalControlApp.AntiforgeryTokenAsync(viewer, "/cases");
        var posted = await viewer.PostAsync($"/cases/{caseId}/edit", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["CaseFileJson"] = TestCases.Json(TestCases.Liver(caseId, "changed by a viewer")),
            ["Version"] = "1",
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.StartsWith("/account/denied", posted.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        var schedule = await viewer.PostAsync($"/cases/{caseId}?handler=Schedule", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["status"] = "treated",
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, schedule.StatusCode);
        Assert.StartsWith("/account/denied", schedule.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        var stored = await clinician.GetFromJsonAsync<JsonObject>($"/api/cases/{caseId}");
        Assert.Equal(1, stored!["version"]!.GetValue<int>());
        Assert.Equal("to-discuss", stored["status"]!.GetValue<string>());
        Assert.DoesNotContain("viewer", stored["caseFile"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_post_without_the_antiforgery_token_is_refused_and_changes_nothing()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician, TestCases.Liver(NewCaseId()));
        var forged = await clinician.PostAsync($"/cases/{caseId}/edit", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["CaseFileJson"] = TestCases.Json(TestCases.Liver(caseId, "forged")),
            ["Version"] = "1",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var forgedNew = await clinician.PostAsync("/cases/new", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["CaseFileJson"] = TestCases.Json(TestCases.Liver(caseId + "-forged")),
        }));
        Assert.Equal(HttpStatusCode.BadRequest, forgedNew.StatusCode);
        // The API takes JSON only: a cross-site form (which cannot set application/json) is refused.
        var formToApi = await clinician.PostAsync("/api/cases", new FormUrlEncodedContent(new Dictionary<string, string> { ["caseId"] = "x" }));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, formToApi.StatusCode);

        var stored = await clinician.GetFromJsonAsync<JsonObject>($"/api/cases/{caseId}");
        Assert.Equal(1, stored!["version"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await clinician.GetAsync($"/api/cases/{caseId}-forged")).StatusCode);
    }

    [Fact]
    public async Task Sql_and_html_in_every_free_text_field_are_stored_verbatim_and_shown_inert()
    {
        var clinician = await App.SignInAsync("clinician1");
        // The case id too, except for the slash the registry refuses in ids (they are web addresses).
        var caseId = NewCaseId("X") + TestCases.Hostile.Replace("/", "", StringComparison.Ordinal);
        var caseFile = TestCases.Liver(caseId, location: TestCases.Hostile, regimen: TestCases.Hostile);
        caseFile["lesions"]![0]!["priorLocalTreatment"] = TestCases.Hostile;
        await CreateCaseAsync(clinician, caseFile);
        var enc = Uri.EscapeDataString(caseId);
        var decision = Decision(1) with { Rationale = TestCases.Hostile, Attendees = TestCases.Hostile };
        Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsJsonAsync($"/api/cases/{enc}/decisions", decision)).StatusCode);

        // Stored verbatim (parameterised SQL: nothing was executed, nothing was mangled).
        var stored = await clinician.GetFromJsonAsync<JsonObject>($"/api/cases/{enc}");
        Assert.Equal(caseId, stored!["caseId"]!.GetValue<string>());
        Assert.Equal(TestCases.Hostile, stored["caseFile"]!["lesions"]![0]!["location"]!.GetValue<string>());
        var decisions = await clinician.GetFromJsonAsync<JsonArray>($"/api/cases/{enc}/decisions");
        Assert.Equal(TestCases.Hostile, decisions![0]!["rationale"]!.GetValue<string>());
        Assert.Equal(TestCases.Hostile, decisions[0]!["attendees"]!.GetValue<string>());
        var list = await clinician.GetFromJsonAsync<JsonObject>($"/api/cases?search={Uri.EscapeDataString("' OR 1=1")}");
        Assert.Equal(1, list!["total"]!.GetValue<int>());

        // Shown inert on every page that shows it: encoded, never as markup.
        foreach (var page in new[] { $"/cases/{enc}", $"/cases/{enc}/print", $"/cases/{enc}/edit", $"/cases/{enc}/decide", "/cases" })
        {
            var html = await clinician.GetStringAsync(page);
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>", html.Replace("<script src=", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(", html, StringComparison.Ordinal);
        }
        // The tables are all still there.
        Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync("/api/cases")).StatusCode);
    }

    [Fact]
    public async Task A_case_goes_from_creation_through_edits_to_a_decision_that_keeps_what_it_was_based_on()
    {
        var coordinator = await App.SignInAsync("coordinator1");
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(coordinator, TestCases.Liver(NewCaseId()));

        // Schedule (coordinator), then edit (clinician) with optimistic concurrency.
        var scheduled = await coordinator.PutAsJsonAsync($"/api/cases/{caseId}/schedule", new { status = "to-discuss", meetingDate = "2026-12-03" });
        Assert.Equal(HttpStatusCode.OK, scheduled.StatusCode);
        var current = await clinician.GetAsync($"/api/cases/{caseId}");
        Assert.Equal("\"2\"", current.Headers.ETag!.Tag);
        var edited = TestCases.Liver(caseId);
        ((JsonArray)edited["lesions"]!).Add(new JsonObject { ["id"] = "L3", ["organ"] = "lung", ["longestDiameterMm"] = 11 });
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/api/cases/{caseId}") { Content = JsonBody(TestCases.Json(edited)) })
        {
            put.Headers.TryAddWithoutValidation("If-Match", "\"2\"");
            Assert.Equal(HttpStatusCode.OK, (await clinician.SendAsync(put)).StatusCode);
        }
        using (var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/cases/{caseId}") { Content = JsonBody(TestCases.Json(TestCases.Liver(caseId))) })
        {
            stale.Headers.TryAddWithoutValidation("If-Match", "\"2\"");
            var refused = await clinician.SendAsync(stale);
            Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        }

        // The assessment now covers the lung lesion.
        var assessment = await clinician.GetFromJsonAsync<JsonObject>($"/api/cases/{caseId}/assessment");
        var lesionIds = assessment!["lesions"]!.AsArray().Select(l => l!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(["L1", "L2", "L3"], lesionIds);

        // A decision on a stale version is refused; on the current one it is kept with the engine output.
        Assert.Equal(HttpStatusCode.Conflict, (await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions", Decision(2))).StatusCode);
        var invalid = await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions", Decision(3) with { Choices = [new(null, "teleportation")], Intent = "hopeful" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = await invalid.Content.ReadFromJsonAsync<JsonObject>();
        Assert.NotNull(problem!["errors"]!["intent"]);
        Assert.NotNull(problem["errors"]!["choices[0].therapy"]);
        var decided = await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions", Decision(3));
        Assert.Equal(HttpStatusCode.Created, decided.StatusCode);
        var saved = await decided.Content.ReadFromJsonAsync<JsonObject>();
        Assert.False(string.IsNullOrEmpty(saved!["ruleSetVersion"]!.GetValue<string>()));
        Assert.Equal(assessment["ruleSetVersion"]!.GetValue<string>(), saved["ruleSetVersion"]!.GetValue<string>());
        Assert.Equal(3, saved["assessment"]!["lesions"]!.AsArray().Count);
        Assert.Equal("clinician1", saved["recordedBy"]!.GetValue<string>());

        var after = await clinician.GetFromJsonAsync<JsonObject>($"/api/cases/{caseId}");
        Assert.Equal("discussed", after!["status"]!.GetValue<string>());
        var discussed = await clinician.GetFromJsonAsync<JsonObject>($"/api/cases?status=discussed&search={caseId}");
        Assert.Equal(1, discussed!["total"]!.GetValue<int>());
        var anyCase = await clinician.GetFromJsonAsync<JsonObject>($"/api/cases?search={caseId.ToLowerInvariant()}");
        Assert.Equal(1, anyCase!["total"]!.GetValue<int>()); // search ignores case on both databases
        var notYet = await clinician.GetFromJsonAsync<JsonObject>($"/api/cases?status=treated&search={caseId}");
        Assert.Equal(0, notYet!["total"]!.GetValue<int>());
        var page = await clinician.GetStringAsync($"/cases/{caseId}");
        Assert.Contains("data-decision-id", page, StringComparison.Ordinal);

        // Who did what is in the audit trail.
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        // Views are written by the background writer within a fraction of a second; changes are in their own transaction.
        List<string> trail = [];
        for (var i = 0; i < 50 && !trail.Contains("clinician1 view"); i++)
        {
            await Task.Delay(i == 0 ? 0 : 100);
            trail = await db.Audit.Where(a => a.EntityKey == caseId).OrderBy(a => a.Id).Select(a => a.UserName + " " + a.Action).ToListAsync();
        }
        Assert.Contains("coordinator1 create", trail);
        Assert.Contains("coordinator1 schedule", trail);
        Assert.Contains("clinician1 update", trail);
        Assert.Contains("clinician1 view", trail);
        Assert.Contains("clinician1 decide", trail);
    }

    [Fact]
    public async Task The_audit_trail_and_decisions_cannot_be_changed_or_deleted_even_with_raw_sql()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician, TestCases.Liver(NewCaseId()));
        Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions", Decision(1))).StatusCode);
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var before = await db.Audit.CountAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE audit SET \"UserName\" = 'someone else'"));
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM audit"));
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE decisions SET \"Rationale\" = 'rewritten'"));
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM decisions"));
        Assert.Equal(before, await db.Audit.CountAsync());
        Assert.DoesNotContain(await db.Audit.Select(a => a.UserName).ToListAsync(), u => u == "someone else");

        // And through the context: refused before any SQL is sent.
        var entry = await db.Audit.FirstAsync();
        entry.Detail = "edited";
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
    }

    [Fact]
    public async Task The_editor_shows_exactly_the_messages_of_the_case_file_reader_the_cli_uses()
    {
        var clinician = await App.SignInAsync("clinician1");
        var bad = TestCases.Liver(NewCaseId());
        bad["lesions"]![1]!["longestDiameterMm"] = -4;
        bad["patient"]!["ecog"] = 7;
        var json = TestCases.Json(bad);
        var expected = CaseFileReader.Read(json);
        Assert.NotEmpty(expected.Errors);

        var response = await clinician.PostAsJsonAsync("/api/cases/preview", new { caseFileText = json });
        var preview = await response.Content.ReadFromJsonAsync<JsonObject>();
        var errors = preview!["validation"]!["errors"]!.AsArray().Select(e => (e!["path"]!.GetValue<string>(), e["message"]!.GetValue<string>())).ToList();
        Assert.Equal(expected.Errors.Select(e => (e.Path, e.Message)).ToList(), errors);
        Assert.Null(preview["options"]);

        // Malformed JSON gets the reader's message too.
        var broken = await (await clinician.PostAsJsonAsync("/api/cases/preview", new { caseFileText = "{ \"caseId\": " })).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(CaseFileReader.Read("{ \"caseId\": ").Errors[0].Message, broken!["validation"]!["errors"]![0]!["message"]!.GetValue<string>());

        // The editor page, posted with the errors, shows the same messages (HTML-encoded) and stores nothing.
        var token = await LocalControlApp.AntiforgeryTokenAsync(clinician, "/cases/new");
        var page = await clinician.PostAsync("/cases/new", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["CaseFileJson"] = json,
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        foreach (var e in expected.Errors)
        {
            Assert.Contains(WebUtility.HtmlEncode(e.Message), html, StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await clinician.GetAsync($"/api/cases/{bad["caseId"]}")).StatusCode);

        // A valid file previews its options per lesion and for the patient.
        var good = await (await clinician.PostAsJsonAsync("/api/cases/preview", new { caseFileText = TestCases.Json(TestCases.Liver(NewCaseId())) })).Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(good!["validation"]!["valid"]!.GetValue<bool>());
        Assert.Equal(3, good["options"]!.AsArray().Count);
    }

    [Fact]
    public async Task Pages_render_the_option_matrix_with_every_criterion_and_the_evidence_citations()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician, TestCases.Liver(NewCaseId()));
        var html = await clinician.GetStringAsync($"/cases/{caseId}");
        var assessment = await clinician.GetFromJsonAsync<JsonObject>($"/api/cases/{caseId}/assessment");
        foreach (var lesion in assessment!["lesions"]!.AsArray())
        {
            foreach (var option in lesion!["options"]!.AsArray())
            {
                Assert.Contains($"data-therapy=\"{option!["therapy"]!.GetValue<string>()}\"", html, StringComparison.Ordinal);
            }
        }
        Assert.Contains("crit-met", html, StringComparison.Ordinal);
        Assert.Contains("popovertarget=\"ev-", html, StringComparison.Ordinal);
        Assert.Contains("class=\"citation\"", html, StringComparison.Ordinal);
        Assert.Contains("Missing data to collect", html, StringComparison.Ordinal);
        foreach (var page in new[] { "/cases", $"/cases/{caseId}/edit", $"/cases/{caseId}/decide", $"/cases/{caseId}/print", "/cases/new" })
        {
            Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync(page)).StatusCode);
        }

        // The PDF summary: a real PDF with one page at least.
        var pdf = await clinician.GetAsync($"/cases/{caseId}/summary.pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType!.MediaType);
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        Assert.Equal("%PDF-", Encoding.ASCII.GetString(bytes, 0, 5));
        Assert.Matches(@"/Type\s*/Page\b", Encoding.Latin1.GetString(bytes));
    }

    [Fact]
    public async Task The_openapi_document_describes_cases_assessments_and_decisions()
    {
        var viewer = await App.SignInAsync("viewer1");
        var doc = await viewer.GetFromJsonAsync<JsonObject>("/openapi/v1.json");
        var paths = doc!["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/cases", paths);
        Assert.Contains("/api/cases/{caseId}/assessment", paths);
        Assert.Contains("/api/cases/{caseId}/decisions", paths);
        var missing = await viewer.GetAsync("/api/cases/no-such-case");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Logs_never_contain_a_case_id_or_any_free_text()
    {
        var clinician = await App.SignInAsync("clinician1");
        var sentinel = "SENTINEL" + Guid.NewGuid().ToString("N")[..8];
        var caseId = "PID-" + sentinel;
        var caseFile = TestCases.Liver(caseId, location: "loc-" + sentinel, regimen: "reg-" + sentinel);
        await CreateCaseAsync(clinician, caseFile);
        await clinician.GetStringAsync($"/cases/{caseId}");
        await clinician.GetStringAsync($"/cases/{caseId}/print");
        await clinician.GetAsync($"/api/cases/{caseId}/assessment");
        Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions",
            Decision(1) with { Rationale = "why-" + sentinel, Attendees = "who-" + sentinel })).StatusCode);
        await clinician.PostAsync("/api/cases", JsonBody(TestCases.Json(caseFile))); // a conflict: error paths log too
        await clinician.GetAsync($"/api/cases/{caseId}-missing");

        // Patient identity (issue 14): a name, an MRN and a date of birth through the identity form (a refused post
        // first: the error path logs too), the MRN search, the case page, the summary and the PDF.
        var mrn = "MRN" + sentinel.ToUpperInvariant()[8..];
        var family = "fam" + sentinel;
        var given = "giv" + sentinel;
        const string birth = "1938-02-17";
        var future = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PatientIdentityWebTests.PostIdentityAsync(clinician, caseId, mrn, family, given, future, "male", 0)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PatientIdentityWebTests.PostIdentityAsync(clinician, caseId, mrn, family, given, birth, "male", 0)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PatientIdentityWebTests.SearchMrnAsync(clinician, mrn)).StatusCode);
        // And through the API: a refused PUT (future date), a stale one, and a read.
        Assert.Equal(HttpStatusCode.BadRequest, (await PatientIdentityWebTests.PutIdentityAsync(clinician, caseId, "\"1\"",
            new { mrn, familyName = family, givenNames = given, birthDate = future })).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await PatientIdentityWebTests.PutIdentityAsync(clinician, caseId, "\"0\"",
            new { mrn, familyName = family, givenNames = given, birthDate = birth })).StatusCode);
        Assert.Contains(family, await clinician.GetStringAsync($"/api/cases/{caseId}/identity"), StringComparison.Ordinal);
        Assert.Contains(family.ToUpperInvariant(), await clinician.GetStringAsync($"/cases/{caseId}"), StringComparison.Ordinal); // it was stored
        await clinician.GetStringAsync($"/cases/{caseId}/print");
        Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync($"/cases/{caseId}/summary.pdf")).StatusCode);
        // The case list shows every row's patient (in clear for clinicians, masked for a viewer): listed, never logged.
        Assert.Contains(family.ToUpperInvariant(), await clinician.GetStringAsync($"/cases?search={Uri.EscapeDataString(caseId)}"), StringComparison.Ordinal);
        await clinician.GetStringAsync("/cases");
        await (await App.SignInAsync("viewer1")).GetStringAsync($"/cases?search={Uri.EscapeDataString(caseId)}");

        Assert.NotEmpty(App.Logs);
        Assert.Contains(App.Logs, l => l.Message.Contains("Decision", StringComparison.Ordinal)); // the capture works
        Assert.Contains(App.Logs, l => l.Message.Contains("Patient identity of case record", StringComparison.Ordinal));
        var secrets = new[] { sentinel, sentinel.ToUpperInvariant(), mrn, birth, future };
        var leaks = App.Logs.Where(l => secrets.Any(x => l.Message.Contains(x, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(leaks.Count == 0, "patient data in the logs: " + string.Join("\n", leaks.Take(3)));

        // Nor in the audit trail: it says the identity changed and who searched, never the values.
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var audit = await db.Audit.AsNoTracking().Where(a => a.EntityKey == caseId || a.EntityKey == "mrn search")
            .Select(a => a.UserName + " " + a.Action + " " + a.EntityType + " " + a.Detail).ToListAsync();
        Assert.Contains(audit, a => a.StartsWith("clinician1 identity case identity changed (mrn, family name, given names, date of birth, sex)", StringComparison.Ordinal));
        var identityLeaks = audit.Where(a => new[] { mrn, family, given, birth, future }.Any(x => a.Contains(x, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(identityLeaks.Count == 0, "identity in the audit: " + string.Join("\n", identityLeaks.Take(3)));
    }

    [Fact]
    public async Task An_uploaded_ct_and_label_map_are_shown_as_windowed_axial_slices_with_a_coloured_overlay()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician, TestCases.Liver(NewCaseId("IMG")));
        var folder = Directory.CreateTempSubdirectory("lc-img-").FullName;
        try
        {
            // A 6 x 4 x 3 CT whose voxel value is 100·i - 200 (HU), and a label map with label 2 at (1, 2, 1).
            var geometry = LocalControl.Imaging.Geometry.ImageGeometry.AxisAligned(new(6, 4, 3), new(0.8, 0.8, 2.5));
            var hu = new float[6 * 4 * 3];
            for (var k = 0; k < 3; k++) { for (var j = 0; j < 4; j++) { for (var i = 0; i < 6; i++) { hu[(k * 4 + j) * 6 + i] = 100 * i - 200; } } }
            var labels = new byte[6 * 4 * 3];
            labels[(1 * 4 + 2) * 6 + 1] = 2;
            var ctPath = Path.Combine(folder, "ct.nii.gz");
            var labelPath = Path.Combine(folder, "labels.nii.gz");
            LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(ctPath, new LocalControl.Imaging.Volumes.Volume<float>(geometry, hu));
            LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(labelPath, new LocalControl.Imaging.Volumes.Volume<byte>(geometry, labels));

            var viewer = await App.SignInAsync("viewer1");
            var refused = await UploadAsync(viewer, caseId, ctPath, "image");
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.StartsWith("/account/denied", refused.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

            var notAnImage = Path.Combine(folder, "notes.nii");
            await File.WriteAllTextAsync(notAnImage, "this is not a NIfTI file");
            var bad = await UploadAsync(clinician, caseId, notAnImage, "image");
            Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
            Assert.Contains("data-upload-error", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            Assert.Equal(HttpStatusCode.Redirect, (await UploadAsync(clinician, caseId, ctPath, "image")).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await UploadAsync(clinician, caseId, labelPath, "labels")).StatusCode);
            var page = await viewer.GetStringAsync($"/cases/{caseId}/images");
            var ids = System.Text.RegularExpressions.Regex.Matches(page, "data-image-id=\"(\\d+)\"").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(2, ids.Count);
            Assert.Contains("6 × 4 × 3", page, StringComparison.Ordinal);

            // CT slice 1, window centre 0 width 400: value v maps to round((v + 200) / 400 · 255).
            var (w, h, channels, pixels) = DecodePng(await viewer.GetByteArrayAsync($"/cases/{caseId}/images/{ids[0]}/slices/1.png?c=0&w=400"));
            Assert.Equal((6, 4, 1), (w, h, channels));
            for (var i = 0; i < 6; i++)
            {
                Assert.Equal((byte)Math.Clamp(Math.Round((100.0 * i - 200 + 200) / 400 * 255), 0, 255), pixels[2 * 6 + i]);
            }
            // Label slice 1: label 2 is the palette's second colour, opaque; background transparent.
            var (lw, lh, lc, rgba) = DecodePng(await viewer.GetByteArrayAsync($"/cases/{caseId}/images/{ids[1]}/slices/1.png"));
            Assert.Equal((6, 4, 4), (lw, lh, lc));
            var at = (2 * 6 + 1) * 4;
            Assert.Equal(new byte[] { 60, 180, 75, 255 }, rgba[at..(at + 4)]);
            Assert.Equal(0, rgba[3]);
            Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"/cases/{caseId}/images/{ids[1]}/slices/3.png")).StatusCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_value_under_a_pixel_is_the_voxel_the_display_grid_maps_it_to_through_patient_space()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician, TestCases.Liver(NewCaseId("VAL")));
        var folder = Directory.CreateTempSubdirectory("lc-val-").FullName;
        try
        {
            // RAS-stored (i -> patient right, j -> anterior), 6 x 4 x 3 voxels of 0.8 x 0.7 x 2.5 mm, value 100 i + 10 j + k.
            // By hand: the axial picture has patient right on the left and anterior up, so screen column x is
            // i = 5 - x, row y is j = 3 - y, slice k is k; voxel (i, j, k) lies at LPS (10 - 0.8 i, 20 - 0.7 j, -5 + 2.5 k).
            var geometry = new LocalControl.Imaging.Geometry.ImageGeometry(new(6, 4, 3), new(0.8, 0.7, 2.5), new(10, 20, -5),
                new LocalControl.Imaging.Geometry.Matrix3D(-1, 0, 0, 0, -1, 0, 0, 0, 1));
            var hu = new float[6 * 4 * 3];
            for (var k = 0; k < 3; k++) { for (var j = 0; j < 4; j++) { for (var i = 0; i < 6; i++) { hu[(k * 4 + j) * 6 + i] = 100 * i + 10 * j + k; } } }
            var ctPath = Path.Combine(folder, "ct-ras.nii.gz");
            LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(ctPath, new LocalControl.Imaging.Volumes.Volume<float>(geometry, hu));
            Assert.Equal(HttpStatusCode.Redirect, (await UploadAsync(clinician, caseId, ctPath, "image")).StatusCode);
            var page = await clinician.GetStringAsync($"/cases/{caseId}/images");
            var id = System.Text.RegularExpressions.Regex.Match(page, "data-image-id=\"(\\d+)\"").Groups[1].Value;

            var viewer = await App.SignInAsync("viewer1");
            foreach (var (x, y, k) in new[] { (0, 0, 0), (5, 3, 2), (1, 2, 1), (4, 0, 2) })
            {
                var json = System.Text.Json.Nodes.JsonNode.Parse(await viewer.GetStringAsync($"/cases/{caseId}/images/{id}/value?plane=axial&k={k}&x={x}&y={y}"))!;
                int i = 5 - x, j = 3 - y;
                Assert.Equal(100 * i + 10 * j + k, json["value"]!.GetValue<double>());
                Assert.Equal(new[] { i, j, k }, json["voxel"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray());
                // NIfTI keeps spacing and origin as float32 (0.8 is 0.800000011920929), so the point agrees to ~1e-6 mm.
                Assert.Equal(10 - 0.8 * i, json["xLps"]!.GetValue<double>(), 5);
                Assert.Equal(20 - 0.7 * j, json["yLps"]!.GetValue<double>(), 5);
                Assert.Equal(-5 + 2.5 * k, json["zLps"]!.GetValue<double>(), 5);
            }
            // A fractional cursor position takes the nearest voxel: x = 1.4 is column 1, y = 2.6 is row 3.
            var near = System.Text.Json.Nodes.JsonNode.Parse(await viewer.GetStringAsync($"/cases/{caseId}/images/{id}/value?plane=axial&k=1&x=1.4&y=2.6"))!;
            Assert.Equal(100 * 4 + 10 * 0 + 1, near["value"]!.GetValue<double>());
            // A label map on a coarser LPS-stored grid (1.6 x 1.4 x 2.5 mm, 3 x 2 x 3, label 1 + i + 3 j) starting at the
            // CT's pixel (0, 0): by hand, CT pixel (x, y) lies at LPS (6 + 0.8 x, 17.9 + 0.7 y), the map's voxel
            // (x / 2, y / 2) rounded. With on = the CT, the label under CT pixel (4, 2) is 1 + 2 + 3 = 6, under (0, 2) is 4.
            var labelGrid = new LocalControl.Imaging.Geometry.ImageGeometry(new(3, 2, 3), new(1.6, 1.4, 2.5), new(6, 17.9, -5), LocalControl.Imaging.Geometry.Matrix3D.Identity);
            var labels = new byte[3 * 2 * 3];
            for (var k = 0; k < 3; k++) { for (var j = 0; j < 2; j++) { for (var i = 0; i < 3; i++) { labels[(k * 2 + j) * 3 + i] = (byte)(1 + i + 3 * j); } } }
            var labelPath = Path.Combine(folder, "labels-lps.nii.gz");
            LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(labelPath, new LocalControl.Imaging.Volumes.Volume<byte>(labelGrid, labels));
            Assert.Equal(HttpStatusCode.Redirect, (await UploadAsync(clinician, caseId, labelPath, "labels")).StatusCode);
            var labelId = System.Text.RegularExpressions.Regex.Matches(await clinician.GetStringAsync($"/cases/{caseId}/images"), "data-image-id=\"(\\d+)\"")
                .Select(m => m.Groups[1].Value).Single(v => v != id);
            foreach (var (x, y, label) in new[] { (4, 2, 6), (0, 2, 4), (2, 0, 2) })
            {
                var json = System.Text.Json.Nodes.JsonNode.Parse(await viewer.GetStringAsync($"/cases/{caseId}/images/{labelId}/value?plane=axial&k=1&x={x}&y={y}&on={id}"))!;
                Assert.Equal("labels", json["kind"]!.GetValue<string>());
                Assert.Equal(label, json["value"]!.GetValue<double>());
                Assert.Equal(6 + 0.8 * x, json["xLps"]!.GetValue<double>(), 5);
            }
            // Outside the picture, a slice that does not exist, a bad plane: refused, not guessed.
            Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync($"/cases/{caseId}/images/{id}/value?plane=axial&k=0&x=6&y=0")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"/cases/{caseId}/images/{id}/value?plane=axial&k=3&x=0&y=0")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync($"/cases/{caseId}/images/{id}/value?plane=oblique&k=0&x=0&y=0")).StatusCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_ruler_measures_in_patient_space_on_an_anisotropic_grid_and_a_clinician_saves_it_to_a_lesion_field_audited()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician, TestCases.Liver(NewCaseId("RUL")));
        var folder = Directory.CreateTempSubdirectory("lc-rul-").FullName;
        try
        {
            // RAS-stored, 40 x 30 x 12 voxels of 0.8 x 0.7 x 2.5 mm, origin (10, 20, -5): voxel (i, j, k) at LPS
            // (10 - 0.8 i, 20 - 0.7 j, -5 + 2.5 k). By hand, axial pixel (x, y) of slice s is voxel (39 - x, 29 - y, s);
            // coronal (right on the left, superior up, slices anterior -> posterior) is voxel (39 - x, 29 - s, 11 - y).
            var geometry = new LocalControl.Imaging.Geometry.ImageGeometry(new(40, 30, 12), new(0.8, 0.7, 2.5), new(10, 20, -5),
                new LocalControl.Imaging.Geometry.Matrix3D(-1, 0, 0, 0, -1, 0, 0, 0, 1));
            var ctPath = Path.Combine(folder, "ct-ras.nii.gz");
            LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(ctPath, new LocalControl.Imaging.Volumes.Volume<float>(geometry, new float[40 * 30 * 12]));
            Assert.Equal(HttpStatusCode.Redirect, (await UploadAsync(clinician, caseId, ctPath, "image")).StatusCode);
            var id = System.Text.RegularExpressions.Regex.Match(await clinician.GetStringAsync($"/cases/{caseId}/images"), "data-image-id=\"(\\d+)\"").Groups[1].Value;
            static (double X, double Y, double Z) Lps(double i, double j, double k) => (10 - 0.8 * i, 20 - 0.7 * j, -5 + 2.5 * k);

            // Axial, slice 5, (2.25, 3.5) -> (30.75, 20): 28.5 columns of 0.8 mm and 16.5 rows of 0.7 mm.
            var axialMm = Math.Sqrt(Math.Pow(28.5 * 0.8, 2) + Math.Pow(16.5 * 0.7, 2)); // 25.5586 mm
            var viewer = await App.SignInAsync("viewer1");
            var axial = System.Text.Json.Nodes.JsonNode.Parse(await viewer.GetStringAsync($"/cases/{caseId}/images/{id}/distance?plane=axial&k=5&x1=2.25&y1=3.5&x2=30.75&y2=20"))!;
            Assert.Equal(axialMm, axial["distanceMm"]!.GetValue<double>(), 4);
            Assert.Equal(Math.Round(axialMm, 1), axial["savedMm"]!.GetValue<double>());
            var a = Lps(39 - 2.25, 29 - 3.5, 5);
            var b = Lps(39 - 30.75, 29 - 20, 5);
            Assert.Equal(new[] { a.X, a.Y, a.Z }, axial["aLps"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray(), new Tolerance(1e-4));
            Assert.Equal(new[] { b.X, b.Y, b.Z }, axial["bLps"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray(), new Tolerance(1e-4));
            // Coronal, slice 10, (1, 0.5) -> (4, 6.5): 3 columns of 0.8 mm and 6 rows of 2.5 mm (the slice spacing).
            var coronal = System.Text.Json.Nodes.JsonNode.Parse(await viewer.GetStringAsync($"/cases/{caseId}/images/{id}/distance?plane=coronal&k=10&x1=1&y1=0.5&x2=4&y2=6.5"))!;
            Assert.Equal(Math.Sqrt(Math.Pow(3 * 0.8, 2) + Math.Pow(6 * 2.5, 2)), coronal["distanceMm"]!.GetValue<double>(), 4);
            var c = Lps(39 - 1, 29 - 10, 11 - 0.5);
            Assert.Equal(new[] { c.X, c.Y, c.Z }, coronal["aLps"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray(), new Tolerance(1e-4));
            // A point off the picture or a slice that does not exist is refused.
            Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync($"/cases/{caseId}/images/{id}/distance?plane=axial&k=5&x1=0&y1=0&x2=40&y2=0")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync($"/cases/{caseId}/images/{id}/distance?plane=axial&k=12&x1=0&y1=0&x2=1&y2=0")).StatusCode);

            async Task<HttpResponseMessage> SaveAsync(HttpClient client, string field, int version, string lesion = "L1")
            {
                var token = await LocalControlApp.AntiforgeryTokenAsync(client, "/cases");
                return await client.PostAsync($"/cases/{caseId}/images?handler=Measurement", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["ImageId"] = id, ["Plane"] = "axial", ["Slice"] = "5", ["X1"] = "2.25", ["Y1"] = "3.5", ["X2"] = "30.75", ["Y2"] = "20",
                    ["LesionId"] = lesion, ["Field"] = field, ["Version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["__RequestVerificationToken"] = token,
                }));
            }

            // A viewer cannot save; a field that is not a size or distance and a lesion not in the case are refused.
            var denied = await SaveAsync(viewer, "longestDiameterMm", 1);
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.StartsWith("/account/denied", denied.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
            var badField = await SaveAsync(clinician, "ageYears", 1);
            Assert.Equal(HttpStatusCode.BadRequest, badField.StatusCode);
            Assert.Contains("Field &#x27;ageYears&#x27; cannot take a ruler measurement", await badField.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, (await SaveAsync(clinician, "longestDiameterMm", 1, "L9")).StatusCode);

            // The clinician saves it to L1's longest diameter (18 mm typed): a new case version holding 25.6 mm.
            var saved = await SaveAsync(clinician, "longestDiameterMm", 1);
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
            var stored = System.Text.Json.Nodes.JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!;
            Assert.Equal(2, stored["version"]!.GetValue<int>());
            var l1 = stored["caseFile"]!["lesions"]!.AsArray().Single(l => l!["id"]!.GetValue<string>() == "L1")!;
            Assert.Equal(Math.Round(axialMm, 1), l1["longestDiameterMm"]!.GetValue<double>());
            Assert.Equal(12, l1["distanceToLargeVesselMm"]!.GetValue<double>()); // the rest of the lesion as it was
            await using (var scope = App.Scope())
            {
                var audit = await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Audit.AsNoTracking()
                    .Where(x => x.EntityKey == caseId && x.Action == LocalControl.Registry.Entities.AuditActions.Update).Select(x => x.Detail).ToListAsync();
                var line = Assert.Single(audit);
                static string F(double v) => v.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
                Assert.Contains("version 1 -> 2", line, StringComparison.Ordinal);
                Assert.Contains($"ruler: lesions[L1].longestDiameterMm 18 mm -> {Math.Round(axialMm, 1).ToString(System.Globalization.CultureInfo.InvariantCulture)} mm", line, StringComparison.Ordinal);
                Assert.Contains($"on image {id} (ct-ras.nii.gz), axial slice 5", line, StringComparison.Ordinal);
                Assert.Contains($"from LPS ({F(a.X)}, {F(a.Y)}, {F(a.Z)}) to ({F(b.X)}, {F(b.Y)}, {F(b.Z)}) mm", line, StringComparison.Ordinal);
            }

            // The same form again (drawn for version 1) is refused: nothing is saved over a change not seen.
            var stale = await SaveAsync(clinician, "shortAxisMm", 1);
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            Assert.Contains("Nothing was saved", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(2, System.Text.Json.Nodes.JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!["version"]!.GetValue<int>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= eps;

        public int GetHashCode(double obj) => 0;
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string caseId, string path, string kind)
    {
        var token = await LocalControlApp.AntiforgeryTokenAsync(client, "/cases");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await File.ReadAllBytesAsync(path)), "Upload", Path.GetFileName(path) },
            { new StringContent(kind), "Kind" },
            { new StringContent(token), "__RequestVerificationToken" },
        };
        return await client.PostAsync($"/cases/{caseId}/images", form);
    }

    // An independent PNG reader for the test: chunks, zlib, filter type 0 rows (what the encoder writes).
    private static (int Width, int Height, int Channels, byte[] Pixels) DecodePng(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (var p = 8; p < png.Length;)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(p));
            var type = Encoding.ASCII.GetString(png, p + 4, 4);
            var data = png.AsSpan(p + 8, length);
            if (type == "IHDR")
            {
                width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data);
                height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                channels = data[9] == 0 ? 1 : data[9] == 6 ? 4 : throw new InvalidOperationException("colour type");
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            p += 12 + length;
        }
        idat.Position = 0;
        using var z = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var bytes = raw.ToArray();
        var stride = width * channels;
        var pixels = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            Assert.Equal(0, bytes[y * (stride + 1)]);
            Array.Copy(bytes, y * (stride + 1) + 1, pixels, y * stride, stride);
        }
        return (width, height, channels, pixels);
    }

    private static Api.DecisionRequest Decision(int caseVersion) => new(
        new DateOnly(2026, 12, 3), "curative", [new("L1", "mwa")], "Small lesion, good access.", "Dr A (surgery), Dr B (IR)", caseVersion);
}

public sealed class SqliteWebAppTests(SqliteApp app) : WebAppTests(app), IClassFixture<SqliteApp>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresWebAppTests(PostgresApp app) : WebAppTests(app), IClassFixture<PostgresApp>;
