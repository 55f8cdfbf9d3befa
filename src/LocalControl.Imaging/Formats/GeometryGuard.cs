using System.Globalization;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Formats;

/// <summary>Builds an <see cref="ImageGeometry"/> from header values, turning every unusable value into an <see cref="ImagingException"/>.</summary>
internal static class GeometryGuard
{
    /// <summary>Smallest and largest voxel size we accept (mm): far outside anything a scanner produces, inside what doubles invert safely.</summary>
    public const double MinSpacingMm = 1e-6;

    /// <inheritdoc cref="MinSpacingMm"/>
    public const double MaxSpacingMm = 1e6;

    public static ImageGeometry Create(VolumeSize size, Vector3D spacingMm, Vector3D originLps, Matrix3D direction, string code, string file, string field)
    {
        for (var a = 0; a < 3; a++)
        {
            var s = spacingMm[a];
            if (!double.IsFinite(s) || s < MinSpacingMm || s > MaxSpacingMm)
            {
                throw new ImagingException(code, string.Create(CultureInfo.InvariantCulture, $"voxel size {s} mm on axis {a} is outside {MinSpacingMm}…{MaxSpacingMm} mm."), file, field);
            }
        }

        if (!originLps.IsFinite || Math.Abs(originLps.X) > 1e9 || Math.Abs(originLps.Y) > 1e9 || Math.Abs(originLps.Z) > 1e9)
        {
            throw new ImagingException(code, "the origin is not finite or lies absurdly far (> 1e9 mm) from the scanner centre.", file, field);
        }

        try
        {
            return new ImageGeometry(size, spacingMm, originLps, direction);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw new ImagingException(code, "the geometry is unusable: " + ex.Message, file, field, inner: ex);
        }
    }
}
