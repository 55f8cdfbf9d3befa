namespace LocalControl.Imaging.Formats.Nrrd;

/// <summary>
/// A NRRD header (http://teem.sourceforge.net/nrrd/format.html), fields by their spec names, plus the
/// <c>key:=value</c> pairs (where 3D Slicer keeps segment names and label values).
/// </summary>
public sealed class NrrdHeader
{
    /// <summary>The magic line, e.g. <c>NRRD0004</c>.</summary>
    public string Magic { get; set; } = "";

    /// <summary>Fields (<c>field: value</c>), keyed by lower-case field name.</summary>
    public Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);

    /// <summary>Key/value pairs (<c>key:=value</c>).</summary>
    public Dictionary<string, string> KeyValues { get; } = new(StringComparer.Ordinal);

    /// <summary>Byte offset of the first data byte in the header file (after the blank line), for attached data.</summary>
    public long DataOffset { get; set; }

    /// <summary>The value of a field, or null.</summary>
    public string? Field(string name) => Fields.GetValueOrDefault(name);
}
