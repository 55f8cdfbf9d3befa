using System.Globalization;
using LocalControl.Imaging.Geometry;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LocalControl.Web.Tests.Browser;

public sealed partial class BrowserTests
{
    // A CT on an anisotropic LPS-identity grid (i → screen right, j → screen down in the axial view), HU = i + 100 j
    // + 10000 k, so the value under a pixel says which voxel the page asked for.
    private const int GridI = 80, GridJ = 60, GridK = 6;
    private static readonly Vector3D GridSpacingMm = new(0.8, 0.7, 2.5);

    private async Task<(IPage Page, string CaseId, long ImageId)> ViewerWithAnisotropicCtAsync(string prefix, string? signInAs = null)
    {
        var clinician = await app.SignInAsync("clinician1");
        var caseId = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var created = await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(TestCases.Liver(caseId)), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var folder = Directory.CreateTempSubdirectory("lc-bview-").FullName;
        try
        {
            var g = new ImageGeometry(new(GridI, GridJ, GridK), GridSpacingMm, new(-30, -20, 0), Matrix3D.Identity);
            var hu = new float[GridI * GridJ * GridK];
            for (var k = 0; k < GridK; k++) { for (var j = 0; j < GridJ; j++) { for (var i = 0; i < GridI; i++) { hu[(k * GridJ + j) * GridI + i] = i + 100 * j + 10000 * k; } } }
            var path = Path.Combine(folder, "ct-aniso.nii.gz");
            LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(path, new LocalControl.Imaging.Volumes.Volume<float>(g, hu));
            var page = await SignedInPageAsync("clinician1");
            await page.GotoAsync($"/cases/{caseId}/images");
            await page.Locator("input[name=Upload]").SetInputFilesAsync(path);
            await page.Locator("select[name=Kind]").SelectOptionAsync("image");
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
            await Assertions.Expect(page.Locator("tr[data-image-id]")).ToHaveCountAsync(1);
            var id = long.Parse((await page.Locator("tr[data-image-id]").GetAttributeAsync("data-image-id"))!, CultureInfo.InvariantCulture);
            if (signInAs is not null)
            {
                await page.Context.CloseAsync();
                page = await SignedInPageAsync(signInAs);
                await page.GotoAsync($"/cases/{caseId}/images");
            }
            await page.WaitForFunctionAsync($"() => {{ const i = document.getElementById('base-img'); return i.complete && i.naturalWidth === {GridI}; }}");
            return (page, caseId, id);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // The screen point at the centre of picture pixel (x, y), from where the picture is now (zoom and pan included).
    private static async Task<(double X, double Y)> ScreenOfPixelAsync(IPage page, double x, double y)
    {
        var box = (await page.Locator("#base-img").BoundingBoxAsync())!;
        return (box.X + (x + 0.5) / GridI * box.Width, box.Y + (y + 0.5) / GridJ * box.Height);
    }

    [Fact]
    public async Task The_viewer_shows_the_hu_under_the_cursor_zooms_pans_and_keeps_its_mm_scale()
    {
        var (page, _, _) = await ViewerWithAnisotropicCtAsync("BZ");
        var valueRequests = 0;
        page.Request += (_, r) =>
        {
            if (r.Url.Contains("/value?", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref valueRequests);
            }
        };
        await Assertions.Expect(page.Locator("#slice-out")).ToHaveTextAsync("3 / 5");

        // The cursor on pixel (20, 30) of slice 3: voxel (20, 30, 3) by the identity geometry, HU 20 + 3000 + 30000;
        // its LPS point (−30 + 0.8·20, −20 + 0.7·30, 2.5·3) = (−14, 1, 7.5).
        var (sx, sy) = await ScreenOfPixelAsync(page, 20, 30);
        await page.Mouse.MoveAsync((float)sx, (float)sy);
        await Assertions.Expect(page.Locator("#readout")).ToHaveAttributeAsync("data-value", "33020");
        await Assertions.Expect(page.Locator("#readout")).ToContainTextAsync("HU 33020 at LPS (−14.0, 1.0, 7.5) mm");

        // Sweeping across 40 pixels asks far fewer than 40 times (the cursor must rest; one request at a time).
        var before = valueRequests;
        var (ax, ay) = await ScreenOfPixelAsync(page, 5, 10);
        var (bx, by) = await ScreenOfPixelAsync(page, 45, 10);
        await page.Mouse.MoveAsync((float)ax, (float)ay);
        await page.Mouse.MoveAsync((float)bx, (float)by, new() { Steps = 40 });
        await Assertions.Expect(page.Locator("#readout")).ToHaveAttributeAsync("data-value", "31045");
        var asked = valueRequests - before;
        Assert.InRange(asked, 1, 20);

        // Zoom in twice (× 2.25) with the buttons: the same pixel still reads the same voxel, and the scale bar's
        // length is its millimetres times the picture's screen pixels per millimetre (0.8 mm per picture column).
        var stage = (await page.Locator(".stage").BoundingBoxAsync())!;
        await page.GetByRole(AriaRole.Button, new() { Name = "Zoom +" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Zoom +" }).ClickAsync();
        await Assertions.Expect(page.Locator("#zoom-out-value")).ToHaveTextAsync("225 %");
        var zoomed = (await page.Locator("#base-img").BoundingBoxAsync())!;
        Assert.Equal(stage.Width * 2.25, zoomed.Width, 1.0);
        await AssertScaleBarAsync(page, zoomed.Width / (GridI * GridSpacingMm.X));
        (sx, sy) = await ScreenOfPixelAsync(page, 40, 30);
        await page.Mouse.MoveAsync((float)sx, (float)sy);
        await Assertions.Expect(page.Locator("#readout")).ToHaveAttributeAsync("data-value", "33040");

        // Drag to pan: the picture follows the mouse.
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)sx - 60, (float)sy - 40, new() { Steps = 5 });
        await page.Mouse.UpAsync();
        var panned = (await page.Locator("#base-img").BoundingBoxAsync())!;
        Assert.Equal(zoomed.X - 60, panned.X, 1.0);
        Assert.Equal(zoomed.Y - 40, panned.Y, 1.0);
        await ShotAsync(page, "16-viewer-zoomed-panned");

        // Ctrl + wheel zooms further, at the cursor: the pixel under the cursor stays under it. (Headless Chromium
        // turns a Ctrl + wheel from Playwright's mouse into a pinch that never reaches the page, so the wheel event a
        // desktop Chromium sends is dispatched on the stage, at the cursor.)
        (sx, sy) = await ScreenOfPixelAsync(page, 50, 35);
        await page.Locator(".stage").DispatchEventAsync("wheel", new Dictionary<string, object>
        {
            ["clientX"] = sx, ["clientY"] = sy, ["deltaY"] = -100, ["ctrlKey"] = true, ["bubbles"] = true, ["cancelable"] = true,
        });
        await Assertions.Expect(page.Locator("#zoom-out-value")).ToHaveTextAsync("281 %");
        var (tx, ty) = await ScreenOfPixelAsync(page, 50, 35);
        Assert.Equal(sx, tx, 1.0);
        Assert.Equal(sy, ty, 1.0);
        await AssertScaleBarAsync(page, (await page.Locator("#base-img").BoundingBoxAsync())!.Width / (GridI * GridSpacingMm.X));

        // The keyboard zooms too (+ at the centre), and 0 resets: the whole slice fits the stage again.
        await page.Locator(".stage").FocusAsync();
        await page.Keyboard.PressAsync("+");
        await Assertions.Expect(page.Locator("#zoom-out-value")).ToHaveTextAsync("422 %");
        await page.Keyboard.PressAsync("0");
        await Assertions.Expect(page.Locator("#zoom-out-value")).ToHaveTextAsync("100 %");
        await page.GetByRole(AriaRole.Button, new() { Name = "Zoom +" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset view" }).ClickAsync();
        await Assertions.Expect(page.Locator("#zoom-out-value")).ToHaveTextAsync("100 %");
        var reset = (await page.Locator("#base-img").BoundingBoxAsync())!;
        Assert.Equal(stage.X, reset.X, 1.0);
        Assert.Equal(stage.Width, reset.Width, 1.0);
        // The picture keeps the grid's aspect in millimetres (0.8 × 80 by 0.7 × 60), not its pixel count.
        Assert.Equal(GridI * GridSpacingMm.X / (GridJ * GridSpacingMm.Y), reset.Width / reset.Height, 2);
    }

    private static async Task AssertScaleBarAsync(IPage page, double screenPxPerMm)
    {
        var mm = double.Parse((await page.Locator("#scale-bar").GetAttributeAsync("data-mm"))!, CultureInfo.InvariantCulture);
        await Assertions.Expect(page.Locator("#scale-text")).ToHaveTextAsync(mm.ToString(CultureInfo.InvariantCulture) + " mm");
        var bar = (await page.Locator("#scale-line").BoundingBoxAsync())!;
        Assert.Equal(mm * screenPxPerMm, bar.Width, 1.5);
    }

    [Fact]
    public async Task A_clinician_measures_with_the_ruler_zoomed_and_saves_it_to_a_lesion_and_a_viewer_cannot_save()
    {
        var (page, caseId, _) = await ViewerWithAnisotropicCtAsync("BR");
        var violations = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(m.Text);
            }
        };
        // A window that shows the gradient (HU 30000..36000 on slice 3).
        await page.Locator("#wc").FillAsync("33000");
        await page.Locator("#ww").FillAsync("6000");
        await page.WaitForFunctionAsync("() => { const i = document.getElementById('base-img'); return i.complete && i.src.includes('c=33000'); }");

        // By hand: pixel (x, y) of axial slice 3 is voxel (x, y, 3) at LPS (−30 + 0.8 x, −20 + 0.7 y, 7.5); two pixels
        // are sqrt((0.8 Δx)² + (0.7 Δy)²) mm apart. (10, 5) -> (50, 40): 40.302 mm.
        var handMm = Math.Sqrt(Math.Pow(40 * 0.8, 2) + Math.Pow(35 * 0.7, 2));
        static string Mm(double v) => (v < 0 ? "−" : "") + Math.Abs(v).ToString("0.0", CultureInfo.InvariantCulture);
        async Task MeasureAsync(int x1 = 10, int y1 = 5, int x2 = 50, int y2 = 40)
        {
            var (ax, ay) = await ScreenOfPixelAsync(page, x1, y1);
            await page.Mouse.ClickAsync((float)ax, (float)ay);
            await Assertions.Expect(page.Locator("#ruler-out")).ToHaveTextAsync("Click the second point on this slice.");
            var (bx, by) = await ScreenOfPixelAsync(page, x2, y2);
            await page.Mouse.ClickAsync((float)bx, (float)by);
            var mm = Math.Sqrt(Math.Pow(0.8 * (x2 - x1), 2) + Math.Pow(0.7 * (y2 - y1), 2));
            await Assertions.Expect(page.Locator("#ruler-out")).ToHaveTextAsync(
                $"{Mm(mm)} mm, from LPS ({Mm(-30 + 0.8 * x1)}, {Mm(-20 + 0.7 * y1)}, 7.5) to ({Mm(-30 + 0.8 * x2)}, {Mm(-20 + 0.7 * y2)}, 7.5) mm (axial slice 3)");
        }
        await Assertions.Expect(page.Locator("#ruler-svg")).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Ruler" }).ClickAsync();
        await Assertions.Expect(page.Locator("#ruler-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        await MeasureAsync();
        await Assertions.Expect(page.Locator("#ruler-svg")).ToBeVisibleAsync();
        // The drawn line runs between the two clicked pixels on screen.
        var line = (await page.Locator("#ruler-line").BoundingBoxAsync())!;
        var (lx, ly) = await ScreenOfPixelAsync(page, 10, 5);
        var (rx, ry) = await ScreenOfPixelAsync(page, 50, 40);
        Assert.Equal(rx - lx, line.Width, 3.0);
        Assert.Equal(ry - ly, line.Height, 3.0);

        // Zoomed in (150 %, the centre kept), two pixels in view measure what the grid says (21.260 mm), not screen pixels.
        await page.GetByRole(AriaRole.Button, new() { Name = "Zoom +" }).ClickAsync();
        await MeasureAsync(30, 20, 50, 40);
        await ShotAsync(page, "17-viewer-ruler-zoomed");
        // Another slice clears the ruler (a ruler measures on one slice).
        await page.Locator(".stage").FocusAsync();
        await page.Keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(page.Locator("#ruler-out")).ToContainTextAsync("Ruler cleared: the slice changed");
        await Assertions.Expect(page.Locator("#measure-form")).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset view" }).ClickAsync();
        await MeasureAsync();

        // Saved to L1's longest diameter (18 mm typed): a new case version, reported on the page.
        await page.GetByLabel("Save to lesion").SelectOptionAsync("L1");
        await page.GetByLabel("field").SelectOptionAsync("longestDiameterMm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save measurement" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-measurement-saved]")).ToHaveTextAsync($"Saved lesions[L1].longestDiameterMm = {Math.Round(handMm, 1).ToString(CultureInfo.InvariantCulture)} mm (was 18 mm); case version 2.");
        await ShotAsync(page, "18-viewer-ruler-saved");
        var clinician = await app.SignInAsync("clinician1");
        var stored = System.Text.Json.Nodes.JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!;
        Assert.Equal(Math.Round(handMm, 1), stored["caseFile"]!["lesions"]![0]!["longestDiameterMm"]!.GetValue<double>());
        Assert.Empty(violations);

        // A viewer measures too, but has nothing to save with.
        await page.Context.CloseAsync();
        var viewerPage = await SignedInPageAsync("viewer1");
        await viewerPage.GotoAsync($"/cases/{caseId}/images");
        await viewerPage.WaitForFunctionAsync($"() => {{ const i = document.getElementById('base-img'); return i.complete && i.naturalWidth === {GridI}; }}");
        await viewerPage.GetByRole(AriaRole.Button, new() { Name = "Ruler" }).ClickAsync();
        page = viewerPage;
        await MeasureAsync();
        await Assertions.Expect(viewerPage.Locator("#measure-form")).ToHaveCountAsync(0);
        await Assertions.Expect(viewerPage.GetByRole(AriaRole.Button, new() { Name = "Save measurement" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_clinician_measures_a_label_map_sees_what_is_measured_typed_and_replaced_and_confirms()
    {
        var clinician = await app.SignInAsync("clinician1");
        var caseId = "BM-" + Guid.NewGuid().ToString("N")[..8];
        var caseFile = TestCases.Liver(caseId);
        caseFile["lesions"]![0]!["centroidMm"] = new System.Text.Json.Nodes.JsonArray(20, 18, 20);
        Assert.Equal(System.Net.HttpStatusCode.Created, (await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(caseFile), System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        var folder = Directory.CreateTempSubdirectory("lc-bmfi-").FullName;
        try
        {
            var path = Path.Combine(folder, "tumour-labels.nii.gz");
            await File.WriteAllBytesAsync(path, MeasureFromImageTests.LabelMap(folder));
            var page = await SignedInPageAsync("clinician1");
            await page.GotoAsync($"/cases/{caseId}/images");
            await page.Locator("input[name=Upload]").SetInputFilesAsync(path);
            await page.Locator("select[name=Kind]").SelectOptionAsync("labels");
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
            await Assertions.Expect(page.Locator("tr[data-image-id]")).ToHaveCountAsync(1);

            await page.GetByLabel("or as JSON").FillAsync("{\"1\": \"liver\", \"2\": \"tumour\"}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Measure", Exact = true }).ClickAsync();
            var (diameterMm, _) = MeasureFromImageTests.BruteForce();
            var row = page.Locator("tr[data-lesion='L1'][data-field='longestDiameterMm']");
            await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "measured, replaces typed");
            await Assertions.Expect(row.Locator("td").Nth(3)).ToHaveTextAsync(Math.Round(diameterMm, 2).ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(page.Locator("tr[data-lesion='L1'][data-field='distanceToHilumMm']")).ToHaveAttributeAsync("data-status", "typed");
            await Assertions.Expect(page.Locator("[data-measure-notes]")).ToContainTextAsync("lesion L2 was not found");
            await ShotAsync(page, "19-measure-from-image-preview");
            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm and save" }).ClickAsync();
            await Assertions.Expect(page.Locator("[data-measurement-saved]")).ToContainTextAsync("values filled from the image; case version 2.");
            var stored = System.Text.Json.Nodes.JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!;
            Assert.Equal(Math.Round(diameterMm, 2), stored["caseFile"]!["lesions"]![0]!["longestDiameterMm"]!.GetValue<double>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_clinician_uploads_a_dicom_series_as_several_files_and_reads_its_hu_under_the_cursor()
    {
        var clinician = await app.SignInAsync("clinician1");
        var caseId = "BD-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(System.Net.HttpStatusCode.Created, (await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(TestCases.Liver(caseId)), System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        var folder = Directory.CreateTempSubdirectory("lc-bdcm-").FullName;
        try
        {
            // 10 columns × 12 rows × 4 slices, columns 0.8 mm and rows 0.7 mm apart, HU = 3 i + 7 j + 100 k − 200;
            // files named without extension, in no order.
            static int Hu(int i, int j, int k) => 3 * i + 7 * j + 100 * k - 200;
            var paths = new[] { 2, 0, 3, 1 }.Select(k =>
            {
                var p = Path.Combine(folder, "IM" + (7 * k + 3));
                File.WriteAllBytes(p, TinyDicom.Slice(12, 10, k, 0.7, 0.8, 2.5, (-50, -40, 100), "1.2.826.0.1.3680043.8.498.4245", Hu));
                return p;
            }).ToArray();
            var page = await SignedInPageAsync("clinician1");
            await page.GotoAsync($"/cases/{caseId}/images");
            await page.Locator("input[name=Upload]").SetInputFilesAsync(paths);
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
            await Assertions.Expect(page.Locator("tr[data-image-id] td").Nth(3)).ToHaveTextAsync("10 × 12 × 4");
            await page.WaitForFunctionAsync("() => { const i = document.getElementById('base-img'); return i.complete && i.naturalWidth === 10; }");
            await Assertions.Expect(page.Locator("#slice-out")).ToHaveTextAsync("2 / 3");
            // Pixel (6, 9) of slice 2: column 6, row 9 of the third slice from the feet (row direction +x, column +y).
            // (The picture is 80 % of the window high: scrolled into view first, so the pointer can reach it.)
            await page.Locator(".stage").ScrollIntoViewIfNeededAsync();
            var box = (await page.Locator("#base-img").BoundingBoxAsync())!;
            await page.Mouse.MoveAsync((float)(box.X + 6.5 / 10 * box.Width), (float)(box.Y + 9.5 / 12 * box.Height));
            await Assertions.Expect(page.Locator("#readout")).ToHaveAttributeAsync("data-value", Hu(6, 9, 2).ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(page.Locator("#readout")).ToContainTextAsync("at LPS (−45.2, −33.7, 105.0) mm");
            await ShotAsync(page, "20-viewer-dicom-series");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
