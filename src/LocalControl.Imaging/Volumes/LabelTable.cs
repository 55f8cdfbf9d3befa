namespace LocalControl.Imaging.Volumes;

/// <summary>What a label of a segmentation stands for. Measurements look labels up by role, never by number.</summary>
public enum LabelRole
{
    /// <summary>No known role: kept, but not measured.</summary>
    Other = 0,
    /// <summary>Liver parenchyma (with or without tumours inside).</summary>
    Liver,
    /// <summary>A metastasis; each 26-connected component is one lesion.</summary>
    Tumour,
    /// <summary>Any vessel.</summary>
    Vessel,
    /// <summary>Portal vein and its branches.</summary>
    PortalVein,
    /// <summary>Hepatic veins.</summary>
    HepaticVein,
    /// <summary>Liver hilum (portal triad) or lung hilum.</summary>
    Hilum,
    /// <summary>Bile ducts.</summary>
    BileDuct,
    /// <summary>Lung.</summary>
    Lung,
    /// <summary>Bone.</summary>
    Bone,
    /// <summary>Treated volume seen after ablation.</summary>
    AblationZone,
    /// <summary>Bowel (critical structure).</summary>
    Bowel,
    /// <summary>Gallbladder (critical structure).</summary>
    Gallbladder,
    /// <summary>Stomach (critical structure).</summary>
    Stomach,
    /// <summary>Diaphragm (critical structure).</summary>
    Diaphragm,
    /// <summary>Heart (critical structure).</summary>
    Heart,
    /// <summary>Large bronchus (critical structure).</summary>
    LargeBronchus,
    /// <summary>Pleura (critical structure).</summary>
    Pleura,
    /// <summary>Spinal cord (critical structure).</summary>
    SpinalCord,
    /// <summary>Nerve root (critical structure).</summary>
    NerveRoot,
    /// <summary>Skin (critical structure).</summary>
    Skin,
    /// <summary>A lymph node (an organ a lesion can lie in).</summary>
    LymphNode,
    /// <summary>Peritoneum (an organ a lesion can lie in).</summary>
    Peritoneum,
    /// <summary>Oesophagus (critical structure).</summary>
    Oesophagus,
    /// <summary>Trachea (critical structure).</summary>
    Trachea,
    /// <summary>Brachial plexus (critical structure).</summary>
    BrachialPlexus,
    /// <summary>The body outline (soft tissue not otherwise labelled): its outer surface is where a probe may enter the patient.</summary>
    Body,
}

/// <summary>Names of roles as written in label tables and JSON (kebab-case, e.g. <c>portal-vein</c>).</summary>
public static class LabelRoles
{
    private static readonly Dictionary<LabelRole, string> Names = new()
    {
        [LabelRole.Other] = "other",
        [LabelRole.Liver] = "liver",
        [LabelRole.Tumour] = "tumour",
        [LabelRole.Vessel] = "vessel",
        [LabelRole.PortalVein] = "portal-vein",
        [LabelRole.HepaticVein] = "hepatic-vein",
        [LabelRole.Hilum] = "hilum",
        [LabelRole.BileDuct] = "bile-duct",
        [LabelRole.Lung] = "lung",
        [LabelRole.Bone] = "bone",
        [LabelRole.AblationZone] = "ablation-zone",
        [LabelRole.Bowel] = "bowel",
        [LabelRole.Gallbladder] = "gallbladder",
        [LabelRole.Stomach] = "stomach",
        [LabelRole.Diaphragm] = "diaphragm",
        [LabelRole.Heart] = "heart",
        [LabelRole.LargeBronchus] = "large-bronchus",
        [LabelRole.Pleura] = "pleura",
        [LabelRole.SpinalCord] = "spinal-cord",
        [LabelRole.NerveRoot] = "nerve-root",
        [LabelRole.Skin] = "skin",
        [LabelRole.LymphNode] = "lymph-node",
        [LabelRole.Peritoneum] = "peritoneum",
        [LabelRole.Oesophagus] = "oesophagus",
        [LabelRole.Trachea] = "trachea",
        [LabelRole.BrachialPlexus] = "brachial-plexus",
        [LabelRole.Body] = "body",
    };

    /// <summary>The kebab-case name of a role.</summary>
    public static string Name(this LabelRole role) => Names[role];

    /// <summary>Parses a kebab-case role name (also accepts <c>tumor</c> and <c>vein</c>/<c>artery</c> as vessel); null when unknown.</summary>
    public static LabelRole? Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var n = name.Trim().ToLowerInvariant().Replace('_', '-').Replace(' ', '-');

        // Numbered instances ("Tumor 2", "hepatic_vein_1") take the role of their base name.
        var trimmed = n.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9').TrimEnd('-');
        if (trimmed.Length > 0 && trimmed.Length < n.Length)
        {
            n = trimmed;
        }

        if (n is "tumor" or "lesion" or "metastasis")
        {
            return LabelRole.Tumour;
        }

        if (n is "vein" or "artery" or "vessels" or "hepatic-artery")
        {
            return LabelRole.Vessel;
        }

        foreach (var (role, text) in Names)
        {
            if (text == n)
            {
                return role;
            }
        }

        return null;
    }

    /// <summary>True for the vessel roles (vessel, portal vein, hepatic vein).</summary>
    public static bool IsVessel(this LabelRole role) => role is LabelRole.Vessel or LabelRole.PortalVein or LabelRole.HepaticVein;

    /// <summary>True for the critical structures listed in <c>adjacentStructures</c>: every structure the engine tests
    /// (case-file names in <c>CaseVocabulary.AdjacentStructures</c>), bile duct, oesophagus, trachea and brachial plexus included.</summary>
    public static bool IsCriticalStructure(this LabelRole role) => role is LabelRole.Bowel or LabelRole.Gallbladder or LabelRole.Stomach
        or LabelRole.Diaphragm or LabelRole.Heart or LabelRole.LargeBronchus or LabelRole.Pleura or LabelRole.SpinalCord or LabelRole.NerveRoot or LabelRole.Skin
        or LabelRole.BileDuct or LabelRole.Oesophagus or LabelRole.Trachea or LabelRole.BrachialPlexus;

    /// <summary>The case-file organ a role stands for (liver, lung, bone, lymph-node, peritoneum), or null.</summary>
    public static string? OrganName(this LabelRole role) => role switch
    {
        LabelRole.Liver => "liver",
        LabelRole.Lung => "lung",
        LabelRole.Bone => "bone",
        LabelRole.LymphNode => "lymph-node",
        LabelRole.Peritoneum => "peritoneum",
        _ => null,
    };
}

/// <summary>One entry of a label table.</summary>
/// <param name="Value">The integer stored in the voxels (never 0: 0 is background).</param>
/// <param name="Name">A human name (from the file or the user).</param>
/// <param name="Role">What the label stands for.</param>
/// <param name="ColourRgb">Display colour, 0xRRGGBB, if known.</param>
public sealed record LabelEntry(int Value, string Name, LabelRole Role, int? ColourRgb = null);

/// <summary>Maps label values to names, roles and colours. 0 is always background.</summary>
public sealed class LabelTable
{
    private readonly Dictionary<int, LabelEntry> _entries = [];

    /// <summary>The entries, ordered by value.</summary>
    public IReadOnlyList<LabelEntry> Entries => [.. _entries.Values.OrderBy(e => e.Value)];

    /// <summary>Adds or replaces an entry.</summary>
    public LabelTable Set(LabelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Value <= 0)
        {
            throw new ArgumentException("Label 0 is background and cannot be given a role.", nameof(entry));
        }

        _entries[entry.Value] = entry;
        return this;
    }

    /// <summary>The entry for <paramref name="value"/>, or null.</summary>
    public LabelEntry? Find(int value) => _entries.GetValueOrDefault(value);

    /// <summary>All label values with the given role.</summary>
    public IReadOnlyList<int> ValuesWithRole(LabelRole role) =>
        [.. _entries.Values.Where(e => e.Role == role).Select(e => e.Value).Order()];
}

/// <summary>A segmentation: integer labels per voxel (0 = background) with the table that says what they mean.</summary>
public sealed class LabelMap(Volume<int> labels, LabelTable table)
{
    /// <summary>Label per voxel.</summary>
    public Volume<int> Labels { get; } = labels ?? throw new ArgumentNullException(nameof(labels));

    /// <summary>What the labels stand for.</summary>
    public LabelTable Table { get; } = table ?? throw new ArgumentNullException(nameof(table));
}
