using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Tests;

/// <summary>
/// A hand-made torso for planning: an elliptic body cylinder along S (background outside), a liver ellipsoid on the
/// patient's right, and whatever a test paints (tumour, vessels, bowel, bone). Coarse grids keep the tests quick.
/// </summary>
internal sealed class PlanPhantom
{
    public const int Liver = 1, Tumour = 2, Vessel = 3, Bone = 4, Bowel = 5, Body = 6, Gallbladder = 7;

    public static readonly Vector3D LiverCentre = new(-20, 0, 0);

    public PlanPhantom(double spacingMm = 2, double halfX = 100, double halfY = 80, double halfZ = 60)
    {
        (int I, int J, int K) n = ((int)(2 * halfX / spacingMm) + 1, (int)(2 * halfY / spacingMm) + 1, (int)(2 * halfZ / spacingMm) + 1);
        var g = ImageGeometry.AxisAligned(new VolumeSize(n.I, n.J, n.K), new Vector3D(spacingMm, spacingMm, spacingMm), new Vector3D(-halfX, -halfY, -halfZ));
        Labels = new Volume<int>(g);
        Table = new LabelTable()
            .Set(new LabelEntry(Liver, "liver", LabelRole.Liver))
            .Set(new LabelEntry(Tumour, "tumour", LabelRole.Tumour))
            .Set(new LabelEntry(Vessel, "portal vein", LabelRole.PortalVein))
            .Set(new LabelEntry(Bone, "rib", LabelRole.Bone))
            .Set(new LabelEntry(Bowel, "colon", LabelRole.Bowel))
            .Set(new LabelEntry(Body, "body", LabelRole.Body))
            .Set(new LabelEntry(Gallbladder, "gallbladder", LabelRole.Gallbladder));

        // Body: an elliptic cylinder 85 x 65 mm (semi-axes), the whole length; liver 55 x 45 x 45 mm semi-axes.
        Paint(Body, p => ((p.X / 85) * (p.X / 85)) + ((p.Y / 65) * (p.Y / 65)) <= 1);
        Paint(Liver, p =>
        {
            var d = p - LiverCentre;
            return ((d.X / 55) * (d.X / 55)) + ((d.Y / 45) * (d.Y / 45)) + ((d.Z / 45) * (d.Z / 45)) <= 1;
        });
    }

    public Volume<int> Labels { get; }

    public LabelTable Table { get; }

    public LabelMap Map => new(Labels, Table);

    public ImageGeometry Geometry => Labels.Geometry;

    public PlanPhantom Paint(int label, Func<Vector3D, bool> inside)
    {
        var g = Labels.Geometry;
        for (var k = 0; k < g.Size.K; k++)
        {
            for (var j = 0; j < g.Size.J; j++)
            {
                for (var i = 0; i < g.Size.I; i++)
                {
                    if (inside(g.IndexToPointLps(i, j, k)))
                    {
                        Labels[i, j, k] = label;
                    }
                }
            }
        }

        return this;
    }

    public PlanPhantom TumourAt(Vector3D centre, double radiusMm) => Paint(Tumour, p => (p - centre).Length <= radiusMm);

    /// <summary>A vessel of <paramref name="calibreMm"/> parallel to S through (x, y), inside the liver only.</summary>
    public PlanPhantom VesselAlongS(double x, double y, double calibreMm) =>
        Paint(Vessel, p => ((p.X - x) * (p.X - x)) + ((p.Y - y) * (p.Y - y)) <= calibreMm * calibreMm / 4 && Math.Abs(p.Z) < 40);

    /// <summary>Writes the map and its table into <paramref name="dir"/>.</summary>
    public (string Labels, string Table) Write(string dir)
    {
        var labels = Path.Combine(dir, "labels.nii.gz");
        NiftiWriter.Write(labels, Labels);
        var table = Path.Combine(dir, "table.json");
        File.WriteAllText(table, "{\"1\": \"liver\", \"2\": \"tumour\", \"3\": \"portal-vein\", \"4\": \"bone\", \"5\": \"bowel\", \"6\": \"body\", \"7\": \"gallbladder\"}");
        return (labels, table);
    }
}
