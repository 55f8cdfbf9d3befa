using PdfSharp.Fonts;

namespace LocalControl.Web.Reporting;

/// <summary>
/// PDFsharp's fonts on Linux: DejaVu Sans from Debian's fonts-dejavu-core (the folder is configurable with
/// <c>Pdf:FontFolder</c>). Every family name resolves to DejaVu Sans, bold to DejaVu Sans Bold.
/// </summary>
internal sealed class DejaVuFontResolver(string folder) : IFontResolver
{
    public const string DefaultFolder = "/usr/share/fonts/truetype/dejavu";
    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => new(bold ? Bold : Regular);

    public byte[]? GetFont(string faceName) => File.ReadAllBytes(Path.Combine(folder, faceName + ".ttf"));

    /// <summary>True when both font files are present.</summary>
    public static bool Available(string folder) =>
        File.Exists(Path.Combine(folder, Regular + ".ttf")) && File.Exists(Path.Combine(folder, Bold + ".ttf"));
}
