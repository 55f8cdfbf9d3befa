namespace LocalControl.Core.Cases;

/// <summary>The measured fields of a lesion that only images give, kept so that reading then writing a measured case
/// loses nothing (docs/case-format.md).</summary>
public sealed partial record Lesion
{
    /// <summary>Distance to the nearest vessel of any calibre in mm (from images).</summary>
    public double? DistanceToAnyVesselMm { get; init; }

    /// <summary>Distance to each segmented structure in mm, by label role (from images).</summary>
    public IReadOnlyDictionary<string, double>? DistancesMm { get; init; }

    /// <summary>Provenance of the measured values as written by <c>localcontrol measure</c> (raw JSON, kept as is).</summary>
    public string? MeasurementSourceJson { get; init; }

    /// <summary>
    /// Critical structures whose adjacency is unknown because they were not segmented (null = none: every structure
    /// the list could name was assessed). The engine never reads "not in <see cref="AdjacentStructures"/>" as "not
    /// adjacent" for these.
    /// </summary>
    public IReadOnlyList<string>? AdjacencyNotAssessed { get; init; }
}
