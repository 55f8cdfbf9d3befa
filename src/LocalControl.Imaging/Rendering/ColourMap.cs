namespace LocalControl.Imaging.Rendering;

/// <summary>One stop of a colour map: from <paramref name="Value"/> on, colour <paramref name="ColourRgb"/> (0xRRGGBB).</summary>
public readonly record struct ColourStop(double Value, int ColourRgb);

/// <summary>
/// Maps a scalar to a colour: either stepped (each stop's colour holds until the next stop, as clinicians read
/// margin bands) or linearly interpolated between stops. Values below the first stop take the first colour.
/// </summary>
public sealed class ColourMap
{
    private readonly ColourStop[] _stops;

    /// <summary>Creates a map from stops in increasing value order.</summary>
    public ColourMap(IReadOnlyList<ColourStop> stops, bool stepped, string name)
    {
        ArgumentNullException.ThrowIfNull(stops);
        if (stops.Count == 0)
        {
            throw new ArgumentException("A colour map needs at least one stop.", nameof(stops));
        }

        for (var n = 1; n < stops.Count; n++)
        {
            if (!(stops[n].Value > stops[n - 1].Value))
            {
                throw new ArgumentException("Colour stops must increase strictly.", nameof(stops));
            }
        }

        _stops = [.. stops];
        Stepped = stepped;
        Name = name;
    }

    /// <summary>
    /// The ablative-margin bands (mm) of the evidence (DR-09): below 0 mm red (tumour outside the zone), 0–5 mm orange
    /// (additional ablation advised), 5–10 mm yellow (adequate, below target), 10 mm and more green (target).
    /// </summary>
    public static ColourMap AblativeMargin { get; } = new(
        [new(double.NegativeInfinity, 0xE0201B), new(0, 0xFF8C00), new(5, 0xFFE135), new(10, 0x2EB82E)], stepped: true, "ablative margin (mm)");

    /// <summary>A continuous blue → cyan → yellow → red map from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static ColourMap Continuous(double min, double max)
    {
        if (!(max > min))
        {
            throw new ArgumentException("max must exceed min.", nameof(max));
        }

        var d = (max - min) / 3;
        return new([new(min, 0x1F3FFF), new(min + d, 0x00D8FF), new(min + 2 * d, 0xFFE135), new(max, 0xE0201B)], stepped: false, "continuous");
    }

    /// <summary>A name for legends.</summary>
    public string Name { get; }

    /// <summary>True when colours are constant between stops.</summary>
    public bool Stepped { get; }

    /// <summary>The stops.</summary>
    public IReadOnlyList<ColourStop> Stops => _stops;

    /// <summary>The colour (0xRRGGBB) of a finite value.</summary>
    public int ColourOf(double value)
    {
        var n = _stops.Length - 1;
        while (n > 0 && value < _stops[n].Value)
        {
            n--;
        }

        if (Stepped || n == _stops.Length - 1 || value <= _stops[n].Value)
        {
            return _stops[n].ColourRgb;
        }

        var a = _stops[n];
        var b = _stops[n + 1];
        var t = (value - a.Value) / (b.Value - a.Value);
        return Lerp(a.ColourRgb, b.ColourRgb, t);
    }

    private static int Lerp(int a, int b, double t)
    {
        int Channel(int shift) => (int)Math.Round(((a >> shift) & 0xFF) * (1 - t) + ((b >> shift) & 0xFF) * t);
        return (Channel(16) << 16) | (Channel(8) << 8) | Channel(0);
    }
}
