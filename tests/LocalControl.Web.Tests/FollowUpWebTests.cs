using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Web.Tests;

/// <summary>
/// Issue 13 on the case page: the treatment and follow-up forms (saved through the case-file reader and the editor's
/// save path), the response history, and the startup backfill of the treatments/follow_up_lesions rows.
/// </summary>
public abstract partial class FollowUpWebTests(LocalControlApp app)
{
    private static int _next;

    protected LocalControlApp App { get; } = app;

    private static string NewCaseId() => $"F-{Interlocked.Increment(ref _next):D4}-{Guid.NewGuid().ToString("N")[..6]}";

    internal static async Task CreateAsync(HttpClient client, JsonObject caseFile)
    {
        var response = await client.PostAsync("/api/cases", new StringContent(TestCases.Json(caseFile), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string caseId, string handler, Dictionary<string, string> fields)
    {
        var token = await LocalControlApp.AntiforgeryTokenAsync(client, $"/cases/{caseId}");
        fields["__RequestVerificationToken"] = token;
        return await client.PostAsync($"/cases/{caseId}?handler={handler}", new FormUrlEncodedContent(fields));
    }

    private static Dictionary<string, string> Treatment(string date, string therapy = "mwa", string lesion = "L1", int version = 1) => new()
    {
        ["FormVersion"] = version.ToString(CultureInfo.InvariantCulture),
        ["Treatment.Id"] = "T1", ["Treatment.Date"] = date, ["Treatment.Therapy"] = therapy, ["Treatment.LesionIds"] = lesion,
        ["Treatment.Approach"] = "percutaneous", ["Treatment.Intent"] = "curative", ["Treatment.TechnicalSuccess"] = "yes",
        ["Treatment.ComplicationGrade"] = "2", ["Treatment.MinimalAblativeMarginMm"] = "6.5", ["Treatment.Device"] = "Emprint",
    };

    private async Task<JsonObject> StoredAsync(HttpClient client, string caseId) =>
        JsonNode.Parse((await client.GetFromJsonNodeAsync($"/api/cases/{caseId}"))!["caseFile"]!.ToJsonString())!.AsObject();

    private static string? FieldError(string html, string field)
    {
        var m = Regex.Match(html, $"data-error-for=\"{Regex.Escape(WebUtility.HtmlEncode(field))}\">([^<]*)<");
        return m.Success ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;
    }

    [Fact]
    public async Task A_treatment_and_a_follow_up_entered_field_by_field_are_appended_to_the_case_file_with_rows_and_audit_lines()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = NewCaseId();
        await CreateAsync(clinician, TestCases.Liver(caseId));

        var saved = await PostFormAsync(clinician, caseId, "Treatment", Treatment("2025-01-10"));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        var file = await StoredAsync(clinician, caseId);
        var t = file["treatments"]!.AsArray().Single()!.AsObject();
        Assert.Equal("T1", (string?)t["id"]);
        Assert.Equal("2025-01-10", (string?)t["date"]);
        Assert.Equal("mwa", (string?)t["therapy"]);
        Assert.Equal(["L1"], t["lesionIds"]!.AsArray().Select(x => (string?)x));
        Assert.Equal("percutaneous", (string?)t["approach"]);
        Assert.True((bool)t["technicalSuccess"]!);
        Assert.Equal(2, (int)t["complicationGrade"]!);
        Assert.Equal(6.5, (double)t["minimalAblativeMarginMm"]!);
        Assert.Equal("segment VI", (string?)file["lesions"]![0]!["location"]); // the rest of the file kept

        var followUp = new Dictionary<string, string>
        {
            ["FormVersion"] = "2", ["FollowUp.Date"] = "2025-02-10", ["FollowUp.Modality"] = "ct",
            ["FollowUp.Lesions[0].LesionId"] = "L1", ["FollowUp.Lesions[0].Status"] = "present", ["FollowUp.Lesions[0].LongestDiameterMm"] = "30",
            ["FollowUp.Lesions[0].EnhancingTissue"] = "no", ["FollowUp.Lesions[0].ZoneDiameterMm"] = "32",
            ["FollowUp.Lesions[1].LesionId"] = "L2", ["FollowUp.Lesions[1].Status"] = "present", ["FollowUp.Lesions[1].LongestDiameterMm"] = "24",
            ["FollowUp.Lesions[2].LesionId"] = "", // the spare row, left blank: not written
            ["FollowUp.NewLesions[0].Organ"] = "lung", ["FollowUp.NewLesions[0].Location"] = "right lower lobe", ["FollowUp.NewLesions[0].SizeMm"] = "7",
        };
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(clinician, caseId, "FollowUp", followUp)).StatusCode);
        file = await StoredAsync(clinician, caseId);
        var study = file["followUps"]!.AsArray().Single()!.AsObject();
        Assert.Equal("2025-02-10", (string?)study["date"]);
        Assert.Equal(2, study["lesions"]!.AsArray().Count);
        Assert.False((bool)study["lesions"]![0]!["ablationZone"]!["enhancingTissue"]!);
        Assert.Equal(32, (double)study["lesions"]![0]!["ablationZone"]!["diameterMm"]!);
        Assert.Equal("lung", (string?)study["newLesions"]![0]!["organ"]);
        Assert.Equal(7, (double)study["newLesions"]![0]!["size"]!);

        await using (var scope = App.Scope())
        {
            var registry = scope.ServiceProvider.GetRequiredService<CaseRegistry>();
            var record = (await registry.FindAsync(caseId))!;
            Assert.Equal(3, record.Version);
            var rows = await registry.TreatmentsAsync(caseId);
            Assert.Equal(("T1", "L1", "mwa", 6.5), (rows.Single().TreatmentId, rows.Single().LesionId, rows.Single().Therapy, rows.Single().MinimalAblativeMarginMm!.Value));
            var findings = await registry.FollowUpFindingsAsync(caseId);
            Assert.Equal(["L1", "L2"], findings.Select(f => f.LesionId));
            Assert.True(findings[0].HasAblationZone);
            var audit = await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Audit.AsNoTracking()
                .Where(a => a.EntityKey == caseId && a.Action == AuditActions.Update).Select(a => a.Detail).ToListAsync();
            Assert.Contains(audit, d => d.Contains("version 1 -> 2; treatment added on the case page", StringComparison.Ordinal));
            Assert.Contains(audit, d => d.Contains("version 2 -> 3; follow-up added on the case page", StringComparison.Ordinal));
        }

        // The response history: the ablated lesion by the ablation terminology (technique efficacy at the first
        // follow-up: no enhancing tissue at the zone), RECIST apart. Whether L1 is a target or not, the sum does not
        // move by 20 % or 30 % (L2 25 -> 24 mm; or 18 + 25 = 43 -> 30 + 24 = 54 mm, +25.6 % and +11 mm: PD).
        var page = await clinician.GetStringAsync($"/cases/{caseId}");
        Assert.Contains("id=\"h-response\"", page, StringComparison.Ordinal);
        var recorded = WebUtility.HtmlDecode(Regex.Match(page, "<tr data-treatment=\"T1\">(.*?)</tr>", RegexOptions.Singleline).Groups[1].Value);
        Assert.Matches("<td>T1</td><td>2025-01-10</td><td>mwa</td>\\s*<td>L1</td>", recorded);
        Assert.Contains("6.5 mm", recorded, StringComparison.Ordinal);
        var studyRow = WebUtility.HtmlDecode(Regex.Match(page, "<tr data-study=\"2025-02-10\">(.*?)</tr>", RegexOptions.Singleline).Groups[1].Value);
        Assert.Contains("L1 present 30 mm (zone: enhancing no, adjacent unknown, 32 mm); L2 present 24 mm", studyRow, StringComparison.Ordinal);
        Assert.Contains("lung right lower lobe 7 mm", studyRow, StringComparison.Ordinal);
        var ablated = Regex.Match(page, "<tr data-ablated=\"L1\">(.*?)</tr>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("T1: mwa, 2025-01-10", ablated, StringComparison.Ordinal);
        Assert.Matches("<strong>yes</strong> \\(2025-02-10\\)", ablated);
        var recist = Regex.Match(page, "<tr data-recist-date=\"2025-02-10\">(.*?)</tr>", RegexOptions.Singleline).Groups[1].Value;
        var targets = Regex.Match(page, "data-recist-targets>([^<]*)<").Groups[1].Value;
        // A new lesion (the lung nodule) is PD by RECIST 1.1 whatever the targets do.
        Assert.Contains("<strong data-overall>PD</strong>", recist, StringComparison.Ordinal);
        Assert.Contains("yes", Regex.Match(recist, "<td>(yes|no)</td>\\s*<td><strong data-overall>").Groups[1].Value, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(targets));
    }

    [Fact]
    public async Task A_follow_up_dated_before_its_treatment_is_refused_with_the_readers_message_at_the_date_field()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = NewCaseId();
        await CreateAsync(clinician, TestCases.Liver(caseId));
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(clinician, caseId, "Treatment", Treatment("2025-01-10"))).StatusCode);

        var refused = await PostFormAsync(clinician, caseId, "FollowUp", new Dictionary<string, string>
        {
            ["FormVersion"] = "2", ["FollowUp.Date"] = "2024-12-01",
            ["FollowUp.Lesions[0].LesionId"] = "L1", ["FollowUp.Lesions[0].Status"] = "absent",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Equal("followUps[0].date: 2024-12-01 is before the first treatment T1 (2025-01-10): a follow-up follows a treatment (the pre-treatment study is recistBaseline.date)",
            FieldError(html, "FollowUp.Date"));
        Assert.Contains("<details class=\"entry-form\" open=\"open\"><summary>Add a follow-up study", html.Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("value=\"2024-12-01\"", html, StringComparison.Ordinal); // what was typed is kept
        var file = await StoredAsync(clinician, caseId);
        Assert.Null(file["followUps"]);
        await using var scope = App.Scope();
        Assert.Equal(2, (await scope.ServiceProvider.GetRequiredService<CaseRegistry>().FindAsync(caseId))!.Version);
    }

    [Fact]
    public async Task A_measurement_of_an_unknown_lesion_and_a_margin_that_is_not_a_number_are_refused_at_their_fields()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = NewCaseId();
        await CreateAsync(clinician, TestCases.Liver(caseId));

        var badMargin = Treatment("2025-01-10");
        badMargin["Treatment.MinimalAblativeMarginMm"] = "six";
        var refused = await PostFormAsync(clinician, caseId, "Treatment", badMargin);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var marginError = FieldError(await refused.Content.ReadAsStringAsync(), "Treatment.MinimalAblativeMarginMm");
        Assert.NotNull(marginError);
        Assert.StartsWith("treatments[0].minimalAblativeMarginMm:", marginError, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(clinician, caseId, "Treatment", Treatment("2025-01-10"))).StatusCode);
        var unknown = await PostFormAsync(clinician, caseId, "FollowUp", new Dictionary<string, string>
        {
            ["FormVersion"] = "2", ["FollowUp.Date"] = "2025-03-01",
            ["FollowUp.Lesions[0].LesionId"] = "L1", ["FollowUp.Lesions[0].Status"] = "", // not reported: left out
            ["FollowUp.Lesions[1].LesionId"] = "L9", ["FollowUp.Lesions[1].Status"] = "present", ["FollowUp.Lesions[1].LongestDiameterMm"] = "12",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        var html = await unknown.Content.ReadAsStringAsync();
        // Row 1 of the form is the first lesion of the study written (row 0 was left out): the message goes to row 1.
        Assert.Equal("followUps[0].lesions[0].lesionId: unknown lesion 'L9' (the case's lesions are L1, L2); a lesion first seen on follow-up goes in newLesions",
            FieldError(html, "FollowUp.Lesions[1].LesionId"));
        Assert.Contains("aria-invalid=\"true\" aria-describedby=\"f-FollowUp-Lesions-1-LesionId-err\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_based_on_an_older_version_saves_nothing_and_says_the_case_changed()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = NewCaseId();
        await CreateAsync(clinician, TestCases.Liver(caseId));
        // Someone edits the case (version 2) while the form, opened at version 1, is being filled in.
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/api/cases/{caseId}") { Content = new StringContent(TestCases.Json(TestCases.Liver(caseId, "segment VII")), Encoding.UTF8, "application/json") })
        {
            put.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            Assert.Equal(HttpStatusCode.OK, (await clinician.SendAsync(put)).StatusCode);
        }
        var stale = await PostFormAsync(clinician, caseId, "Treatment", Treatment("2025-01-10", version: 1));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, stale.StatusCode);
        Assert.Contains("Someone changed this case since you opened the page (now version 2, your form was for version 1)", WebUtility.HtmlDecode(await stale.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var file = await StoredAsync(clinician, caseId);
        Assert.Null(file["treatments"]);
        Assert.Equal("segment VII", (string?)file["lesions"]![0]!["location"]);
    }

    [Fact]
    public async Task Only_clinicians_see_and_may_post_the_forms()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = NewCaseId();
        await CreateAsync(clinician, TestCases.Liver(caseId));
        Assert.Contains("id=\"treatment-form\"", await clinician.GetStringAsync($"/cases/{caseId}"), StringComparison.Ordinal);
        foreach (var name in new[] { "viewer1", "coordinator1" })
        {
            var other = await App.SignInAsync(name);
            Assert.DoesNotContain("id=\"treatment-form\"", await other.GetStringAsync($"/cases/{caseId}"), StringComparison.Ordinal);
            var posted = await PostFormAsync(other, caseId, "Treatment", Treatment("2025-01-10"));
            Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
            Assert.StartsWith("/account/denied", posted.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
        Assert.Null((await StoredAsync(clinician, caseId))["treatments"]);
    }

    [Fact]
    public async Task Startup_fills_the_rows_of_cases_saved_before_the_tables_existed_once_and_only_once()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = NewCaseId();
        var caseFile = TestCases.Liver(caseId);
        caseFile["treatments"] = new JsonArray(
            new JsonObject { ["id"] = "T1", ["date"] = "2025-01-10", ["therapy"] = "rfa", ["lesionIds"] = new JsonArray("L1", "L2"), ["minimalAblativeMarginMm"] = 4 },
            new JsonObject { ["id"] = "T2", ["date"] = "2025-01-20", ["therapy"] = "systemic", ["regimen"] = "FOLFOX" });
        caseFile["followUps"] = new JsonArray(new JsonObject
        {
            ["date"] = "2025-03-01", ["modality"] = "mri",
            ["lesions"] = new JsonArray(new JsonObject { ["lesionId"] = "L1", ["status"] = "present", ["longestDiameterMm"] = 20, ["ablationZone"] = new JsonObject { ["enhancingTissue"] = false } }),
        });
        await CreateAsync(clinician, caseFile);

        // As a case saved before the migration: no rows.
        await using (var scope = App.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            var id = await db.Cases.Where(c => c.CaseId == caseId).Select(c => c.Id).SingleAsync();
            Assert.Equal(3, await db.Treatments.Where(t => t.CaseRecordId == id).ExecuteDeleteAsync());
            Assert.Equal(1, await db.FollowUpFindings.Where(f => f.CaseRecordId == id).ExecuteDeleteAsync());
        }

        var settings = App.Services.GetRequiredService<RegistrySettings>();
        await RegistryStartup.InitializeAsync(App.Services, settings, CancellationToken.None);
        await RegistryStartup.InitializeAsync(App.Services, settings, CancellationToken.None); // again: nothing more

        await using (var scope = App.Scope())
        {
            var registry = scope.ServiceProvider.GetRequiredService<CaseRegistry>();
            var rows = await registry.TreatmentsAsync(caseId);
            // One row per treatment x lesion, a patient-level therapy with no lesion (docs/web.md).
            Assert.Equal([("T1", "L1", "rfa"), ("T1", "L2", "rfa"), ("T2", null, "systemic")], rows.Select(r => (r.TreatmentId, r.LesionId, r.Therapy)));
            Assert.Equal([4.0, 4.0], rows.Take(2).Select(r => r.MinimalAblativeMarginMm!.Value));
            Assert.Equal("FOLFOX", rows[2].Regimen);
            var findings = await registry.FollowUpFindingsAsync(caseId);
            Assert.Equal(("L1", "present", "mri", false), (findings.Single().LesionId, findings.Single().Status, findings.Single().Modality, findings.Single().EnhancingTissue!.Value));
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            Assert.Equal(1, await db.Audit.CountAsync(a => a.EntityKey == "treatments+follow_up_lesions" && a.Detail.StartsWith("rows filled for ")));
            Assert.Equal((0, 0), await registry.BackfillCaseRowsAsync());
        }
        Assert.Contains(App.Logs, l => l.Message.StartsWith("Treatment and follow-up rows filled for ", StringComparison.Ordinal));
    }
}

internal static class HttpJson
{
    public static async Task<JsonNode?> GetFromJsonNodeAsync(this HttpClient client, string path) => JsonNode.Parse(await client.GetStringAsync(path));
}

public sealed class SqliteFollowUpWebTests(SqliteApp app) : FollowUpWebTests(app), IClassFixture<SqliteApp>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresFollowUpWebTests(PostgresApp app) : FollowUpWebTests(app), IClassFixture<PostgresApp>;
