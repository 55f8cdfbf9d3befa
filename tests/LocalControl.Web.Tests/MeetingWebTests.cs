using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Web.Tests;

/// <summary>
/// Meetings and the worklist (issue 14): a meeting holds its cases in order; the home page is the next meeting's
/// worklist with each case's status, missing data and images; a decision marks the case discussed at the meeting
/// of its date; "re-discuss" carries it to the next meeting, or to the next one created.
/// </summary>
public abstract partial class MeetingWebTests(LocalControlApp app)
{
    private static int _next;

    protected LocalControlApp App { get; } = app;

    private static string NewCaseId() => $"M-{Interlocked.Increment(ref _next):D3}-{Guid.NewGuid().ToString("N")[..6]}";

    private DateOnly Today => DateOnly.FromDateTime(App.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string tokenPage, string action, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await LocalControlApp.AntiforgeryTokenAsync(client, tokenPage);
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    private async Task<long> CreateMeetingAsync(HttpClient client, DateOnly date, string kind, string attendees = "")
    {
        var r = await PostFormAsync(client, "/meetings", "/meetings", new() { ["Date"] = date.ToString("yyyy-MM-dd"), ["Kind"] = kind, ["Attendees"] = attendees });
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        return long.Parse(Regex.Match(r.Headers.Location!.OriginalString, @"^/meetings/(\d+)$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task<HttpResponseMessage> AddAsync(HttpClient client, long meeting, string caseId) =>
        PostFormAsync(client, $"/meetings/{meeting}", $"/meetings/{meeting}?handler=Add", new() { ["CaseId"] = caseId });

    private static Task<HttpResponseMessage> MoveAsync(HttpClient client, long meeting, string caseId, bool up) =>
        PostFormAsync(client, $"/meetings/{meeting}", $"/meetings/{meeting}?handler=Move", new() { ["CaseId"] = caseId, ["Up"] = up ? "true" : "false" });

    private static async Task<string> CreateCaseAsync(HttpClient client, JsonObject caseFile)
    {
        var r = await client.PostAsync("/api/cases", new StringContent(TestCases.Json(caseFile), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return caseFile["caseId"]!.GetValue<string>();
    }

    private static async Task DecideAsync(HttpClient clinician, string caseId, DateOnly meetingDate, bool rediscuss)
    {
        var version = JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!["version"]!.GetValue<int>();
        var r = await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions",
            new Api.DecisionRequest(meetingDate, "curative", [new("L1", "mwa")], "Small lesion, good access.", "Dr A (surgery), Dr B (IR)", version, rediscuss));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
    }

    /// <summary>The worklist rows of a page: (case id, text of the "at this meeting" cell), in page order.</summary>
    private static List<(string CaseId, string AtMeeting, string Missing, string Images)> Rows(string html)
    {
        var rows = new List<(string, string, string, string)>();
        foreach (Match m in Regex.Matches(html, "<tr data-case-id=\"([^\"]+)\"[^>]*>(.*?)</tr>", RegexOptions.Singleline))
        {
            var cells = Regex.Matches(m.Groups[2].Value, "<td[^>]*>(.*?)</td>", RegexOptions.Singleline).Select(c => Text(c.Groups[1].Value)).ToList();
            rows.Add((WebUtility.HtmlDecode(m.Groups[1].Value), cells[3], cells[6], cells[7]));
        }
        return rows;
    }

    private static string Text(string html) => Regex.Replace(WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", " ")), @"\s+", " ").Trim();

    [Fact]
    public async Task The_home_page_is_the_next_meetings_worklist_in_order_with_status_missing_data_and_images()
    {
        var coordinator = await App.SignInAsync("coordinator1");
        var clinician = await App.SignInAsync("clinician1");
        var next = Today.AddDays(1);
        var past = await CreateMeetingAsync(coordinator, Today.AddDays(-7), "liver MDT");
        var later = await CreateMeetingAsync(coordinator, Today.AddDays(8), "liver MDT");
        var soon = await CreateMeetingAsync(coordinator, next, "liver MDT", "Dr A (surgery), Dr B (IR)");

        var a = await CreateCaseAsync(clinician, TestCases.Liver(NewCaseId()));
        var noRas = TestCases.Liver(NewCaseId());
        noRas["patient"]!.AsObject().Remove("rasStatus");
        var b = await CreateCaseAsync(clinician, noRas);
        var c = await CreateCaseAsync(clinician, TestCases.Liver(NewCaseId()));
        foreach (var id in new[] { a, b, c })
        {
            Assert.Equal(HttpStatusCode.Redirect, (await AddAsync(coordinator, soon, id)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Redirect, (await AddAsync(coordinator, past, a)).StatusCode); // another meeting: not on the home page
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(coordinator, soon, c, up: true)).StatusCode);

        var viewer = await App.SignInAsync("viewer1");
        var home = await viewer.GetStringAsync("/");
        Assert.Contains($"href=\"/meetings/{soon}\">{next:yyyy-MM-dd}</a>", home, StringComparison.Ordinal);
        var rows = Rows(home);
        Assert.Equal([a, c, b], rows.Select(r => r.CaseId));
        Assert.All(rows, r => Assert.Equal("to discuss", r.AtMeeting));
        Assert.All(rows, r => Assert.Equal("none", r.Images));
        // The engine's missing data: the case without RAS lists it (it changes an eligibility), the complete one does not.
        Assert.Contains("RAS status", rows[2].Missing, StringComparison.Ordinal);
        Assert.DoesNotContain("RAS status", rows[0].Missing, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Move", home, StringComparison.Ordinal); // a viewer cannot reorder
        Assert.Contains("handler=Move", await coordinator.GetStringAsync("/"), StringComparison.Ordinal);

        // A decision at that meeting marks the case discussed there; "re-discuss" carries the next one to the later meeting.
        await DecideAsync(clinician, a, next, rediscuss: false);
        await DecideAsync(clinician, c, next, rediscuss: true);
        rows = Rows(await viewer.GetStringAsync($"/meetings/{soon}"));
        Assert.Equal($"discussed · decision", rows.Single(r => r.CaseId == a).AtMeeting);
        Assert.Equal($"re-discuss → {Today.AddDays(8):yyyy-MM-dd}", rows.Single(r => r.CaseId == c).AtMeeting);
        Assert.Equal("to discuss", rows.Single(r => r.CaseId == b).AtMeeting);
        var carried = Rows(await viewer.GetStringAsync($"/meetings/{later}"));
        Assert.Equal([c], carried.Select(r => r.CaseId));
        Assert.Equal("to discuss", carried[0].AtMeeting);
        var cCase = JsonNode.Parse(await viewer.GetStringAsync($"/api/cases/{c}"))!;
        Assert.Equal("to-discuss", (string?)cCase["status"]);
        Assert.Equal(Today.AddDays(8).ToString("yyyy-MM-dd"), (string?)cCase["meetingDate"]);
        Assert.Equal("discussed", (string?)JsonNode.Parse(await viewer.GetStringAsync($"/api/cases/{a}"))!["status"]);

        // Re-discussed at the last meeting there is: it waits, and the next meeting created takes it.
        await DecideAsync(clinician, c, Today.AddDays(8), rediscuss: true);
        Assert.Equal("re-discuss → next meeting", Rows(await viewer.GetStringAsync($"/meetings/{later}")).Single().AtMeeting);
        var created = await CreateMeetingAsync(coordinator, Today.AddDays(15), "liver MDT");
        Assert.Equal([c], Rows(await viewer.GetStringAsync($"/meetings/{created}")).Select(r => r.CaseId));
        Assert.Equal($"re-discuss → {Today.AddDays(15):yyyy-MM-dd}", Rows(await viewer.GetStringAsync($"/meetings/{later}")).Single().AtMeeting);

        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        Assert.True(await db.Audit.AnyAsync(x => x.EntityType == "meeting" && x.Detail.Contains("moved up to position 2")));
        Assert.True(await db.Audit.AnyAsync(x => x.EntityType == "decision" && x.EntityKey == c && x.Detail.Contains("re-discuss: carried to the meeting of")));
    }

    [Fact]
    public async Task Bad_meeting_input_is_refused_at_its_field_and_viewers_cannot_change_a_worklist()
    {
        var coordinator = await App.SignInAsync("coordinator1");
        var clinician = await App.SignInAsync("clinician1");
        var badDate = await PostFormAsync(coordinator, "/meetings", "/meetings", new() { ["Date"] = "2099-13-40", ["Kind"] = "liver MDT" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badDate.StatusCode);
        Assert.Contains("Date: &#x27;2099-13-40&#x27; is not a date", await badDate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var noKind = await PostFormAsync(coordinator, "/meetings", "/meetings", new() { ["Date"] = "2001-01-05", ["Kind"] = " " });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noKind.StatusCode);
        Assert.Contains("data-error-for=\"Kind\"", await noKind.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // In the past, so that it is never the "next" or "later" meeting of the other test in this class.
        var meeting = await CreateMeetingAsync(coordinator, new DateOnly(2001, 1, 5), "lung MDT");
        var caseId = await CreateCaseAsync(clinician, TestCases.Liver(NewCaseId()));
        Assert.Equal(HttpStatusCode.Redirect, (await AddAsync(coordinator, meeting, caseId)).StatusCode);
        var twice = await AddAsync(coordinator, meeting, caseId);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, twice.StatusCode);
        Assert.Contains($"{caseId} is already on this meeting", WebUtility.HtmlDecode(await twice.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var unknown = await AddAsync(coordinator, meeting, "NO-SUCH-CASE");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Contains("no case 'NO-SUCH-CASE'", WebUtility.HtmlDecode(await unknown.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        await DecideAsync(clinician, caseId, new DateOnly(2001, 1, 5), rediscuss: false);
        var remove = await PostFormAsync(coordinator, $"/meetings/{meeting}", $"/meetings/{meeting}?handler=Remove", new() { ["CaseId"] = caseId });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, remove.StatusCode); // discussed: the line stays

        var viewer = await App.SignInAsync("viewer1");
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/meetings/{meeting}")).StatusCode);
        foreach (var (action, fields) in new[]
        {
            ("/meetings", new Dictionary<string, string> { ["Date"] = "2001-02-01", ["Kind"] = "x" }),
            ($"/meetings/{meeting}?handler=Add", new Dictionary<string, string> { ["CaseId"] = caseId }),
            ($"/meetings/{meeting}?handler=Move", new Dictionary<string, string> { ["CaseId"] = caseId, ["Up"] = "true" }),
        })
        {
            var r = await PostFormAsync(viewer, $"/meetings/{meeting}", action, fields);
            Assert.True(r.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Forbidden, $"{action}: {(int)r.StatusCode}");
            if (r.StatusCode == HttpStatusCode.Redirect)
            {
                Assert.StartsWith("/account/denied", r.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
            }
        }
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/meetings/999999")).StatusCode);
    }
}

public sealed class SqliteMeetingWebTests(SqliteApp app) : MeetingWebTests(app), IClassFixture<SqliteApp>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresMeetingWebTests(PostgresApp app) : MeetingWebTests(app), IClassFixture<PostgresApp>;
