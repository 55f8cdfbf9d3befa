using System.Globalization;
using LocalControl.Imaging.Geometry;
using LocalControl.Registry;

namespace LocalControl.Web.Imaging;

/// <summary>
/// The geometry of a stored image, kept beside its voxel file so that slices are drawn in patient space without
/// decoding the upload again: four lines of invariant numbers (round-trip precision),
/// <c>size I J K</c>, <c>spacing X Y Z</c> (mm), <c>origin X Y Z</c> (LPS mm), <c>direction</c> and the nine direction
/// cosines row by row (columns are the i, j, k axes in LPS).
/// </summary>
internal static class GeometryFile
{
    /// <summary>Writes the file (temporary file, then rename; 0600).</summary>
    public static void Write(string path, ImageGeometry g)
    {
        static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var d = g.Direction;
        var text = string.Join('\n',
            $"size {g.Size.I} {g.Size.J} {g.Size.K}",
            $"spacing {N(g.SpacingMm.X)} {N(g.SpacingMm.Y)} {N(g.SpacingMm.Z)}",
            $"origin {N(g.OriginLps.X)} {N(g.OriginLps.Y)} {N(g.OriginLps.Z)}",
            "direction " + string.Join(' ', Enumerable.Range(0, 9).Select(n => N(d[n / 3, n % 3])))) + "\n";
        var temp = path + ".tmp";
        File.Delete(temp);
        using (var file = new FileStream(temp, PrivateFiles.CreateNew()))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(text));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The geometry in the file, or null when it is not one this program wrote (then it is rebuilt from the header).</summary>
    public static ImageGeometry? TryRead(string path)
    {
        try
        {
            var lines = File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length != 4)
            {
                return null;
            }
            double[]? Numbers(string line, string key, int count)
            {
                var parts = line.Split(' ');
                if (parts.Length != count + 1 || parts[0] != key)
                {
                    return null;
                }
                var values = new double[count];
                for (var n = 0; n < count; n++)
                {
                    if (!double.TryParse(parts[n + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out values[n]))
                    {
                        return null;
                    }
                }
                return values;
            }
            if (Numbers(lines[0], "size", 3) is not { } size || Numbers(lines[1], "spacing", 3) is not { } s
                || Numbers(lines[2], "origin", 3) is not { } o || Numbers(lines[3], "direction", 9) is not { } d)
            {
                return null;
            }
            return new ImageGeometry(new VolumeSize((int)size[0], (int)size[1], (int)size[2]), new Vector3D(s[0], s[1], s[2]), new Vector3D(o[0], o[1], o[2]),
                new Matrix3D(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]));
        }
        catch (Exception e) when (e is IOException or ArgumentException or OverflowException)
        {
            return null;
        }
    }
}
