using LocalControl.Imaging.Geometry;
using SkiaSharp;

namespace LocalControl.Imaging.Rendering;

/// <summary>
/// The R/L/A/P/S/I letters at the picture edges, drawn as strokes (no font needed, so every machine draws the same
/// pixels). Each edge shows the patient direction that points off that edge of the screen.
/// </summary>
public static class OrientationLetters
{
    // Glyphs as polylines on a 4 × 7 grid, y down.
    private static readonly Dictionary<char, float[][]> Glyphs = new()
    {
        ['R'] = [[0, 7, 0, 0, 3, 0, 4, 1, 4, 2.5f, 3, 3.5f, 0, 3.5f], [2, 3.5f, 4, 7]],
        ['L'] = [[0, 0, 0, 7, 4, 7]],
        ['A'] = [[0, 7, 2, 0, 4, 7], [0.85f, 4.5f, 3.15f, 4.5f]],
        ['P'] = [[0, 7, 0, 0, 3, 0, 4, 1, 4, 2.5f, 3, 3.5f, 0, 3.5f]],
        ['S'] = [[4, 1, 3, 0, 1, 0, 0, 1, 0, 2.5f, 1, 3.5f, 3, 3.5f, 4, 4.5f, 4, 6, 3, 7, 1, 7, 0, 6]],
        ['I'] = [[2, 0, 2, 7], [1, 0, 3, 0], [1, 7, 3, 7]],
    };

    private const float Scale = 2f;

    /// <summary>The letter for an LPS direction: its largest component decides (+x L, −x R, +y P, −y A, +z S, −z I).</summary>
    public static char LetterOf(Vector3D directionLps)
    {
        var ax = Math.Abs(directionLps.X);
        var ay = Math.Abs(directionLps.Y);
        var az = Math.Abs(directionLps.Z);
        return ax >= ay && ax >= az ? (directionLps.X > 0 ? 'L' : 'R')
            : ay >= az ? (directionLps.Y > 0 ? 'P' : 'A')
            : (directionLps.Z > 0 ? 'S' : 'I');
    }

    /// <summary>The letters at the left, right, top and bottom edges of a plane's picture.</summary>
    public static (char Left, char Right, char Top, char Bottom) EdgeLetters(SlicePlane plane) =>
        (LetterOf(plane.U * -1), LetterOf(plane.U), LetterOf(plane.V * -1), LetterOf(plane.V));

    /// <summary>Where a letter's 8 × 14 px box starts (top-left), per edge.</summary>
    public static (float X, float Y) LetterOrigin(char edge, int width, int height) => edge switch
    {
        'l' => (4, height / 2f - 7 * Scale / 2),
        'r' => (width - 4 - 4 * Scale, height / 2f - 7 * Scale / 2),
        't' => (width / 2f - 2 * Scale, 4),
        _ => (width / 2f - 2 * Scale, height - 4 - 7 * Scale),
    };

    internal static void Draw(SKCanvas canvas, SlicePlane plane, int width, int height)
    {
        var (left, right, top, bottom) = EdgeLetters(plane);
        using var shadow = new SKPaint { Color = SKColors.Black, StrokeWidth = 3.5f, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round };
        using var ink = new SKPaint { Color = new SKColor(255, 240, 120), StrokeWidth = 1.6f, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round };
        foreach (var (letter, edge) in new[] { (left, 'l'), (right, 'r'), (top, 't'), (bottom, 'b') })
        {
            var (x, y) = LetterOrigin(edge, width, height);
            using var builder = new SKPathBuilder();
            foreach (var stroke in Glyphs[letter])
            {
                builder.MoveTo(x + stroke[0] * Scale, y + stroke[1] * Scale);
                for (var n = 2; n < stroke.Length; n += 2)
                {
                    builder.LineTo(x + stroke[n] * Scale, y + stroke[n + 1] * Scale);
                }
            }

            using var path = builder.Detach();
            canvas.DrawPath(path, shadow);
            canvas.DrawPath(path, ink);
        }
    }
}
