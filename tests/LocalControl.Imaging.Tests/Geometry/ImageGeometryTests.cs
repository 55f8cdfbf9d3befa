using FsCheck;
using FsCheck.Fluent;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Tests.Geometry;

public class ImageGeometryTests
{
    private static ImageGeometry Oblique()
    {
        // A rotation of 30 degrees about z and a flip of k: a realistic oblique, left-handed grid.
        var c = Math.Cos(Math.PI / 6);
        var s = Math.Sin(Math.PI / 6);
        var direction = Matrix3D.FromColumns(new Vector3D(c, s, 0), new Vector3D(-s, c, 0), new Vector3D(0, 0, -1));
        return new ImageGeometry(new VolumeSize(64, 48, 20), new Vector3D(0.7, 0.8, 2.5), new Vector3D(-120, 80, 33), direction);
    }

    [Fact]
    public void Index_to_point_follows_origin_plus_direction_times_spacing()
    {
        var g = Oblique();
        var p = g.IndexToPointLps(2, 0, 0);
        var c = Math.Cos(Math.PI / 6);
        var s = Math.Sin(Math.PI / 6);
        Assert.Equal(-120 + 2 * 0.7 * c, p.X, 12);
        Assert.Equal(80 + 2 * 0.7 * s, p.Y, 12);
        Assert.Equal(33, p.Z, 12);
        Assert.Equal(33 - 3 * 2.5, g.IndexToPointLps(0, 0, 3).Z, 12);
    }

    [Fact]
    public void Index_point_index_round_trips()
    {
        var g = Oblique();
        Prop.ForAll(
            Gen.Choose(-1000, 1000).Three().ToArbitrary(),
            t =>
            {
                var index = new Vector3D(t.Item1 / 10.0, t.Item2 / 10.0, t.Item3 / 10.0);
                var back = g.PointLpsToIndex(g.IndexToPointLps(index));
                return Math.Abs(back.X - index.X) < 1e-9 && Math.Abs(back.Y - index.Y) < 1e-9 && Math.Abs(back.Z - index.Z) < 1e-9;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Ras_affine_negates_the_first_two_rows()
    {
        var g = ImageGeometry.AxisAligned(new VolumeSize(2, 2, 2), new Vector3D(1, 2, 3), new Vector3D(10, 20, 30));
        var a = g.AffineRas();
        Assert.Equal(-1, a[0, 0]);
        Assert.Equal(-2, a[1, 1]);
        Assert.Equal(3, a[2, 2]);
        Assert.Equal(-10, a[0, 3]);
        Assert.Equal(-20, a[1, 3]);
        Assert.Equal(30, a[2, 3]);
        Assert.Equal(1, a[3, 3]);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, -1, 1)]
    [InlineData(1, 1, double.NaN)]
    public void Unusable_spacing_is_refused(double x, double y, double z)
    {
        Assert.Throws<ArgumentException>(() =>
            ImageGeometry.AxisAligned(new VolumeSize(2, 2, 2), new Vector3D(x, y, z)));
    }

    [Fact]
    public void Grids_that_differ_by_less_than_the_tolerance_match()
    {
        var a = ImageGeometry.AxisAligned(new VolumeSize(4, 4, 4), new Vector3D(1, 1, 1));
        var b = ImageGeometry.AxisAligned(new VolumeSize(4, 4, 4), new Vector3D(1.0000001, 1, 1));
        var c = ImageGeometry.AxisAligned(new VolumeSize(4, 4, 4), new Vector3D(1.1, 1, 1));
        Assert.True(a.IsSameGridAs(b));
        Assert.False(a.IsSameGridAs(c));
        Assert.False(a.IsSameGridAs(a.WithSize(new VolumeSize(4, 4, 5))));
    }
}
