using System.Text.Json;
using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Decide;

/// <summary>
/// The Measure → Decide seam: the large-vessel calibre and the adjacency distance the measurer uses are the rule
/// set's, so a centre's <c>--rules</c> file changes what <c>measure</c> and <c>assess --labels</c> measure.
/// The phantom's tumours lie (analytically, samples/imaging/answers.json) 13.2, 26.0 and 46.3 mm from the ball that
/// the sample table calls the hilum; here that ball is labelled as a bile duct, a critical structure.
/// </summary>
public class MeasureThresholdsFromRulesTests
{
    private static string Imaging(string file) => Path.Combine(RepoRoot(), "samples", "imaging", file);

    private const string BileDuctTable = """{ "1": "liver", "2": "tumour", "3": "vessel", "4": "bile-duct" }""";

    private static JsonElement MeasureJson(string table, string? rules)
    {
        string[] args = rules is null
            ? ["measure", "--labels", Imaging("labels.nii.gz"), "--label-table", table]
            : ["measure", "--labels", Imaging("labels.nii.gz"), "--label-table", table, "--rules", rules];
        var (code, output, err) = Run(args);
        Assert.True(code == 0, err);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static string[] Adjacent(JsonElement lesion) =>
        [.. lesion.GetProperty("adjacentStructures").EnumerateArray().Select(s => s.GetString()!)];

    [Fact]
    public void A_rules_file_adjacency_distance_changes_which_structures_measure_reports_as_abutting()
    {
        using var table = new TempFile(BileDuctTable);
        using var wide = new TempFile("""{ "id": "centre-wide-adjacency", "version": "1", "thresholds": { "adjacencyDistanceMm": 20 } }""");

        // Default 5 mm: no tumour is within 5 mm of the duct (nearest 13.2 mm).
        var standard = MeasureJson(table.Path, null);
        Assert.All(standard.GetProperty("lesions").EnumerateArray(), l => Assert.Empty(Adjacent(l)));
        Assert.Equal(5, standard.GetProperty("source").GetProperty("adjacencyDistanceMm").GetDouble());

        // 20 mm: the tumour at 13.2 mm now abuts it; those at 26.0 and 46.3 mm still do not (a voxel diagonal is 3 mm).
        var widened = MeasureJson(table.Path, wide.Path);
        var lesions = widened.GetProperty("lesions").EnumerateArray().ToList();
        var hits = lesions.Where(l => Adjacent(l).Contains("bile-duct")).ToList();
        var hit = Assert.Single(hits);
        Assert.InRange(hit.GetProperty("distancesMm").GetProperty("bile-duct").GetDouble(), 13.2 - 3, 13.2 + 3);
        Assert.Equal(20, widened.GetProperty("source").GetProperty("adjacencyDistanceMm").GetDouble());
        Assert.Contains("adjacency <= 20 mm", widened.GetProperty("method").GetString(), StringComparison.Ordinal);
        Assert.Contains("centre-wide-adjacency 1", widened.GetProperty("source").GetProperty("ruleSet").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_rules_file_large_vessel_calibre_changes_which_vessel_is_large()
    {
        // The phantom's vessels have calibres 12, 8, 5 and 1.6 mm. At >= 6 mm the 5 mm vessel is no longer large: no
        // large-vessel calibre below 6 mm is reported, and a tumour whose nearest large vessel was the 5 mm one is
        // now farther from a large vessel (removing a vessel from the set can only lengthen the shortest distance).
        using var strict = new TempFile("""{ "id": "centre-large-vessel", "version": "1", "thresholds": { "largeVesselMinCalibreMm": 6 } }""");
        var standard = MeasureJson(Imaging("label-table.json"), null).GetProperty("lesions").EnumerateArray().ToList();
        var changed = MeasureJson(Imaging("label-table.json"), strict.Path).GetProperty("lesions").EnumerateArray().ToList();
        Assert.Equal(standard.Count, changed.Count);
        var lengthened = 0;
        for (var i = 0; i < standard.Count; i++)
        {
            Assert.Equal(standard[i].GetProperty("id").GetString(), changed[i].GetProperty("id").GetString());
            var before = standard[i].GetProperty("distanceToLargeVesselMm").GetDouble();
            if (changed[i].TryGetProperty("largeVesselCalibreMm", out var calibre) && calibre.ValueKind == JsonValueKind.Number)
            {
                Assert.True(calibre.GetDouble() >= 6, $"{changed[i].GetProperty("id")}: calibre {calibre.GetDouble()} mm reported as large at a 6 mm threshold");
                var after = changed[i].GetProperty("distanceToLargeVesselMm").GetDouble();
                Assert.True(after >= before - 1e-9, $"{changed[i].GetProperty("id")}: {after} mm < {before} mm");
                lengthened += after > before + 1 ? 1 : 0;
            }
            else
            {
                lengthened++;
            }

            if (standard[i].GetProperty("largeVesselCalibreMm").GetDouble() < 6)
            {
                Assert.True(!changed[i].TryGetProperty("distanceToLargeVesselMm", out var d) || d.ValueKind != JsonValueKind.Number || d.GetDouble() > before + 1,
                    $"{standard[i].GetProperty("id")}: its nearest large vessel was below 6 mm, yet the distance did not grow");
            }
        }

        Assert.True(lengthened > 0, "no tumour's nearest large vessel was the 5 mm one: the test does not test anything");
    }

    [Fact]
    public void Assess_with_labels_measures_with_the_rules_file_it_judges_with()
    {
        using var table = new TempFile(BileDuctTable);
        using var wide = new TempFile("""{ "id": "centre-wide-adjacency", "version": "1", "thresholds": { "adjacencyDistanceMm": 20 } }""");

        string Vulnerable(string? rules)
        {
            string[] args = ["assess", Imaging("phantom-case.json"), "--labels", Imaging("labels.nii.gz"), "--label-table", table.Path, "--format", "json"];
            var (code, output, err) = Run(rules is null ? args : [.. args, "--rules", rules]);
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(output);
            var statuses = doc.RootElement.GetProperty("lesions").EnumerateArray()
                .Select(l => l.GetProperty("options").EnumerateArray().Single(o => o.GetProperty("therapy").GetString() == "rfa")
                    .GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "no-vulnerable-structure")
                    .GetProperty("status").GetString());
            return string.Join(",", statuses);
        }

        Assert.Equal("met,met,met", Vulnerable(null));
        var widened = Vulnerable(wide.Path).Split(',');
        Assert.Equal(1, widened.Count(s => s == "failed"));
        Assert.Equal(2, widened.Count(s => s == "met"));
    }
}
