using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LocalControl.Web.Tests.Browser;

/// <summary>Pages that fit a screen and a page (issue 14): the case page's summary on one screen, the print view of a
/// two-lesion case on at most two A4 pages, identities on the case list, the admin's first steps.
/// Screenshots 50-59.</summary>
public sealed partial class BrowserTests
{
    private static string Sample(string name) =>
        File.ReadAllText(Path.Combine(PdfSummaryGoldenTests.RepoRoot(), "samples", "cases", name + ".json"));

    // A sample case under a fresh id, with a patient identity and a decision (the summary shows both).
    private async Task<string> TwoLesionCaseAsync(string sample, string mrn, string family, string given)
    {
        var caseId = "BP-" + Guid.NewGuid().ToString("N")[..8];
        var doc = JsonNode.Parse(Sample(sample))!.AsObject();
        Assert.Equal(2, doc["lesions"]!.AsArray().Count);
        doc["caseId"] = caseId;
        var clinician = await app.SignInAsync("clinician1");
        Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(doc), System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PatientIdentityWebTests.PutIdentityAsync(clinician, caseId, "\"0\"",
            new { mrn, familyName = family, givenNames = given, birthDate = "1957-04-12", sex = "female" })).StatusCode);
        // The board's choice for the first lesion: its first option in the engine's list (any listed option may be chosen).
        var assessment = JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}/assessment"))!;
        var first = assessment["lesions"]![0]!;
        var (lesionId, therapy) = (first["id"]!.GetValue<string>(), first["options"]![0]!["therapy"]!.GetValue<string>());
        var decision = await clinician.PostAsJsonAsync($"/api/cases/{caseId}/decisions", new
        {
            meetingDate = "2026-12-03", intent = "curative", choices = new[] { new { lesionId, therapy } },
            rationale = $"{therapy} of {lesionId} agreed; the other lesion to be re-imaged in 6 weeks before a decision on it.",
            attendees = "Dr A (hepatobiliary surgery), Dr B (interventional radiology), Dr C (oncology)", caseVersion = 1,
        });
        Assert.Equal(HttpStatusCode.Created, decision.StatusCode);
        return caseId;
    }

    private async Task<IPage> SignedInPageAsync(string user, int width, int height)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString().TrimEnd('/'), ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.GetByLabel("User name").FillAsync(user);
        await page.GetByLabel("Password").FillAsync(LocalControlApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("header.top")).ToBeVisibleAsync();
        return page;
    }

    [Fact]
    public async Task A_two_lesion_case_page_opens_with_its_summary_on_one_screen_and_prints_on_at_most_two_A4_pages()
    {
        // The three two-lesion samples: all options eligible (01), lung (05), data missing (11: unknowns and cautions).
        var samples = new[] { ("01-small-liver-ablatable", "PG-5501 2207", "Nieminen", "Aino Maria"), ("05-lung-metastases", "PG-5502", "Lindqvist", "Per"), ("11-incomplete-data", "PG 5503/8", "Okafor", "Chidi") };
        var n = 0;
        foreach (var (sample, mrn, family, given) in samples)
        {
            var caseId = await TwoLesionCaseAsync(sample, mrn, family, given);
            var lesionIds = JsonNode.Parse(Sample(sample))!["lesions"]!.AsArray().Select(l => l!["id"]!.GetValue<string>()).ToList();
            foreach (var (width, height) in sample.StartsWith("01", StringComparison.Ordinal) ? new[] { (1366, 768), (1920, 1080) } : [(1366, 768)])
            {
                var page = await SignedInPageAsync("clinician1", width, height);
                await page.GotoAsync($"/cases/{caseId}");
                var summary = page.Locator("section.case-summary");
                await Assertions.Expect(summary.Locator("[data-summary-identity]")).ToContainTextAsync($"{family.ToUpperInvariant()}, {given} · MRN {mrn.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).Replace("/", "", StringComparison.Ordinal)}");
                await Assertions.Expect(summary.Locator("[data-summary-disease]")).ToContainTextAsync("2 lesions (");
                foreach (var id in lesionIds.Append("Patient"))
                {
                    await Assertions.Expect(summary.Locator($"[data-summary-line='{id}']")).ToBeVisibleAsync();
                }
                await Assertions.Expect(summary.Locator("article.decision [data-rationale]")).ToContainTextAsync($"of {lesionIds[0]} agreed");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"50-case-summary-{++n}-{sample[..2]}-{width}x{height}.png") });
                // The whole summary, decision included, lies within the first screen: nothing to scroll for.
                var box = await summary.BoundingBoxAsync();
                Assert.NotNull(box);
                Assert.True(box.Y + box.Height <= height, $"{sample} at {width}x{height}: the summary ends at {box.Y + box.Height:F0} px, below the screen ({height} px)");
                Assert.Equal(0, await page.EvaluateAsync<double>("() => window.scrollY"));
                // The full matrix is still on the page, below.
                await Assertions.Expect(page.Locator($"table[data-options='lesion-{lesionIds[0]}'] tr[data-therapy]").First).ToBeAttachedAsync();
                await page.Context.CloseAsync();
            }

            // Print: A4 through Chromium's own PDF, counted by poppler (an independent reader), and rendered to look at.
            var print = await SignedInPageAsync("clinician1", 1366, 768);
            await print.GotoAsync($"/cases/{caseId}/print");
            await print.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
            await Assertions.Expect(print.Locator("h1")).ToContainTextAsync("Tumour-board summary");
            await Assertions.Expect(print.Locator("[data-identity-line]")).ToContainTextAsync(family.ToUpperInvariant());
            await Assertions.Expect(print.Locator("article.decision")).ToHaveCountAsync(1);
            var pdfPath = Path.Combine(Screenshots, $"52-print-{sample[..2]}.pdf");
            await print.PdfAsync(new PagePdfOptions { Path = pdfPath, Format = "A4", PreferCSSPageSize = true });
            var pages = PdfPages(pdfPath);
            Render(pdfPath, Path.Combine(Screenshots, $"52-print-{sample[..2]}"));
            Assert.True(pages <= 2, $"{sample}: the print view takes {pages} A4 pages");
            await print.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_case_list_shows_each_patient_by_role_and_the_users_page_explains_the_admins_first_steps()
    {
        var caseId = await TwoLesionCaseAsync("01-small-liver-ablatable", "LS-4410 9921", "Virtanen", "Helmi");
        var clinician = await SignedInPageAsync("clinician1", 1366, 768);
        await clinician.GotoAsync("/cases?search=" + caseId);
        var row = clinician.Locator("table.case-list tbody tr").First;
        await Assertions.Expect(row.Locator("[data-identity-mrn]")).ToHaveTextAsync("LS44109921");
        await Assertions.Expect(row.Locator("[data-identity-name]")).ToHaveTextAsync("VIRTANEN, Helmi");
        await clinician.GotoAsync("/cases");
        await Assertions.Expect(clinician.Locator($"table.case-list tr:has(a[href='/cases/{caseId}']) [data-identity-name]")).ToHaveTextAsync("VIRTANEN, Helmi");
        await clinician.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "53-case-list-identities-clinician.png") });
        await clinician.Context.CloseAsync();

        var viewer = await SignedInPageAsync("viewer1", 1366, 768);
        await viewer.GotoAsync("/cases");
        var masked = viewer.Locator($"table.case-list tr:has(a[href='/cases/{caseId}'])");
        await Assertions.Expect(masked.Locator("[data-identity-mrn]")).ToHaveTextAsync("••••9921");
        await Assertions.Expect(masked.Locator("[data-identity-name]")).ToHaveTextAsync("H. V.");
        Assert.DoesNotContain("Virtanen", await viewer.ContentAsync(), StringComparison.OrdinalIgnoreCase);
        await viewer.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "54-case-list-identities-viewer-masked.png") });
        await viewer.Context.CloseAsync();

        // The users page: the first steps (closed once a clinician exists: clinician1 does here), opened by a click.
        var admin = await SignedInPageAsync("admin", 1366, 768);
        await admin.GotoAsync("/admin/users");
        var steps = admin.Locator("details[data-first-steps]");
        await Assertions.Expect(steps).Not.ToHaveAttributeAsync("open", "");
        await steps.Locator("summary").ClickAsync();
        await Assertions.Expect(steps.GetByText("An admin may also hold the clinician role")).ToBeVisibleAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Checkbox, new() { Name = "clinician (clinician1)" })).ToBeCheckedAsync();
        await admin.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "55-admin-first-steps.png"), FullPage = true });
        await admin.Context.CloseAsync();
    }

    /// <summary>The page count poppler's <c>pdfinfo</c> reads.</summary>
    internal static int PdfPages(string pdfPath)
    {
        var info = Run("pdfinfo", pdfPath);
        var m = Regex.Match(info, @"^Pages:\s+(\d+)", RegexOptions.Multiline);
        Assert.True(m.Success, "pdfinfo gave no page count: " + info);
        return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every page as a PNG (<c>pdftoppm</c>, 70 dpi) beside the PDF, to be looked at.</summary>
    internal static void Render(string pdfPath, string prefix) => Run("pdftoppm", "-png", "-r", "70", pdfPath, prefix);

    private static string Run(string tool, params string[] arguments)
    {
        using var p = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), tool + " did not finish");
        Assert.True(p.ExitCode == 0, $"{tool} failed: {error}");
        return output;
    }
}
