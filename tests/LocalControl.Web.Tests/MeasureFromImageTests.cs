using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalControl.Registry;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Web.Tests;

/// <summary>
/// Measure from the image on the images page: an uploaded label map fills the lesion fields through the code of
/// <c>assess --labels</c>, previewed field by field (measured, typed, replaced) and saved only when confirmed. The
/// measured size and volume are checked against a brute force over the tumour's voxel centres in the test.
/// </summary>
public sealed class MeasureFromImageTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    // 40 × 40 × 20 voxels of 1 × 1 × 2 mm, LPS-aligned from the origin: liver (1) in a box, a tumour (2): voxel
    // centres within 6 mm of (20, 18, 20) mm.
    private const int N = 40, K = 20;

    private static bool InTumour(int i, int j, int k) => Math.Pow(i - 20, 2) + Math.Pow(j - 18, 2) + Math.Pow(2 * k - 20, 2) <= 36;

    internal static byte[] LabelMap(string folder)
    {
        var g = new LocalControl.Imaging.Geometry.ImageGeometry(new(N, N, K), new(1, 1, 2), new(0, 0, 0), LocalControl.Imaging.Geometry.Matrix3D.Identity);
        var v = new byte[N * N * K];
        for (var k = 0; k < K; k++) { for (var j = 0; j < N; j++) { for (var i = 0; i < N; i++)
        {
            var liver = i is >= 2 and <= 37 && j is >= 2 and <= 37 && k is >= 1 and <= 18;
            v[(k * N + j) * N + i] = (byte)(InTumour(i, j, k) ? 2 : liver ? 1 : 0);
        } } }
        var path = Path.Combine(folder, "labels.nii.gz");
        LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(path, new LocalControl.Imaging.Volumes.Volume<byte>(g, v));
        return File.ReadAllBytes(path);
    }

    // Brute force: the largest distance between two tumour voxel centres, and the tumour's volume.
    internal static (double DiameterMm, double VolumeMl) BruteForce()
    {
        var points = new List<(double X, double Y, double Z)>();
        for (var k = 0; k < K; k++) { for (var j = 0; j < N; j++) { for (var i = 0; i < N; i++) { if (InTumour(i, j, k)) { points.Add((i, j, 2 * k)); } } } }
        var best = 0.0;
        foreach (var a in points)
        {
            foreach (var b in points)
            {
                best = Math.Max(best, Math.Sqrt(Math.Pow(a.X - b.X, 2) + Math.Pow(a.Y - b.Y, 2) + Math.Pow(a.Z - b.Z, 2)));
            }
        }
        return (best, points.Count * 2.0 / 1000);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string caseId, string handler, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await LocalControlApp.AntiforgeryTokenAsync(client, "/cases");
        return await client.PostAsync($"/cases/{caseId}/images?handler={handler}", new FormUrlEncodedContent(fields));
    }

    private static (string Typed, string After, string Status) Row(string html, string lesion, string field)
    {
        var m = Regex.Match(html, $"<tr data-lesion=\"{lesion}\" data-field=\"{field}\" data-status=\"([^\"]*)\"[^>]*>\\s*<td>[^<]*</td><td>[^<]*</td><td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)</td>");
        Assert.True(m.Success, $"no preview row for {lesion}.{field}");
        return (WebUtility.HtmlDecode(m.Groups[2].Value), WebUtility.HtmlDecode(m.Groups[3].Value), WebUtility.HtmlDecode(m.Groups[1].Value));
    }

    [Fact]
    public async Task A_label_map_fills_the_lesion_fields_shown_measured_typed_and_replaced_and_is_saved_only_when_confirmed()
    {
        var clinician = await app.SignInAsync("clinician1");
        var caseFile = TestCases.Liver("MFI-" + Guid.NewGuid().ToString("N")[..8]);
        caseFile["lesions"]![0]!["centroidMm"] = new JsonArray(20, 18, 20); // L1 sits where the tumour is
        var caseId = caseFile["caseId"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Created, (await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(caseFile), Encoding.UTF8, "application/json"))).StatusCode);
        var folder = Directory.CreateTempSubdirectory("lc-mfi-").FullName;
        string labelsId;
        try
        {
            var token = await LocalControlApp.AntiforgeryTokenAsync(clinician, "/cases");
            using var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(LabelMap(folder)), "Upload", "labels.nii.gz" }, { new StringContent("labels"), "Kind" }, { new StringContent(token), "__RequestVerificationToken" },
            };
            Assert.Equal(HttpStatusCode.Redirect, (await clinician.PostAsync($"/cases/{caseId}/images", form)).StatusCode);
            labelsId = Regex.Match(await clinician.GetStringAsync($"/cases/{caseId}/images"), "data-image-id=\"(\\d+)\"").Groups[1].Value;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        var (diameterMm, volumeMl) = BruteForce();
        var expectedDiameter = Math.Round(diameterMm, 2).ToString(CultureInfo.InvariantCulture);
        Dictionary<string, string> Choice(int version) => new()
        {
            ["LabelsId"] = labelsId, ["Table"] = "lits", ["TableJson"] = "{\"1\": \"liver\", \"2\": \"tumour\"}", ["Version"] = version.ToString(CultureInfo.InvariantCulture),
        };

        // The preview: L1's typed 18 mm is replaced by the measured diameter, the volume is new, the hilum distance
        // (no hilum segmented) stays typed, and L2 (not in the map) is kept with a note. Nothing is saved yet.
        var preview = await PostAsync(clinician, caseId, "MeasurePreview", Choice(1));
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var html = await preview.Content.ReadAsStringAsync();
        Assert.Equal(("18", expectedDiameter, "measured, replaces typed"), Row(html, "L1", "longestDiameterMm"));
        var volume = Row(html, "L1", "volumeMl");
        Assert.Equal(("—", "measured"), (volume.Typed, volume.Status));
        Assert.Equal(volumeMl, double.Parse(volume.After, CultureInfo.InvariantCulture), 3);
        Assert.Equal(("40", "40", "typed"), Row(html, "L1", "distanceToHilumMm"));
        var notes = WebUtility.HtmlDecode(Regex.Match(html, "<ul class=\"notes\" data-measure-notes>(.*?)</ul>", RegexOptions.Singleline).Groups[1].Value);
        Assert.Contains($"lesions[0].longestDiameterMm: measured {Math.Round(diameterMm, 1).ToString(CultureInfo.InvariantCulture)} replaces typed 18 (tick 'keep typed values' to keep them)", notes, StringComparison.Ordinal);
        Assert.Contains("lesion L2 was not found in image " + labelsId, notes, StringComparison.Ordinal);
        Assert.Equal(1, JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!["version"]!.GetValue<int>());
        var sha = Regex.Match(html, "name=\"Sha256\" value=\"([0-9a-f]{64})\"").Groups[1].Value;
        Assert.Equal(64, sha.Length);

        // Confirming with another result's hash, or for an older version, saves nothing; a viewer cannot.
        var wrong = Choice(1);
        wrong["Sha256"] = new string('0', 64);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(clinician, caseId, "MeasureSave", wrong)).StatusCode);
        var viewer = await app.SignInAsync("viewer1");
        var asViewer = Choice(1);
        asViewer["Sha256"] = sha;
        var denied = await PostAsync(viewer, caseId, "MeasureSave", asViewer);
        Assert.StartsWith("/account/denied", denied.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.DoesNotContain("Measure from the image", await viewer.GetStringAsync($"/cases/{caseId}/images"), StringComparison.Ordinal);
        Assert.Equal(1, JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!["version"]!.GetValue<int>());

        // Confirmed: version 2 holds the measured values, marked as measured, with their source.
        var confirm = Choice(1);
        confirm["Sha256"] = sha;
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(clinician, caseId, "MeasureSave", confirm)).StatusCode);
        var stored = JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}"))!;
        Assert.Equal(2, stored["version"]!.GetValue<int>());
        var l1 = stored["caseFile"]!["lesions"]![0]!;
        Assert.Equal(Math.Round(diameterMm, 2), l1["longestDiameterMm"]!.GetValue<double>());
        Assert.Equal(volumeMl, l1["volumeMl"]!.GetValue<double>(), 3);
        Assert.Equal(40, l1["distanceToHilumMm"]!.GetValue<double>());
        var measuredFields = l1["measuredFields"]!.AsArray().Select(x => x!.GetValue<string>()).ToList();
        Assert.Contains("longestDiameterMm", measuredFields);
        Assert.Contains("volumeMl", measuredFields);
        Assert.DoesNotContain("distanceToHilumMm", measuredFields);
        Assert.Equal(labelsId, l1["source"]!["imageId"]!.ToJsonString());
        await using (var scope = app.Scope())
        {
            var audit = await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Audit.AsNoTracking()
                .Where(a => a.EntityKey == caseId && a.Action == LocalControl.Registry.Entities.AuditActions.Update).Select(a => a.Detail).ToListAsync();
            var line = Assert.Single(audit);
            Assert.Contains($"measured from image {labelsId} (labels.nii.gz), label table typed", line, StringComparison.Ordinal);
            Assert.Contains($"lesions[L1].longestDiameterMm 18 -> {expectedDiameter}", line, StringComparison.Ordinal);
        }
        // The same confirmation again is for version 1: refused.
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(clinician, caseId, "MeasureSave", confirm)).StatusCode);
    }
}
