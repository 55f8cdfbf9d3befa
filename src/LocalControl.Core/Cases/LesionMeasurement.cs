using System.Globalization;

namespace LocalControl.Core.Cases;

/// <summary>
/// What images say about one lesion, in case-file names and units: the one hand-over from Measure to Decide. The
/// imaging library builds it in one place (<c>MeasuredLesion.ToLesionMeasurement</c>, rounding included) and
/// <see cref="MeasurementMerge"/> is the one place it becomes a case <see cref="Lesion"/>, both for
/// <c>measure</c>'s lesion list (<see cref="MeasurementMerge.ToLesion"/>, then <see cref="CaseFileWriter"/>) and for
/// <c>assess --labels</c> (<see cref="MeasurementMerge.Merge"/>); docs/case-format.md lists the field mapping.
/// Null means "not measured". Core keeps this neutral so that it needs no imaging code.
/// </summary>
public sealed record LesionMeasurement
{
    /// <summary>Id given by the measurement (e.g. <c>T1</c>, in order of size).</summary>
    public required string Id { get; init; }

    /// <summary>Organ the lesion lies in, if the segmentation says.</summary>
    public Organ? Organ { get; init; }

    /// <summary>Location text (e.g. <c>segment 7</c>).</summary>
    public string? Location { get; init; }

    /// <summary>Longest 3D diameter in mm.</summary>
    public double? LongestDiameterMm { get; init; }

    /// <summary>Longest axial diameter in mm.</summary>
    public double? LongestAxialDiameterMm { get; init; }

    /// <summary>Volume in mL.</summary>
    public double? VolumeMl { get; init; }

    /// <summary>Centroid in LPS mm.</summary>
    public IReadOnlyList<double>? CentroidMm { get; init; }

    /// <summary>Distance to the nearest vessel of calibre ≥ 3 mm.</summary>
    public double? DistanceToLargeVesselMm { get; init; }

    /// <summary>Calibre of that vessel.</summary>
    public double? LargeVesselCalibreMm { get; init; }

    /// <summary>Distance to the hilum.</summary>
    public double? DistanceToHilumMm { get; init; }

    /// <summary>Depth below the liver capsule.</summary>
    public double? DepthFromCapsuleMm { get; init; }

    /// <summary>Critical structures within the contact distance, as case-file names.</summary>
    public IReadOnlyList<string>? AdjacentStructures { get; init; }

    /// <summary>Critical structures that were not segmented (their adjacency is unknown), as case-file names.</summary>
    public IReadOnlyList<string>? AdjacencyNotAssessed { get; init; }

    /// <summary>Distance to the nearest vessel of any calibre.</summary>
    public double? DistanceToAnyVesselMm { get; init; }

    /// <summary>Distance to each segmented structure, by label role.</summary>
    public IReadOnlyDictionary<string, double>? DistancesMm { get; init; }

    /// <summary>Provenance of the measurement (label file, thresholds, rule set) as a JSON object, written to the
    /// lesion's <c>source</c>.</summary>
    public string? MeasurementSourceJson { get; init; }
}

/// <summary>
/// Fills a case's lesions with values measured from images. Measured values replace typed ones unless the user
/// asks to keep typed values; every replaced or discarded value is reported, and <see cref="Lesion.MeasuredFields"/>
/// says which values came from images, so reports can show what was measured and what was typed.
/// </summary>
public static class MeasurementMerge
{
    /// <summary>Two values closer than this (mm, mL) are taken as agreeing; otherwise the difference is reported.</summary>
    public const double AgreementTolerance = 1.0;

    /// <summary>Merges measurements into a case.</summary>
    /// <param name="case">The typed case.</param>
    /// <param name="measured">The measured lesions.</param>
    /// <param name="preferTyped">Keep typed values where both exist (measured values fill only the gaps).</param>
    /// <param name="sourceName">Name of the image source, for messages.</param>
    /// <returns>The merged case and notes on every value replaced, kept or added.</returns>
    public static (MetastaticCase Case, IReadOnlyList<CaseProblem> Notes) Merge(MetastaticCase @case, IReadOnlyList<LesionMeasurement> measured, bool preferTyped, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(@case);
        ArgumentNullException.ThrowIfNull(measured);
        var notes = new List<CaseProblem>();
        var lesions = @case.Lesions.ToList();
        var used = new bool[lesions.Count];

        foreach (var m in measured)
        {
            var index = Match(lesions, used, m);
            if (index < 0)
            {
                var id = UniqueId(lesions, m.Id);
                var added = ToLesion(m) with { Id = id };
                notes.Add(new($"lesions[{lesions.Count}]", $"lesion {id} added from {sourceName} (measured {m.Id}); it was not in the case file"));
                if (m.Organ is null)
                {
                    notes.Add(new($"lesions[{lesions.Count}].organ", "the segmentation does not say which organ holds it: set to 'other'; correct it in the case file"));
                }

                lesions.Add(added);
                used = [.. used, true];
                continue;
            }

            used[index] = true;
            lesions[index] = Apply(lesions[index], m, preferTyped, $"lesions[{index}]", notes);
        }

        for (var i = 0; i < used.Length; i++)
        {
            if (!used[i])
            {
                notes.Add(new($"lesions[{i}]", $"lesion {lesions[i].Id} was not found in {sourceName}: its typed values are kept"));
            }
        }

        return (@case with { Lesions = lesions }, notes);
    }

    /// <summary>
    /// A case lesion made of measured values only (organ <see cref="Organ.Other"/> when the segmentation does not
    /// say; <c>measure</c> then leaves <c>organ</c> out so that the case reader asks for it).
    /// </summary>
    public static Lesion ToLesion(LesionMeasurement measured)
    {
        ArgumentNullException.ThrowIfNull(measured);
        return Apply(new Lesion { Id = measured.Id, Organ = measured.Organ ?? Organ.Other }, measured, preferTyped: false, "lesion", []);
    }

    /// <summary>A case lesion matches a measured one by nearest centroid (when the case has centroids) or else by id.</summary>
    private static int Match(List<Lesion> lesions, bool[] used, LesionMeasurement m)
    {
        if (m.CentroidMm is { Count: 3 } c)
        {
            var best = -1;
            var bestDistance = double.PositiveInfinity;
            var reach = Math.Max(10, (m.LongestDiameterMm ?? 0) / 2);
            for (var i = 0; i < lesions.Count; i++)
            {
                if (!used[i] && lesions[i].CentroidMm is { Count: 3 } t)
                {
                    var d = Math.Sqrt(Math.Pow(t[0] - c[0], 2) + Math.Pow(t[1] - c[1], 2) + Math.Pow(t[2] - c[2], 2));
                    if (d <= reach && d < bestDistance)
                    {
                        best = i;
                        bestDistance = d;
                    }
                }
            }

            if (best >= 0)
            {
                return best;
            }
        }

        for (var i = 0; i < lesions.Count; i++)
        {
            if (!used[i] && string.Equals(lesions[i].Id, m.Id, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static Lesion Apply(Lesion typed, LesionMeasurement m, bool preferTyped, string path, List<CaseProblem> notes)
    {
        var measuredFields = new List<string>(typed.MeasuredFields ?? []);

        double? Pick(string field, double? typedValue, double? measuredValue)
        {
            if (measuredValue is not { } mv)
            {
                return typedValue;
            }

            if (typedValue is not { } tv)
            {
                Mark(field);
                return mv;
            }

            if (Math.Abs(tv - mv) <= AgreementTolerance)
            {
                Mark(field);
                return mv;
            }

            if (preferTyped)
            {
                notes.Add(new($"{path}.{field}", $"typed {Fmt(tv)} kept; images measure {Fmt(mv)}"));
                return tv;
            }

            notes.Add(new($"{path}.{field}", $"measured {Fmt(mv)} replaces typed {Fmt(tv)} (use --prefer-typed to keep typed values)"));
            Mark(field);
            return mv;
        }

        void Mark(string field)
        {
            if (!measuredFields.Contains(field))
            {
                measuredFields.Add(field);
            }
        }

        IReadOnlyList<string>? structures = typed.AdjacentStructures;
        if (m.AdjacentStructures is { } seen)
        {
            // Images only see segmented structures: typed ones are kept and measured ones added (a union).
            var union = new List<string>(typed.AdjacentStructures ?? []);
            foreach (var s in seen)
            {
                if (!union.Contains(s))
                {
                    union.Add(s);
                }
            }

            structures = union;
            Mark("adjacentStructures");
        }

        var result = typed with
        {
            LongestDiameterMm = Pick("longestDiameterMm", typed.LongestDiameterMm, m.LongestDiameterMm),
            LongestAxialDiameterMm = Pick("longestAxialDiameterMm", typed.LongestAxialDiameterMm, m.LongestAxialDiameterMm),
            VolumeMl = Pick("volumeMl", typed.VolumeMl, m.VolumeMl),
            DistanceToLargeVesselMm = Pick("distanceToLargeVesselMm", typed.DistanceToLargeVesselMm, m.DistanceToLargeVesselMm),
            LargeVesselCalibreMm = Pick("largeVesselCalibreMm", typed.LargeVesselCalibreMm, m.LargeVesselCalibreMm),
            DistanceToHilumMm = Pick("distanceToHilumMm", typed.DistanceToHilumMm, m.DistanceToHilumMm),
            DepthFromCapsuleMm = Pick("depthFromCapsuleMm", typed.DepthFromCapsuleMm, m.DepthFromCapsuleMm),
            AdjacentStructures = structures,
            // A typed list means someone assessed every structure; otherwise what was not segmented stays unknown.
            AdjacencyNotAssessed = typed.AdjacentStructures is not null ? typed.AdjacencyNotAssessed
                : m.AdjacencyNotAssessed is { Count: > 0 } notAssessed ? notAssessed : typed.AdjacencyNotAssessed,
            DistanceToAnyVesselMm = m.DistanceToAnyVesselMm ?? typed.DistanceToAnyVesselMm,
            DistancesMm = m.DistancesMm ?? typed.DistancesMm,
            MeasurementSourceJson = m.MeasurementSourceJson ?? typed.MeasurementSourceJson,
            Location = typed.Location ?? m.Location,
            CentroidMm = typed.CentroidMm ?? m.CentroidMm,
        };

        if (m.Organ is { } organ && organ != typed.Organ)
        {
            notes.Add(new($"{path}.organ", $"typed '{CaseVocabulary.ToJson(typed.Organ)}' kept; the segmentation places it in '{CaseVocabulary.ToJson(organ)}'"));
        }

        return result with { MeasuredFields = measuredFields.Count == 0 ? typed.MeasuredFields : measuredFields };
    }

    private static string UniqueId(List<Lesion> lesions, string id)
    {
        var candidate = id;
        var n = 2;
        while (lesions.Exists(l => l.Id == candidate))
        {
            candidate = id + "-" + n.ToString(CultureInfo.InvariantCulture);
            n++;
        }

        return candidate;
    }

    private static string Fmt(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
