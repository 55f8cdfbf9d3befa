using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Rendering;

/// <summary>Which patient plane a slice shows. Every orientation is drawn in the radiological convention.</summary>
public enum SliceOrientation
{
    /// <summary>Transverse plane seen from the feet: patient right on screen left, anterior up.</summary>
    Axial,
    /// <summary>Frontal plane seen from the front: patient right on screen left, superior up.</summary>
    Coronal,
    /// <summary>Sagittal plane seen from the patient's left: anterior on screen left, superior up.</summary>
    Sagittal,
}

/// <summary>Grey-level mapping of intensities: values from <c>Centre − Width/2</c> (black) to <c>Centre + Width/2</c> (white).</summary>
/// <param name="Centre">Window centre (level) in the image's units (HU for CT).</param>
/// <param name="Width">Window width in the same units; must be &gt; 0.</param>
public readonly record struct WindowLevel(double Centre, double Width)
{
    /// <summary>Abdominal soft tissue / liver on CT (C 60, W 400 HU).</summary>
    public static WindowLevel Liver => new(60, 400);

    /// <summary>Grey value 0..255 of an intensity.</summary>
    public byte Grey(double value)
    {
        var t = (value - (Centre - Width / 2)) / Width;
        return t <= 0 ? (byte)0 : t >= 1 ? (byte)255 : (byte)Math.Round(t * 255);
    }
}

/// <summary>
/// A label map drawn over the slice: each label a colour (from <see cref="Colours"/> or its role), filled with
/// <see cref="FillOpacity"/> and outlined opaquely. It is resampled through patient space (nearest neighbour), so it
/// may lie on another grid than the image, in any orientation.
/// </summary>
/// <param name="Map">The labels and what they mean.</param>
/// <param name="FillOpacity">0 (outline only) .. 1 (opaque).</param>
/// <param name="FrameOfReferenceUid">The map's frame of reference (DICOM 0020,0052) when known; a known value that
/// differs from the image's is refused.</param>
public sealed record LabelOverlay(LabelMap Map, float FillOpacity = 0.35f, string? FrameOfReferenceUid = null)
{
    /// <summary>Colours (0xRRGGBB) by label value; labels not listed take their table colour or their role's.</summary>
    public IReadOnlyDictionary<int, int>? Colours { get; init; }

    /// <summary>Label values to leave out (e.g. the liver, to keep the picture quiet).</summary>
    public IReadOnlyCollection<int>? Hidden { get; init; }
}

/// <summary>
/// A scalar map (e.g. the ablative margin in mm) drawn over the slice through <see cref="ColourMap"/>; NaN voxels and
/// voxels outside the map are transparent. Resampled through patient space (nearest neighbour).
/// </summary>
/// <param name="Values">The values on their own grid.</param>
/// <param name="ColourMap">How values become colours.</param>
/// <param name="Opacity">0..1.</param>
/// <param name="FrameOfReferenceUid">As for <see cref="LabelOverlay"/>.</param>
public sealed record ScalarOverlay(Volume<float> Values, ColourMap ColourMap, float Opacity = 0.9f, string? FrameOfReferenceUid = null);

/// <summary>A point in patient space (LPS mm), drawn as a ring when it lies within the slab around the slice.</summary>
public sealed record LpsMarker(Vector3D PointLps, int ColourRgb, float RadiusPx = 5);

/// <summary>A segment in patient space (LPS mm), e.g. a probe trajectory, drawn projected onto the slice.</summary>
public sealed record LpsLine(Vector3D FromLps, Vector3D ToLps, int ColourRgb, float WidthPx = 2);

/// <summary>What to draw: one slice through <see cref="ThroughLps"/> of the image (or of the first overlay's grid).</summary>
public sealed class SliceRequest
{
    /// <summary>The plane.</summary>
    public SliceOrientation Orientation { get; init; } = SliceOrientation.Axial;

    /// <summary>A point of the plane (LPS mm); the picture spans the whole image around it.</summary>
    public Vector3D ThroughLps { get; init; }

    /// <summary>The grey image (CT/MR), or null for a black background.</summary>
    public Volume<float>? Image { get; init; }

    /// <summary>The image's frame of reference, when known (see <see cref="LabelOverlay.FrameOfReferenceUid"/>).</summary>
    public string? FrameOfReferenceUid { get; init; }

    /// <summary>Grey levels of the image.</summary>
    public WindowLevel Window { get; init; } = WindowLevel.Liver;

    /// <summary>Label maps, drawn in order.</summary>
    public IReadOnlyList<LabelOverlay> Labels { get; init; } = [];

    /// <summary>A scalar map drawn above the labels, or null.</summary>
    public ScalarOverlay? Scalar { get; init; }

    /// <summary>Points (rings) drawn when within <see cref="SlabMm"/> of the plane.</summary>
    public IReadOnlyList<LpsMarker> Markers { get; init; } = [];

    /// <summary>Segments drawn projected onto the plane.</summary>
    public IReadOnlyList<LpsLine> Lines { get; init; } = [];

    /// <summary>Half-thickness (mm) of the slab in which markers are shown.</summary>
    public double SlabMm { get; init; } = 2;

    /// <summary>Screen pixel size (mm); null = the finest spacing of the image grid.</summary>
    public double? PixelSizeMm { get; init; }

    /// <summary>Largest picture side in pixels (the pixel size grows to fit).</summary>
    public int MaxSidePx { get; init; } = 1024;

    /// <summary>Crop to this box around <see cref="ThroughLps"/> (half-width in mm), or null for the whole grid.</summary>
    public double? FieldOfViewHalfWidthMm { get; init; }

    /// <summary>Lines of text drawn in the top-left corner (e.g. "MAM 3.2 mm"), or empty.</summary>
    public IReadOnlyList<string> Caption { get; init; } = [];

    /// <summary>Draw the R/L/A/P/S/I orientation letters at the edges (default on).</summary>
    public bool OrientationMarkers { get; init; } = true;
}
