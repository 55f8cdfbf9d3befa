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
        Assert.Contains(family.ToUpperInvariant(), await clinician.GetStringAsync($"/cases/{caseId}"), StringComparison.Ordinal); // it was stored
        await clinician.GetStringAsync($"/cases/{caseId}/print");
        Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync($"/cases/{caseId}/summary.pdf")).StatusCode);

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
