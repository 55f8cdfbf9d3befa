using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Tests;

/// <summary>Hand-made label maps: a block of liver with an optional straight vessel, spherical tumour and bone slab.</summary>
internal sealed class Phantom
{
    public const int LiverLabel = 1, TumourLabel = 2, VesselLabel = 3, BoneLabel = 4;

    public Phantom(int size = 90, double spacingMm = 1.0, Vector3D? originLps = null)
    {
        var g = ImageGeometry.AxisAligned(new VolumeSize(size, size, size), new Vector3D(spacingMm, spacingMm, spacingMm), originLps ?? new Vector3D(-45, -45, -45));
        Labels = new Volume<int>(g);
        Labels.Voxels.Fill(LiverLabel);
        Table = new LabelTable()
            .Set(new LabelEntry(LiverLabel, "liver", LabelRole.Liver))
            .Set(new LabelEntry(TumourLabel, "tumour", LabelRole.Tumour))
            .Set(new LabelEntry(VesselLabel, "portal vein", LabelRole.PortalVein))
            .Set(new LabelEntry(BoneLabel, "rib", LabelRole.Bone));
    }

    public Volume<int> Labels { get; }

    public LabelTable Table { get; }

    public LabelMap Map => new(Labels, Table);

    /// <summary>Paints voxels whose centre satisfies <paramref name="inside"/>.</summary>
    public Phantom Paint(int label, Func<Vector3D, bool> inside)
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

    /// <summary>A vessel of <paramref name="calibreMm"/> parallel to S through (x, y).</summary>
    public Phantom VesselAlongS(double x, double y, double calibreMm) =>
        Paint(VesselLabel, p => ((p.X - x) * (p.X - x)) + ((p.Y - y) * (p.Y - y)) <= calibreMm * calibreMm / 4);

    public Phantom Tumour(Vector3D centre, double radiusMm) => Paint(TumourLabel, p => (p - centre).Length <= radiusMm);

    /// <summary>Writes the map and its table into <paramref name="dir"/>; returns the two paths.</summary>
    public (string Labels, string Table) Write(string dir)
    {
        var labels = Path.Combine(dir, "labels.nii.gz");
        NiftiWriter.Write(labels, Labels);
        var table = Path.Combine(dir, "table.json");
        File.WriteAllText(table, "{\"1\": \"liver\", \"2\": \"tumour\", \"3\": \"portal-vein\", \"4\": \"bone\"}");
        return (labels, table);
    }
}

/// <summary>A temporary folder that deletes itself.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"lc-ablation-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
