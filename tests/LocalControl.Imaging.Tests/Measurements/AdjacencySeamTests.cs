using LocalControl.Core.Cases;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Measurements;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Measurements;

/// <summary>The Measure → Decide seam: what the measurer says about adjacency is what the engine can trust.</summary>
public class AdjacencySeamTests
{
    [Fact]
    public void Every_structure_the_engine_tests_is_a_critical_structure_of_the_measurer()
    {
        // Case-file structures that are anatomical (not "large-vessel", "joint", "kidney", "pancreas", "other").
        foreach (var name in new[] { "bile-duct", "oesophagus", "trachea", "brachial-plexus", "bowel", "gallbladder", "stomach", "heart", "large-bronchus", "spinal-cord", "nerve-root", "skin" })
        {
            var role = LabelRoles.Parse(name);
            Assert.NotNull(role);
            Assert.True(role!.Value.IsCriticalStructure(), name);
            Assert.Contains(name, CaseVocabulary.AdjacentStructures);
        }
    }

    [Fact]
    public void A_structure_missing_from_the_label_table_is_reported_as_not_segmented_not_as_not_adjacent()
    {
        var table = new LabelTable().Set(new LabelEntry(2, "tumour", LabelRole.Tumour)).Set(new LabelEntry(3, "bowel", LabelRole.Bowel));
        var v = new Volume<int>(ImageGeometry.AxisAligned(new VolumeSize(30, 20, 20), new Vector3D(1, 1, 1)));
        for (var k = 8; k < 12; k++)
        {
            for (var j = 8; j < 12; j++)
            {
                for (var i = 8; i < 12; i++)
                {
                    v[i, j, k] = 2;
                }

                v[25, j, k] = 3; // bowel 14 mm away: segmented, not adjacent
            }
        }

        var lesion = Assert.Single(LesionMeasurer.Measure(new LabelMap(v, table)));
        Assert.Empty(lesion.AdjacentStructures!);
        Assert.DoesNotContain("bowel", lesion.NotSegmentedStructures);
        Assert.Contains("gallbladder", lesion.NotSegmentedStructures);
        Assert.Contains("bile-duct", lesion.NotSegmentedStructures);
        Assert.Contains("gallbladder", lesion.ToCaseLesionJson()["adjacencyNotAssessed"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public void The_measurer_takes_its_thresholds_from_the_rule_set()
    {
        var rules = Core.Rules.RuleSet.Default.WithOverrides("""{ "id": "c", "version": "1", "thresholds": { "adjacencyDistanceMm": 2, "largeVesselMinCalibreMm": 4 } }""", "centre.json");
        var options = MeasureOptions.From(rules);
        Assert.Equal(2, options.AdjacencyDistanceMm);
        Assert.Equal(4, options.LargeVesselCalibreMm);
        Assert.Equal(Core.Rules.RuleSet.Default.AdjacencyDistanceMm, new MeasureOptions().AdjacencyDistanceMm);
    }
}
