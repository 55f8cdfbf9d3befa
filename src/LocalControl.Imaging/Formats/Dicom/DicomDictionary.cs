namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>One attribute of the data dictionary (PS3.6).</summary>
/// <param name="Tag">The tag.</param>
/// <param name="VR">Its value representation (the first one where PS3.6 allows two).</param>
/// <param name="Keyword">The DICOM keyword, e.g. <c>ImagePositionPatient</c>.</param>
/// <param name="Name">The attribute name, e.g. <c>Image Position (Patient)</c>.</param>
public sealed record DicomDictionaryEntry(DicomTag Tag, DicomVR VR, string Keyword, string Name);

/// <summary>
/// The attributes this reader knows by name. Implicit VR files do not carry VRs, so the reader looks them up
/// here; an unknown tag is read as UN (its bytes are kept, and a defined-length value that starts with an item
/// tag is read as a sequence, as pydicom and DCMTK do).
/// </summary>
public static class DicomDictionary
{
    private static readonly Dictionary<uint, DicomDictionaryEntry> ByTag = DicomDictionaryData.Entries.ToDictionary(
        e => e.Tag, e => new DicomDictionaryEntry(DicomTag.FromValue(e.Tag), DicomVR.From(e.Vr), e.Keyword, e.Name));

    /// <summary>The entry for <paramref name="tag"/>, or null when the tag is not in the dictionary.</summary>
    public static DicomDictionaryEntry? Find(DicomTag tag)
    {
        if (ByTag.TryGetValue(tag.Value, out var e))
        {
            return e;
        }

        if (tag.Element == 0)
        {
            return new DicomDictionaryEntry(tag, DicomVR.UL, "GroupLength", "Group Length");
        }

        if (tag.IsPrivate && tag.Element is >= 0x0010 and <= 0x00FF)
        {
            return new DicomDictionaryEntry(tag, DicomVR.LO, "PrivateCreator", "Private Creator");
        }

        return null;
    }

    /// <summary>The VR used for <paramref name="tag"/> in implicit VR encoding (UN when unknown).</summary>
    public static DicomVR ImplicitVR(DicomTag tag) => Find(tag)?.VR ?? DicomVR.UN;

    /// <summary>A readable name for messages: <c>(0028,0010) Rows</c>.</summary>
    public static string Describe(DicomTag tag) => Find(tag) is { } e ? $"{tag} {e.Keyword}" : tag.ToString();
}
