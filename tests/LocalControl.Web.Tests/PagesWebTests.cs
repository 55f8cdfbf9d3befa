using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Web.Tests;

/// <summary>
/// Pages that fit a screen and a page (issue 14): the case page's summary (the leading options are those the engine's
/// machine-contract JSON lists as eligible or caution, in its rank order; checked here against that JSON, not against
/// the page's own code), identities on every case-list row by role, and the admin's first steps.
/// </summary>
public abstract partial class PagesWebTests(LocalControlApp app)
{
    protected LocalControlApp App { get; } = app;

    private static string Sample(string name) =>
        File.ReadAllText(Path.Combine(PdfSummaryGoldenTests.RepoRoot(), "samples", "cases", name + ".json"));

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<string> CreateAsync(HttpClient client, string sample)
    {
        var doc = JsonNode.Parse(Sample(sample))!.AsObject();
        var caseId = NewId("PW");
        doc["caseId"] = caseId;
        var r = await client.PostAsync("/api/cases", new StringContent(TestCases.Json(doc), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return caseId;
    }

    // The HTML of one summary line (<tr data-summary-line="L1"> … </tr>).
    private static string SummaryLine(string html, string owner)
    {
        var m = Regex.Match(html, $"<tr data-summary-line=\"{Regex.Escape(owner)}\">(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(m.Success, $"no summary line for {owner}");
        return m.Groups[1].Value;
    }

    [Theory]
    [InlineData("12-liver-and-lung-oligometastatic")]
    [InlineData("11-incomplete-data")]
    [InlineData("05-lung-metastases")]
    [InlineData("07-bilobar-after-folfox")]
    [InlineData("09-widespread-extrahepatic")]
    public async Task The_summary_lists_the_options_the_engine_assesses_eligible_or_caution_in_its_rank_order(string sample)
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateAsync(clinician, sample);
        var assessment = JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}/assessment"))!;
        var html = WebUtility.HtmlDecode(await clinician.GetStringAsync($"/cases/{caseId}"));
        var summaryAt = html.IndexOf("<section class=\"case-summary\"", StringComparison.Ordinal);
        Assert.True(summaryAt >= 0);
        // The summary comes before the full matrix and the identity section.
        Assert.True(summaryAt < html.IndexOf("data-options=", StringComparison.Ordinal));
        Assert.True(summaryAt < html.IndexOf("<section aria-labelledby=\"h-identity\"", StringComparison.Ordinal));
        var summary = html[summaryAt..html.IndexOf("</section>", summaryAt, StringComparison.Ordinal)];

        var lines = assessment["lesions"]!.AsArray().Select(l => (Owner: l!["id"]!.GetValue<string>(), Options: l["options"]!.AsArray())).ToList();
        var shown = lines.Take(6).Append(("Patient", assessment["patientOptions"]!.AsArray())).ToList();
        foreach (var (owner, options) in shown)
        {
            var line = SummaryLine(summary, owner);
            var ordered = options.Select(o => o!).OrderBy(o => o["rank"]!.GetValue<int>()).ToList();
            var usable = ordered.Where(o => o["eligibility"]!.GetValue<string>() is "eligible" or "caution").ToList();
            var listed = Regex.Matches(line, "data-summary-option=\"([^\"]+)\" data-eligibility=\"([^\"]+)\"").Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
            Assert.Equal(usable.Take(3).Select(o => (o["therapy"]!.GetValue<string>(), o["eligibility"]!.GetValue<string>())), listed);
            if (usable.Count > 3)
            {
                Assert.Contains($"and {usable.Count - 3} more usable", line, StringComparison.Ordinal);
            }
            if (usable.Count == 0)
            {
                Assert.Contains("No option eligible or with caution.", line, StringComparison.Ordinal);
                Assert.Contains($"data-summary-first=\"{ordered[0]["therapy"]!.GetValue<string>()}\"", line, StringComparison.Ordinal);
            }
            // An eligible option whose every criterion is met says how many (counted in the JSON).
            foreach (var o in usable.Take(3).Where(o => o["criteria"]!.AsArray().All(c => c!["status"]!.GetValue<string>() == "met")))
            {
                var met = o["criteria"]!.AsArray().Count;
                Assert.Matches($"data-summary-option=\"{o["therapy"]!.GetValue<string>()}\".*?✓ all {met} criteri", line);
            }
        }
        if (lines.Count > 6)
        {
            Assert.Contains($"{lines.Count - 6} more lesion", summary, StringComparison.Ordinal);
            Assert.DoesNotContain($"data-summary-line=\"{lines[6].Owner}\"", summary, StringComparison.Ordinal);
        }
        Assert.Contains("No decision recorded yet.", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_summary_shows_the_disease_and_the_latest_decision_once_with_earlier_ones_below()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateAsync(clinician, "12-liver-and-lung-oligometastatic");
        foreach (var (rationale, version) in new[] { ("first-rationale-x1", 1), ("second-rationale-x2", 2) })
        {
            var r = await clinician.PostAsync($"/api/cases/{caseId}/decisions", new StringContent(
                $$"""{"meetingDate":"2026-12-0{{version}}","intent":"curative","choices":[{"lesionId":"L1","therapy":"resection"}],"rationale":"{{rationale}}","attendees":"Dr A","caseVersion":{{version}}}""",
                Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }
        var html = WebUtility.HtmlDecode(await clinician.GetStringAsync($"/cases/{caseId}"));
        var summaryAt = html.IndexOf("<section class=\"case-summary\"", StringComparison.Ordinal);
        var summary = html[summaryAt..html.IndexOf("</section>", summaryAt, StringComparison.Ordinal)];
        // The disease from the sample file: 64 years, ECOG 1, colon node-positive resected, RAS/BRAF wild-type, MSS,
        // CEA 22, DFI 14; 3 lesions (liver 2, lung 1); one line: CAPOX, partial response, not progressed.
        Assert.Contains("64 years, ECOG 1 · primary colon (node-positive, resected) · RAS wild-type · BRAF wild-type · MSS · CEA 22 ng/mL · DFI 14 months", summary, StringComparison.Ordinal);
        Assert.Contains("3 lesions (liver 2, lung 1; extrahepatic disease;", summary, StringComparison.Ordinal);
        Assert.Contains("1 line of prior systemic therapy: L1 CAPOX (partial response, not progressed)", summary, StringComparison.Ordinal);
        Assert.Contains("Patient identity not recorded", summary, StringComparison.Ordinal);
        // The latest decision in the summary (the decision form's redirect target #h-decisions is there), the earlier below.
        Assert.Contains("id=\"h-decisions\"", summary, StringComparison.Ordinal);
        Assert.Contains("second-rationale-x2", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("first-rationale-x1", summary, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(html, "second-rationale-x2"));
        Assert.Single(Regex.Matches(html, "first-rationale-x1"));
        Assert.True(html.IndexOf("first-rationale-x1", StringComparison.Ordinal) > html.IndexOf("Earlier MDT decisions", StringComparison.Ordinal));
        Assert.Equal(2, Regex.Matches(html, "<article class=\"decision\"").Count);
    }

    [Fact]
    public async Task Every_case_list_row_shows_its_patient_in_clear_for_clinical_roles_and_masked_for_viewer_and_admin()
    {
        var clinician = await App.SignInAsync("clinician1");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var withIdentity = await CreateAsync(clinician, "01-small-liver-ablatable");
        var without = await CreateAsync(clinician, "02-liver-40mm");
        var mrn = "RW" + tag.ToUpperInvariant();
        var family = "Rautavaara" + tag;
        Assert.Equal(HttpStatusCode.OK, (await PatientIdentityWebTests.PutIdentityAsync(clinician, withIdentity, "\"0\"",
            new { mrn, familyName = family, givenNames = "Einojuhani", birthDate = "1948-10-09", sex = "male" })).StatusCode);

        // The first page of the list (newest change first) holds both cases; and a search for the id.
        foreach (var (user, full) in new[] { ("clinician1", true), ("coordinator1", true), ("viewer1", false), ("admin", false) })
        {
            var client = await App.SignInAsync(user);
            foreach (var path in new[] { "/cases", "/cases?search=" + Uri.EscapeDataString(withIdentity) })
            {
                var html = await client.GetStringAsync(path);
                var row = Regex.Match(html, $"<tr>\\s*<td><a href=\"/cases/{Regex.Escape(withIdentity)}\">.*?</tr>", RegexOptions.Singleline);
                Assert.True(row.Success, $"{user} {path}: no row for the case");
                if (full)
                {
                    Assert.Contains($"<td data-identity-mrn>{mrn}</td><td data-identity-name>{family.ToUpperInvariant()}, Einojuhani</td>", WebUtility.HtmlDecode(row.Value), StringComparison.Ordinal);
                }
                else
                {
                    Assert.Contains($"<td data-identity-mrn>••••{mrn[^4..]}</td><td data-identity-name>E. R.</td>", WebUtility.HtmlDecode(row.Value), StringComparison.Ordinal);
                    // None of the hidden values anywhere in the page.
                    foreach (var hidden in new[] { family, family.ToUpperInvariant(), "Einojuhani", mrn, mrn[..^4], "1948-10-09" })
                    {
                        Assert.DoesNotContain(hidden, html, StringComparison.OrdinalIgnoreCase);
                    }
                    Assert.Contains("Patients masked for your role", html, StringComparison.Ordinal);
                }
            }
            var list = await client.GetStringAsync("/cases?search=" + Uri.EscapeDataString(without));
            Assert.Matches($"<a href=\"/cases/{Regex.Escape(without)}\">.*?</td>\\s*<td class=\"muted\" data-identity-mrn>—</td><td class=\"muted\" data-identity-name>not recorded</td>", list);
        }
    }

    private async Task<HttpResponseMessage> AdminPostAsync(HttpClient admin, string? handler, params (string Key, string Value)[] fields)
    {
        var token = await LocalControlApp.AntiforgeryTokenAsync(admin, "/admin/users");
        var all = fields.Append(("__RequestVerificationToken", token)).Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2));
        return await admin.PostAsync(handler is null ? "/admin/users" : $"/admin/users?handler={handler}", new FormUrlEncodedContent(all));
    }

    [Fact]
    public async Task An_account_holds_several_roles_set_on_the_users_page_audited_and_never_none_nor_the_last_admin_removed()
    {
        var admin = await App.SignInAsync("admin");
        var name = NewId("multi");
        var added = await AdminPostAsync(admin, null, ("NewUserName", name), ("NewDisplayName", "Dr Multi"), ("NewRoles", "clinician"), ("NewRoles", "admin"), ("NewPassword", LocalControlApp.Password));
        Assert.Contains($"User {name} added as admin, clinician.", WebUtility.HtmlDecode(await added.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        // Admin and clinician at once: the users page and the clinician's pages, identities in clear.
        var both = await App.SignInAsync(name);
        Assert.Equal(HttpStatusCode.OK, (await both.GetAsync("/admin/users")).StatusCode);
        var caseId = await CreateAsync(both, "01-small-liver-ablatable");
        Assert.Equal(HttpStatusCode.OK, (await PatientIdentityWebTests.PutIdentityAsync(both, caseId, "\"0\"", new { mrn = "MR" + name[^6..].ToUpperInvariant(), familyName = "Salo" })).StatusCode);
        Assert.Contains("data-identity=\"full\"", await both.GetStringAsync($"/cases/{caseId}"), StringComparison.Ordinal);
        Assert.Contains("SALO", await both.GetStringAsync("/cases?search=" + caseId), StringComparison.Ordinal);

        // No role at all is refused (disable the account instead); nothing changes.
        var none = WebUtility.HtmlDecode(await (await AdminPostAsync(admin, "Roles", ("Target", name))).Content.ReadAsStringAsync());
        Assert.Contains("Roles: tick at least one role", none, StringComparison.Ordinal);
        var unknown = WebUtility.HtmlDecode(await (await AdminPostAsync(admin, "Roles", ("Target", name), ("RoleSet", "surgeon"))).Content.ReadAsStringAsync());
        Assert.Contains("Unknown role.", unknown, StringComparison.Ordinal);
        // Down to clinician and coordinator: the session ends, the audit says from what to what.
        var changed = WebUtility.HtmlDecode(await (await AdminPostAsync(admin, "Roles", ("Target", name), ("RoleSet", "coordinator"), ("RoleSet", "clinician"))).Content.ReadAsStringAsync());
        Assert.Contains($"{name} now holds clinician, coordinator.", changed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await both.GetAsync("/api/cases")).StatusCode);
        var again = await App.SignInAsync(name);
        Assert.NotEqual(HttpStatusCode.OK, (await again.GetAsync("/admin/users")).StatusCode);
        await using (var scope = App.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
            Assert.Equal([Roles.Clinician, Roles.Coordinator], (await users.GetRolesAsync((await users.FindByNameAsync(name))!)).Order(StringComparer.Ordinal));
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            var audit = await db.Audit.AsNoTracking().Where(a => a.EntityKey == name).OrderBy(a => a.Id).Select(a => a.Action + " " + a.Detail).ToListAsync();
            Assert.Equal([$"{AuditActions.Create} roles admin,clinician", $"{AuditActions.UserChange} roles admin,clinician -> clinician,coordinator"], audit.Where(a => !a.StartsWith("sign", StringComparison.Ordinal)));
        }

        // The last enabled admin keeps the admin role whatever else is ticked.
        await using (var scope = App.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
            foreach (var other in (await users.GetUsersInRoleAsync(Roles.Admin)).Where(u => u.UserName != "admin"))
            {
                other.Disabled = true;
                await users.UpdateAsync(other);
            }
        }
        var last = WebUtility.HtmlDecode(await (await AdminPostAsync(admin, "Roles", ("Target", "admin"), ("RoleSet", "clinician"))).Content.ReadAsStringAsync());
        Assert.Contains("This is the last enabled admin", last, StringComparison.Ordinal);
    }
}

public sealed class SqlitePagesWebTests(SqliteApp app) : PagesWebTests(app), IClassFixture<SqliteApp>;
