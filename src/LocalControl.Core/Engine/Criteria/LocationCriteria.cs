using LocalControl.Core.Cases;
using static LocalControl.Core.Engine.CriterionSeverity;

namespace LocalControl.Core.Engine.Criteria;

/// <summary>Where the lesion lies: hilum, vessels (heat sink) and adjacent structures.</summary>
internal static class LocationCriteria
{
    public static void AwayFromHilum(LesionInput x, CriteriaList c)
    {
        if (x.Reuse("away-from-hilum", c) is not { } keep)
        {
            return;
        }

        var r = x.Rules;
        if (x.Lesion.DistanceToHilumMm is not { } h)
        {
            c.Unknown("away-from-hilum", Required, x.Path.Missing("distanceToHilumMm"));
        }
        else if (h >= r.HilumCautionMm)
        {
            c.Met("away-from-hilum", h, "mm");
        }
        else if (h >= r.HilumAbutmentMm)
        {
            c.Failed("away-from-hilum", Advisory, h, "mm");
        }
        else
        {
            c.Failed("away-from-hilum", Required, h, "mm");
        }

        keep.Keep(c);
    }

    /// <summary>Heat sink: a vessel of ≥ 3 mm calibre closer than the perivascular distance (advisory).</summary>
    public static void HeatSink(string id, LesionInput x, CriteriaList c)
    {
        if (x.Reuse(id, c) is not { } keep)
        {
            return;
        }

        // distanceToLargeVesselMm is by definition the distance to a vessel of >= 3 mm. A calibre below that
        // contradicts the field (the reader warns); the conservative reading keeps the heat-sink flag.
        if (x.Lesion.DistanceToLargeVesselMm is not { } v)
        {
            c.Unknown(id, Advisory, x.Path.Missing("distanceToLargeVesselMm"));
        }
        else if (v >= x.Rules.PerivascularDistanceMm)
        {
            c.MetAdvisory(id, v, "mm");
        }
        else
        {
            c.Failed(id, Advisory, v, "mm", x.VesselCalibreText);
        }

        keep.Keep(c);
    }

    /// <summary>An advisory criterion met when the lesion abuts none of <paramref name="structures"/>.</summary>
    public static void NoAdjacent(string id, IReadOnlyList<string> structures, LesionInput x, CriteriaList c)
    {
        if (x.Reuse(id, c) is not { } keep)
        {
            return;
        }

        if (x.Lesion.AdjacentStructures is not { } s)
        {
            c.Unknown(id, Advisory, x.Path.Missing("adjacentStructures"));
            keep.Keep(c);
            return;
        }

        List<string>? hits = null;
        foreach (var present in s)
        {
            foreach (var w in structures)
            {
                if (present == w)
                {
                    (hits ??= new(2)).Add(Words.Structure(present));
                }
            }
        }

        // A structure that was not segmented is unknown: its absence from the list proves nothing.
        string? notAssessed = null;
        if (hits is null && x.Lesion.AdjacencyNotAssessed is { Count: > 0 } unknown)
        {
            foreach (var w in structures)
            {
                if (unknown.Contains(w))
                {
                    notAssessed = notAssessed is null ? Words.Structure(w) : notAssessed + ", " + Words.Structure(w);
                }
            }
        }

        if (notAssessed is not null)
        {
            c.Add(id, CriterionStatus.Unknown, Advisory, text: notAssessed, reason: "not-segmented", missingFields: x.Path.Missing("adjacentStructures"));
        }
        else if (hits is null)
        {
            c.MetAdvisory(id);
        }
        else
        {
            c.Failed(id, Advisory, text: string.Join(", ", hits));
        }

        keep.Keep(c);
    }

    private static readonly string[] IreLocationStructures = ["bile-duct", "bowel", "stomach", "gallbladder", "large-vessel"];

    /// <summary>IRE: thermal ablation is unsafe here (central, or abutting a structure that forbids heat). A Kleene OR.</summary>
    public static void UnsuitableForThermalAblationByLocation(LesionInput x, CriteriaList c)
    {
        const string id = "unsuitable-for-thermal-ablation-by-location";
        var l = x.Lesion;
        var central = l.DistanceToHilumMm is { } h ? h < x.Rules.HilumCautionMm : (bool?)null;
        string? structure = null;
        if (l.AdjacentStructures is { } s)
        {
            foreach (var w in IreLocationStructures)
            {
                if (s.Contains(w))
                {
                    structure = Words.Structure(w);
                    break;
                }
            }
        }

        if (central == true)
        {
            c.Met(id, l.DistanceToHilumMm, "mm", reason: "central");
        }
        else if (structure is not null)
        {
            c.Met(id, text: structure, reason: "structure");
        }
        else if (central == false && l.AdjacentStructures is not null)
        {
            c.Failed(id, Required, l.DistanceToHilumMm, "mm");
        }
        else
        {
            var missing = new List<string>(2);
            if (central is null)
            {
                missing.Add(x.Path.Of("distanceToHilumMm"));
            }

            if (l.AdjacentStructures is null)
            {
                missing.Add(x.Path.Of("adjacentStructures"));
            }

            c.Unknown(id, Required, [.. missing]);
        }
    }
}

/// <summary>Case-file spellings in words for reports.</summary>
internal static class Words
{
    public static string Structure(string s) => s switch
    {
        "large-bronchus" => "large bronchus",
        "spinal-cord" => "spinal cord",
        "nerve-root" => "nerve root",
        "bile-duct" => "bile duct",
        "large-vessel" => "large vessel",
        "brachial-plexus" => "brachial plexus",
        _ => s,
    };

    public static string Modality(string m) => m switch
    {
        "ultrasound" => "ultrasound",
        "ct" => "CT",
        "mri" => "MRI",
        "cbct" => "cone-beam CT",
        _ => m,
    };

    public static string Visibility(Cases.Visibility v) => v switch
    {
        Cases.Visibility.Conspicuous => "conspicuous",
        Cases.Visibility.Poor => "poorly seen",
        Cases.Visibility.Invisible => "invisible",
        _ => "not assessed",
    };

    public static string Surgical(SurgicalAssessment s) => s switch
    {
        SurgicalAssessment.Resectable => "resectable",
        SurgicalAssessment.ResectableWithDifficulty => "resectable with difficulty",
        SurgicalAssessment.Unresectable => "unresectable",
        _ => "not assessed",
    };
}
