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
        OligometastaticEligibility = CriteriaList.Aggregate(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(c.Items));
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

    // Results of patient criteria that every lesion option re-reads (performance status, RAS, remnant...): the same
    // facts give the same immutable result, so each is built once per case and criterion definition.
    private (Rules.CriterionDefinition Definition, CriterionResult Result)[] _patientResults = new (Rules.CriterionDefinition, CriterionResult)[8];
    private int _patientResultCount;

    /// <summary>The result of the patient criterion <paramref name="definition"/> already built for this case, or null.</summary>
    public CriterionResult? PatientResult(Rules.CriterionDefinition definition)
    {
        for (var i = 0; i < _patientResultCount; i++)
        {
            if (ReferenceEquals(_patientResults[i].Definition, definition))
            {
                return _patientResults[i].Result;
            }
        }

        return null;
    }

    /// <summary>Keeps the result of a patient criterion for the other options of this case.</summary>
    public void KeepPatientResult(Rules.CriterionDefinition definition, CriterionResult result)
    {
        if (_patientResultCount == _patientResults.Length)
        {
            Array.Resize(ref _patientResults, _patientResults.Length * 2);
        }

        _patientResults[_patientResultCount++] = (definition, result);
    }

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
            return new(false, 0, null, PriorSystemicTherapyMissing);
        }

        var progressed = 0;
        bool? oxaliplatin = false;
        List<string>? unclear = null;
        List<string>? oxaliplatinUnclear = null;
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
                        (oxaliplatinUnclear ??= []).Add($"patient.priorSystemicTherapy[{i}].containsOxaliplatin");
                    }

                    break;
                case null:
                    (unclear ??= []).Add($"patient.priorSystemicTherapy[{i}].progressed");
                    break;
            }
        }

        if (oxaliplatin == false && oxaliplatinUnclear is not null)
        {
            oxaliplatin = null;
        }

        // An unclear line leaves the count unknown, unless another line already progressed (then it is at least second line).
        return unclear is not null && progressed == 0
            ? new(false, 0, oxaliplatin, unclear)
            : new(true, progressed, oxaliplatin, oxaliplatin is null ? oxaliplatinUnclear! : []);
    }

    private static readonly string[] PriorSystemicTherapyMissing = ["patient.priorSystemicTherapy"];

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

/// <summary>
/// JSON paths of the fields of the lesion at one position (<c>lesions[3].distanceToHilumMm</c>). The paths of a
/// position are the same in every case, so each is built once and shared by every assessment (immutable, thread-safe).
/// </summary>
internal sealed class FieldPaths
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, FieldPaths> ByIndex = new();

    private readonly string _prefix;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string[]> _paths = new(StringComparer.Ordinal);
    private readonly string[]?[] _unassessedVisibility = new string[]?[16];

    private FieldPaths(int index) =>
        _prefix = "lesions[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "].";

    /// <summary>The paths of the lesion at <paramref name="index"/> (0-based position in the case file).</summary>
    public static FieldPaths For(int index) => ByIndex.TryGetValue(index, out var p) ? p : ByIndex.GetOrAdd(index, i => new FieldPaths(i));

    /// <summary>The path of <paramref name="field"/> as a one-element array (the shape criteria store).</summary>
    public string[] Missing(string field) =>
        _paths.TryGetValue(field, out var made) ? made : _paths.GetOrAdd(field, f => [_prefix + f]);

    /// <summary>The path of <paramref name="field"/>.</summary>
    public string Of(string field) => Missing(field)[0];

    /// <summary>Paths of the visibility modalities not assessed; bit 0 ultrasound, 1 CT, 2 MRI, 3 cone-beam CT.</summary>
    public string[] UnassessedVisibility(int mask)
    {
        if (Volatile.Read(ref _unassessedVisibility[mask]) is { } made)
        {
            return made;
        }

        var list = new List<string>(4);
        if ((mask & 1) != 0) { list.Add(Of("visibility.ultrasound")); }
        if ((mask & 2) != 0) { list.Add(Of("visibility.ct")); }
        if ((mask & 4) != 0) { list.Add(Of("visibility.mri")); }
        if ((mask & 8) != 0) { list.Add(Of("visibility.cbct")); }
        string[] paths = [.. list];
        return Interlocked.CompareExchange(ref _unassessedVisibility[mask], paths, null) ?? paths;
    }
}
