using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LocalControl.Registry;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Web.Tests;

/// <summary>
/// DICOM series uploads (a zip or several files) read through the imaging library's DICOM reader, every format told
/// by content, and hostile zips refused with the entry named. The series are written in the test (TinyDicom), so
/// every HU, position and spacing is known by construction.
/// </summary>
public sealed class DicomUploadTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    // 10 columns (i) × 12 rows (j) × 4 slices; columns 0.8 mm apart, rows 0.7 mm, slices 2.5 mm; row direction +x (L),
    // column direction +y (P); pixel (0, 0) of slice 0 at LPS (−50, −40, 100). HU = 3 i + 7 j + 100 k − 200.
    private const int Rows = 12, Columns = 10, Slices = 4;

    private static int Hu(int i, int j, int k) => 3 * i + 7 * j + 100 * k - 200;

    private static byte[] SliceFile(int k, string uid = "1.2.826.0.1.3680043.8.498.4242") =>
        TinyDicom.Slice(Rows, Columns, k, 0.7, 0.8, 2.5, (-50, -40, 100), uid, Hu);

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(content);
            }
        }
        return memory.ToArray();
    }

    private async Task<string> NewCaseAsync(HttpClient clinician)
    {
        var caseFile = TestCases.Liver("DCM-" + Guid.NewGuid().ToString("N")[..8]);
        var created = await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(caseFile), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return caseFile["caseId"]!.GetValue<string>();
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string caseId, string kind, params (byte[] Content, string Name)[] files)
    {
        var token = await LocalControlApp.AntiforgeryTokenAsync(client, "/cases");
        using var form = new MultipartFormDataContent();
        foreach (var (content, name) in files)
        {
            form.Add(new ByteArrayContent(content), "Upload", name);
        }
        form.Add(new StringContent(kind), "Kind");
        form.Add(new StringContent(token), "__RequestVerificationToken");
        return await client.PostAsync($"/cases/{caseId}/images", form);
    }

    private static string UploadError(string html) =>
        WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "data-upload-error>(.*?)</p>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value);

    private async Task<int> ImageCountAsync()
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Images.CountAsync();
    }

    private async Task<List<string>> ImageIdsAsync(HttpClient client, string caseId) =>
        System.Text.RegularExpressions.Regex.Matches(await client.GetStringAsync($"/cases/{caseId}/images"), "data-image-id=\"(\\d+)\"").Select(m => m.Groups[1].Value).ToList();

    private static async Task AssertSeriesAsync(HttpClient client, string caseId, string id)
    {
        var grid = JsonNode.Parse(await client.GetStringAsync($"/cases/{caseId}/images/{id}/view?plane=axial"))!;
        Assert.Equal(Columns, grid["width"]!.GetValue<int>());
        Assert.Equal(Rows, grid["height"]!.GetValue<int>());
        Assert.Equal(Slices, grid["slices"]!.GetValue<int>());
        Assert.Equal(0.8, grid["pixelWidthMm"]!.GetValue<double>(), 6);
        Assert.Equal(0.7, grid["pixelHeightMm"]!.GetValue<double>(), 6);
        Assert.Equal(2.5, grid["sliceStepMm"]!.GetValue<double>(), 6);
        // By hand: the axial picture has patient right on the left and anterior up, so with the row direction +x (to
        // the patient's left) and the column direction +y (posterior) pixel (x, y) of slice k is column x, row y of the
        // k-th slice from the feet: HU (x, y, k), at LPS (−50 + 0.8 x, −40 + 0.7 y, 100 + 2.5 k).
        foreach (var (x, y, k) in new[] { (0, 0, 0), (9, 11, 3), (4, 7, 2), (6, 1, 1) })
        {
            var v = JsonNode.Parse(await client.GetStringAsync($"/cases/{caseId}/images/{id}/value?plane=axial&k={k}&x={x}&y={y}"))!;
            Assert.Equal(Hu(x, y, k), v["value"]!.GetValue<double>());
            Assert.Equal(-50 + 0.8 * x, v["xLps"]!.GetValue<double>(), 6);
            Assert.Equal(-40 + 0.7 * y, v["yLps"]!.GetValue<double>(), 6);
            Assert.Equal(100 + 2.5 * k, v["zLps"]!.GetValue<double>(), 6);
        }
    }

    [Fact]
    public async Task A_dicom_series_as_a_zip_or_as_several_files_is_read_by_content_with_its_geometry_and_hu()
    {
        var clinician = await app.SignInAsync("clinician1");
        var caseId = await NewCaseAsync(clinician);

        // A zip with the slices in a folder, names without extension, in shuffled order, uploaded as "scan.bin":
        // neither the names nor the order say what it is.
        var zip = Zip(("export/series 1/IM7", SliceFile(2)), ("export/series 1/IM2", SliceFile(0)), ("export/series 1/IM9", SliceFile(3)), ("export/series 1/IM1", SliceFile(1)),
            ("__MACOSX/export/._IM7", [0, 5, 22, 7]));
        var ok = await UploadAsync(clinician, caseId, "image", (zip, "scan.bin"));
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        var page = WebUtility.HtmlDecode(await clinician.GetStringAsync($"/cases/{caseId}/images"));
        Assert.Contains($"{Columns} × {Rows} × {Slices}", page, StringComparison.Ordinal);
        Assert.Contains("0.8 0.7 2.5", page, StringComparison.Ordinal);
        var zipId = Assert.Single(await ImageIdsAsync(clinician, caseId));
        await AssertSeriesAsync(clinician, caseId, zipId);

        // The same slices as four files of one form, named like anything.
        var several = await UploadAsync(clinician, caseId, "image", (SliceFile(3, "1.2.826.0.1.3680043.8.498.4243"), "d.txt"), (SliceFile(1, "1.2.826.0.1.3680043.8.498.4243"), "b"),
            (SliceFile(0, "1.2.826.0.1.3680043.8.498.4243"), "a.png"), (SliceFile(2, "1.2.826.0.1.3680043.8.498.4243"), "c.dcm"));
        Assert.Equal(HttpStatusCode.Redirect, several.StatusCode);
        var ids = await ImageIdsAsync(clinician, caseId);
        Assert.Equal(2, ids.Count);
        await AssertSeriesAsync(clinician, caseId, ids.Single(i => i != zipId));
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            var record = await db.Cases.AsNoTracking().SingleAsync(c => c.CaseId == caseId);
            var formats = await db.Images.AsNoTracking().Where(i => i.CaseRecordId == record.Id).Select(i => i.Format).ToListAsync();
            Assert.All(formats, f => Assert.Equal("dicom", f));
        }

        // A NIfTI file named .dcm is a NIfTI file (content, not extension).
        var folder = Directory.CreateTempSubdirectory("lc-dcm-").FullName;
        try
        {
            var g = LocalControl.Imaging.Geometry.ImageGeometry.AxisAligned(new(3, 2, 2), new(1, 1, 1));
            var nii = Path.Combine(folder, "x.nii.gz");
            LocalControl.Imaging.Formats.Nifti.NiftiWriter.Write(nii, new LocalControl.Imaging.Volumes.Volume<float>(g, new float[12]));
            Assert.Equal(HttpStatusCode.Redirect, (await UploadAsync(clinician, caseId, "image", (await File.ReadAllBytesAsync(nii), "looks-like.dcm"))).StatusCode);
            await using var scope = app.Scope();
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            var record = await db.Cases.AsNoTracking().SingleAsync(c => c.CaseId == caseId);
            Assert.Contains("nifti", await db.Images.AsNoTracking().Where(i => i.CaseRecordId == record.Id).Select(i => i.Format).ToListAsync());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        // Several files of which one is not DICOM: refused, naming it.
        var mixed = await UploadAsync(clinician, caseId, "image", (SliceFile(0), "IM1"), (Encoding.ASCII.GetBytes("hello"), "notes.txt"));
        Assert.Equal("notes.txt: not a DICOM file (no DICM preamble); several files are taken as one DICOM series — upload a NIfTI or NRRD file on its own.",
            UploadError(await mixed.Content.ReadAsStringAsync()));
        Assert.Equal(3, (await ImageIdsAsync(clinician, caseId)).Count);
    }

    // A zip whose central directory (and local header) claim an uncompressed size the data does not have.
    private static byte[] Lying(byte[] zip, uint claimedBytes)
    {
        var bytes = (byte[])zip.Clone();
        for (var p = 0; p + 4 <= bytes.Length; p++)
        {
            var sig = BitConverter.ToUInt32(bytes, p);
            if (sig == 0x04034b50)
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(p + 22), claimedBytes); // local file header: uncompressed size
            }
            else if (sig == 0x02014b50)
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(p + 24), claimedBytes); // central directory: uncompressed size
            }
        }
        return bytes;
    }

    private static byte[] WithLink(string name, string target)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            var e = zip.CreateEntry(name);
            e.ExternalAttributes = unchecked((int)(0xA1FFu << 16)); // S_IFLNK | 0777
            using var s = e.Open();
            s.Write(Encoding.ASCII.GetBytes(target));
        }
        return memory.ToArray();
    }

    [Fact]
    public async Task Hostile_zips_are_refused_naming_the_entry_before_anything_is_decompressed_and_leave_nothing_behind()
    {
        var clinician = await app.SignInAsync("clinician1");
        var caseId = await NewCaseAsync(clinician);
        var before = await ImageCountAsync();
        var filesBefore = Directory.Exists(app.ImagesFolder) ? Directory.GetFileSystemEntries(app.ImagesFolder).Order().ToList() : [];
        var slice = SliceFile(0);
        var tooMany = Enumerable.Range(0, 2049).Select(n => ("IM" + n, new byte[] { 1 })).ToArray();
        var cases = new (string What, byte[] Zip, string Message)[]
        {
            ("zip slip", Zip(("IM1", slice), ("../../evil", slice)),
                "zip entry '../../evil': a path that could leave the zip's folder (zip slip); entries must be plain names inside it."),
            ("absolute path", Zip(("/etc/cron.d/evil", slice)),
                "zip entry '/etc/cron.d/evil': a path that could leave the zip's folder (zip slip); entries must be plain names inside it."),
            ("backslashes", Zip(("..\\..\\evil", slice)),
                "zip entry '..\\..\\evil': a path that could leave the zip's folder (zip slip); entries must be plain names inside it."),
            ("too many entries", Zip(tooMany), "the zip holds 2049 files; at most 2048 (one DICOM series, one file per slice) or a header and its data file."),
            ("nested zip", Zip(("IM1", slice), ("more", Zip(("IM2", slice)))), "zip entry 'more' is itself a zip; nested zips are refused."),
            ("nested zip by name", Zip(("IM1", slice), ("more.zip", [1, 2, 3])), "zip entry 'more.zip' is itself a zip; nested zips are refused."),
            ("symbolic link", WithLink("IM1", "/etc/passwd"), "zip entry 'IM1' is a symbolic link; links are refused."),
            ("not DICOM among DICOM", Zip(("IM1", slice), ("notes.txt", Encoding.ASCII.GetBytes("see the report"))),
                "zip entry 'notes.txt' is not DICOM; a zip with DICOM files must hold one series and nothing else."),
        };
        foreach (var (what, zip, message) in cases)
        {
            var response = await UploadAsync(clinician, caseId, "image", (zip, "series.zip"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(message == UploadError(await response.Content.ReadAsStringAsync()), $"{what}: {UploadError(await response.Content.ReadAsStringAsync())}");
        }

        // A zip that declares 4 GB (its data is one small slice): refused from the declared size, before decompressing.
        var lying = await UploadAsync(clinician, caseId, "image", (Lying(Zip(("IM1", slice)), 0xFFFFFF00u), "series.zip"));
        var error = UploadError(await lying.Content.ReadAsStringAsync());
        Assert.StartsWith("the zip declares more than ", error, StringComparison.Ordinal);
        Assert.EndsWith(" bytes uncompressed (at entry 'IM1'), the upload budget; nothing was decompressed.", error, StringComparison.Ordinal);

        // Nothing stored, nothing left on disk.
        Assert.Equal(before, await ImageCountAsync());
        var filesAfter = Directory.Exists(app.ImagesFolder) ? Directory.GetFileSystemEntries(app.ImagesFolder).Order().ToList() : [];
        Assert.Equal(filesBefore, filesAfter);
    }

    [Fact]
    public async Task A_series_of_1100_files_in_one_form_is_accepted()
    {
        // More files than ASP.NET Core's default form value count (1024): the page raises its limit to the series limit.
        var clinician = await app.SignInAsync("clinician1");
        var caseId = await NewCaseAsync(clinician);
        var files = Enumerable.Range(0, 1100).Select(k => (TinyDicom.Slice(2, 2, k, 1, 1, 1, (0, 0, 0), "1.2.826.0.1.3680043.8.498.4244", (i, j, kk) => i + j + kk % 100), "IM" + k)).ToArray();
        var response = await UploadAsync(clinician, caseId, "image", files);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{response.StatusCode}: {UploadError(await response.Content.ReadAsStringAsync())}");
        Assert.Contains("2 × 2 × 1100", WebUtility.HtmlDecode(await clinician.GetStringAsync($"/cases/{caseId}/images")), StringComparison.Ordinal);
    }
}
