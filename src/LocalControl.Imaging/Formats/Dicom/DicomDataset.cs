using System.Globalization;
using System.Text;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// A DICOM dataset (the top level of a file, or one item of a sequence): its elements in file order, with typed
/// getters that decode text in the dataset's character set (SpecificCharacterSet, inherited by items) and binary
/// numbers in the file's byte order.
/// </summary>
public sealed class DicomDataset
{
    private readonly List<DicomElement> _elements = [];
    private readonly Dictionary<uint, DicomElement> _byTag = [];
    private Encoding? _encoding;

    internal DicomDataset(DicomDataset? parent) => Parent = parent;

    /// <summary>The dataset holding the sequence this item belongs to; null at the top level.</summary>
    public DicomDataset? Parent { get; }

    /// <summary>The elements in the order they appear in the file.</summary>
    public IReadOnlyList<DicomElement> Elements => _elements;

    /// <summary>The text encoding from SpecificCharacterSet (0008,0005) here or in an enclosing dataset; Latin-1 by default, as pydicom.</summary>
    public Encoding TextEncoding => _encoding ??= DicomCharacterSets.Resolve(
        this.FindUp(DicomTag.SpecificCharacterSet) is { } cs ? DecodeAscii(cs) : null);

    internal void Add(DicomElement element)
    {
        // A tag that repeats (a corrupt file) is found by its first occurrence; every occurrence stays in Elements.
        _elements.Add(element);
        _byTag.TryAdd(element.Tag.Value, element);
    }

    /// <summary>True when the dataset has <paramref name="tag"/>.</summary>
    public bool Contains(DicomTag tag) => _byTag.ContainsKey(tag.Value);

    /// <summary>The element with <paramref name="tag"/>, or null.</summary>
    public DicomElement? Find(DicomTag tag) => _byTag.GetValueOrDefault(tag.Value);

    /// <summary>The whole value as text with trailing padding (spaces, NULs) removed; null when absent.</summary>
    public string? GetString(DicomTag tag)
    {
        var e = Find(tag);
        if (e?.RawValue is null)
        {
            return null;
        }

        var text = e.EffectiveVR.UsesCharacterSet || e.EffectiveVR == DicomVR.UN ? TextEncoding.GetString(e.RawValue) : DecodeAscii(e);
        return text.TrimEnd(' ', '\0');
    }

    /// <summary>The values of a multi-valued text element (split at backslashes, each trimmed); empty when absent.</summary>
    public IReadOnlyList<string> GetStrings(DicomTag tag) =>
        GetString(tag) is { } s ? [.. s.Split('\\').Select(v => v.Trim(' ', '\0'))] : [];

    /// <summary>
    /// The numeric values of an element: decimal or integer strings (DS, IS) are parsed; binary VRs are decoded in the
    /// file's byte order. Empty when absent or empty. Throws <see cref="ImagingException"/> (LC-DICOM-009) for text that is not a number.
    /// </summary>
    public double[] GetNumbers(DicomTag tag)
    {
        var e = Find(tag);
        if (e?.RawValue is null || e.RawValue.Length == 0)
        {
            return [];
        }

        var vr = e.EffectiveVR;
        if (vr.IsText)
        {
            var parts = GetStrings(tag);
            var values = new double[parts.Count];
            for (var i = 0; i < parts.Count; i++)
            {
                if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                {
                    throw DicomThrowHelper.Missing(null, tag, $"value '{parts[i]}' is not a number");
                }
            }

            return values;
        }

        return e.BinaryNumbers(vr);
    }

    /// <summary>The first numeric value, or null when absent, empty or not a number.</summary>
    public double? GetNumber(DicomTag tag)
    {
        try
        {
            var v = GetNumbers(tag);
            return v.Length > 0 ? v[0] : null;
        }
        catch (ImagingException)
        {
            return null;
        }
    }

    /// <summary>The first value as an integer, or null when absent, not a number or not integral.</summary>
    public int? GetInt(DicomTag tag) =>
        GetNumber(tag) is { } d && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d : null;

    /// <summary>The items of a sequence; empty when absent or not a sequence.</summary>
    public IReadOnlyList<DicomDataset> GetSequence(DicomTag tag) => Find(tag)?.Items ?? [];

    /// <summary>The first item of a sequence, or null.</summary>
    public DicomDataset? GetItem(DicomTag tag) => GetSequence(tag) is { Count: > 0 } s ? s[0] : null;

    private static string DecodeAscii(DicomElement e) => Encoding.Latin1.GetString(e.RawValue ?? []);

    private DicomElement? FindUp(DicomTag tag)
    {
        for (var d = this; d is not null; d = d.Parent)
        {
            if (d.Find(tag) is { } e)
            {
                return e;
            }
        }

        return null;
    }
}
