using System.Net;
using System.Text;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LocalControl.Web.Tests.Browser;

public sealed partial class BrowserTests
{
    [Fact]
    public async Task A_coordinator_creates_the_next_meeting_puts_cases_on_it_in_order_and_the_home_page_shows_it()
    {
        var clinician = await app.SignInAsync("clinician1");
        var ids = new[] { "WL-" + Guid.NewGuid().ToString("N")[..6], "WL-" + Guid.NewGuid().ToString("N")[..6] };
        foreach (var id in ids)
        {
            var file = TestCases.Liver(id);
            if (id == ids[1])
            {
                file["patient"]!.AsObject().Remove("rasStatus");
            }
            Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(file), Encoding.UTF8, "application/json"))).StatusCode);
        }

        var page = await SignedInPageAsync("coordinator1");
        await page.GotoAsync("/meetings");
        // Today: the earliest a meeting can be, so it is the next one whatever other tests of this class created.
        var today = DateOnly.FromDateTime(app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        await page.Locator("#meeting-form input[name=Date]").FillAsync(today.ToString("yyyy-MM-dd"));
        await page.Locator("#meeting-form input[name=Kind]").FillAsync("liver MDT");
        await page.Locator("#meeting-form textarea[name=Attendees]").FillAsync("Dr A (surgery), Dr B (IR), Dr C (oncology)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create meeting" }).ClickAsync();
        await Assertions.Expect(page.Locator("#add-case-form")).ToBeVisibleAsync();
        foreach (var id in ids)
        {
            await page.Locator("#add-case-form input[name=CaseId]").FillAsync(id);
            await page.GetByRole(AriaRole.Button, new() { Name = "Add to this meeting" }).ClickAsync();
            await Assertions.Expect(page.Locator($"tr[data-case-id='{id}']")).ToBeVisibleAsync();
        }
        await page.GetByRole(AriaRole.Button, new() { Name = $"Move {ids[1]} up" }).ClickAsync();
        await Assertions.Expect(page.Locator("tbody tr").First).ToHaveAttributeAsync("data-case-id", ids[1]);
        await ShotAsync(page, "30-meeting-worklist");
        await page.GotoAsync("/meetings");
        await ShotAsync(page, "31-meetings");

        await page.GotoAsync("/");
        var rows = page.Locator("table.worklist-table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0)).ToHaveAttributeAsync("data-case-id", ids[1]);
        await Assertions.Expect(rows.Nth(1)).ToHaveAttributeAsync("data-case-id", ids[0]);
        await Assertions.Expect(rows.Nth(0).Locator("td.missing")).ToContainTextAsync("RAS status");
        await ShotAsync(page, "32-worklist-home");
    }
}
