using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;
using LocalControl.Verification.Registration;

namespace LocalControl.Verification.Tests;

/// <summary>Label maps drawn from analytic shapes in patient space (a voxel takes the label of the shape holding its centre).</summary>
internal static class Synthetic
{
    public const int Liver = 1;
    public const int Tumour = 2;
    public const int Zone = 3;

    public static LabelTable PreTable() => new LabelTable()
        .Set(new LabelEntry(Liver, "liver", LabelRole.Liver))
        .Set(new LabelEntry(Tumour, "tumour", LabelRole.Tumour));

    public static LabelTable PostTable() => new LabelTable()
        .Set(new LabelEntry(Liver, "liver", LabelRole.Liver))
        .Set(new LabelEntry(Zone, "ablation zone", LabelRole.AblationZone));

    public static LabelMap Draw(ImageGeometry g, LabelTable table, Func<Vector3D, int> labelAt)
    {
        var v = new Volume<int>(g);
        var size = g.Size;
        Parallel.For(0, size.K, k =>
        {
            for (var j = 0; j < size.J; j++)
            {
                for (var i = 0; i < size.I; i++)
                {
                    v[i, j, k] = labelAt(g.IndexToPointLps(i, j, k));
                }
            }
        });
        return new LabelMap(v, table);
    }

    public static bool InSphere(Vector3D p, Vector3D c, double r) => (p - c).Length <= r;

    public static bool InEllipsoid(Vector3D p, Vector3D c, Vector3D semi)
    {
        var d = p - c;
        return (d.X * d.X) / (semi.X * semi.X) + (d.Y * d.Y) / (semi.Y * semi.Y) + (d.Z * d.Z) / (semi.Z * semi.Z) <= 1;
    }

    /// <summary>A liver-like shape without symmetries: an ellipsoid with two bulges (so every rotation is observable).</summary>
    public static bool InLiver(Vector3D p, Vector3D c) =>
        InEllipsoid(p, c, new Vector3D(70, 50, 42)) || InSphere(p, c + new Vector3D(-45, -20, 20), 30) || InEllipsoid(p, c + new Vector3D(35, 25, -18), new Vector3D(35, 22, 20));

    /// <summary>An axis-aligned grid centred on <paramref name="centre"/>.</summary>
    public static ImageGeometry Grid(VolumeSize size, Vector3D spacing, Vector3D centre, Matrix3D? direction = null)
    {
        var d = direction ?? Matrix3D.Identity;
        var half = new Vector3D((size.I - 1) * spacing.X / 2, (size.J - 1) * spacing.Y / 2, (size.K - 1) * spacing.Z / 2);
        var origin = centre - d * half;
        return new ImageGeometry(size, spacing, origin, d);
    }

    /// <summary>A pre map (liver + tumour) and a post map (liver + zone) of the same patient, the post one moved: post point q shows the tissue at pre point <c>postToPre(q)</c>.</summary>
    public static (LabelMap Pre, LabelMap Post) Pair(ImageGeometry preGrid, ImageGeometry postGrid, RigidTransform postToPre,
        Func<Vector3D, bool> tumour, Func<Vector3D, bool> zone, Vector3D liverCentre)
    {
        var pre = Draw(preGrid, PreTable(), p => tumour(p) ? Tumour : InLiver(p, liverCentre) ? Liver : 0);
        var post = Draw(postGrid, PostTable(), q =>
        {
            var p = postToPre.Apply(q);
            return zone(p) ? Zone : InLiver(p, liverCentre) ? Liver : 0;
        });
        return (pre, post);
    }
}
