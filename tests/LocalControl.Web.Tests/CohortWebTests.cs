using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Web.Tests;

/// <summary>
/// The cohort page and its plot endpoints on a registry of its own (one fixture per class, so the cohort is exactly
/// the cases created here), checked against a Kaplan–Meier and log-rank computed by hand in the test.
/// </summary>
public abstract class CohortWebTests(LocalControlApp app)
{
    protected LocalControlApp App { get; } = app;

    private static readonly DateOnly Ablation = new(2025, 1, 1);

    // One ablated liver lesion per case: the first study (2025-02-01) shows complete ablation (technique efficacy),
    // then either enhancing tissue adjacent to the zone (LTP, an event) or a clear zone (censored at that study).
    private static readonly (string CaseId, string Therapy, DateOnly Last, bool Ltp)[] Lesions =
    [
        ("C-rfa-1", "rfa", new(2025, 7, 1), true),
        ("C-rfa-2", "rfa", new(2025, 10, 1), false),
        ("C-rfa-3", "rfa", new(2025, 11, 1), true),
        ("C-rfa-4", "rfa", new(2026, 3, 1), false),
        ("C-mwa-1", "mwa", new(2025, 3, 1), true),
        ("C-mwa-2", "mwa", new(2025, 4, 1), true),
    ];

    private static JsonObject Case((string CaseId, string Therapy, DateOnly Last, bool Ltp) l)
    {
        var c = TestCases.Liver(l.CaseId);
        c["lesions"]!.AsArray().RemoveAt(1);
        c["treatments"] = new JsonArray(new JsonObject { ["id"] = "T1", ["date"] = "2025-01-01", ["therapy"] = l.Therapy, ["lesionIds"] = new JsonArray("L1") });
        c["followUps"] = new JsonArray(
            new JsonObject { ["date"] = "2025-02-01", ["lesions"] = new JsonArray(new JsonObject { ["lesionId"] = "L1", ["status"] = "present", ["ablationZone"] = new JsonObject { ["enhancingTissue"] = false } }) },
            new JsonObject
            {
                ["date"] = l.Last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["lesions"] = new JsonArray(new JsonObject
                {
                    ["lesionId"] = "L1", ["status"] = "present",
                    ["ablationZone"] = l.Ltp ? new JsonObject { ["enhancingTissue"] = true, ["adjacentToZone"] = true } : new JsonObject { ["enhancingTissue"] = false },
                }),
            });
        c["survival"] = new JsonObject { ["lastContactDate"] = "2026-06-01", ["vitalStatus"] = "alive" };
        return c;
    }

    private static double Months(DateOnly d) => Math.Round((d.DayNumber - Ablation.DayNumber) / 30.4375, 2);

    private async Task<HttpClient> SeededAsync()
    {
        var clinician = await App.SignInAsync("clinician1");
        if ((await clinician.GetAsync("/api/cases/C-rfa-1")).StatusCode == HttpStatusCode.NotFound)
        {
            foreach (var l in Lesions)
            {
                await FollowUpWebTests.CreateAsync(clinician, Case(l));
            }
        }
        return clinician;
    }

    [Fact]
    public async Task The_cohort_page_shows_kaplan_meier_and_log_rank_figures_that_a_hand_computation_gives()
    {
        await SeededAsync();
        var viewer = await App.SignInAsync("viewer1");
        var html = WebUtility.HtmlDecode(await viewer.GetStringAsync("/cohort?endpoint=ltp&by=tool"));

        // Kaplan–Meier of the RFA group by hand: at risk 4, event at 5.95 months -> 3/4; censored at 8.97; at risk 2,
        // event at 9.99 -> 3/4 x 1/2 = 0.375; censored at 13.93. At 12 months: 37.5 %, one at risk. Greenwood with
        // the log transform: var(log S) = 1/(4x3) + 1/(2x1); lower = S exp(-1.96 sqrt(var)).
        var rfa = Row(html, "rfa");
        Assert.Equal("4", rfa[0]);
        Assert.Equal("2", rfa[1]);
        var lower = 0.375 * Math.Exp(-1.959963984540054 * Math.Sqrt((1.0 / 12) + (1.0 / 2)));
        Assert.StartsWith($"37.5 % ({(lower * 100).ToString("0.0", CultureInfo.InvariantCulture)} %–", rfa[3], StringComparison.Ordinal);
        Assert.EndsWith("· 1", rfa[3], StringComparison.Ordinal);
        var mwa = Row(html, "mwa");
        Assert.Equal(("2", "2"), (mwa[0], mwa[1]));
        Assert.StartsWith("0.0 %", mwa[3], StringComparison.Ordinal); // both progressed by 3 months
        // Median of the RFA group: the first time survival is <= 0.5, 9.99 months.
        Assert.StartsWith(Months(new DateOnly(2025, 11, 1)).ToString("0.0", CultureInfo.InvariantCulture) + " (", rfa[2], StringComparison.Ordinal);

        // Log-rank by brute force over the distinct event times (two groups, one degree of freedom).
        var subjects = Lesions.Select(l => (Group: l.Therapy, Time: Months(l.Last), Event: l.Ltp)).ToList();
        double observed = 0, expected = 0, variance = 0;
        foreach (var t in subjects.Where(s => s.Event).Select(s => s.Time).Distinct())
        {
            var atRisk = subjects.Where(s => s.Time >= t).ToList();
            double n = atRisk.Count, n1 = atRisk.Count(s => s.Group == "mwa");
            double d = subjects.Count(s => s.Event && s.Time == t), d1 = subjects.Count(s => s.Event && s.Time == t && s.Group == "mwa");
            observed += d1;
            expected += d * n1 / n;
            variance += n > 1 ? n1 * (n - n1) * d * (n - d) / (n * n * (n - 1)) : 0;
        }
        var chi = (observed - expected) * (observed - expected) / variance;
        var p = 2 * (1 - NormalCdf(Math.Sqrt(chi)));
        Assert.Contains($"Log-rank χ² = {chi.ToString("0.00", CultureInfo.InvariantCulture)} on 1 df, p = {p.ToString("G3", CultureInfo.InvariantCulture)}", html, StringComparison.Ordinal);

        // The published figures with their citations, and the plot links for this choice.
        Assert.Contains("data-reference=\"DB2017/rfa-local-control\"", html, StringComparison.Ordinal);
        Assert.Contains("src=\"/cohort/plot.png?endpoint=ltp&by=tool\"", html, StringComparison.Ordinal);

        // Overall survival per patient: six patients alive at 2026-06-01 (17 months), all censored.
        var os = WebUtility.HtmlDecode(await viewer.GetStringAsync("/cohort?endpoint=os&by=organ"));
        var liver = Row(os, "liver");
        Assert.Equal(("6", "0"), (liver[0], liver[1]));
        Assert.Contains("data-reference=\"P2/os-5y\"", os, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/cohort?by=colour")).StatusCode);
    }

    [Fact]
    public async Task The_plots_are_a_png_and_an_svg_for_the_clinical_roles_and_refused_to_the_admin()
    {
        await SeededAsync();
        foreach (var name in new[] { "viewer1", "coordinator1", "clinician1" })
        {
            var client = await App.SignInAsync(name);
            var png = await client.GetAsync("/cohort/plot.png?endpoint=ltp&by=tool");
            Assert.Equal(HttpStatusCode.OK, png.StatusCode);
            Assert.Equal("image/png", png.Content.Headers.ContentType!.MediaType);
            var bytes = await png.Content.ReadAsByteArrayAsync();
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
            Assert.Equal(900, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            var svg = await client.GetAsync("/cohort/plot.svg?endpoint=os&by=size");
            Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType!.MediaType);
            Assert.Contains("<svg", await svg.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var viewer = await App.SignInAsync("viewer1");
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/cohort/plot.png?endpoint=pfs")).StatusCode);

        await using (var scope = App.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
            if (await users.FindByNameAsync("admin-cohort") is null)
            {
                var admin = new RegistryUser { UserName = "admin-cohort", DisplayName = "Test admin" };
                Assert.True((await users.CreateAsync(admin, LocalControlApp.Password)).Succeeded);
                Assert.True((await users.AddToRoleAsync(admin, Roles.Admin)).Succeeded);
            }
        }
        var adminClient = await App.SignInAsync("admin-cohort");
        foreach (var path in new[] { "/cohort", "/cohort/plot.png", "/cohort/plot.svg" })
        {
            var refused = await adminClient.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.StartsWith("/account/denied", refused.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_cohort_parses_each_case_file_once_per_version()
    {
        var clinician = await SeededAsync();
        var cohorts = App.Services.GetRequiredService<CohortService>();
        await clinician.GetStringAsync("/cohort");
        var parsed = cohorts.ParsedCount;
        await clinician.GetStringAsync("/cohort?endpoint=os&by=ras");
        await clinician.GetAsync("/cohort/plot.png");
        Assert.Equal(parsed, cohorts.ParsedCount);
        var parts = cohorts.PartsComputed;
        await clinician.GetStringAsync("/cohort?endpoint=os&by=ras");
        Assert.Equal(parts, cohorts.PartsComputed); // nothing changed: each case's part is kept

        // An edit (a later study showing LTP for a censored RFA lesion) is seen on the next request, parsing one file.
        var changed = Case(Lesions[3] with { Ltp = true });
        using (var put = new HttpRequestMessage(HttpMethod.Put, "/api/cases/C-rfa-4") { Content = new StringContent(TestCases.Json(changed), System.Text.Encoding.UTF8, "application/json") })
        {
            var version = JsonNode.Parse(await clinician.GetStringAsync("/api/cases/C-rfa-4"))!["version"]!.GetValue<int>();
            put.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
            Assert.Equal(HttpStatusCode.OK, (await clinician.SendAsync(put)).StatusCode);
        }
        var html = WebUtility.HtmlDecode(await clinician.GetStringAsync("/cohort?endpoint=ltp&by=tool"));
        Assert.Equal(parsed + 1, cohorts.ParsedCount);
        Assert.Equal(parts + 1, cohorts.PartsComputed); // only the edited case's part of LTP by tool is recomputed
        Assert.Equal("3", Row(html, "rfa")[1]);
        // Put it back for the other tests of this class.
        var restore = JsonNode.Parse(await clinician.GetStringAsync("/api/cases/C-rfa-4"))!["version"]!.GetValue<int>();
        using var back = new HttpRequestMessage(HttpMethod.Put, "/api/cases/C-rfa-4") { Content = new StringContent(TestCases.Json(Case(Lesions[3])), System.Text.Encoding.UTF8, "application/json") };
        back.Headers.TryAddWithoutValidation("If-Match", $"\"{restore}\"");
        Assert.Equal(HttpStatusCode.OK, (await clinician.SendAsync(back)).StatusCode);
    }

    // n, events, median, then one cell per time point (12, 24, 36, 60 months): the 12-month cell is index 3.
    private static string[] Row(string html, string group)
    {
        var m = Regex.Match(html, $"<tr data-group=\"{Regex.Escape(group)}\">\\s*<th scope=\"row\">[^<]*</th>(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(m.Success, $"no row for group {group}");
        return [.. Regex.Matches(m.Groups[1].Value, "<td class=\"num\">(.*?)</td>", RegexOptions.Singleline).Select(x => x.Groups[1].Value.Trim())];
    }

    // Standard normal distribution function by Simpson's rule on the density (independent of the app's chi-square).
    private static double NormalCdf(double z)
    {
        const int steps = 20_000;
        var h = z / steps;
        double sum = 0;
        for (var i = 0; i <= steps; i++)
        {
            var x = i * h;
            var w = i == 0 || i == steps ? 1 : i % 2 == 1 ? 4 : 2;
            sum += w * Math.Exp(-x * x / 2);
        }
        return 0.5 + (sum * h / 3 / Math.Sqrt(2 * Math.PI));
    }
}

public sealed class SqliteCohortWebTests(SqliteApp app) : CohortWebTests(app), IClassFixture<SqliteApp>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresCohortWebTests(PostgresApp app) : CohortWebTests(app), IClassFixture<PostgresApp>;
