using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Api;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Web.Tests;

/// <summary>
/// Decisions as boards make them (issue 14): several strategies of ordered steps, per lesion and for the patient,
/// intents per decision and strategy, the actions besides therapies, attendees picked from the users with their
/// discipline and each one's sign-off; the first API shape still accepted; old (version-1) rows still shown.
/// </summary>
public abstract class DecisionWebTests(LocalControlApp app)
{
    private static int _next;

    protected LocalControlApp App { get; } = app;

    private static string NewCaseId() => $"D-{Interlocked.Increment(ref _next):D3}-{Guid.NewGuid().ToString("N")[..6]}";

    private static readonly DateOnly Meeting = new(2026, 12, 10);

    private async Task<(HttpClient Clinician, string CaseId, int Version)> CaseAsync()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = NewCaseId();
        var r = await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(TestCases.Liver(caseId)), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var version = JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!["version"]!.GetValue<int>();
        return (clinician, caseId, version);
    }

    /// <summary>"Systemic therapy, then resection of L1 plus MWA of L2" (curative), and "systemic, then re-image" (disease control).</summary>
    private static DecisionRequest TwoStrategies(int version) => new(Meeting, "curative", null, "Conversion chemotherapy first; local treatment of both if they respond.",
        "Dr G (pathology, visiting)", version, null,
        [
            new DecisionStrategyRequest(null,
            [
                new DecisionStepRequest("systemic"),
                new DecisionStepRequest("resection", ["L1"], null, "then"),
                new DecisionStepRequest("mwa", ["L2"], null, "plus"),
            ]),
            new DecisionStrategyRequest("disease-control",
            [
                new DecisionStepRequest("systemic"),
                new DecisionStepRequest("re-image", ["L1", "L2"], "liver MRI with contrast after 4 cycles"),
            ]),
        ],
        [new DecisionAttendeeRequest("clinician1", "hepatobiliary surgery"), new DecisionAttendeeRequest("coordinator1", "medical oncology")]);

    private static async Task<JsonObject> ErrorsAsync(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
    }

    private static string Message(JsonObject errors, string key) =>
        errors[key] is JsonArray a ? a[0]!.GetValue<string>() : throw new Xunit.Sdk.XunitException($"no error at {key}; errors: {errors.ToJsonString()}");

    private static string Text(string html) => Regex.Replace(WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", " ")), @"\s+", " ").Trim();

    private static string DecisionBlock(string html, long id) =>
        Regex.Match(html, $"<article class=\"decision\" id=\"decision-{id}\".*?</article>", RegexOptions.Singleline).Value;

    [Fact]
    public async Task A_decision_with_two_strategies_is_stored_as_version_2_and_read_back_in_order()
    {
        var (clinician, caseId, version) = await CaseAsync();
        var r = await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions", TwoStrategies(version));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var saved = (await r.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(2, saved["format"]!.GetValue<int>());
        var strategies = saved["strategies"]!.AsArray();
        Assert.Equal(2, strategies.Count);
        Assert.Null(strategies[0]!["intent"]);
        Assert.Equal("disease-control", strategies[1]!["intent"]!.GetValue<string>());
        var steps = strategies[0]!["steps"]!.AsArray();
        Assert.Equal(["systemic", "resection", "mwa"], steps.Select(s => s!["therapy"]!.GetValue<string>()));
        Assert.Equal([null, "then", "plus"], steps.Select(s => s!["connector"]?.GetValue<string>()));
        Assert.Equal(["L1"], steps[1]!["lesionIds"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal("liver MRI with contrast after 4 cycles", strategies[1]!["steps"]![1]!["text"]!.GetValue<string>());
        // The first API shape, flattened: one entry per lesion of each step, null for the patient.
        Assert.Equal(["(patient) systemic", "L1 resection", "L2 mwa", "(patient) systemic", "L1 re-image", "L2 re-image"],
            saved["choices"]!.AsArray().Select(c => $"{c!["lesionId"]?.GetValue<string>() ?? "(patient)"} {c["therapy"]!.GetValue<string>()}"));
        var attendees = saved["attendeeUsers"]!.AsArray();
        Assert.Equal(["clinician1", "coordinator1"], attendees.Select(a => a!["userName"]!.GetValue<string>()));
        Assert.Equal("Test clinician", attendees[0]!["displayName"]!.GetValue<string>());
        Assert.All(attendees, a => Assert.Null(a!["signedOffUtc"]));
        Assert.Equal("Dr G (pathology, visiting)", saved["guests"]!.GetValue<string>());

        // Stored inside ChoicesJson, so inside the row hash, with its format marker; the chain still verifies.
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var id = saved["id"]!.GetValue<long>();
        var row = await db.Decisions.AsNoTracking().SingleAsync(d => d.Id == id);
        var stored = JsonNode.Parse(row.ChoicesJson)!;
        Assert.Equal("localcontrol-decision", stored["format"]!.GetValue<string>());
        Assert.Equal(2, stored["version"]!.GetValue<int>());
        Assert.Equal("Test clinician (hepatobiliary surgery; user clinician1); Test coordinator (medical oncology; user coordinator1); guests: Dr G (pathology, visiting)", row.Attendees);
        Assert.All(await AuditChain.VerifyAsync(db), c => Assert.Empty(c.Problems));

        // The case page shows the decision first and plainly: strategies in order, attendees with sign-off, then rationale.
        var block = DecisionBlock(await clinician.GetStringAsync($"/cases/{caseId}"), id);
        var text = Text(block);
        Assert.Contains("Strategy 1: Systemic therapy (patient), then Resection of L1 plus MWA of L2", text, StringComparison.Ordinal);
        Assert.Contains("Strategy 2 (disease-control intent): Systemic therapy (patient), then Re-image L1, L2: liver MRI with contrast after 4 cycles", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("Strategy 2", StringComparison.Ordinal) < text.IndexOf("Attendees", StringComparison.Ordinal));
        Assert.True(text.IndexOf("Attendees", StringComparison.Ordinal) < text.IndexOf("Rationale", StringComparison.Ordinal));
        Assert.Contains("Test clinician hepatobiliary surgery not signed off", text, StringComparison.Ordinal);
        Assert.Contains("Guests: Dr G (pathology, visiting)", text, StringComparison.Ordinal);
        Assert.Contains("Sign off this decision as Test clinician", block, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_api_shape_is_still_accepted_and_disease_control_is_an_intent()
    {
        var (clinician, caseId, version) = await CaseAsync();
        var r = await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions",
            new DecisionRequest(Meeting, "curative", [new("L1", "mwa"), new(null, "systemic")], "Small lesion.", "Dr A (surgery), Dr B (IR)", version));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var saved = (await r.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(["L1 mwa", "- systemic"], saved["choices"]!.AsArray().Select(c => $"{c!["lesionId"]?.GetValue<string>() ?? "-"} {c["therapy"]!.GetValue<string>()}"));
        Assert.Equal("Dr A (surgery), Dr B (IR)", saved["attendees"]!.GetValue<string>());
        Assert.Equal("curative", saved["intent"]!.GetValue<string>());
        // One strategy of concurrent steps: the flat list had no order.
        Assert.Equal([null, "plus"], saved["strategies"]![0]!["steps"]!.AsArray().Select(s => s!["connector"]?.GetValue<string>()));

        var now = JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!["version"]!.GetValue<int>();
        var dc = await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions",
            new DecisionRequest(Meeting, "disease-control", [new(null, "systemic")], "Too many lesions for now.", "Dr C (oncology)", now));
        Assert.Equal(HttpStatusCode.Created, dc.StatusCode);
    }

    [Fact]
    public async Task Bad_strategies_and_attendees_are_refused_naming_the_field()
    {
        var (clinician, caseId, version) = await CaseAsync();
        var bad = TwoStrategies(version) with
        {
            Strategies =
            [
                new DecisionStrategyRequest("hopeful",
                [
                    new DecisionStepRequest("teleportation"),
                    new DecisionStepRequest("mwa"),
                    new DecisionStepRequest("systemic", ["L1"]),
                    new DecisionStepRequest("re-image", ["L9"]),
                    new DecisionStepRequest("other", null, "  "),
                    new DecisionStepRequest("resection", ["L1"], null, "after"),
                ]),
                new DecisionStrategyRequest(null, []),
            ],
            AttendeeUsers = [new("admin", "surgery"), new("coordinator1", ""), new("nobody", "surgery"), new("viewer1", "oncology")],
        };
        var errors = await ErrorsAsync(await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions", bad));
        Assert.StartsWith("must be curative, palliative or disease-control", Message(errors, "strategies[0].intent"), StringComparison.Ordinal);
        Assert.StartsWith("'teleportation' is not a therapy of the engine's catalogue (resection, rfa, mwa, cryoablation, ire, sbrt, curative-local, haic, sirt, systemic) nor an action (re-image, re-discuss, portal-vein-embolisation, two-stage-hepatectomy, other)",
            Message(errors, "strategies[0].steps[0].therapy"), StringComparison.Ordinal);
        Assert.Equal("'mwa' is a lesion therapy: name the lesions it treats", Message(errors, "strategies[0].steps[1].lesionIds"));
        Assert.Equal("'systemic' is a patient-level therapy: name no lesions", Message(errors, "strategies[0].steps[2].lesionIds"));
        Assert.Equal("no lesion 'L9' in this case", Message(errors, "strategies[0].steps[3].lesionIds[0]"));
        Assert.StartsWith("re-image needs what and when", Message(errors, "strategies[0].steps[3].text"), StringComparison.Ordinal);
        Assert.Equal("other needs a description of what is to be done", Message(errors, "strategies[0].steps[4].text"));
        Assert.StartsWith("must be then", Message(errors, "strategies[0].steps[5].connector"), StringComparison.Ordinal);
        Assert.Equal("a strategy needs at least one step", Message(errors, "strategies[1].steps"));
        Assert.StartsWith("'admin' is not an enabled user holding a role that signs off decisions (clinician or coordinator", Message(errors, "attendeeUsers[0].userName"), StringComparison.Ordinal);
        Assert.StartsWith("is required for coordinator1", Message(errors, "attendeeUsers[1].discipline"), StringComparison.Ordinal);
        Assert.StartsWith("'nobody' is not an enabled user", Message(errors, "attendeeUsers[2].userName"), StringComparison.Ordinal);
        // A viewer-only account reads: it is not an attendee who signs off (the issue: each clinician attendee signs off).
        Assert.Equal("'viewer1' is not an enabled user holding a role that signs off decisions (clinician or coordinator; a viewer-only account reads); name other people as guests",
            Message(errors, "attendeeUsers[3].userName"));
        Assert.Equal(13, errors.Count);

        // Both shapes at once, and no attendee at all.
        var both = TwoStrategies(version) with { Choices = [new("L1", "mwa")], AttendeeUsers = [], Attendees = " " };
        errors = await ErrorsAsync(await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions", both));
        Assert.Equal("give either choices (the first shape) or strategies, not both", Message(errors, "strategies"));
        Assert.StartsWith("is required: pick the attendees", Message(errors, "attendees"), StringComparison.Ordinal);

        // Nothing was stored.
        Assert.Empty((await clinician.GetFromJsonAsync<JsonArray>($"/api/cases/{caseId}/decisions"))!);
    }

    [Fact]
    public async Task A_re_discuss_step_carries_the_case_over_as_the_checkbox_does()
    {
        var (clinician, caseId, version) = await CaseAsync();
        var r = await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions", TwoStrategies(version) with
        {
            Strategies = [new DecisionStrategyRequest(null, [new DecisionStepRequest("re-image", ["L2"], "CT in 6 weeks"), new DecisionStepRequest("re-discuss")])],
        });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        Assert.True((await r.Content.ReadFromJsonAsync<JsonObject>())!["rediscuss"]!.GetValue<bool>());
        // A decision without re-discuss makes a "to discuss" case "discussed"; this one leaves it to discuss.
        Assert.Equal("to-discuss", JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_a_listed_attendee_signs_off_only_once_and_each_sign_off_is_audited()
    {
        var (clinician, caseId, version) = await CaseAsync();
        var saved = (await (await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions", TwoStrategies(version))).Content.ReadFromJsonAsync<JsonObject>())!;
        var id = saved["id"]!.GetValue<long>();
        var url = $"/api/cases/{caseId}/decisions/{id}/signoffs";

        var viewer = await App.SignInAsync("viewer1"); // not listed
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync(url, null)).StatusCode);
        var first = await clinician.PostAsync(url, null);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("clinician1", (await first.Content.ReadFromJsonAsync<JsonObject>())!["userName"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, (await clinician.PostAsync(url, null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await clinician.PostAsync($"/api/cases/{caseId}/decisions/{id + 1000}/signoffs", null)).StatusCode);

        // The coordinator is listed: signs through the form on the case page (anti-forgery token), for themselves.
        var coordinator = await App.SignInAsync("coordinator1");
        var page = await coordinator.GetStringAsync($"/cases/{caseId}");
        Assert.Contains("Sign off this decision as Test coordinator", DecisionBlock(page, id), StringComparison.Ordinal);
        // The token of the sign-off form itself (a form with an explicit action gets one only when asked).
        var token = Regex.Match(DecisionBlock(page, id), "__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        var posted = await coordinator.PostAsync($"/cases/{caseId}/decisions/{id}/signoff", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var again = await coordinator.PostAsync($"/cases/{caseId}/decisions/{id}/signoff", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("You signed off this decision already.", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var viewerToken = await LocalControlApp.AntiforgeryTokenAsync(viewer, $"/cases/{caseId}");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/cases/{caseId}/decisions/{id}/signoff",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = viewerToken }))).StatusCode);

        var decisions = (await clinician.GetFromJsonAsync<JsonArray>($"/api/cases/{caseId}/decisions"))!;
        Assert.All(decisions[0]!["attendeeUsers"]!.AsArray(), a => Assert.NotNull(a!["signedOffUtc"]));
        var block = Text(DecisionBlock(await clinician.GetStringAsync($"/cases/{caseId}"), id));
        Assert.Matches(@"Test clinician hepatobiliary surgery signed off \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", block);
        Assert.DoesNotContain("Sign off this decision", block, StringComparison.Ordinal);
        // A later decision on the same page has its own sign-offs (none yet).
        var now = JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!["version"]!.GetValue<int>();
        var later = (await (await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions", TwoStrategies(now))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var both = await clinician.GetStringAsync($"/cases/{caseId}");
        Assert.Contains("Test clinician hepatobiliary surgery not signed off", Text(DecisionBlock(both, later)), StringComparison.Ordinal);
        Assert.Contains("Sign off this decision as Test clinician", DecisionBlock(both, later), StringComparison.Ordinal);
        Assert.Matches(@"Test clinician hepatobiliary surgery signed off \d{4}", Text(DecisionBlock(both, id)));

        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        Assert.Equal(2, await db.DecisionSignOffs.CountAsync(s => s.DecisionId == id));
        var lines = await db.Audit.Where(a => a.Action == AuditActions.SignOff && a.EntityKey == caseId).Select(a => a.UserName + ": " + a.Detail).ToListAsync();
        Assert.Equal([$"clinician1: decision {id} signed off by attendee clinician1", $"coordinator1: decision {id} signed off by attendee coordinator1"], lines.Order());
        // Append-only, like the decision: the context refuses to change one.
        var one = await db.DecisionSignOffs.FirstAsync(s => s.DecisionId == id);
        db.DecisionSignOffs.Remove(one);
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        db.ChangeTracker.Clear();
        // And the database refuses it to anyone with SQL access (SQLite RAISE(ABORT), PostgreSQL the trigger function).
        var sql = new List<string> { "UPDATE decision_signoffs SET \"UserName\" = 'someone else'", "DELETE FROM decision_signoffs" };
        if (App.Provider == RegistryProvider.Postgres)
        {
            sql.Add("TRUNCATE decision_signoffs");
        }
        foreach (var statement in sql)
        {
            var e = await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync(statement));
            Assert.Contains("decision_signoffs is append-only", e.Message, StringComparison.Ordinal);
        }
        Assert.Equal(2, await db.DecisionSignOffs.CountAsync(s => s.DecisionId == id));
    }

    [Fact]
    public async Task The_form_records_two_strategies_with_attendees_and_shows_bad_input_at_its_row()
    {
        var (clinician, caseId, version) = await CaseAsync();
        var token = await LocalControlApp.AntiforgeryTokenAsync(clinician, $"/cases/{caseId}/decide");
        var form = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", token), new("CaseVersion", version.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("MeetingDate", "2026-12-10"), new("Intent", "curative"), new("Rationale", "Downsize first."),
            // Strategy 1 in block 1; block 2 left empty; strategy 2 in block 3, its step in row 2 (row 1 empty).
            new("S[0].Intent", ""), new("S[0].Steps[0].Connector", "then"), new("S[0].Steps[0].Therapy", "systemic"),
            new("S[0].Steps[1].Connector", "then"), new("S[0].Steps[1].Therapy", "resection"), new("S[0].Steps[1].Lesions", "L1"),
            new("S[0].Steps[2].Connector", "plus"), new("S[0].Steps[2].Therapy", "mwa"), new("S[0].Steps[2].Lesions", "L2"),
            new("S[1].Intent", ""), new("S[1].Steps[0].Therapy", ""),
            new("S[2].Intent", "palliative"), new("S[2].Steps[0].Therapy", ""), new("S[2].Steps[1].Connector", "then"), new("S[2].Steps[1].Therapy", "re-image"),
            new("AttendeeUser", "clinician1"), new("Discipline[clinician1]", "interventional radiology"), new("Discipline[coordinator1]", "pathology"),
            new("Attendees", ""),
        };
        // The re-image step has no text: refused, the message at block 3, row 2, what was typed kept.
        var refused = await clinician.PostAsync($"/cases/{caseId}/decide", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        var row = Regex.Match(html, "<fieldset class=\"strategy\" data-strategy-form=\"3\">.*?<li class=\"step-row\" data-step-form=\"2\">(.*?)</li>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("<span class=\"field-error\">re-image needs what and when", WebUtility.HtmlDecode(row), StringComparison.Ordinal);
        Assert.Contains("<code>strategies[2].steps[1].text</code>", html, StringComparison.Ordinal);
        Assert.Matches("<option value=\"mwa\" selected=\"selected\">", html);
        Assert.Contains("value=\"interventional radiology\"", html, StringComparison.Ordinal);

        form.Add(new("S[2].Steps[1].Text", "PET-CT in 3 months"));
        var posted = await clinician.PostAsync($"/cases/{caseId}/decide", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var saved = (await clinician.GetFromJsonAsync<JsonArray>($"/api/cases/{caseId}/decisions"))![0]!;
        var strategies = saved["strategies"]!.AsArray();
        Assert.Equal(2, strategies.Count);
        Assert.Equal(["systemic", "resection", "mwa"], strategies[0]!["steps"]!.AsArray().Select(s => s!["therapy"]!.GetValue<string>()));
        Assert.Equal([null, "then", "plus"], strategies[0]!["steps"]!.AsArray().Select(s => s!["connector"]?.GetValue<string>()));
        Assert.Equal("palliative", strategies[1]!["intent"]!.GetValue<string>());
        Assert.Equal("PET-CT in 3 months", strategies[1]!["steps"]![0]!["text"]!.GetValue<string>());
        // Only the ticked user attended, with the discipline typed beside them.
        var attendee = Assert.Single(saved["attendeeUsers"]!.AsArray());
        Assert.Equal("clinician1 interventional radiology", $"{attendee!["userName"]} {attendee["discipline"]}");
    }

    /// <summary>A palliative decision written straight through the registry (as rows written by earlier versions are), by clinician1.</summary>
    private async Task<long> StoredDecisionAsync(string caseId, int version, string choicesJson, string attendees)
    {
        await using var scope = App.Scope();
        var registry = scope.ServiceProvider.GetRequiredService<CaseRegistry>();
        var record = (await registry.FindAsync(caseId))!;
        var (outcome, id) = await registry.RecordDecisionAsync(caseId, new NewDecision(Meeting, "palliative", choicesJson, "Old rationale.", attendees,
            "rules-old", "{\"lesions\":[]}", record.CaseFileJson, version), "clinician1");
        Assert.Equal(WriteOutcome.Done, outcome);
        return id;
    }

    /// <summary>An account in the app with these roles (created once per app; the fixture is shared by the class).</summary>
    private async Task<string> UserAsync(string userName, params string[] roles)
    {
        await using var scope = App.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
        if (await users.FindByNameAsync(userName) is null)
        {
            var user = new RegistryUser { UserName = userName, DisplayName = "Dr " + userName };
            Assert.True((await users.CreateAsync(user, LocalControlApp.Password)).Succeeded);
            Assert.True((await users.AddToRolesAsync(user, roles)).Succeeded);
        }
        return userName;
    }

    [Fact]
    public async Task The_form_offers_clinicians_and_coordinators_not_a_viewer_only_account_and_one_with_viewer_and_clinician_is_picked()
    {
        var both = await UserAsync("viewer.clinician", Roles.Viewer, Roles.Clinician);
        var (clinician, caseId, version) = await CaseAsync();
        var html = await clinician.GetStringAsync($"/cases/{caseId}/decide");
        var offered = Regex.Matches(html, "<tr data-candidate=\"([^\"]+)\">").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("clinician1", offered);
        Assert.Contains("coordinator1", offered);
        Assert.Contains(both, offered);
        Assert.DoesNotContain("viewer1", offered);
        Assert.DoesNotContain("admin", offered);
        // Named by the role that lets them sign, not the viewer role they also hold.
        Assert.Matches($"<tr data-candidate=\"{both}\">\\s*<td>.*?</td>\\s*<td>clinician</td>", html);

        // The API takes the account with viewer and clinician as an attendee, who then signs off.
        var r = await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions", TwoStrategies(version) with { AttendeeUsers = [new(both, "medical oncology")] });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var id = (await r.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var signer = await App.SignInAsync(both);
        Assert.Equal(HttpStatusCode.Created, (await signer.PostAsync($"/api/cases/{caseId}/decisions/{id}/signoffs", null)).StatusCode);

        // The form, posted with a viewer-only account ticked (not offered, so only a crafted post): refused, naming the user.
        var token = await LocalControlApp.AntiforgeryTokenAsync(clinician, $"/cases/{caseId}/decide");
        var now = JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!["version"]!.GetValue<int>();
        var refused = await clinician.PostAsync($"/cases/{caseId}/decide", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["CaseVersion"] = now.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MeetingDate"] = "2026-12-10", ["Intent"] = "curative", ["Rationale"] = "Why.", ["S[0].Steps[0].Therapy"] = "systemic",
            ["AttendeeUser"] = "viewer1", ["Discipline[viewer1]"] = "oncology",
        }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("&#x27;viewer1&#x27; is not an enabled user holding a role that signs off decisions", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single((await clinician.GetFromJsonAsync<JsonArray>($"/api/cases/{caseId}/decisions"))!);
    }

    [Fact]
    public async Task A_viewer_listed_on_an_older_decision_is_still_shown_but_cannot_sign_it_off()
    {
        var (clinician, caseId, version) = await CaseAsync();
        // Written as the form stored it while viewer-only accounts were offered as attendees.
        var content = new DecisionContent(2, [new DecisionStrategy(null, [new DecisionStep("systemic", [])])],
            [new DecisionAttendee("clinician1", "Test clinician", "surgery"), new DecisionAttendee("viewer1", "Test viewer", "medical oncology")], null, false);
        var id = await StoredDecisionAsync(caseId, version, content.ToJson(), content.AttendeesText());
        var viewer = await App.SignInAsync("viewer1");
        var block = DecisionBlock(await viewer.GetStringAsync($"/cases/{caseId}"), id);
        Assert.Contains("Test viewer medical oncology not signed off", Text(block), StringComparison.Ordinal);
        Assert.DoesNotContain("Sign off this decision", block, StringComparison.Ordinal);
        Assert.Contains("You are listed among the attendees, but signing off needs the clinician or coordinator role.", Text(block), StringComparison.Ordinal);

        var api = await viewer.PostAsync($"/api/cases/{caseId}/decisions/{id}/signoffs", null);
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Equal("Only an attendee holding the clinician or coordinator role signs off a decision.", (await api.Content.ReadFromJsonAsync<JsonObject>())!["title"]!.GetValue<string>());
        var token = await LocalControlApp.AntiforgeryTokenAsync(viewer, $"/cases/{caseId}");
        var form = await viewer.PostAsync($"/cases/{caseId}/decisions/{id}/signoff", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        Assert.Contains("you are listed, but your account does not hold either role now", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The clinician listed beside them signs; the record still lists both, as written.
        Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsync($"/api/cases/{caseId}/decisions/{id}/signoffs", null)).StatusCode);
        var saved = (await clinician.GetFromJsonAsync<JsonArray>($"/api/cases/{caseId}/decisions"))![0]!;
        Assert.Equal(["clinician1 True", "viewer1 False"], saved["attendeeUsers"]!.AsArray().Select(a => $"{a!["userName"]} {a["signedOffUtc"] is not null}"));
        await using var verify = App.Scope();
        var db = verify.ServiceProvider.GetRequiredService<RegistryDbContext>();
        Assert.Equal(["clinician1"], await db.DecisionSignOffs.Where(s => s.DecisionId == id).Select(s => s.UserName).ToListAsync());
    }

    [Fact]
    public async Task A_decision_stored_in_the_first_shape_still_renders_and_cannot_be_signed()
    {
        var (clinician, caseId, version) = await CaseAsync();
        // Written exactly as the registry stored decisions before strategies: a flat list.
        var id = await StoredDecisionAsync(caseId, version,
            "[{\"lesionId\":\"L1\",\"therapy\":\"mwa\"},{\"lesionId\":null,\"therapy\":\"systemic\"}]", "Dr A (surgery)");
        var text = Text(DecisionBlock(await clinician.GetStringAsync($"/cases/{caseId}"), id));
        Assert.StartsWith("Decision of 2026-12-10 — palliative intent MWA of L1 plus Systemic therapy (patient) Recorded as one option per lesion", text, StringComparison.Ordinal);
        Assert.Contains("Attendees: Dr A (surgery)", text, StringComparison.Ordinal);
        var saved = (await clinician.GetFromJsonAsync<JsonArray>($"/api/cases/{caseId}/decisions"))![0]!;
        Assert.Equal(1, saved["format"]!.GetValue<int>());
        Assert.Equal(["L1 mwa", "- systemic"], saved["choices"]!.AsArray().Select(c => $"{c!["lesionId"]?.GetValue<string>() ?? "-"} {c["therapy"]!.GetValue<string>()}"));
        Assert.Equal(HttpStatusCode.Forbidden, (await clinician.PostAsync($"/api/cases/{caseId}/decisions/{id}/signoffs", null)).StatusCode);
        await using var verify = App.Scope();
        Assert.All(await AuditChain.VerifyAsync(verify.ServiceProvider.GetRequiredService<RegistryDbContext>()), c => Assert.Empty(c.Problems));
    }
}

public sealed class SqliteDecisionWebTests(SqliteApp app) : DecisionWebTests(app), IClassFixture<SqliteApp>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresDecisionWebTests(PostgresApp app) : DecisionWebTests(app), IClassFixture<PostgresApp>;
