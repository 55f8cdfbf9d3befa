using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LocalControl.Core.Cases;
using LocalControl.Web.Tests.Infrastructure;

namespace LocalControl.Web.Tests;

/// <summary>The case form on the editor pages (the browser test drives it; here: what the server renders).</summary>
public sealed partial class CaseFormTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    // Every field of the case format a clinician types, by its case-file path, listed by hand from docs/case-format.md.
    private static readonly string[] PatientPaths =
    [
        "caseId", "notes", "patient.ageYears", "patient.ecog", "patient.rasStatus", "patient.brafStatus", "patient.msiStatus",
        "patient.primary.site", "patient.primary.nodePositive", "patient.primary.resected", "patient.cea",
        "patient.diseaseFreeIntervalMonths", "patient.liver.futureLiverRemnantPercent", "patient.liver.cirrhosis",
        "patient.liver.bilirubinUmolL", "patient.treatmentIntentPreference",
    ];

    private static readonly string[] LinePaths = ["line", "regimen", "containsOxaliplatin", "bestResponse", "progressed"];

    private static readonly string[] LesionPaths =
    [
        "id", "organ", "location", "longestDiameterMm", "distanceToLargeVesselMm", "largeVesselCalibreMm", "distanceToHilumMm",
        "depthFromCapsuleMm", "surgicalAssessment", "priorLocalTreatment", "intent", "worstPainScore", "corticalErosion",
        "visibility.ultrasound", "visibility.ct", "visibility.mri", "visibility.cbct",
    ];

    private static readonly string[] Structures =
    [
        "bowel", "gallbladder", "stomach", "diaphragm", "heart", "large-bronchus", "pleura", "spinal-cord", "nerve-root", "skin",
        "bile-duct", "large-vessel", "kidney", "pancreas", "oesophagus", "trachea", "brachial-plexus", "joint", "other",
    ];

    [Fact]
    public async Task The_form_renders_every_field_with_a_label_and_the_json_tab_beside_it()
    {
        var clinician = await app.SignInAsync("clinician1");
        var caseId = "CF-" + Guid.NewGuid().ToString("N")[..8];
        var created = await clinician.PostAsync("/api/cases", new StringContent(TestCases.Json(TestCases.Liver(caseId)), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        foreach (var path in new[] { "/cases/new", $"/cases/{caseId}/edit" })
        {
            var html = await clinician.GetStringAsync(path);
            var form = Section(html, "id=\"panel-form\"", "id=\"panel-json\"");
            var line = Section(html, "id=\"line-template\"", "</template>");
            var lesion = Section(html, "id=\"lesion-template\"", "</template>");
            foreach (var p in PatientPaths)
            {
                Assert.Contains($"data-path=\"{p}\"", form, StringComparison.Ordinal);
            }
            foreach (var p in LinePaths)
            {
                Assert.Contains($"data-path=\"{p}\"", line, StringComparison.Ordinal);
            }
            foreach (var p in LesionPaths)
            {
                Assert.Contains($"data-path=\"{p}\"", lesion, StringComparison.Ordinal);
            }
            foreach (var s in Structures)
            {
                Assert.Contains($"data-adjacent=\"{s}\"", lesion, StringComparison.Ordinal);
            }

            // Every input, select and textarea of the form and its templates has a label pointing at its id.
            var controls = ControlId().Matches(form + line + lesion).Select(m => m.Groups[1].Value).ToList();
            Assert.True(controls.Count >= PatientPaths.Length + LinePaths.Length + LesionPaths.Length + Structures.Length);
            var labels = LabelFor().Matches(form + line + lesion).Select(m => m.Groups[1].Value).ToHashSet();
            Assert.All(controls, id => Assert.Contains(id, labels));

            // Units beside the fields that have them.
            foreach (var unit in new[] { "ng/mL", "µmol/L", "% of total liver volume", "months; 0 = synchronous", "0–4", "0–10 NRS" })
            {
                Assert.Contains(unit, System.Net.WebUtility.HtmlDecode(form + lesion), StringComparison.Ordinal);
            }

            // The JSON editor is still there (the advanced tab, posted as before), and the tabs.
            Assert.Contains("name=\"CaseFileJson\"", html, StringComparison.Ordinal);
            Assert.Contains("role=\"tab\"", html, StringComparison.Ordinal);
            Assert.Contains("JSON (advanced)", html, StringComparison.Ordinal);
            Assert.Contains("/js/editor-form.js", html, StringComparison.Ordinal);

            // CSP: no inline script, no inline style.
            Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)[^>]*>", html);
            Assert.DoesNotContain(" style=\"", html, StringComparison.Ordinal);

            // The form's word table is Core's (decoded from the attribute), not a copy.
            var words = System.Net.WebUtility.HtmlDecode(WordsAttribute().Match(html).Groups[1].Value);
            var table = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(words)!;
            Assert.Equal("stable-disease", table[nameof(CodedField.BestResponse)]["stable disease"]);
            Assert.Equal("wild-type", table[nameof(CodedField.RasStatus)]["wild type"]);
            Assert.Equal(ClinicalWords.Table.Count, table.Count);
        }
    }

    private static string Section(string html, string start, string end)
    {
        var i = html.IndexOf(start, StringComparison.Ordinal);
        Assert.True(i >= 0, start);
        var j = html.IndexOf(end, i, StringComparison.Ordinal);
        Assert.True(j > i, end);
        return html[i..j];
    }

    [GeneratedRegex("<(?:input|select|textarea)\\b[^>]*?\\bid=\"([^\"]+)\"")]
    private static partial Regex ControlId();

    [GeneratedRegex("<label\\b[^>]*?\\bfor=\"([^\"]+)\"")]
    private static partial Regex LabelFor();

    [GeneratedRegex("data-words=\"([^\"]*)\"")]
    private static partial Regex WordsAttribute();
}
