using LocalControl.Imaging.Geometry;
using SkiaSharp;

namespace LocalControl.Imaging.Rendering;

/// <summary>
/// A drawn slice: the picture and where its pixels are in the patient, so that callers (and tests) can find a point
/// on it. Dispose it to free the bitmap.
/// </summary>
public sealed class RenderedSlice : IDisposable
{
    private readonly SliceLayout _layout;

    internal RenderedSlice(SKBitmap bitmap, SliceLayout layout)
    {
        Bitmap = bitmap;
        _layout = layout;
    }

    /// <summary>The picture (RGBA, opaque).</summary>
    public SKBitmap Bitmap { get; }

    /// <summary>Width in pixels.</summary>
    public int Width => _layout.Width;

    /// <summary>Height in pixels.</summary>
    public int Height => _layout.Height;

    /// <summary>The plane drawn.</summary>
    public SliceOrientation Orientation => _layout.Orientation;

    /// <summary>Screen axes in LPS (U to the right, V down, N normal).</summary>
    public SlicePlane Plane => _layout.Plane;

    /// <summary>Size of one screen pixel in mm.</summary>
    public double PixelSizeMm => _layout.PixelSizeMm;

    /// <summary>The LPS point at the centre of pixel (x, y), on the plane.</summary>
    public Vector3D PixelToPointLps(double x, double y) => _layout.PixelToPointLps(x, y);

    /// <summary>The (continuous) pixel position of an LPS point projected onto the plane; pixel centres are at whole numbers.</summary>
    public (double X, double Y) PointToPixel(Vector3D pointLps) =>
        ((pointLps.Dot(_layout.Plane.U) - _layout.UMin) / _layout.PixelSizeMm - 0.5, (pointLps.Dot(_layout.Plane.V) - _layout.VMin) / _layout.PixelSizeMm - 0.5);

    /// <summary>Signed distance (mm) of an LPS point from the plane, along <see cref="SlicePlane.N"/>.</summary>
    public double DistanceFromPlaneMm(Vector3D pointLps) => pointLps.Dot(_layout.Plane.N) - _layout.DepthMm;

    /// <summary>The colour of pixel (x, y) as 0xRRGGBB.</summary>
    public int PixelRgb(int x, int y)
    {
        var c = Bitmap.GetPixel(x, y);
        return (c.Red << 16) | (c.Green << 8) | c.Blue;
    }

    /// <summary>The picture as PNG bytes.</summary>
    public byte[] EncodePng()
    {
        using var data = Bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Writes the PNG to a temporary file beside <paramref name="path"/>, then renames it (no partial file).</summary>
    public void SavePng(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, EncodePng());
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => Bitmap.Dispose();
}
