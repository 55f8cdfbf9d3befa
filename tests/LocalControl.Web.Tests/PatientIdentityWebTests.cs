using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Web.Tests;

/// <summary>
/// Patient identity (issue 14) through the real app on both databases: entered field by field on the case page,
/// encrypted at rest with a key ring outside the database, shown in clear to clinicians and coordinators and masked
/// for viewers and the admin, searchable by MRN, printed on the summary and the PDF (named by MRN or case id and
/// meeting date), and a start that refuses a registry whose key ring is missing.
/// </summary>
public abstract partial class PatientIdentityWebTests(LocalControlApp app)
{
    private static int _next;

    protected LocalControlApp App { get; } = app;

    private static string NewCaseId() => $"ID-{Interlocked.Increment(ref _next):D4}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>A random MRN of letters and digits, typed with separators ("ZQ-1234-5678"); its normalised form.</summary>
    private static (string Typed, string Normalised) NewMrn()
    {
        var digits = RandomNumberGenerator.GetInt32(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
        var letters = new string([(char)('A' + RandomNumberGenerator.GetInt32(26)), (char)('A' + RandomNumberGenerator.GetInt32(26))]);
        return ($"{letters.ToLowerInvariant()}-{digits[..4]} {digits[4..]}", letters + digits);
    }

    private async Task<string> CreateCaseAsync(HttpClient client)
    {
        var caseId = NewCaseId();
        await FollowUpWebTests.CreateAsync(client, TestCases.Liver(caseId));
        return caseId;
    }

    internal static async Task<HttpResponseMessage> PostIdentityAsync(HttpClient client, string caseId, string? mrn, string? family, string? given,
        string? birth, string? sex, int version)
    {
        var token = await LocalControlApp.AntiforgeryTokenAsync(client, $"/cases/{caseId}");
        return await client.PostAsync($"/cases/{caseId}?handler=Identity", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["IdentityVersion"] = version.ToString(CultureInfo.InvariantCulture),
            ["Identity.Mrn"] = mrn ?? "", ["Identity.FamilyName"] = family ?? "", ["Identity.GivenNames"] = given ?? "",
            ["Identity.BirthDate"] = birth ?? "", ["Identity.Sex"] = sex ?? "",
            ["__RequestVerificationToken"] = token,
        }));
    }

    internal static async Task<HttpResponseMessage> SearchMrnAsync(HttpClient client, string mrn)
    {
        var token = await LocalControlApp.AntiforgeryTokenAsync(client, "/cases");
        return await client.PostAsync("/cases?handler=Mrn", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Mrn"] = mrn, ["__RequestVerificationToken"] = token,
        }));
    }

    private static string Shown(string html, string attribute)
    {
        var m = Regex.Match(html, $"<dd {attribute}>([^<]*)</dd>");
        Assert.True(m.Success, $"no {attribute} on the page");
        return WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    private static string? FieldError(string html, string field)
    {
        var m = Regex.Match(html, $"data-error-for=\"{Regex.Escape(field)}\">([^<]*)<");
        return m.Success ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;
    }

    [Fact]
    public async Task Identity_is_stored_encrypted_apart_from_the_case_and_shown_in_clear_or_masked_by_role()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician);
        var (typed, mrn) = NewMrn();
        var family = "Quennellfam" + Guid.NewGuid().ToString("N")[..6];
        var given = "Ottilie Maren";
        var coordinator = await App.SignInAsync("coordinator1");
        var saved = await PostIdentityAsync(coordinator, caseId, typed, family, given, "1947-03-29", "female", 0);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        foreach (var user in new[] { coordinator, clinician })
        {
            var html = await user.GetStringAsync($"/cases/{caseId}");
            Assert.Equal(mrn, Shown(html, "data-identity-mrn"));
            Assert.Equal(family.ToUpperInvariant() + ", " + given, Shown(html, "data-identity-name"));
            Assert.Equal("1947-03-29", Shown(html, "data-identity-birth"));
            Assert.Equal("female", Shown(html, "data-identity-sex"));
        }
        foreach (var name in new[] { "viewer1", "admin" })
        {
            var html = await (await App.SignInAsync(name)).GetStringAsync($"/cases/{caseId}");
            Assert.Equal("••••" + mrn[^4..], Shown(html, "data-identity-mrn"));
            Assert.Equal("O. M. Q.", Shown(html, "data-identity-name"));
            Assert.Equal("hidden", Shown(html, "data-identity-birth"));
            Assert.Equal("female", Shown(html, "data-identity-sex"));
            foreach (var secret in new[] { mrn, family, family.ToUpperInvariant(), "Ottilie", "1947" })
            {
                Assert.DoesNotContain(secret, html, StringComparison.Ordinal);
            }
            Assert.DoesNotContain("id=\"identity-form\"", html, StringComparison.Ordinal);
        }

        // At rest: the row holds ciphertext only, none of the values; the case file knows nothing of the identity.
        await using (var scope = App.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            var row = await db.PatientIdentities.AsNoTracking().SingleAsync(p => db.Cases.Any(c => c.Id == p.CaseRecordId && c.CaseId == caseId));
            var stored = string.Join("\n", row.MrnProtected, row.FamilyNameProtected, row.GivenNamesProtected, row.BirthDateProtected, row.SexProtected);
            foreach (var secret in new[] { mrn, family, "Ottilie", "1947-03-29", "female" })
            {
                Assert.DoesNotContain(secret, stored, StringComparison.OrdinalIgnoreCase);
            }
            var json = (await db.Cases.AsNoTracking().SingleAsync(c => c.CaseId == caseId)).CaseFileJson;
            Assert.DoesNotContain(mrn, json, StringComparison.Ordinal);
            Assert.DoesNotContain(family, json, StringComparison.Ordinal);
            Assert.Equal(1, row.Version);
            Assert.Equal("coordinator1", row.UpdatedBy);

            // The MRN search key is HMAC-SHA256 of the normalised MRN under the key kept beside the ring (read here with
            // the data-protection API directly, not through the app's protector).
            var folder = App.Services.GetRequiredService<RegistrySettings>().IdentityKeyFolder;
            var ring = DataProtectionProvider.Create(new DirectoryInfo(folder), b => b.SetApplicationName("LocalControl.PatientIdentity"));
            var key = ring.CreateProtector("LocalControl.PatientIdentity.MrnSearchKey.v1")
                .Unprotect(Convert.FromBase64String(File.ReadAllText(Path.Combine(folder, "mrn-search.key"))));
            Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(mrn))), row.MrnSearchKey);
            Assert.Equal(mrn, ring.CreateProtector("LocalControl.PatientIdentity.Fields.v1").Unprotect(row.MrnProtected!));
        }

        if (App.Provider == RegistryProvider.Sqlite)
        {
            // The database file itself (and its write-ahead log) holds none of the bytes.
            var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(App.ConnectionString).DataSource;
            var bytes = new List<byte>();
            foreach (var f in new[] { file, file + "-wal" })
            {
                if (File.Exists(f))
                {
                    using var s = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    var buffer = new byte[s.Length];
                    s.ReadExactly(buffer);
                    bytes.AddRange(buffer);
                }
            }
            var all = bytes.ToArray();
            Assert.True(all.AsSpan().IndexOf(Encoding.UTF8.GetBytes(caseId)) >= 0, "the search below would not find anything: the case id is not in the file");
            foreach (var secret in new[] { mrn, typed, family, "Ottilie", "1947-03-29" })
            {
                Assert.True(all.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"'{secret}' found in the database file");
            }
        }

        // The audit says the identity changed and which fields, never a value.
        await using (var scope = App.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            var line = await db.Audit.AsNoTracking().SingleAsync(a => a.Action == AuditActions.Identity && a.EntityKey == caseId);
            Assert.Equal(("coordinator1", "identity changed (mrn, family name, given names, date of birth, sex); identity version 0 -> 1; values not recorded"),
                (line.UserName, line.Detail));
        }
    }

    [Fact]
    public async Task The_identity_form_checks_each_field_refuses_stale_and_unauthorised_edits_and_records_changes()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician);
        var tomorrow = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var refused = await PostIdentityAsync(clinician, caseId, "12#45", "Doe", "Jane", tomorrow, "f", 0);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.StartsWith("MRN may hold only letters A–Z and digits", FieldError(html, "Identity.Mrn"), StringComparison.Ordinal);
        Assert.StartsWith("date of birth is in the future", FieldError(html, "Identity.BirthDate"), StringComparison.Ordinal);
        Assert.StartsWith("sex must be one of female, male, other, unknown", FieldError(html, "Identity.Sex"), StringComparison.Ordinal);
        Assert.Null(FieldError(html, "Identity.FamilyName"));
        Assert.Contains("value=\"Doe\"", html, StringComparison.Ordinal); // what was typed is kept
        Assert.Contains("aria-invalid=\"true\"", html, StringComparison.Ordinal);
        var tooOld = await PostIdentityAsync(clinician, caseId, "A1", null, null, "1899-12-31", null, 0);
        Assert.StartsWith("date of birth must be 1900-01-01 or later", FieldError(await tooOld.Content.ReadAsStringAsync(), "Identity.BirthDate"), StringComparison.Ordinal);
        var notDate = await PostIdentityAsync(clinician, caseId, "A1", null, null, "29/03/1947", null, 0);
        Assert.Equal("date of birth must be a date yyyy-mm-dd", FieldError(await notDate.Content.ReadAsStringAsync(), "Identity.BirthDate"));
        var tooLong = await PostIdentityAsync(clinician, caseId, new string('7', 33), null, null, null, null, 0);
        Assert.StartsWith("MRN must be at most 32", FieldError(await tooLong.Content.ReadAsStringAsync(), "Identity.Mrn"), StringComparison.Ordinal);

        var viewer = await App.SignInAsync("viewer1");
        var denied = await PostIdentityAsync(viewer, caseId, "A1", "X", null, null, null, 0);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/account/denied", denied.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        await using (var scope = App.Scope())
        {
            Assert.Null(await scope.ServiceProvider.GetRequiredService<CaseRegistry>().IdentityAsync(caseId));
        }

        Assert.Equal(HttpStatusCode.Redirect, (await PostIdentityAsync(clinician, caseId, "A1", "Doe", null, null, null, 0)).StatusCode);
        // A second form still at version 0 is refused: nothing overwritten.
        var stale = await PostIdentityAsync(clinician, caseId, "B2", "Roe", null, null, null, 0);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, stale.StatusCode);
        Assert.Contains("Someone changed this patient's identity", WebUtility.HtmlDecode(await stale.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        // The prefilled form posts version 1; a change of sex only is audited as such.
        Assert.Contains("name=\"IdentityVersion\" value=\"1\"", await clinician.GetStringAsync($"/cases/{caseId}"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await PostIdentityAsync(clinician, caseId, "a-1", "Doe", null, null, "male", 1)).StatusCode);
        await using (var scope = App.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            var details = await db.Audit.AsNoTracking().Where(a => a.Action == AuditActions.Identity && a.EntityKey == caseId).OrderBy(a => a.Id).Select(a => a.Detail).ToListAsync();
            Assert.Equal(2, details.Count);
            Assert.StartsWith("identity changed (mrn, family name);", details[0], StringComparison.Ordinal);
            Assert.StartsWith("identity changed (sex);", details[1], StringComparison.Ordinal);
            var identity = await scope.ServiceProvider.GetRequiredService<IdentityReader>().ReadAsync(caseId, CancellationToken.None);
            Assert.Equal(new PatientIdentity("A1", "Doe", null, null, "male"), identity);
        }
    }

    [Fact]
    public async Task Mrn_search_finds_the_patients_cases_however_the_mrn_is_typed_for_clinical_roles_only()
    {
        var clinician = await App.SignInAsync("clinician1");
        var first = await CreateCaseAsync(clinician);
        var second = await CreateCaseAsync(clinician);
        var other = await CreateCaseAsync(clinician);
        var (typed, mrn) = NewMrn();
        var (otherTyped, _) = NewMrn();
        Assert.Equal(HttpStatusCode.Redirect, (await PostIdentityAsync(clinician, first, typed, "Lindqvist", "Aino", "1950-01-02", "female", 0)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostIdentityAsync(clinician, second, mrn.ToLowerInvariant(), "Lindqvist", "Aino", "1950-01-02", "female", 0)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostIdentityAsync(clinician, other, otherTyped, "Berg", "Per", null, null, 0)).StatusCode);

        var coordinator = await App.SignInAsync("coordinator1");
        foreach (var query in new[] { mrn, $" {mrn[..2]}.{mrn[2..6]}/{mrn[6..]} " })
        {
            var found = await SearchMrnAsync(coordinator, query);
            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
            var html = await found.Content.ReadAsStringAsync();
            var listed = Regex.Matches(html, "<td><a href=\"/cases/([^\"]+)\">").Select(m => Uri.UnescapeDataString(m.Groups[1].Value)).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), listed);
            Assert.Contains("<td data-identity-name>LINDQVIST, Aino</td>", html, StringComparison.Ordinal);
            Assert.Contains($"<td data-identity-mrn>{mrn}</td>", html, StringComparison.Ordinal);
        }
        var none = await (await SearchMrnAsync(coordinator, "ZZ00000000")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("<td><a href=\"/cases/", none, StringComparison.Ordinal);
        var bad = await SearchMrnAsync(coordinator, "12#4");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.StartsWith("MRN may hold only letters", FieldError(await bad.Content.ReadAsStringAsync(), "Mrn"), StringComparison.Ordinal);

        foreach (var name in new[] { "viewer1", "admin" })
        {
            var user = await App.SignInAsync(name);
            Assert.DoesNotContain("handler=Mrn", await user.GetStringAsync("/cases"), StringComparison.Ordinal);
            var denied = await SearchMrnAsync(user, mrn);
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.StartsWith("/account/denied", denied.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
        Assert.Contains("handler=Mrn", await clinician.GetStringAsync("/cases"), StringComparison.Ordinal);
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        Assert.Contains(await db.Audit.AsNoTracking().Where(a => a.EntityKey == "mrn search" && a.UserName == "coordinator1").Select(a => a.Detail).ToListAsync(),
            d => d == "2 case(s) found by MRN");
    }

    [Fact]
    public async Task The_summary_and_the_pdf_carry_the_identity_by_role_and_the_pdf_is_named_by_mrn_or_case_id_and_meeting_date()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician);
        var (typed, mrn) = NewMrn();
        Assert.Equal(HttpStatusCode.Redirect, (await PostIdentityAsync(clinician, caseId, typed, "Haverkamp", "Joost", "1961-11-05", "male", 0)).StatusCode);
        var viewer = await App.SignInAsync("viewer1");

        // Unscheduled: the meeting part says so.
        Assert.Equal($"summary_MRN-{mrn}_unscheduled.pdf", (await PdfAsync(clinician, caseId)).FileName);
        var token = await LocalControlApp.AntiforgeryTokenAsync(clinician, $"/cases/{caseId}");
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.PostAsync($"/cases/{caseId}?handler=Schedule", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["status"] = "to-discuss", ["meetingDate"] = "2026-12-10", ["__RequestVerificationToken"] = token,
        }))).StatusCode);

        var (name, text) = await PdfAsync(clinician, caseId);
        Assert.Equal($"summary_MRN-{mrn}_2026-12-10.pdf", name);
        Assert.Contains($"Patient: HAVERKAMP, Joost · MRN {mrn} · born 1961-11-05 · sex male", text, StringComparison.Ordinal);
        Assert.Contains($"Case {caseId} · HAVERKAMP, Joost · MRN {mrn} · rule set", text, StringComparison.Ordinal); // every page's footer
        var (viewerName, viewerText) = await PdfAsync(viewer, caseId);
        Assert.Equal($"summary_case-{caseId}_2026-12-10.pdf", viewerName);
        Assert.Contains($"Patient: J. H. · MRN ••••{mrn[^4..]} · born hidden · sex male", viewerText, StringComparison.Ordinal);
        Assert.DoesNotContain("Haverkamp", viewerText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(mrn, viewerText, StringComparison.Ordinal);
        Assert.DoesNotContain("1961", viewerText, StringComparison.Ordinal);

        var print = await clinician.GetStringAsync($"/cases/{caseId}/print");
        Assert.Contains($"<strong>Patient:</strong> HAVERKAMP, Joost · MRN {mrn} · born 1961-11-05 · sex male", WebUtility.HtmlDecode(print), StringComparison.Ordinal);
        var viewerPrint = WebUtility.HtmlDecode(await viewer.GetStringAsync($"/cases/{caseId}/print"));
        Assert.Contains($"<strong>Patient:</strong> J. H. · MRN ••••{mrn[^4..]} · born hidden · sex male", viewerPrint, StringComparison.Ordinal);
        Assert.DoesNotContain("HAVERKAMP", viewerPrint, StringComparison.Ordinal);
        // The decision form says whose decision it is.
        Assert.Contains($"<strong>Patient:</strong> HAVERKAMP, Joost · MRN {mrn} · born 1961-11-05 · sex male",
            WebUtility.HtmlDecode(await clinician.GetStringAsync($"/cases/{caseId}/decide")), StringComparison.Ordinal);
        // So does the editor.
        Assert.Contains($"<strong>Patient:</strong> HAVERKAMP, Joost · MRN {mrn} · born 1961-11-05 · sex male",
            WebUtility.HtmlDecode(await clinician.GetStringAsync($"/cases/{caseId}/edit")), StringComparison.Ordinal);

        // No identity recorded: the case id names the file, and the summary says to check the patient.
        var bareId = await CreateCaseAsync(clinician);
        var (bareName, bareText) = await PdfAsync(clinician, bareId);
        Assert.Equal($"summary_case-{bareId}_unscheduled.pdf", bareName);
        Assert.Contains("Patient identity not recorded", bareText, StringComparison.Ordinal);
        Assert.Equal("summary_case-bare_case__x_2026-01-02.pdf", IdentityReader.PdfFileName(
            new CaseRecord { CaseId = "bare case/\u00e9x", CaseFileJson = "{}", MeetingDate = new DateOnly(2026, 1, 2) }, null, full: true));
    }

    private static async Task<(string FileName, string Text)> PdfAsync(HttpClient client, string caseId)
    {
        var response = await client.GetAsync($"/cases/{caseId}/summary.pdf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var name = response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"');
        var folder = Directory.CreateTempSubdirectory("lc-pdf-id-");
        try
        {
            var pdf = Path.Combine(folder.FullName, "s.pdf");
            await File.WriteAllBytesAsync(pdf, await response.Content.ReadAsByteArrayAsync());
            var txt = Path.Combine(folder.FullName, "s.txt");
            using var p = Process.Start(new ProcessStartInfo("pdftotext", ["-enc", "UTF-8", pdf, txt]) { RedirectStandardError = true })!;
            var err = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, "pdftotext failed: " + err);
            // pdftotext breaks long lines where the PDF wrapped them: join lines so that a sentence is searchable.
            return (name!, Regex.Replace(await File.ReadAllTextAsync(txt), @"\s*\n\s*", " "));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    internal static async Task<HttpResponseMessage> PutIdentityAsync(HttpClient client, string caseId, string? ifMatch, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/cases/{caseId}/identity") { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task The_api_sets_the_identity_with_if_match_and_reads_it_in_clear_or_masked_by_role()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician);
        var body = new { mrn = "yp-5512 0098", familyName = "Szabo", givenNames = "Eniko Maria", birthDate = "1966-04-01", sex = "female" };
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await PutIdentityAsync(clinician, caseId, null, body)).StatusCode);
        var none = await clinician.GetAsync($"/api/cases/{caseId}/identity");
        Assert.Equal("\"0\"", none.Headers.ETag!.Tag);
        var coordinator = await App.SignInAsync("coordinator1");
        var put = await PutIdentityAsync(coordinator, caseId, "\"0\"", body);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("\"1\"", put.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await PutIdentityAsync(clinician, caseId, "\"0\"", body)).StatusCode);

        var full = JsonNode.Parse(await clinician.GetStringAsync($"/api/cases/{caseId}/identity"))!;
        Assert.Equal((false, "YP55120098", "Szabo", "Eniko Maria", "1966-04-01", "female", 1),
            (full["masked"]!.GetValue<bool>(), full["mrn"]!.GetValue<string>(), full["familyName"]!.GetValue<string>(), full["givenNames"]!.GetValue<string>(),
             full["birthDate"]!.GetValue<string>(), full["sex"]!.GetValue<string>(), full["version"]!.GetValue<int>()));
        foreach (var name in new[] { "viewer1", "admin" })
        {
            var user = await App.SignInAsync(name);
            var text = await user.GetStringAsync($"/api/cases/{caseId}/identity");
            var masked = JsonNode.Parse(text)!;
            Assert.Equal((true, "••••0098", "E. M. S.", "female"),
                (masked["masked"]!.GetValue<bool>(), masked["mrn"]!.GetValue<string>(), masked["initials"]!.GetValue<string>(), masked["sex"]!.GetValue<string>()));
            foreach (var secret in new[] { "Szabo", "Eniko", "1966", "YP55" })
            {
                Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
            }
            Assert.Equal(HttpStatusCode.Forbidden, (await PutIdentityAsync(user, caseId, "\"1\"", body)).StatusCode);
        }

        var bad = await PutIdentityAsync(clinician, caseId, "\"1\"", new { mrn = "x#1", birthDate = "2999-01-01", sex = "woman" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["birthDate", "mrn", "sex"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.StartsWith("date of birth is in the future", errors["birthDate"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await PutIdentityAsync(clinician, caseId, "\"1\"", new { birthDate = 19660401 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PutIdentityAsync(clinician, caseId + "-missing", "\"0\"", body)).StatusCode);
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var line = await db.Audit.AsNoTracking().SingleAsync(a => a.Action == AuditActions.Identity && a.EntityKey == caseId);
        Assert.Equal("coordinator1", line.UserName);
        Assert.DoesNotContain("Szabo", line.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_start_on_a_registry_with_identities_but_without_their_key_ring_stops_with_a_message()
    {
        var clinician = await App.SignInAsync("clinician1");
        var caseId = await CreateCaseAsync(clinician);
        Assert.Equal(HttpStatusCode.Redirect, (await PostIdentityAsync(clinician, caseId, "Q1", "Ring", null, null, null, 0)).StatusCode);
        var settings = App.Services.GetRequiredService<RegistrySettings>();
        var empty = Path.Combine(Path.GetTempPath(), "lc-nokeys-" + Guid.NewGuid().ToString("N")[..8]);
        await using var scope = App.Scope();
        var e = await Assert.ThrowsAsync<StartupException>(() =>
            RegistryStartup.CheckIdentityKeyRingAsync(scope.ServiceProvider, settings with { IdentityKeyFolder = empty }, CancellationToken.None));
        Assert.Contains("holds patient identities but the key folder", e.Message, StringComparison.Ordinal);
        Assert.Contains(empty, e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(empty)); // no fresh ring made beside data it cannot read
        // The right ring passes.
        await RegistryStartup.CheckIdentityKeyRingAsync(scope.ServiceProvider, settings, CancellationToken.None);
    }
}

public sealed class SqlitePatientIdentityWebTests(SqliteApp app) : PatientIdentityWebTests(app), IClassFixture<SqliteApp>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresPatientIdentityWebTests(PostgresApp app) : PatientIdentityWebTests(app), IClassFixture<PostgresApp>;
