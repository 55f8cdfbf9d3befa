using System.Text.Json.Nodes;
using LocalControl.Registry;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LocalControl.Web.Tests.Browser;

/// <summary>
/// Debian's Chromium, driven by Playwright, against the app on Kestrel: what a clinician does at the board meeting.
/// Screenshots go to artifacts/screenshots under the test output folder. Playwright never downloads a browser here.
/// </summary>
public sealed partial class BrowserTests(KestrelSqliteApp app) : IClassFixture<KestrelSqliteApp>, IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} not found: install Debian's chromium (./test.sh does).");
        }
        Directory.CreateDirectory(Screenshots);
        // The machine running the tests may be busy (CI with 2 cores): generous waits, never fixed sleeps.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
    }

    private async Task<IPage> SignedInPageAsync(string user)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString().TrimEnd('/'), ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/cases");
        Assert.Contains("/account/login", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("User name").FillAsync(user);
        await page.GetByLabel("Password").FillAsync(LocalControlApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await AtAsync(page, "/cases");
        }
        catch (PlaywrightException)
        {
            await ShotAsync(page, "failed-sign-in-" + user);
            throw new InvalidOperationException($"Sign-in as {user} did not reach /cases; at {page.Url}: {await page.Locator("main").InnerTextAsync()}");
        }
        return page;
    }

    // Polls the address until it ends with the path (a click's navigation may finish before or after this call).
    private static Task AtAsync(IPage page, string pathAndFragment) =>
        Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(pathAndFragment) + "$"));

    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    [Fact]
    public async Task A_clinician_creates_a_case_adds_lesions_sees_the_options_records_a_decision_and_prints()
    {
        var caseId = "BR-" + Guid.NewGuid().ToString("N")[..8];
        var page = await SignedInPageAsync("clinician1");
        await ShotAsync(page, "01-case-list");

        // Create: a case file with patient data and no lesion yet is invalid, with the reader's message.
        await page.GetByRole(AriaRole.Link, new() { Name = "New case" }).ClickAsync();
        await AtAsync(page, "/cases/new");
        // The form is the default tab; this test types the case file as JSON (the advanced tab).
        await page.GetByRole(AriaRole.Tab, new() { Name = "JSON (advanced)" }).ClickAsync();
        var caseFile = TestCases.Liver(caseId);
        caseFile["lesions"] = new JsonArray();
        await page.Locator("#CaseFileJson").FillAsync(TestCases.Json(caseFile));
        await Assertions.Expect(page.Locator("#validation [data-errors]")).ToContainTextAsync("must list at least one lesion");

        // Add lesions with the editor's buttons: the options appear for each, live.
        await page.GetByRole(AriaRole.Button, new() { Name = "+ liver lesion" }).ClickAsync();
        await Assertions.Expect(page.Locator("table[data-preview-for='L1'] tr[data-therapy]").First).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "+ lung lesion" }).ClickAsync();
        await Assertions.Expect(page.Locator("table[data-preview-for='L2'] tr[data-therapy]").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#validation [data-valid]")).ToBeVisibleAsync();
        // Typing a measurement updates the options too (the lung lesion gets a diameter).
        var text = await page.Locator("#CaseFileJson").InputValueAsync();
        var doc = JsonNode.Parse(text)!.AsObject();
        doc["lesions"]![1]!["longestDiameterMm"] = 14;
        doc["lesions"]![0]!["longestDiameterMm"] = 22;
        await page.Locator("#CaseFileJson").FillAsync(TestCases.Json(doc));
        await Assertions.Expect(page.Locator("table[data-preview-for='L2']")).ToBeVisibleAsync();
        await ShotAsync(page, "02-editor-live-options");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save case" }).ClickAsync();
        await AtAsync(page, $"/cases/{caseId}");

        // The case page: the option matrix per lesion and for the patient, evidence on click.
        await Assertions.Expect(page.Locator("[data-case-id]")).ToHaveTextAsync(caseId);
        await Assertions.Expect(page.Locator("table[data-options='lesion-L1'] tr[data-therapy]").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("table[data-options='lesion-L2'] tr[data-therapy]").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("table[data-options='patient'] tr[data-therapy]").First).ToBeVisibleAsync();
        await ShotAsync(page, "03-case-page");
        var evidence = page.Locator("button.ev").First;
        var target = await evidence.GetAttributeAsync("popovertarget");
        await evidence.ClickAsync();
        await Assertions.Expect(page.Locator($"#{target}")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"#{target} .citation")).Not.ToBeEmptyAsync();
        await ShotAsync(page, "04-evidence-popover");
        await page.Keyboard.PressAsync("Escape");

        // The decision form.
        await page.GetByRole(AriaRole.Link, new() { Name = "Record decision" }).ClickAsync();
        await AtAsync(page, $"/cases/{caseId}/decide");
        await page.Locator("input[name=Intent][value=curative]").CheckAsync();
        // Strategy 1, step 1: the first lesion therapy the engine listed, for L1 (ticked).
        var step = page.Locator("[data-strategy-form='1'] [data-step-form='1']");
        var first = step.Locator("select[data-therapy-select] optgroup[label='For the lesions ticked'] option").First;
        var firstTherapy = await first.GetAttributeAsync("value");
        var firstName = (await first.TextContentAsync())!.Split(" — ")[0].Trim();
        await step.Locator("select[data-therapy-select]").SelectOptionAsync(firstTherapy!);
        await step.Locator("input[type=checkbox][value='L1']").CheckAsync();
        await page.GetByLabel("Rationale").FillAsync("Board agrees on local treatment of L1; L2 to be re-imaged.");
        await page.GetByLabel("Guests (names and disciplines, not users of the app)").FillAsync("Dr A (surgery), Dr B (IR), Dr C (oncology)");
        await ShotAsync(page, "05-decision-form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record decision" }).ClickAsync();
        await AtAsync(page, $"/cases/{caseId}#h-decisions");

        // Reload: the decision is there, from the database.
        await page.ReloadAsync();
        var decision = page.Locator("article.decision");
        await Assertions.Expect(decision).ToHaveCountAsync(1);
        await Assertions.Expect(decision.Locator("[data-intent]")).ToHaveTextAsync("curative");
        await Assertions.Expect(decision.Locator("[data-strategy-text]")).ToHaveTextAsync($"{firstName} of L1");
        await Assertions.Expect(decision.Locator("[data-rationale]")).ToHaveTextAsync("Board agrees on local treatment of L1; L2 to be re-imaged.");
        await Assertions.Expect(page.Locator(".status")).ToHaveTextAsync("Discussed");
        await ShotAsync(page, "06-decision-persisted");
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            var stored = await db.Decisions.Where(d => d.Case!.CaseId == caseId).SingleAsync();
            Assert.Equal("clinician1", stored.RecordedBy);
            Assert.Contains("\"lesions\"", stored.AssessmentJson, StringComparison.Ordinal);
        }

        // The printable summary, rendered for print media, and as a PDF by the browser.
        await page.GetByRole(AriaRole.Link, new() { Name = "Print summary" }).ClickAsync();
        await AtAsync(page, $"/cases/{caseId}/print");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Tumour-board summary");
        await Assertions.Expect(page.Locator("header.top")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("article.decision")).ToBeVisibleAsync();
        await ShotAsync(page, "07-print-view");
        var pdf = await page.PdfAsync(new PagePdfOptions { Path = Path.Combine(Screenshots, "07-print-view.pdf"), Format = "A4" });
        Assert.True(pdf.Length > 1000);
    }

    [Fact]
    public async Task A_clinician_uploads_a_ct_and_a_label_map_and_scrolls_through_the_slices()
    {
        var clinician = await app.SignInAsync("clinician1");
        var caseId = "BI-" + Guid.NewGuid().ToString("N")[..8];
        var created = await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(TestCases.Liver(caseId)), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var folder = Directory.CreateTempSubdirectory("lc-bimg-").FullName;
        try
        {
            // A synthetic abdomen: 96 x 96 x 24, soft tissue 40 HU in a disc, a 12 mm "lesion" (label 1) at 90 HU.
            const int n = 96, slices = 24;
            var geometry = LocalControl.Imaging.Geometry.ImageGeometry.AxisAligned(new(n, n, slices), new(1, 1, 2));
            var hu = new float[n * n * slices];
            var labels = new byte[n * n * slices];
            for (var k = 0; k < slices; k++)
            {
                for (var j = 0; j < n; j++)
                {
                    for (var i = 0; i < n; i++)
                    {
                        var index = (k * n + j) * n + i;
                        var body = (i - 48) * (i - 48) + (j - 48) * (j - 48) < 40 * 40;
                        var lesion = (i - 60) * (i - 60) + (j - 40) * (j - 40) + (2 * (k - 12)) * (2 * (k - 12)) < 6 * 6;
                        hu[index] = lesion ? 90 : body ? 40 : -1000;
                        labels[index] = (byte)(lesion ? 1 : 0);
                    }
                }
            }
            var ct = Path.Combine(folder, "ct.nii.gz");
            var lab = Path.Combine(folder, "labels.nii.gz");
            LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(ct, new LocalControl.Imaging.Volumes.Volume<float>(geometry, hu));
            LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(lab, new LocalControl.Imaging.Volumes.Volume<byte>(geometry, labels));

            var page = await SignedInPageAsync("clinician1");
            await page.GotoAsync($"/cases/{caseId}");
            await page.GetByRole(AriaRole.Link, new() { Name = "Images" }).ClickAsync();
            await AtAsync(page, $"/cases/{caseId}/images");
            foreach (var (file, kind) in new[] { (ct, "image"), (lab, "labels") })
            {
                await page.Locator("input[name=Upload]").SetInputFilesAsync(file);
                await page.Locator("select[name=Kind]").SelectOptionAsync(kind);
                await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
                await Assertions.Expect(page.Locator("tr[data-image-id]")).ToHaveCountAsync(kind == "image" ? 1 : 2);
            }
            // The viewer opens on the middle slice with the overlay; the keyboard scrolls; a preset changes the window.
            await Assertions.Expect(page.Locator("#slice-out")).ToHaveTextAsync("12 / 23");
            await Assertions.Expect(page.Locator("#overlay-img")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("/slices/12\\.png"));
            await page.Locator(".stage").FocusAsync();
            await page.Keyboard.PressAsync("ArrowUp");
            await Assertions.Expect(page.Locator("#base-img")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("/slices/13\\.png\\?c=40&w=400"));
            await page.Locator("#preset").SelectOptionAsync("60,160");
            await Assertions.Expect(page.Locator("#base-img")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("/slices/13\\.png\\?c=60&w=160"));
            await page.Keyboard.PressAsync("ArrowDown");
            await Assertions.Expect(page.Locator("#slice-out")).ToHaveTextAsync("12 / 23");
            await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.stage img')].every(i => i.complete && i.naturalWidth === 96)");
            await ShotAsync(page, "09-image-viewer");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_viewer_shows_an_lps_and_a_ras_stored_ct_the_same_way_round_and_refuses_a_label_map_from_elsewhere()
    {
        var clinician = await app.SignInAsync("clinician1");
        var caseId = "BO-" + Guid.NewGuid().ToString("N")[..8];
        var created = await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(TestCases.Liver(caseId)), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var folder = Directory.CreateTempSubdirectory("lc-bori-").FullName;
        try
        {
            // One patient, 64 × 64 × 8 voxels of 1 × 1 × 2.5 mm centred on the origin: body 40 HU, a bright block
            // (1000 HU) in the patient's right-anterior (x −26..−16, y −26..−16: LPS), a "spine" (700 HU) posterior in
            // the midline (x −4..4, y 18..28). Stored twice: LPS-first (i → left) and RAS-first (i → right, j → anterior).
            const int n = 64, slices = 8;
            static float Hu(LocalControl.Imaging.Geometry.Vector3D p) =>
                p.X is >= -26 and <= -16 && p.Y is >= -26 and <= -16 ? 1000
                : p.X is >= -4 and <= 4 && p.Y is >= 18 and <= 28 ? 700
                : p.X * p.X + p.Y * p.Y < 30 * 30 ? 40 : -1000;
            var size = new LocalControl.Imaging.Geometry.VolumeSize(n, n, slices);
            var spacing = new LocalControl.Imaging.Geometry.Vector3D(1, 1, 2.5);
            var lps = new LocalControl.Imaging.Geometry.ImageGeometry(size, spacing, new(-31.5, -31.5, -8.75), LocalControl.Imaging.Geometry.Matrix3D.Identity);
            var ras = new LocalControl.Imaging.Geometry.ImageGeometry(size, spacing, new(31.5, 31.5, -8.75), new LocalControl.Imaging.Geometry.Matrix3D(-1, 0, 0, 0, -1, 0, 0, 0, 1));
            // A label map on a coarser grid (2 × 2 × 5 mm) holding label 1 on the block, and one 1 m away (no overlap).
            var labelGrid = new LocalControl.Imaging.Geometry.ImageGeometry(new(32, 32, 4), new(2, 2, 5), new(-31, -31, -7.5), LocalControl.Imaging.Geometry.Matrix3D.Identity);
            var farGrid = new LocalControl.Imaging.Geometry.ImageGeometry(new(32, 32, 4), new(2, 2, 5), new(1000, -31, -7.5), LocalControl.Imaging.Geometry.Matrix3D.Identity);
            string Write<T>(string name, LocalControl.Imaging.Geometry.ImageGeometry g, Func<LocalControl.Imaging.Geometry.Vector3D, T> value) where T : unmanaged
            {
                var volume = new LocalControl.Imaging.Volumes.Volume<T>(g);
                for (var k = 0; k < g.Size.K; k++)
                {
                    for (var j = 0; j < g.Size.J; j++)
                    {
                        for (var i = 0; i < g.Size.I; i++)
                        {
                            volume[i, j, k] = value(g.IndexToPointLps(i, j, k));
                        }
                    }
                }
                var path = Path.Combine(folder, name);
                LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(path, volume);
                return path;
            }
            byte Block(LocalControl.Imaging.Geometry.Vector3D p) => (byte)(Hu(p) == 1000 ? 1 : 0);
            var files = new[]
            {
                (Write("ct-lps.nii.gz", lps, Hu), "image"), (Write("ct-ras.nii.gz", ras, Hu), "image"),
                (Write("block-labels.nii.gz", labelGrid, Block), "labels"), (Write("elsewhere-labels.nii.gz", farGrid, Block), "labels"),
            };

            var page = await SignedInPageAsync("clinician1");
            await page.GotoAsync($"/cases/{caseId}/images");
            var uploaded = 0;
            foreach (var (file, kind) in files)
            {
                await page.Locator("input[name=Upload]").SetInputFilesAsync(file);
                await page.Locator("select[name=Kind]").SelectOptionAsync(kind);
                await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
                await Assertions.Expect(page.Locator("tr[data-image-id]")).ToHaveCountAsync(++uploaded);
            }
            var ids = await page.Locator("tr[data-image-id]").EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.imageId))");
            Array.Sort(ids);
            var (lpsId, rasId, labelsId, farId) = (ids[0], ids[1], ids[2], ids[3]);

            // The block's centre (−21, −21) and the spine's (0, 23) in LPS, as fractions of the axial picture: the field
            // spans x −31.5..31.5 left → right on screen (patient right on the left) and y −31.5..31.5 top → bottom
            // (anterior up), pixel edges half a millimetre further out.
            static (double X, double Y) Fraction(double xLps, double yLps) => ((xLps + 32) / 64, (yLps + 32) / 64);
            async Task<SkiaSharp.SKBitmap> StageAsync(string name)
            {
                await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.stage img')].filter(i => !i.hidden).every(i => i.complete && i.naturalWidth === 64)");
                var png = await page.Locator("#base-img").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png") });
                return SkiaSharp.SKBitmap.Decode(png);
            }
            static SkiaSharp.SKColor At(SkiaSharp.SKBitmap shot, (double X, double Y) f) => shot.GetPixel((int)(f.X * shot.Width), (int)(f.Y * shot.Height));

            await page.Locator("#overlay").SelectOptionAsync("");
            foreach (var (id, name) in new[] { (lpsId, "11-viewer-axial-lps-stored"), (rasId, "12-viewer-axial-ras-stored") })
            {
                await page.Locator("#base").SelectOptionAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await Assertions.Expect(page.Locator("#base-img")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex($"/images/{id}/slices/4\\.png"));
                await Assertions.Expect(page.Locator("#edge-left")).ToHaveTextAsync("R");
                await Assertions.Expect(page.Locator("#edge-top")).ToHaveTextAsync("A");
                using var shot = await StageAsync(name);
                // Block top-left (patient right-anterior), bright; its mirror images dark grey body; spine at the bottom.
                Assert.True(At(shot, Fraction(-21, -21)).Red > 240, $"{name}: the right-anterior block must be at the top left");
                Assert.InRange(At(shot, Fraction(18, -18)).Red, (byte)100, (byte)160); // 40 HU in W400/C40: grey 128
                Assert.InRange(At(shot, Fraction(-18, 18)).Red, (byte)100, (byte)160);
                Assert.True(At(shot, Fraction(0, 23)).Red > 240, $"{name}: the spine (700 HU, white in W400) must be at the bottom centre");
                Assert.InRange(At(shot, Fraction(0, -23)).Red, (byte)100, (byte)160); // anterior midline: body
            }

            // The block label map, on a 2 mm grid, lands on the block of the RAS-stored CT (drawn through patient space).
            await page.Locator("#overlay").SelectOptionAsync(labelsId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Assertions.Expect(page.Locator("#overlay-img")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex($"/images/{labelsId}/slices/4\\.png\\?on={rasId}&plane=axial"));
            await Assertions.Expect(page.Locator("#overlay-refused")).ToBeHiddenAsync();
            using (var shot = await StageAsync("13-viewer-label-map-on-ras-ct"))
            {
                var onBlock = At(shot, Fraction(-21, -21));
                Assert.True(onBlock.Red > 200 && onBlock.Green < 180, $"the label colour (red) must cover the block: {onBlock}");
                var mirror = At(shot, Fraction(18, -18));
                Assert.True(Math.Abs(mirror.Red - mirror.Green) < 10, $"nothing on the mirrored side: {mirror}");
            }

            // A label map with no overlap in patient space is refused, with the reason on the page; nothing is drawn.
            await page.Locator("#overlay").SelectOptionAsync(farId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Assertions.Expect(page.Locator("#overlay-refused")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#overlay-refused")).ToContainTextAsync("does not overlap the image");
            await Assertions.Expect(page.Locator("#overlay-img")).ToBeHiddenAsync();
            await ShotAsync(page, "14-viewer-overlay-refused");
            var refused = await clinician.GetAsync($"/cases/{caseId}/images/{farId}/slices/4.png?on={rasId}");
            Assert.Equal((System.Net.HttpStatusCode)422, refused.StatusCode);
            Assert.Contains("does not overlap", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // Coronal of the RAS copy: right on the left, superior up.
            await page.Locator("#overlay").SelectOptionAsync("");
            await page.Locator("#plane").SelectOptionAsync("coronal");
            await Assertions.Expect(page.Locator("#edge-top")).ToHaveTextAsync("S");
            await Assertions.Expect(page.Locator("#edge-left")).ToHaveTextAsync("R");
            await ShotAsync(page, "15-viewer-coronal-ras-stored");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_viewer_sees_no_edit_or_decide_controls()
    {
        var clinician = await app.SignInAsync("clinician1");
        var caseId = "BV-" + Guid.NewGuid().ToString("N")[..8];
        var created = await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(TestCases.Liver(caseId)), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var page = await SignedInPageAsync("viewer1");
        await page.GotoAsync($"/cases/{caseId}");
        await Assertions.Expect(page.Locator("[data-case-id]")).ToHaveTextAsync(caseId);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Edit case" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Record decision" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "New case" })).ToHaveCountAsync(0);
        await page.GotoAsync($"/cases/{caseId}/edit");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Not allowed");
        await ShotAsync(page, "08-viewer-not-allowed");
    }

    [Fact]
    public async Task A_copied_session_cookie_stops_working_when_its_owner_signs_out()
    {
        // A user of its own: signing out ends every session of the account.
        var user = "br-" + Guid.NewGuid().ToString("N")[..8];
        await using (var scope = app.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<LocalControl.Registry.Entities.RegistryUser>>();
            var account = new LocalControl.Registry.Entities.RegistryUser { UserName = user, DisplayName = "Browser test" };
            Assert.True((await users.CreateAsync(account, LocalControlApp.Password)).Succeeded);
            Assert.True((await users.AddToRoleAsync(account, LocalControl.Registry.Entities.Roles.Viewer)).Succeeded);
        }
        var owner = await SignedInPageAsync(user);
        var cookies = await owner.Context.CookiesAsync();
        Assert.Contains(cookies, c => c.Name == "localcontrol.auth" && c.HttpOnly && c.SameSite == SameSiteAttribute.Strict);

        // Another browser (the attacker's) with the copied cookies: it is signed in as the owner.
        var thief = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString().TrimEnd('/') });
        await thief.AddCookiesAsync(cookies.Select(c => new Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite }));
        var stolen = await thief.NewPageAsync();
        // Every page below (the sign-in page, empty and with its error) must load without a Content-Security-Policy
        // violation: no inline style (the validation summary used to write one).
        var violations = new List<string>();
        stolen.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(m.Text);
            }
        };
        await stolen.GotoAsync("/cases");
        await AtAsync(stolen, "/cases");
        await Assertions.Expect(stolen.Locator(".who")).ToHaveTextAsync(user);

        // The owner signs out; the copied cookie no longer opens anything.
        await owner.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await AtAsync(owner, "/account/login");
        await stolen.GotoAsync("/cases");
        Assert.Contains("/account/login", stolen.Url, StringComparison.Ordinal);
        await ShotAsync(stolen, "10-copied-cookie-after-sign-out");

        // A failed sign-in shows the one message.
        await stolen.GetByLabel("User name").FillAsync(user);
        await stolen.GetByLabel("Password").FillAsync("not-the-password");
        await stolen.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(stolen.Locator(".errors")).ToContainTextAsync("Wrong user name or password.");
        Assert.Empty(violations);
        await thief.CloseAsync();
    }

    [Fact]
    public async Task A_clinician_enters_a_treatment_and_a_follow_up_on_the_case_page_and_opens_the_cohort_page()
    {
        var caseId = "BF-" + Guid.NewGuid().ToString("N")[..8];
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var check = scope.ServiceProvider.GetRequiredService<LocalControl.Web.Infrastructure.CaseService>().Check(TestCases.Json(TestCases.Liver(caseId)));
            Assert.Equal(WriteOutcome.Done, await scope.ServiceProvider.GetRequiredService<CaseRegistry>().CreateAsync(check.Content!, "clinician1"));
        }
        var page = await SignedInPageAsync("clinician1");
        var violations = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(m.Text);
            }
        };
        await page.GotoAsync($"/cases/{caseId}");

        // The treatment, field by field.
        await page.GetByText("Add a treatment").ClickAsync();
        await page.Locator("[name='Treatment.Date']").FillAsync("2025-01-10");
        await page.Locator("[name='Treatment.Therapy']").SelectOptionAsync("mwa");
        await page.Locator("[name='Treatment.Approach']").SelectOptionAsync("percutaneous");
        await page.Locator("[name='Treatment.TechnicalSuccess']").SelectOptionAsync("yes");
        await page.Locator("[name='Treatment.MinimalAblativeMarginMm']").FillAsync("6");
        await page.Locator("[name='Treatment.LesionIds'][value='L1']").CheckAsync();
        await page.Locator("section.follow-forms").ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "11-treatment-form.png") });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save treatment" }).ClickAsync();
        await AtAsync(page, $"/cases/{caseId}#h-response");
        await Assertions.Expect(page.Locator("tr[data-ablated='L1']")).ToContainTextAsync("T1: mwa, 2025-01-10");

        // A follow-up dated before the treatment: the reader's message at the date field, nothing saved.
        await page.GetByText("Add a follow-up study").ClickAsync();
        await page.Locator("[name='FollowUp.Date']").FillAsync("2024-12-01");
        await page.Locator("[name='FollowUp.Lesions[0].Status']").SelectOptionAsync("present");
        await page.Locator("[name='FollowUp.Lesions[0].LongestDiameterMm']").FillAsync("20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save follow-up" }).ClickAsync();
        var error = page.Locator("[data-error-for='FollowUp.Date']");
        await Assertions.Expect(error).ToContainTextAsync("is before the first treatment T1 (2025-01-10)");
        await Assertions.Expect(error).ToBeVisibleAsync();
        await page.Locator("section.follow-forms").ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "12-follow-up-refused-at-the-field.png") });

        // Corrected: the study is saved and the response history shows technique efficacy, RECIST apart.
        await page.Locator("[name='FollowUp.Date']").FillAsync("2025-02-10");
        await page.Locator("[name='FollowUp.Modality']").SelectOptionAsync("ct");
        await page.Locator("[name='FollowUp.Lesions[0].EnhancingTissue']").SelectOptionAsync("no");
        await page.Locator("[name='FollowUp.Lesions[1].Status']").SelectOptionAsync("present");
        await page.Locator("[name='FollowUp.Lesions[1].LongestDiameterMm']").FillAsync("24");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save follow-up" }).ClickAsync();
        await AtAsync(page, $"/cases/{caseId}#h-response");
        await Assertions.Expect(page.Locator("tr[data-ablated='L1']")).ToContainTextAsync("yes (2025-02-10)");
        await Assertions.Expect(page.Locator("tr[data-recist-date='2025-02-10']")).ToBeVisibleAsync();
        await page.Locator("section.response-history").ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "13-response-history.png") });
        await page.Locator("section.follow-records").ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "13-treatments-and-studies-recorded.png") });

        // The cohort page from the main navigation: the curve image loads (a real PNG, drawn), the selector works.
        await page.GetByRole(AriaRole.Link, new() { Name = "Cohort" }).ClickAsync();
        await AtAsync(page, "/cohort");
        var plot = page.Locator(".cohort-plot img");
        await Assertions.Expect(plot).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tr[data-group='mwa']")).ToBeVisibleAsync();
        await Assertions.Expect(plot).ToHaveJSPropertyAsync("naturalWidth", 900); // loaded and decoded
        await ShotAsync(page, "14-cohort-ltp-by-tool");
        await page.Locator("select[name='by']").SelectOptionAsync("margin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await AtAsync(page, "/cohort?endpoint=ltp&by=margin");
        await Assertions.Expect(page.Locator("tr[data-group='5-10']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".cohort-plot img")).ToHaveJSPropertyAsync("naturalWidth", 900);
        Assert.Empty(violations);
    }
}
