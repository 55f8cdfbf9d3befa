using System.Text.Json.Nodes;
using LocalControl.Core.Cases;
using static LocalControl.Core.Tests.TestCases;

namespace LocalControl.Core.Tests.Cases;

/// <summary>The one mapping from a measurement to a case lesion, and the writer and reader around it (docs/case-format.md, "Measured lesions").</summary>
public class MeasuredLesionRoundTripTests
{
    private const string Source = """{"file":"seg.nii.gz","measuredLesionId":"T1","ruleSet":"x 1","largeVesselMinCalibreMm":3,"adjacencyDistanceMm":5}""";

    private static readonly LesionMeasurement Full = new()
    {
        Id = "T1",
        Organ = Organ.Liver,
        Location = "segment 7",
        LongestDiameterMm = 31.25,
        LongestAxialDiameterMm = 29.5,
        VolumeMl = 12.125,
        CentroidMm = [10.5, -20.25, 30],
        DistanceToLargeVesselMm = 2.1,
        LargeVesselCalibreMm = 6.4,
        DistanceToHilumMm = 41,
        DepthFromCapsuleMm = 7.75,
        AdjacentStructures = ["diaphragm"],
        AdjacencyNotAssessed = ["bowel", "bile-duct"],
        DistanceToAnyVesselMm = 1.5,
        DistancesMm = new Dictionary<string, double> { ["vessel"] = 1.5, ["hilum"] = 41, ["diaphragm"] = 0 },
        MeasurementSourceJson = Source,
    };

    [Fact]
    public void Every_measured_field_reaches_the_lesion_and_survives_write_then_read()
    {
        var lesion = MeasurementMerge.ToLesion(Full);
        var text = CaseFileWriter.Write(Case(lesion));
        var read = CaseFileReader.Read(text);
        Assert.True(read.IsValid, string.Join("; ", read.Errors));
        var back = read.Case!.Lesions.Single();
        Assert.Equal(Organ.Liver, back.Organ);
        Assert.Equal("segment 7", back.Location);
        Assert.Equal(31.25, back.LongestDiameterMm);
        Assert.Equal(29.5, back.LongestAxialDiameterMm);
        Assert.Equal(12.125, back.VolumeMl);
        Assert.Equal([10.5, -20.25, 30], back.CentroidMm!);
        Assert.Equal(2.1, back.DistanceToLargeVesselMm);
        Assert.Equal(6.4, back.LargeVesselCalibreMm);
        Assert.Equal(41, back.DistanceToHilumMm);
        Assert.Equal(7.75, back.DepthFromCapsuleMm);
        Assert.Equal(["diaphragm"], back.AdjacentStructures!);
        Assert.Equal(["bowel", "bile-duct"], back.AdjacencyNotAssessed!);
        Assert.Equal(1.5, back.DistanceToAnyVesselMm);
        Assert.Equal(3, back.DistancesMm!.Count);
        Assert.Equal(0, back.DistancesMm["diaphragm"]);
        Assert.Equal(1.5, back.DistancesMm["vessel"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Source), JsonNode.Parse(back.MeasurementSourceJson!)));
        foreach (var f in new[] { "longestDiameterMm", "longestAxialDiameterMm", "volumeMl", "distanceToLargeVesselMm", "largeVesselCalibreMm", "distanceToHilumMm", "depthFromCapsuleMm", "adjacentStructures" })
        {
            Assert.Contains(f, back.MeasuredFields!);
        }

        Assert.Equal(text, CaseFileWriter.Write(read.Case));
    }

    [Fact]
    public void A_merged_lesion_takes_the_source_of_its_measurement_and_an_added_one_too()
    {
        var typed = new Lesion { Id = "T1", Organ = Organ.Liver, LongestDiameterMm = 31 };
        var (merged, _) = MeasurementMerge.Merge(Case(typed), [Full, Full with { Id = "T9", CentroidMm = null }], preferTyped: false, "seg.nii.gz");
        Assert.All(merged.Lesions, l => Assert.Equal(Source, l.MeasurementSourceJson));
        Assert.Equal(2, merged.Lesions.Count);
    }

    [Fact]
    public void The_lesion_json_of_one_lesion_is_the_entry_a_whole_case_holds()
    {
        var lesion = MeasurementMerge.ToLesion(Full);
        var whole = JsonNode.Parse(CaseFileWriter.Write(Case(lesion)))!["lesions"]![0];
        Assert.True(JsonNode.DeepEquals(whole, JsonNode.Parse(CaseFileWriter.WriteLesion(lesion))));
    }

    [Theory]
    [InlineData("mss", "MSS")]
    [InlineData("pmmr", "MSS")]
    [InlineData("msi-high", "MSI-high")]
    [InlineData("dmmr", "MSI-high")]
    [InlineData("msi-low", "MSI-low")]
    [InlineData("unknown", "unknown")]
    public void Msi_status_is_shown_in_clinicians_words(string caseValue, string shown)
    {
        Assert.True(CaseVocabulary.Msi.TryParse(caseValue, out var status));
        Assert.Equal(shown, CaseVocabulary.DisplayName(status));
    }
}
