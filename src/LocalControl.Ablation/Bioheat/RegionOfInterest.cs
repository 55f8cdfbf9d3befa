using LocalControl.Imaging.Geometry;

namespace LocalControl.Ablation.Bioheat;

/// <summary>
/// The simulation block in the patient: an isotropic grid aligned with the LPS axes, centred on the expected zone(s).
/// Its voxel centres are <c>OriginLps + spacing · (i, j, k)</c>.
/// </summary>
/// <param name="OriginLps">Centre of voxel (0, 0, 0), LPS mm.</param>
/// <param name="SpacingMm">Voxel edge (mm).</param>
/// <param name="Nx">Voxels along L.</param>
/// <param name="Ny">Voxels along P.</param>
/// <param name="Nz">Voxels along S.</param>
public sealed record RegionOfInterest(Vector3D OriginLps, double SpacingMm, int Nx, int Ny, int Nz)
{
    /// <summary>A cube of about <paramref name="sideMm"/> centred on <paramref name="centreLps"/>.</summary>
    public static RegionOfInterest Cube(Vector3D centreLps, double sideMm, double spacingMm)
    {
        var n = Math.Max(8, (int)Math.Ceiling(sideMm / spacingMm) + 1);
        var half = (n - 1) * spacingMm / 2;
        return new RegionOfInterest(centreLps - new Vector3D(half, half, half), spacingMm, n, n, n);
    }

    /// <summary>Voxel count.</summary>
    public long VoxelCount => (long)Nx * Ny * Nz;

    /// <summary>LPS position of voxel (i, j, k).</summary>
    public Vector3D PointLps(int i, int j, int k) => OriginLps + new Vector3D(i * SpacingMm, j * SpacingMm, k * SpacingMm);

    /// <summary>As an imaging geometry (identity direction).</summary>
    public ImageGeometry Geometry => ImageGeometry.AxisAligned(new VolumeSize(Nx, Ny, Nz), new Vector3D(SpacingMm, SpacingMm, SpacingMm), OriginLps);

    /// <summary>Nearest voxel to an LPS point, or null outside.</summary>
    public (int I, int J, int K)? Nearest(Vector3D pointLps)
    {
        var i = (int)Math.Round((pointLps.X - OriginLps.X) / SpacingMm);
        var j = (int)Math.Round((pointLps.Y - OriginLps.Y) / SpacingMm);
        var k = (int)Math.Round((pointLps.Z - OriginLps.Z) / SpacingMm);
        return i < 0 || j < 0 || k < 0 || i >= Nx || j >= Ny || k >= Nz ? null : (i, j, k);
    }
}
