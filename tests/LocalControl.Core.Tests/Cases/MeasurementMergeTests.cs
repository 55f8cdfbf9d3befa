using LocalControl.Core.Cases;
using static LocalControl.Core.Tests.TestCases;

namespace LocalControl.Core.Tests.Cases;

public class MeasurementMergeTests
{
    private static readonly LesionMeasurement T1 = new()
    {
        Id = "T1",
        Organ = Organ.Liver,
        LongestDiameterMm = 31.2,
        DistanceToLargeVesselMm = 2.1,
        LargeVesselCalibreMm = 6.4,
        DistanceToHilumMm = 41,
        AdjacentStructures = ["diaphragm"],
        CentroidMm = [10, 20, 30],
        VolumeMl = 12.5,
    };

    [Fact]
    public void Measured_values_fill_gaps_and_replace_typed_ones_with_a_note()
    {
        var typed = new Lesion { Id = "T1", Organ = Organ.Liver, LongestDiameterMm = 25, AdjacentStructures = ["bowel"] };
        var (merged, notes) = MeasurementMerge.Merge(Case(typed), [T1], preferTyped: false, "seg.nii.gz");
        var l = merged.Lesions.Single();
        Assert.Equal(31.2, l.LongestDiameterMm);
        Assert.Equal(2.1, l.DistanceToLargeVesselMm);
        Assert.Equal(["bowel", "diaphragm"], l.AdjacentStructures);
        Assert.Contains("longestDiameterMm", l.MeasuredFields!);
        Assert.Contains("distanceToHilumMm", l.MeasuredFields!);
        Assert.Contains(notes, n => n.Path == "lesions[0].longestDiameterMm" && n.Message.Contains("replaces typed 25", StringComparison.Ordinal));
    }

    [Fact]
    public void Typed_values_win_when_the_user_says_so()
    {
        var typed = new Lesion { Id = "T1", Organ = Organ.Liver, LongestDiameterMm = 25 };
        var (merged, notes) = MeasurementMerge.Merge(Case(typed), [T1], preferTyped: true, "seg.nii.gz");
        var l = merged.Lesions.Single();
        Assert.Equal(25, l.LongestDiameterMm);
        Assert.DoesNotContain("longestDiameterMm", l.MeasuredFields!);
        Assert.Equal(41, l.DistanceToHilumMm);
        Assert.Contains(notes, n => n.Message.Contains("typed 25 kept", StringComparison.Ordinal));
    }

    [Fact]
    public void Lesions_match_by_centroid_before_id_and_unmatched_ones_are_added_or_kept()
    {
        var typed = new Lesion { Id = "A", Organ = Organ.Liver, CentroidMm = [12, 20, 30] };
        var other = new Lesion { Id = "B", Organ = Organ.Lung, LongestDiameterMm = 9 };
        var t2 = T1 with { Id = "T2", CentroidMm = [100, 100, 100], Organ = null };
        var (merged, notes) = MeasurementMerge.Merge(Case(typed, other), [T1, t2], preferTyped: false, "seg");
        Assert.Equal(31.2, merged.Lesions[0].LongestDiameterMm);
        Assert.Equal(9, merged.Lesions[1].LongestDiameterMm);
        Assert.Equal("T2", merged.Lesions[2].Id);
        Assert.Equal(Organ.Other, merged.Lesions[2].Organ);
        Assert.Contains(notes, n => n.Message.Contains("lesion B was not found", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Message.Contains("lesion T2 added", StringComparison.Ordinal));
        Assert.True(CaseFileReader.Read(CaseFileWriter.Write(merged)).IsValid);
    }
}
