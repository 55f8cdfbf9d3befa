using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Verification.Tests;

/// <summary>The one-pass label boxes equal the box found by a direct scan for every set of values asked.</summary>
public sealed class LabelBoxesTests
{
    [Fact]
    public void One_pass_boxes_equal_direct_scans_including_unusual_label_values()
    {
        var volume = new Volume<int>(ImageGeometry.AxisAligned(new VolumeSize(37, 29, 23), new Vector3D(0.7, 0.9, 1.5)));
        var random = new Random(11);
        int[] values = [1, 2, 3, 255, 256, 1000, -4];
        foreach (var v in values)
        {
            // A few scattered voxels per value, so that every face of every box is set by a different voxel.
            for (var n = 0; n < 5; n++)
            {
                volume[random.Next(37), random.Next(29), random.Next(23)] = v;
            }
        }

        var boxes = LabelBoxes.Of(volume);
        int[][] queries = [[1], [2, 3], [255], [256], [1000, -4], [7], [1, 256, -4], [0]];
        foreach (var q in queries)
        {
            Assert.Equal(MaskRegion.BoundingBox(volume, q), boxes.For(q)); // outside a scope: the direct scan
        }

        using (LabelBoxes.Scope(volume))
        {
            Assert.Equal(boxes.For([2, 3]), MaskRegion.BoundingBox(volume, [2, 3]));
        }

        Assert.Null(LabelBoxes.InScope(volume));
    }
}
