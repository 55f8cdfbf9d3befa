using LocalControl.Core.Cases;
using LocalControl.Core.Rules;

namespace LocalControl.Core.Engine;

/// <summary>Facts about the whole case that many criteria need, computed once per assessment.</summary>
internal sealed class CaseContext
{
    private readonly Dictionary<Organ, int> _countByOrgan = [];

    public CaseContext(MetastaticCase @case, RuleSet rules)
    {
        Case = @case;
        Patient = @case.Patient;
        Rules = rules;
        var anyLiverUnresectable = false;
        double? largestLiverMm = 0;
        foreach (var l in @case.Lesions)
        {
            _countByOrgan[l.Organ] = _countByOrgan.GetValueOrDefault(l.Organ) + 1;
            if (l.Organ == Organ.Liver)
            {
                anyLiverUnresectable |= l.SurgicalAssessment == SurgicalAssessment.Unresectable;
                largestLiverMm = l.LongestDiameterMm is { } d && largestLiverMm is { } m ? Math.Max(d, m) : null;
            }
        }

        LiverCount = LesionsIn(Organ.Liver);
        LiverOnly = LiverCount > 0 && LiverCount == @case.Lesions.Count;
        ExtrahepaticDisease = LiverCount < @case.Lesions.Count;
        AnyLiverUnresectable = anyLiverUnresectable;
        LargestLiverLesionMm = LiverCount > 0 ? largestLiverMm : null;

        // Tumour burden score (Sasaki 2018): sqrt(largest diameter in cm² + number of liver lesions²).
        TumourBurdenScore = LargestLiverLesionMm is { } largest ? Math.Sqrt((largest / 10 * (largest / 10)) + ((double)LiverCount * LiverCount)) : null;
        LineOfTherapy = LineOfTherapy.From(Patient.PriorSystemicTherapy);

        // Oligometastatic status: a convention (the ESMO definition was not verified): counts are advisory.
        var c = new CriteriaList(rules, "any");
        var total = @case.Lesions.Count;
        var maxLesions = LiverOnly ? rules.OligometastaticMaxLiverOnlyLesions : rules.OligometastaticMaxLesions;
        var organs = _countByOrgan.Count;
        if (total <= maxLesions)
        {
            c.MetAdvisory("oligometastatic-lesion-count", total, "lesions", LiverOnly ? "liver-only" : null);
        }
        else
        {
            c.Failed("oligometastatic-lesion-count", CriterionSeverity.Advisory, total, "lesions", LiverOnly ? "liver-only" : null);
        }

        if (organs <= rules.OligometastaticMaxOrgans)
        {
            c.MetAdvisory("oligometastatic-organ-count", organs, "organs");
        }
        else
        {
            c.Failed("oligometastatic-organ-count", CriterionSeverity.Advisory, organs, "organs");
        }

        OligometastaticCriteria = c.Items;
        OligometastaticEligibility = CriteriaList.Aggregate(c.Items);
        OrganCount = organs;
    }

    public MetastaticCase Case { get; }

    public Patient Patient { get; }

    public RuleSet Rules { get; }

    public int LiverCount { get; }

    public bool LiverOnly { get; }

    public bool ExtrahepaticDisease { get; }

    public bool AnyLiverUnresectable { get; }

    /// <summary>Largest liver lesion in mm; null when any liver lesion's size is unknown or there is no liver disease.</summary>
    public double? LargestLiverLesionMm { get; }

    /// <summary>Tumour burden score of the liver disease; null when a size is unknown.</summary>
    public double? TumourBurdenScore { get; }

    /// <summary>The line of therapy, derived once from the treatment history.</summary>
    public LineOfTherapy LineOfTherapy { get; }

    public int OrganCount { get; }

    public IReadOnlyList<CriterionResult> OligometastaticCriteria { get; }

    public Eligibility OligometastaticEligibility { get; }

    public int LesionsIn(Organ organ) => _countByOrgan.GetValueOrDefault(organ);

    public IReadOnlyDictionary<Organ, int> CountByOrgan => _countByOrgan;
}

/// <summary>
/// Where the patient stands in the treatment sequence, derived once from <c>priorSystemicTherapy</c>: the number of
/// lines on which disease progressed and whether one of them held oxaliplatin. HAIC and SIRT read their setting here.
/// </summary>
internal sealed record LineOfTherapy(bool Known, int ProgressedLines, bool? OxaliplatinProgressed, IReadOnlyList<string> MissingFields)
{
    public static LineOfTherapy From(IReadOnlyList<SystemicTherapyLine>? lines)
    {
        if (lines is null)
        {
            return new(false, 0, null, ["patient.priorSystemicTherapy"]);
        }

        var progressed = 0;
        bool? oxaliplatin = false;
        var unclear = new List<string>();
        var oxaliplatinUnclear = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            switch (lines[i].Progressed)
            {
                case true:
                    progressed++;
                    if (lines[i].ContainsOxaliplatin == true)
                    {
                        oxaliplatin = true;
                    }
                    else if (lines[i].ContainsOxaliplatin is null)
                    {
                        oxaliplatinUnclear.Add($"patient.priorSystemicTherapy[{i}].containsOxaliplatin");
                    }

                    break;
                case null:
                    unclear.Add($"patient.priorSystemicTherapy[{i}].progressed");
                    break;
            }
        }

        if (oxaliplatin == false && oxaliplatinUnclear.Count > 0)
        {
            oxaliplatin = null;
        }

        // An unclear line leaves the count unknown, unless another line already progressed (then it is at least second line).
        return unclear.Count > 0 && progressed == 0
            ? new(false, 0, oxaliplatin, unclear)
            : new(true, progressed, oxaliplatin, oxaliplatin is null ? oxaliplatinUnclear : []);
    }

    /// <summary>The SIRT setting: first-line, second-line or salvage; null when unknown.</summary>
    public string? SirtSetting => !Known ? null : ProgressedLines switch { 0 => "first-line", 1 => "second-line", _ => "salvage" };

    /// <summary>The HAIC setting: first-line, oxaliplatin-rechallenge or later-line; null when unknown.</summary>
    public string? HaicSetting => !Known ? null
        : ProgressedLines == 0 ? "first-line"
        : OxaliplatinProgressed switch { true => "oxaliplatin-rechallenge", false => "later-line", null => null };
}

/// <summary>Notes of one option, allocated only when there is one.</summary>
internal sealed class Notes
{
    private List<string>? _items;

    public void Add(string note) => (_items ??= new List<string>(2)).Add(note);

    public IReadOnlyList<string> ToList() => _items is null ? [] : _items;
}

/// <summary>JSON paths of one lesion's fields (<c>lesions[3].distanceToHilumMm</c>), built once per lesion and field.</summary>
internal sealed class FieldPaths(int index)
{
    private readonly string _prefix = "lesions[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "].";
    private readonly Dictionary<string, string[]> _paths = new(StringComparer.Ordinal);

    /// <summary>The path of <paramref name="field"/> as a one-element array (the shape criteria store).</summary>
    public string[] Missing(string field)
    {
        if (!_paths.TryGetValue(field, out var made))
        {
            made = [_prefix + field];
            _paths[field] = made;
        }

        return made;
    }

    /// <summary>The path of <paramref name="field"/>.</summary>
    public string Of(string field) => Missing(field)[0];
}
