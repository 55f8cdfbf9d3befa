using System.Text.Json;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Formats.Segmentations;

/// <summary>A label convention of a segmentation tool or challenge, with where it comes from.</summary>
/// <param name="Name">The name to select it by (<c>--label-table lits</c>).</param>
/// <param name="Description">What it is.</param>
/// <param name="Source">Where the values and names come from.</param>
/// <param name="Table">Values, names and roles.</param>
public sealed record NamedLabelTable(string Name, string Description, string Source, LabelTable Table)
{
    /// <summary>The entry whose structure name is <paramref name="structure"/> (case-insensitive), or null.</summary>
    public LabelEntry? FindByName(string structure) =>
        Table.Entries.FirstOrDefault(e => string.Equals(e.Name, structure, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The label conventions shipped with LocalControl, as JSON data under <c>Formats/Segmentations/LabelTables/</c>
/// (documented in docs/formats/segmentations.md): <c>totalsegmentator</c> (v2, task total, plus the
/// liver_vessels/lung_vessels task structures for folders), <c>totalsegmentator-liver-vessels</c>, <c>lits</c>,
/// <c>msd-task03-liver</c>, <c>msd-task08-hepatic-vessel</c>.
/// </summary>
public static class BuiltInLabelTables
{
    private static readonly Lazy<IReadOnlyDictionary<string, NamedLabelTable>> Tables = new(LoadAll);

    /// <summary>The names of the built-in tables.</summary>
    public static IReadOnlyList<string> Names => [.. Tables.Value.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The built-in table named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static NamedLabelTable? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Tables.Value.GetValueOrDefault(name.Trim().ToLowerInvariant());
    }

    /// <summary>The TotalSegmentator table (folders of masks are read with it).</summary>
    public static NamedLabelTable TotalSegmentator => Find("totalsegmentator")!;

    private static Dictionary<string, NamedLabelTable> LoadAll()
    {
        var assembly = typeof(BuiltInLabelTables).Assembly;
        var result = new Dictionary<string, NamedLabelTable>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("LabelTables/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var doc = JsonDocument.Parse(stream);
            var root = doc.RootElement;
            var table = new LabelTable();
            foreach (var label in root.GetProperty("labels").EnumerateArray())
            {
                var roleName = label.GetProperty("role").GetString()!;
                var role = LabelRoles.Parse(roleName) ?? throw new InvalidOperationException($"{resource}: unknown role {roleName}");
                table.Set(new LabelEntry(label.GetProperty("value").GetInt32(), label.GetProperty("name").GetString()!, role));
            }

            var name = root.GetProperty("name").GetString()!;
            result[name] = new NamedLabelTable(name, root.GetProperty("description").GetString()!, root.GetProperty("source").GetString()!, table);
        }

        return result;
    }
}
