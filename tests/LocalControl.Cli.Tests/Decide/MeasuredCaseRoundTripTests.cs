using System.Text.Json;
using System.Text.Json.Nodes;
using LocalControl.Core.Cases;
using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Decide;

/// <summary>
/// One lesion model from Measure to the case file (issue 9, "Measure → Decide seam"): what <c>measure</c> prints for a
/// lesion and what <c>assess --labels --write-case</c> writes for it are the same fields with the same values, a
/// written case read back keeps every one, and a structure the label table does not segment stays unknown.
/// </summary>
public sealed class MeasuredCaseRoundTripTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lc-cli-seam-" + Guid.NewGuid().ToString("N"));

    public MeasuredCaseRoundTripTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Imaging(string file) => Path.Combine(RepoRoot(), "samples", "imaging", file);

    private string F(string name) => Path.Combine(_dir, name);

    /// <summary>The phantom case with no typed adjacency: only the images can say what each lesion abuts.</summary>
    private string UntypedAdjacencyCase()
    {
        var text = File.ReadAllText(Imaging("phantom-case.json")).Replace(", \"adjacentStructures\": []", "", StringComparison.Ordinal);
        Assert.DoesNotContain("adjacentStructures", text, StringComparison.Ordinal);
        File.WriteAllText(F("case.json"), text);
        return F("case.json");
    }

    [Fact]
    public void Measure_then_assess_write_case_then_read_back_keeps_every_measured_field()
    {
        var (code, stdout, err) = Run("measure", "--labels", Imaging("labels.nii.gz"), "--label-table", Imaging("label-table.json"));
        Assert.True(code == 0, err);
        var measured = JsonNode.Parse(stdout)!["lesions"]!.AsArray().Select(n => n!.AsObject()).ToList();
        Assert.Equal(3, measured.Count);

        (code, _, err) = Run("assess", UntypedAdjacencyCase(), "--labels", Imaging("labels.nii.gz"), "--label-table", Imaging("label-table.json"),
            "--write-case", F("measured-case.json"), "--format", "json");
        Assert.True(code == 0, err);
        var written = File.ReadAllText(F("measured-case.json"));
        var read = CaseFileReader.Read(written);
        Assert.True(read.Case is not null, string.Join("; ", read.Errors));
        var back = read.Case!.Lesions;

        // The phantom's components carry their ids T1..T3 in the case too, so every one is matched, none added.
        Assert.Equal(3, back.Count);
        var fields = new[]
        {
            "longestDiameterMm", "longestAxialDiameterMm", "volumeMl", "distanceToLargeVesselMm", "largeVesselCalibreMm",
            "distanceToAnyVesselMm", "distanceToHilumMm", "depthFromCapsuleMm",
        };
        foreach (var m in measured)
        {
            var id = (string)m["id"]!;
            var lesion = back.Single(l => l.Id == id);

            // The fields the imaging measures for this phantom: none may be missing from measure's list.
            foreach (var field in fields.Concat(["centroidMm", "distancesMm", "source", "adjacencyNotAssessed", "measuredFields"]))
            {
                Assert.True(m.ContainsKey(field), $"{id}: measure printed no {field}");
            }

            Assert.Equal((double)m["longestDiameterMm"]!, lesion.LongestDiameterMm);
            Assert.Equal((double)m["longestAxialDiameterMm"]!, lesion.LongestAxialDiameterMm);
            Assert.Equal((double)m["volumeMl"]!, lesion.VolumeMl);
            Assert.Equal((double)m["distanceToLargeVesselMm"]!, lesion.DistanceToLargeVesselMm);
            Assert.Equal((double)m["largeVesselCalibreMm"]!, lesion.LargeVesselCalibreMm);
            Assert.Equal((double)m["distanceToAnyVesselMm"]!, lesion.DistanceToAnyVesselMm);
            Assert.Equal((double)m["distanceToHilumMm"]!, lesion.DistanceToHilumMm);
            Assert.Equal((double)m["depthFromCapsuleMm"]!, lesion.DepthFromCapsuleMm);
            Assert.Equal(m["centroidMm"]!.AsArray().Select(x => (double)x!), lesion.CentroidMm!);
            var distances = m["distancesMm"]!.AsObject().ToDictionary(kv => kv.Key, kv => (double)kv.Value!);
            Assert.Equal(distances.OrderBy(kv => kv.Key, StringComparer.Ordinal), lesion.DistancesMm!.OrderBy(kv => kv.Key, StringComparer.Ordinal));
            Assert.Contains("vessel", distances.Keys);
            Assert.Contains("hilum", distances.Keys);
            Assert.True(JsonNode.DeepEquals(m["source"], JsonNode.Parse(lesion.MeasurementSourceJson!)), $"{id}: source differs");
            Assert.Equal(id, (string)JsonNode.Parse(lesion.MeasurementSourceJson!)!["measuredLesionId"]!);
            Assert.Equal(m["adjacencyNotAssessed"]!.AsArray().Select(x => (string)x!), lesion.AdjacencyNotAssessed!);
            Assert.Equal(m["measuredFields"]!.AsArray().Select(x => (string)x!).Order(StringComparer.Ordinal), lesion.MeasuredFields!.Order(StringComparer.Ordinal));

            // Nothing critical is labelled: adjacency is unknown, not "nothing adjacent", in measure and in the case.
            Assert.False(m.ContainsKey("adjacentStructures"), $"{id}: measure claims an adjacency list with nothing segmented");
            Assert.Null(lesion.AdjacentStructures);
            foreach (var structure in new[] { "bowel", "gallbladder", "bile-duct", "stomach", "oesophagus", "trachea", "brachial-plexus" })
            {
                Assert.Contains(structure, lesion.AdjacencyNotAssessed!);
            }
        }

        // Written again, the case read back is the same text: the writer keeps every measured field.
        Assert.Equal(written, CaseFileWriter.Write(read.Case));
    }

    [Fact]
    public void A_structure_the_label_table_does_not_segment_stays_unknown_in_the_assessment_of_the_written_case()
    {
        var (code, _, err) = Run("assess", UntypedAdjacencyCase(), "--labels", Imaging("labels.nii.gz"), "--label-table", Imaging("label-table.json"),
            "--write-case", F("measured-case.json"), "--format", "json");
        Assert.True(code == 0, err);

        // Assessing the written case without images again: the heat-vulnerable check is unknown, never met.
        (code, var json, err) = Run("assess", F("measured-case.json"), "--format", "json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        foreach (var lesion in doc.RootElement.GetProperty("lesions").EnumerateArray())
        {
            var rfa = lesion.GetProperty("options").EnumerateArray().Single(o => o.GetProperty("therapy").GetString() == "rfa");
            var vulnerable = rfa.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "no-vulnerable-structure");
            Assert.Equal("unknown", vulnerable.GetProperty("status").GetString());
        }
    }

    [Fact]
    public void With_one_critical_structure_segmented_the_others_stay_unknown_end_to_end()
    {
        // The phantom's label 4 read as bowel: bowel is segmented (and more than 5 mm from every lesion), nothing else is.
        File.WriteAllText(F("table.json"), """{"1": "liver", "2": "tumour", "3": "vessel", "4": "bowel"}""");
        var (code, _, err) = Run("assess", UntypedAdjacencyCase(), "--labels", Imaging("labels.nii.gz"), "--label-table", F("table.json"),
            "--write-case", F("measured-case.json"), "--format", "json");
        Assert.True(code == 0, err);
        var back = CaseFileReader.Read(File.ReadAllText(F("measured-case.json"))).Case!;
        foreach (var lesion in back.Lesions)
        {
            Assert.True(lesion.DistancesMm!["bowel"] > 5, $"{lesion.Id}: bowel {lesion.DistancesMm["bowel"]} mm");
            Assert.Empty(lesion.AdjacentStructures!);
            Assert.DoesNotContain("bowel", lesion.AdjacencyNotAssessed!);
            Assert.Contains("bile-duct", lesion.AdjacencyNotAssessed!);
            Assert.Contains("gallbladder", lesion.AdjacencyNotAssessed!);
        }

        (code, var json, err) = Run("assess", F("measured-case.json"), "--format", "json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        foreach (var lesion in doc.RootElement.GetProperty("lesions").EnumerateArray())
        {
            var rfa = lesion.GetProperty("options").EnumerateArray().Single(o => o.GetProperty("therapy").GetString() == "rfa");
            var vulnerable = rfa.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "no-vulnerable-structure");
            Assert.Equal("unknown", vulnerable.GetProperty("status").GetString());
            Assert.Contains("bile duct", vulnerable.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("bowel", vulnerable.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Write_case_needs_labels()
    {
        var (code, _, err) = Run("assess", Imaging("phantom-case.json"), "--write-case", F("x.json"));
        Assert.Equal(2, code);
        Assert.Contains("--write-case", err, StringComparison.Ordinal);
        Assert.False(File.Exists(F("x.json")));
    }
}
