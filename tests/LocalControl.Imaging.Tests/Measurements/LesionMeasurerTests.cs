using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Measurements;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Measurements;

public class LesionMeasurerTests
{
    private static LabelMap Map(VolumeSize size, Vector3D spacing, LabelTable table, Action<Volume<int>> draw)
    {
        var v = new Volume<int>(ImageGeometry.AxisAligned(size, spacing));
        draw(v);
        return new LabelMap(v, table);
    }

    private static void Box(Volume<int> v, int label, int i0, int j0, int k0, int i1, int j1, int k1)
    {
        for (var k = k0; k < k1; k++)
        {
            for (var j = j0; j < j1; j++)
            {
                for (var i = i0; i < i1; i++)
                {
                    v[i, j, k] = label;
                }
            }
        }
    }

    [Fact]
    public void A_cuboid_lesion_has_hand_computed_volume_diameters_and_centroid()
    {
        var table = new LabelTable().Set(new LabelEntry(5, "t", LabelRole.Tumour));
        var map = Map(new VolumeSize(20, 20, 10), new Vector3D(0.5, 0.5, 2), table, v => Box(v, 5, 2, 4, 1, 6, 10, 4));
        var lesion = Assert.Single(LesionMeasurer.Measure(map));
        Assert.Equal("T1", lesion.Id);
        Assert.Equal(4 * 6 * 3, lesion.VoxelCount);
        Assert.Equal(4 * 6 * 3 * 0.5 * 0.5 * 2 / 1000.0, lesion.VolumeMl, 12);
        Assert.Equal(new Vector3D(3.5 * 0.5, 6.5 * 0.5, 2 * 2), lesion.CentroidLps);
        // Corner to corner of the voxel centres: (3·0.5, 5·0.5, 2·2).
        Assert.Equal(Math.Sqrt(1.5 * 1.5 + 2.5 * 2.5 + 4 * 4), lesion.LongestDiameterMm, 9);
        Assert.Equal(Math.Sqrt(1.5 * 1.5 + 2.5 * 2.5), lesion.LongestAxialDiameterMm, 9);
        Assert.Null(lesion.Organ);
        Assert.Null(lesion.DepthFromCapsuleMm);
        Assert.Empty(lesion.DistancesMm);
        var json = lesion.ToCaseLesionJson();
        Assert.False(json.ContainsKey("distanceToLargeVesselMm"));
        Assert.False(json.ContainsKey("organ"));
        Assert.Equal(3, json["centroidMm"]!.AsArray().Count);
    }

    [Fact]
    public void Structures_get_hand_computed_distances_and_adjacency()
    {
        var table = new LabelTable()
            .Set(new LabelEntry(1, "liver", LabelRole.Liver))
            .Set(new LabelEntry(2, "tumour", LabelRole.Tumour))
            .Set(new LabelEntry(3, "bowel", LabelRole.Bowel))
            .Set(new LabelEntry(4, "gallbladder", LabelRole.Gallbladder))
            .Set(new LabelEntry(6, "bile duct", LabelRole.BileDuct));
        var map = Map(new VolumeSize(60, 30, 30), new Vector3D(1, 1, 1), table, v =>
        {
            Box(v, 1, 5, 5, 5, 45, 25, 25);     // liver
            Box(v, 2, 20, 12, 12, 24, 16, 16);  // tumour, i 20..23
            Box(v, 3, 27, 12, 12, 29, 16, 16);  // bowel from i = 27: 4 mm from voxel centre 23
            Box(v, 4, 50, 12, 12, 52, 16, 16);  // gallbladder far (27 mm)
            Box(v, 6, 20, 20, 12, 24, 21, 16);  // bile duct at j = 20: 5 mm from j = 15
        });
        var lesion = Assert.Single(LesionMeasurer.Measure(map));
        Assert.Equal("liver", lesion.Organ);
        Assert.Equal(4.0, lesion.DistancesMm["bowel"], 5);
        Assert.Equal(27.0, lesion.DistancesMm["gallbladder"], 5);
        Assert.Equal(5.0, lesion.DistancesMm["bile-duct"], 5);
        Assert.Equal(["bile-duct", "bowel"], lesion.AdjacentStructures); // bile duct at 5 mm: within the 5 mm adjacency
        // The capsule: the tumour spans j 12..15 in a liver spanning j 5..24, the nearest outside voxel is j = 4 or the bowel side.
        Assert.Equal(4.0, lesion.DepthFromCapsuleMm!.Value, 5);
        Assert.Null(lesion.DistanceToAnyVesselMm);
        var json = lesion.ToCaseLesionJson();
        Assert.Equal("liver", (string)json["organ"]!);
        Assert.Equal(4.0, (double)json["distancesMm"]!["bowel"]!);
    }

    [Fact]
    public void Two_separate_tumour_blobs_are_two_lesions_and_the_segment_map_names_their_segment()
    {
        var table = new LabelTable().Set(new LabelEntry(2, "tumour", LabelRole.Tumour));
        var map = Map(new VolumeSize(30, 10, 10), new Vector3D(1, 1, 1), table, v =>
        {
            Box(v, 2, 2, 2, 2, 5, 5, 5);
            Box(v, 2, 20, 2, 2, 23, 5, 5);
        });
        var segments = new Volume<int>(map.Labels.Geometry);
        Box(segments, 7, 0, 0, 0, 15, 10, 10);
        Box(segments, 8, 15, 0, 0, 30, 10, 10);
        var lesions = LesionMeasurer.Measure(map, new MeasureOptions { SegmentMap = segments });
        Assert.Equal(2, lesions.Count);
        Assert.Equal(7, lesions[0].Segment);
        Assert.Equal(8, lesions[1].Segment);
        Assert.Equal("segment 8", (string)lesions[1].ToCaseLesionJson()["location"]!);
    }

    [Fact]
    public void A_segment_map_on_another_grid_is_refused()
    {
        var table = new LabelTable().Set(new LabelEntry(2, "tumour", LabelRole.Tumour));
        var map = Map(new VolumeSize(10, 10, 10), new Vector3D(1, 1, 1), table, v => v[1, 1, 1] = 2);
        var other = new Volume<int>(ImageGeometry.AxisAligned(new VolumeSize(10, 10, 10), new Vector3D(1, 1, 1.5)));
        var ex = Assert.Throws<ImagingException>(() => LesionMeasurer.Measure(map, new MeasureOptions { SegmentMap = other }));
        Assert.Equal("LC-MEAS-001", ex.Code);
    }

    [Fact]
    public void Cropped_search_gives_the_same_answers_as_a_whole_volume_search()
    {
        var spec = PhantomMeasurementTests.Spec(new Vector3D(1, 1, 1));
        var map = Phantoms.LiverPhantom.Draw(spec);
        var cropped = LesionMeasurer.Measure(map, new MeasureOptions { InitialSearchMarginMm = 5 });
        var whole = LesionMeasurer.Measure(map, new MeasureOptions { InitialSearchMarginMm = 1000 });
        Assert.Equal(whole.Count, cropped.Count);
        for (var n = 0; n < whole.Count; n++)
        {
            Assert.Equal(whole[n].ToCaseLesionJson().ToJsonString(), cropped[n].ToCaseLesionJson().ToJsonString());
        }
    }
}

public class FarStructureTests
{
    [Fact]
    public void A_far_structure_is_measured_exactly_from_its_own_distance_map()
    {
        // A small lesion at one end and bone at the other end of a long volume: the crop never reaches the bone
        // before the box holds an eighth of the volume, so the whole-volume bone EDT answers.
        var table = new LabelTable().Set(new LabelEntry(2, "t", LabelRole.Tumour)).Set(new LabelEntry(9, "bone", LabelRole.Bone));
        var v = new Volume<int>(ImageGeometry.AxisAligned(new VolumeSize(400, 20, 20), new Vector3D(1, 1, 1)));
        v[5, 10, 10] = 2;
        v[395, 3, 17] = 9;
        var lesion = Assert.Single(LesionMeasurer.Measure(new LabelMap(v, table), new MeasureOptions { InitialSearchMarginMm = 5 }));
        Assert.Equal(Math.Sqrt(390 * 390 + 7 * 7 + 7 * 7), lesion.DistancesMm["bone"], 4);
        Assert.Null(lesion.Organ);
    }
}
