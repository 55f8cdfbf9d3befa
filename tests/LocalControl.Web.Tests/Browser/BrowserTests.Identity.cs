using System.Net;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LocalControl.Web.Tests.Browser;

public sealed partial class BrowserTests
{
    [Fact]
    public async Task A_coordinator_enters_the_identity_refused_at_the_date_first_a_viewer_sees_it_masked_and_the_mrn_search_finds_the_case()
    {
        var caseId = "BI-" + Guid.NewGuid().ToString("N")[..8];
        var api = await app.SignInAsync("clinician1");
        var created = await api.PostAsync("/api/cases", new StringContent(TestCases.Json(TestCases.Liver(caseId)), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var page = await SignedInPageAsync("coordinator1");
        await page.GotoAsync($"/cases/{caseId}");
        var section = page.Locator("section.identity");
        await Assertions.Expect(section.Locator("[data-identity-mrn]")).ToHaveTextAsync("not recorded");
        // No identity yet: the form is open.
        await page.GetByLabel("MRN", new() { Exact = true }).FillAsync("bx-2207 4415");
        await page.GetByLabel("Family name").FillAsync("Kowalczyk");
        await page.GetByLabel("Given names").FillAsync("Zofia Anna");
        await page.GetByLabel("Date of birth").FillAsync(DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Sex").SelectOptionAsync("female");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save identity" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-error-for='Identity.BirthDate']")).ToContainTextAsync("date of birth is in the future");
        await Assertions.Expect(page.GetByLabel("Date of birth")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByLabel("Family name")).ToHaveValueAsync("Kowalczyk"); // what was typed is kept
        await section.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(Screenshots, "20-identity-refused-at-date.png") });

        await page.GetByLabel("Date of birth").FillAsync("1958-09-30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save identity" }).ClickAsync();
        await AtAsync(page, $"/cases/{caseId}#h-identity");
        await Assertions.Expect(section.Locator("[data-identity-mrn]")).ToHaveTextAsync("BX22074415");
        await Assertions.Expect(section.Locator("[data-identity-name]")).ToHaveTextAsync("KOWALCZYK, Zofia Anna");
        await Assertions.Expect(section.Locator("[data-identity-birth]")).ToHaveTextAsync("1958-09-30");
        await Assertions.Expect(section.Locator("[data-identity-sex]")).ToHaveTextAsync("female");
        await section.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(Screenshots, "21-identity-coordinator.png") });

        // Found by MRN, typed another way, from the case list.
        await page.GotoAsync("/cases");
        await page.GetByLabel("MRN", new() { Exact = true }).FillAsync("BX.2207.4415");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find patient" }).ClickAsync();
        await Assertions.Expect(page.Locator("table.grid tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("table.grid tbody tr td").First).ToHaveTextAsync(caseId);
        await Assertions.Expect(page.Locator("table.grid [data-identity-name]")).ToHaveTextAsync("KOWALCZYK, Zofia Anna");
        Assert.DoesNotContain("BX", page.Url, StringComparison.OrdinalIgnoreCase); // never in the address
        await ShotAsync(page, "22-mrn-search");

        // A viewer: masked, no form, no MRN search.
        var viewer = await SignedInPageAsync("viewer1");
        await Assertions.Expect(viewer.GetByRole(AriaRole.Button, new() { Name = "Find patient" })).ToHaveCountAsync(0);
        await viewer.GotoAsync($"/cases/{caseId}");
        var masked = viewer.Locator("section.identity");
        await Assertions.Expect(masked.Locator("[data-identity-mrn]")).ToHaveTextAsync("••••4415");
        await Assertions.Expect(masked.Locator("[data-identity-name]")).ToHaveTextAsync("Z. A. K.");
        await Assertions.Expect(masked.Locator("[data-identity-birth]")).ToHaveTextAsync("hidden");
        await Assertions.Expect(viewer.Locator("#identity-form")).ToHaveCountAsync(0);
        var text = await viewer.Locator("main").InnerTextAsync();
        Assert.DoesNotContain("Kowalczyk", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("1958", text, StringComparison.Ordinal);
        await masked.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(Screenshots, "23-identity-viewer-masked.png") });
    }
}
