using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LocalControl.Web.Tests.Browser;

public sealed partial class BrowserTests
{
    [Fact]
    public async Task A_clinician_fills_the_case_form_sees_errors_at_their_fields_switches_to_json_and_back_and_saves()
    {
        var caseId = "BF-" + Guid.NewGuid().ToString("N")[..8];
        var page = await SignedInPageAsync("clinician1");
        var violations = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(m.Text);
            }
        };
        await page.GotoAsync("/cases/new");
        // The form is the default tab.
        await Assertions.Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Form" })).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(page.Locator("#CaseFileJson")).ToBeHiddenAsync();

        await page.GetByLabel("Case id").FillAsync(caseId);
        await page.GetByLabel("Age").FillAsync("64");
        await page.GetByLabel("ECOG performance status").FillAsync("1");
        // Clinical words are mapped to the format's codes, visibly.
        await page.GetByLabel("RAS (KRAS/NRAS)").FillAsync("wild type");
        await Assertions.Expect(page.Locator("#f-ras-msg [data-note]")).ToHaveTextAsync("wild type → wild-type");
        await page.GetByLabel("MSI / MMR").FillAsync("MSI-high");
        await Assertions.Expect(page.Locator("#f-msi-msg [data-note]")).ToHaveTextAsync("MSI-high → msi-high");
        await page.GetByLabel("Primary site").FillAsync("sigmoid");
        await Assertions.Expect(page.Locator("#f-site-msg [data-note]")).ToHaveTextAsync("sigmoid → colon");
        await page.GetByLabel("Primary node-positive (N+)").SelectOptionAsync("true");
        await page.GetByLabel("CEA").FillAsync("12.5");
        await page.GetByLabel("Disease-free interval").FillAsync("18");

        // One line of therapy, best response typed in words.
        await page.GetByLabel("Lines of therapy").SelectOptionAsync("listed");
        await page.GetByRole(AriaRole.Button, new() { Name = "+ line of therapy" }).ClickAsync();
        await page.Locator("#f-t0-regimen").FillAsync("FOLFOX");
        await page.Locator("#f-t0-oxali").SelectOptionAsync("true");
        await page.Locator("#f-t0-progressed").SelectOptionAsync("false");
        // A word that maps to nothing is an error at its field (the form's note and the reader's message), never a guess.
        await page.Locator("#f-t0-response").FillAsync("better");
        await Assertions.Expect(page.Locator("#f-t0-response-msg [data-note]")).ToContainTextAsync("not a word LocalControl maps");
        await page.Locator("#f-t0-response").FillAsync("stable disease");
        await Assertions.Expect(page.Locator("#f-t0-response-msg [data-note]")).ToHaveTextAsync("stable disease → stable-disease");

        // A liver lesion with a size of 0: the reader's message appears next to that lesion's size field.
        await page.GetByRole(AriaRole.Button, new() { Name = "+ liver lesion (form)" }).ClickAsync();
        // The mappings stay shown when the form is redrawn (a lesion added).
        await Assertions.Expect(page.Locator("#f-ras-msg [data-note]")).ToHaveTextAsync("wild type → wild-type");
        await Assertions.Expect(page.Locator("#f-t0-response-msg [data-note]")).ToHaveTextAsync("stable disease → stable-disease");
        await page.Locator("#f-l0-size").FillAsync("0");
        await Assertions.Expect(page.Locator("#f-l0-size-msg [data-problem] .errors")).ToHaveTextAsync("must be > 0");
        await Assertions.Expect(page.Locator("#validation [data-errors]")).ToContainTextAsync("lesions[0].longestDiameterMm");
        await ShotAsync(page, "09-case-form-inline-error");
        await page.Locator("#f-l0-size").FillAsync("22");
        await page.Locator("#f-l0-location").FillAsync("segment 7");
        await page.Locator("#f-l0-vessel").FillAsync("8");
        await page.Locator("#f-l0-calibre").FillAsync("5");
        await page.Locator("#f-l0-hilum").FillAsync("30");
        await page.Locator("#f-l0-adj-known").SelectOptionAsync("assessed");
        await page.GetByLabel("diaphragm").CheckAsync();
        await page.Locator("#f-l0-vis-ultrasound").SelectOptionAsync("conspicuous");
        await page.Locator("#f-l0-vis-ct").SelectOptionAsync("poor");
        await page.Locator("#f-l0-surgical").SelectOptionAsync("resectable");
        await Assertions.Expect(page.Locator("#validation [data-valid]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#f-l0-size-msg [data-problem]")).ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("table[data-preview-for='L1'] tr[data-therapy]").First).ToBeVisibleAsync();

        // Switch to JSON: the form's edits are there; edit there (a field the form shows, fields it does not show).
        await page.GetByRole(AriaRole.Tab, new() { Name = "JSON (advanced)" }).ClickAsync();
        var doc = JsonNode.Parse(await page.Locator("#CaseFileJson").InputValueAsync())!.AsObject();
        Assert.Equal("stable-disease", doc["patient"]!["priorSystemicTherapy"]![0]!["bestResponse"]!.GetValue<string>());
        Assert.Equal("wild-type", doc["patient"]!["rasStatus"]!.GetValue<string>());
        Assert.Equal(22, doc["lesions"]![0]!["longestDiameterMm"]!.GetValue<double>());
        doc["patient"]!["ecog"] = 2;
        doc["referringHospital"] = "St Elsewhere";
        doc["lesions"]![0]!["volumeMl"] = 4.2;
        doc["lesions"]![0]!["measuredFields"] = new JsonArray("volumeMl");
        await page.Locator("#CaseFileJson").FillAsync(TestCases.Json(doc));

        // Back to the form: the JSON edit shows; a form edit then keeps the fields the form does not show.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Form" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("ECOG performance status")).ToHaveValueAsync("2");
        await Assertions.Expect(page.Locator("#f-l0-size")).ToHaveValueAsync("22");
        await page.GetByLabel("CEA").FillAsync("13");
        await page.GetByRole(AriaRole.Tab, new() { Name = "JSON (advanced)" }).ClickAsync();
        var after = JsonNode.Parse(await page.Locator("#CaseFileJson").InputValueAsync())!.AsObject();
        Assert.Equal("St Elsewhere", after["referringHospital"]!.GetValue<string>());
        Assert.Equal(4.2, after["lesions"]![0]!["volumeMl"]!.GetValue<double>());
        Assert.Equal(13, after["patient"]!["cea"]!.GetValue<double>());
        Assert.Equal(2, after["patient"]!["ecog"]!.GetValue<int>());
        await page.GetByRole(AriaRole.Tab, new() { Name = "Form" }).ClickAsync();
        await ShotAsync(page, "10-case-form-filled");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save case" }).ClickAsync();
        await AtAsync(page, $"/cases/{caseId}");

        // The same case typed as JSON (written by hand here) gives the same stored case file.
        var expected = new JsonObject
        {
            ["caseId"] = caseId + "-json",
            ["referringHospital"] = "St Elsewhere",
            ["patient"] = new JsonObject
            {
                ["ageYears"] = 64, ["ecog"] = 2, ["rasStatus"] = "wild-type", ["msiStatus"] = "msi-high",
                ["primary"] = new JsonObject { ["site"] = "colon", ["nodePositive"] = true },
                ["cea"] = 13, ["diseaseFreeIntervalMonths"] = 18,
                ["priorSystemicTherapy"] = new JsonArray(new JsonObject
                {
                    ["line"] = 1, ["regimen"] = "FOLFOX", ["containsOxaliplatin"] = true, ["bestResponse"] = "stable-disease", ["progressed"] = false,
                }),
            },
            ["lesions"] = new JsonArray(new JsonObject
            {
                ["id"] = "L1", ["organ"] = "liver", ["location"] = "segment 7", ["longestDiameterMm"] = 22,
                ["distanceToLargeVesselMm"] = 8, ["largeVesselCalibreMm"] = 5, ["distanceToHilumMm"] = 30,
                ["adjacentStructures"] = new JsonArray("diaphragm"),
                ["visibility"] = new JsonObject { ["ultrasound"] = "conspicuous", ["ct"] = "poor" },
                ["surgicalAssessment"] = "resectable", ["volumeMl"] = 4.2, ["measuredFields"] = new JsonArray("volumeMl"),
            }),
        };
        var api = await app.SignInAsync("clinician1");
        var posted = await api.PostAsync("/api/cases", new StringContent(TestCases.Json(expected), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, posted.StatusCode);
        var viaForm = (await api.GetFromJsonAsync<JsonObject>($"/api/cases/{caseId}"))!["caseFile"]!.AsObject();
        var viaJson = (await api.GetFromJsonAsync<JsonObject>($"/api/cases/{caseId}-json"))!["caseFile"]!.AsObject();
        viaForm.Remove("caseId");
        viaJson.Remove("caseId");
        Assert.True(JsonNode.DeepEquals(viaJson, viaForm), $"form: {viaForm.ToJsonString()}\njson: {viaJson.ToJsonString()}");
        Assert.Empty(violations);
    }
}
