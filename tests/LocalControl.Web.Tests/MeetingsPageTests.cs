using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Web.Tests;

/// <summary>
/// The meetings page's two tables (coming, and the last 20 past), one shape with a different last column: on an app of
/// its own, so that the meetings and their counts are only the ones made here.
/// </summary>
public sealed class MeetingsPageTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private DateOnly Today => DateOnly.FromDateTime(app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string tokenPage, string action, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await LocalControlApp.AntiforgeryTokenAsync(client, tokenPage);
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    private static async Task<long> MeetingAsync(HttpClient coordinator, DateOnly date, string kind)
    {
        var r = await PostFormAsync(coordinator, "/meetings", "/meetings", new() { ["Date"] = date.ToString("yyyy-MM-dd"), ["Kind"] = kind });
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        return long.Parse(Regex.Match(r.Headers.Location!.OriginalString, @"^/meetings/(\d+)$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> CaseOnAsync(HttpClient clinician, HttpClient coordinator, long meeting, string caseId)
    {
        Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(TestCases.Liver(caseId)), Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(coordinator, $"/meetings/{meeting}", $"/meetings/{meeting}?handler=Add", new() { ["CaseId"] = caseId })).StatusCode);
        return caseId;
    }

    [Fact]
    public async Task Coming_and_past_meetings_stand_in_two_tables_with_their_links_types_and_counts()
    {
        var coordinator = await app.SignInAsync("coordinator1");
        var clinician = await app.SignInAsync("clinician1");
        var next = Today.AddDays(2);
        var last = Today.AddDays(-3);
        var coming = await MeetingAsync(coordinator, next, "liver MDT");
        var past = await MeetingAsync(coordinator, last, "lung & liver MDT");
        // Coming: two cases, one decided at it (discussed), one to discuss. Past: one case left undiscussed.
        var decided = await CaseOnAsync(clinician, coordinator, coming, "MP-1");
        await CaseOnAsync(clinician, coordinator, coming, "MP-2");
        await CaseOnAsync(clinician, coordinator, past, "MP-3");
        var version = JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{decided}"))!["version"]!.GetValue<int>();
        Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsJsonAsync($"/api/cases/{decided}/decisions",
            new Api.DecisionRequest(next, "curative", [new("L1", "mwa")], "Small lesion.", "Dr A (surgery)", version))).StatusCode);

        var html = Regex.Replace(await (await app.SignInAsync("viewer1")).GetStringAsync("/meetings"), @">\s+<", "><");
        string Section(string heading) => Regex.Match(html, $"<section aria-labelledby=\"{heading}\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        const string Head = "<table class=\"grid meetings-table\"><thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Type</th><th scope=\"col\">Cases</th>";
        Assert.Equal($"<h2 id=\"h-coming\">Coming</h2>{Head}<th scope=\"col\">To discuss</th></tr></thead><tbody>"
            + $"<tr><td><a href=\"/meetings/{coming}\">{next:yyyy-MM-dd}</a></td><td>liver MDT</td><td>2</td><td>1</td></tr></tbody></table>",
            Section("h-coming"));
        Assert.Equal($"<h2 id=\"h-past\">Past (last 20)</h2>{Head}<th scope=\"col\">Left undiscussed</th></tr></thead><tbody>"
            + $"<tr><td><a href=\"/meetings/{past}\">{last:yyyy-MM-dd}</a></td><td>lung &amp; liver MDT</td><td>1</td><td>1</td></tr></tbody></table>",
            Section("h-past"));
    }
}
