using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LocalControl.Core.Evidence;

/// <summary>Grade of a source of evidence, from strongest design to weakest.</summary>
public enum EvidenceGrade
{
    /// <summary>Guideline of a society.</summary>
    Guideline,
    /// <summary>Expert or multidisciplinary consensus.</summary>
    Consensus,
    /// <summary>Systematic review or meta-analysis.</summary>
    MetaAnalysis,
    /// <summary>Randomised controlled trial.</summary>
    Rct,
    /// <summary>Prospective single-arm study or registry.</summary>
    Prospective,
    /// <summary>Retrospective series.</summary>
    Retrospective,
    /// <summary>Narrative review.</summary>
    Review,
    /// <summary>Animal study.</summary>
    Animal,
}

/// <summary>How far a statement or figure was checked against its source.</summary>
public enum Verification
{
    /// <summary>Read in the source's abstract or record.</summary>
    Verified,
    /// <summary>Source or main result seen; some detail not confirmed — must be shown as partly verified.</summary>
    PartlyVerified,
}

/// <summary>A citation, with the one-line text shown to clinicians.</summary>
public sealed record Citation
{
    /// <summary>Authors as cited.</summary>
    public string? Authors { get; init; }
    /// <summary>Title, if known.</summary>
    public string? Title { get; init; }
    /// <summary>Journal abbreviation.</summary>
    public string? Journal { get; init; }
    /// <summary>Publication year.</summary>
    public int? Year { get; init; }
    /// <summary>Volume.</summary>
    public string? Volume { get; init; }
    /// <summary>Issue.</summary>
    public string? Issue { get; init; }
    /// <summary>Pages.</summary>
    public string? Pages { get; init; }
    /// <summary>DOI.</summary>
    public string? Doi { get; init; }
    /// <summary>PubMed id.</summary>
    public string? Pmid { get; init; }
    /// <summary>PubMed Central id.</summary>
    public string? Pmcid { get; init; }
    /// <summary>Trial registration (e.g. NCT number).</summary>
    public string? TrialRegistration { get; init; }
    /// <summary>One-line full citation.</summary>
    public required string Text { get; init; }
}

/// <summary>One outcome figure of a source, with its unit and population.</summary>
public sealed record EvidenceFigure
{
    /// <summary>Id, unique within its item (e.g. <c>os-hr</c>); cited as <c>ITEM/FIGURE</c>.</summary>
    public required string Id { get; init; }
    /// <summary>What the figure measures.</summary>
    public required string Label { get; init; }
    /// <summary>Display value exactly as the source gives it.</summary>
    public required string Value { get; init; }
    /// <summary>The number, when there is one clean number.</summary>
    public double? NumericValue { get; init; }
    /// <summary>Unit (percent, months, hazard ratio, ...).</summary>
    public string? Unit { get; init; }
    /// <summary>95% confidence interval, when given.</summary>
    public string? ConfidenceInterval { get; init; }
    /// <summary>Population of this figure when narrower than the item's.</summary>
    public string? Population { get; init; }
    /// <summary>Verification of this figure.</summary>
    public Verification Verification { get; init; }
    /// <summary>What is unconfirmed, if anything.</summary>
    public string? VerificationNote { get; init; }
}

/// <summary>One source of the evidence base.</summary>
public sealed record EvidenceItem
{
    /// <summary>Stable id (e.g. <c>L1</c>, <c>DB2017</c>).</summary>
    public required string Id { get; init; }
    /// <summary>Trial or first-author label.</summary>
    public required string ShortName { get; init; }
    /// <summary>Topic.</summary>
    public string? Topic { get; init; }
    /// <summary>Therapies concerned.</summary>
    public IReadOnlyList<string> Therapies { get; init; } = [];
    /// <summary>Organs concerned.</summary>
    public IReadOnlyList<string> Organs { get; init; } = [];
    /// <summary>What the source shows.</summary>
    public required string Statement { get; init; }
    /// <summary>Design grade.</summary>
    public EvidenceGrade Grade { get; init; }
    /// <summary>Verification of the item.</summary>
    public Verification Verification { get; init; }
    /// <summary>What is unconfirmed or left out, if anything.</summary>
    public string? VerificationNote { get; init; }
    /// <summary>Population studied.</summary>
    public string? Population { get; init; }
    /// <summary>Outcome figures.</summary>
    public IReadOnlyList<EvidenceFigure> Figures { get; init; } = [];
    /// <summary>Citation.</summary>
    public required Citation Citation { get; init; }

    /// <summary>The figure with the given id, or null.</summary>
    public EvidenceFigure? FindFigure(string figureId) => Figures.FirstOrDefault(f => f.Id == figureId);
}

/// <summary>
/// The versioned evidence base embedded in Core (<c>Evidence/evidence.json</c>, docs/evidence.md): every
/// outcome figure the engine shows comes from here, with its population, citation and grade.
/// </summary>
public sealed class EvidenceBase
{
    private static readonly Lazy<EvidenceBase> DefaultBase = new(LoadEmbedded);
    private readonly FrozenDictionary<string, EvidenceItem> _byId;

    private EvidenceBase(string version, IReadOnlyList<EvidenceItem> items)
    {
        Version = version;
        Items = items;
        _byId = items.ToFrozenDictionary(i => i.Id, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The evidence base shipped with this build.</summary>
    public static EvidenceBase Default => DefaultBase.Value;

    /// <summary>Version of the data file.</summary>
    public string Version { get; }

    /// <summary>Every item, in file order.</summary>
    public IReadOnlyList<EvidenceItem> Items { get; }

    /// <summary>The item with the given id (case-insensitive), or null.</summary>
    public EvidenceItem? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Resolves a figure reference of the form <c>ITEM/FIGURE</c>, or returns null.</summary>
    public (EvidenceItem Item, EvidenceFigure Figure)? FindFigure(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return null;
        }

        var item = Find(reference[..slash]);
        var figure = item?.FindFigure(reference[(slash + 1)..]);
        return item is null || figure is null ? null : (item, figure);
    }

    /// <summary>Parses an evidence file (used for the embedded one and in tests).</summary>
    public static EvidenceBase Parse(string json)
    {
        var file = JsonSerializer.Deserialize<EvidenceFile>(json, SerializerOptions)
            ?? throw new LocalControlInputException("evidence file: empty");
        if (string.IsNullOrWhiteSpace(file.Version) || file.Items is null)
        {
            throw new LocalControlInputException("evidence file: version and items are required");
        }

        var duplicates = file.Items.GroupBy(i => i.Id, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new LocalControlInputException($"evidence file: duplicate ids {string.Join(", ", duplicates)}");
        }

        return new EvidenceBase(file.Version, file.Items);
    }

    /// <summary>Options that read and write the evidence file format (camelCase, kebab-case enums).</summary>
    public static JsonSerializerOptions SerializerOptionsForOutput => SerializerOptions;

    internal static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    private static EvidenceBase LoadEmbedded()
    {
        using var stream = typeof(EvidenceBase).Assembly.GetManifestResourceStream("LocalControl.Core.evidence.json")
            ?? throw new InvalidOperationException("The embedded evidence base is missing from this build.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    private sealed record EvidenceFile(string Version, List<EvidenceItem>? Items);
}
