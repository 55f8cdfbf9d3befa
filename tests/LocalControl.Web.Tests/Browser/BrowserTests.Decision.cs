using System.Net;
using System.Text;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LocalControl.Web.Tests.Browser;

public sealed partial class BrowserTests
{
    [Fact]
    public async Task A_clinician_records_a_decision_of_two_strategies_with_attendees_and_signs_it_off()
    {
        var caseId = "MS-" + Guid.NewGuid().ToString("N")[..6];
        var api = await app.SignInAsync("clinician1");
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/cases", new StringContent(TestCases.Json(TestCases.Liver(caseId)), Encoding.UTF8, "application/json"))).StatusCode);

        var page = await SignedInPageAsync("clinician1");
        var csp = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                csp.Add(m.Text);
            }
        };
        await page.GotoAsync($"/cases/{caseId}/decide");
        await page.Locator("input[name=Intent][value=curative]").CheckAsync();

        // Strategy 1: systemic therapy, then resection of L1 plus MWA of L2.
        var s1 = page.Locator("[data-strategy-form='1']");
        await s1.GetByLabel("Strategy 1 step 1: therapy or action").SelectOptionAsync("systemic");
        await s1.GetByLabel("Strategy 1 step 2: therapy or action").SelectOptionAsync("resection");
        await s1.Locator("[data-step-form='2'] input[value='L1']").CheckAsync();
        await s1.GetByLabel("Strategy 1 step 3: then or plus").SelectOptionAsync("plus");
        await s1.GetByLabel("Strategy 1 step 3: therapy or action").SelectOptionAsync("mwa");
        await s1.Locator("[data-step-form='3'] input[value='L2']").CheckAsync();
        // Strategy 2, disease control: systemic, then re-image both lesions (what and when forgotten at first).
        var s2 = page.Locator("[data-strategy-form='2']");
        await s2.GetByLabel("Intent of this strategy").SelectOptionAsync("disease-control");
        await s2.GetByLabel("Strategy 2 step 1: therapy or action").SelectOptionAsync("systemic");
        await s2.GetByLabel("Strategy 2 step 2: therapy or action").SelectOptionAsync("re-image");
        await s2.Locator("[data-step-form='2'] input[value='L1']").CheckAsync();
        await s2.Locator("[data-step-form='2'] input[value='L2']").CheckAsync();
        // Attendees: two users with their discipline, and a guest.
        await page.Locator("input[name=AttendeeUser][value=clinician1]").CheckAsync();
        await page.GetByLabel("Discipline of Test clinician").FillAsync("hepatobiliary surgery");
        await page.Locator("input[name=AttendeeUser][value=coordinator1]").CheckAsync();
        await page.GetByLabel("Discipline of Test coordinator").FillAsync("medical oncology");
        await page.GetByLabel("Guests (names and disciplines, not users of the app)").FillAsync("Dr G (pathology, visiting)");
        await page.GetByLabel("Rationale").FillAsync("Conversion chemotherapy; local treatment of both lesions if they respond.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record decision" }).ClickAsync();

        // Refused at the row, everything typed kept.
        var row = page.Locator("[data-strategy-form='2'] [data-step-form='2']");
        await Assertions.Expect(row.Locator(".field-error")).ToContainTextAsync("re-image needs what and when");
        await Assertions.Expect(page.Locator("[data-strategy-form='1'] [data-step-form='3'] select[data-therapy-select]")).ToHaveValueAsync("mwa");
        await Assertions.Expect(page.GetByLabel("Discipline of Test coordinator")).ToHaveValueAsync("medical oncology");
        await page.Locator("form.decision-form").ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "40-decision-refused-at-the-row.png") });
        await row.GetByLabel("Strategy 2 step 2: what and when").FillAsync("liver MRI with contrast after 4 cycles");
        await page.Locator("form.decision-form").ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "41-decision-form-two-strategies.png") });
        await page.GetByRole(AriaRole.Button, new() { Name = "Record decision" }).ClickAsync();
        await AtAsync(page, $"/cases/{caseId}#h-decisions");

        var decision = page.Locator("article.decision");
        await Assertions.Expect(decision).ToHaveCountAsync(1);
        await Assertions.Expect(decision.Locator("[data-strategy='1'] [data-strategy-text]")).ToHaveTextAsync("Systemic therapy (patient), then Resection of L1 plus MWA of L2");
        await Assertions.Expect(decision.Locator("[data-strategy='2']")).ToContainTextAsync("Strategy 2 (disease-control intent):");
        await Assertions.Expect(decision.Locator("[data-strategy='2'] [data-strategy-text]")).ToHaveTextAsync("Systemic therapy (patient), then Re-image L1, L2: liver MRI with contrast after 4 cycles");
        await Assertions.Expect(decision.Locator("tr[data-attendee='clinician1'] [data-signoff]")).ToHaveTextAsync("not signed off");
        await Assertions.Expect(decision.Locator("[data-guests]")).ToHaveTextAsync("Dr G (pathology, visiting)");
        // The decision first: the strategies stand above the attendees, which stand above the rationale.
        var strategiesBox = await decision.Locator("[data-strategies]").BoundingBoxAsync();
        var attendeesBox = await decision.Locator("[data-attendees-table]").BoundingBoxAsync();
        var rationaleBox = await decision.Locator("[data-rationale]").BoundingBoxAsync();
        Assert.True(strategiesBox!.Y < attendeesBox!.Y && attendeesBox.Y < rationaleBox!.Y);
        await decision.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "42-decision-two-strategies.png") });

        // The clinician signs off, for themselves; the coordinator's line stays unsigned.
        await decision.GetByRole(AriaRole.Button, new() { Name = "Sign off this decision as Test clinician" }).ClickAsync();
        await Assertions.Expect(page.Locator("article.decision tr[data-attendee='clinician1'] [data-signoff]")).ToContainTextAsync("signed off 20");
        await Assertions.Expect(page.Locator("article.decision tr[data-attendee='coordinator1'] [data-signoff]")).ToHaveTextAsync("not signed off");
        await Assertions.Expect(page.Locator("article.decision .signoff-form")).ToHaveCountAsync(0);
        await page.Locator("article.decision").ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "43-decision-signed-off.png") });
        Assert.Empty(csp);
    }
}
