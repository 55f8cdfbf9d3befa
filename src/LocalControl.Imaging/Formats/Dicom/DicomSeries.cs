using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// One frame of an image series with where it lies in the patient (LPS, mm): a single-frame file, or one frame of
/// a multi-frame file (enhanced CT/MR per-frame functional groups, or GridFrameOffsetVector).
/// </summary>
/// <param name="File">The file holding the frame.</param>
/// <param name="Frame">Frame index in the file (0 for single-frame files).</param>
/// <param name="PositionLps">ImagePositionPatient: centre of the first pixel, LPS mm.</param>
/// <param name="RowDirection">Direction of increasing column index (first ImageOrientationPatient triplet).</param>
/// <param name="ColumnDirection">Direction of increasing row index (second triplet).</param>
/// <param name="RowSpacingMm">PixelSpacing[0]: distance between rows (along <paramref name="ColumnDirection"/>).</param>
/// <param name="ColumnSpacingMm">PixelSpacing[1]: distance between columns (along <paramref name="RowDirection"/>).</param>
/// <param name="RescaleSlope">RescaleSlope of this frame.</param>
/// <param name="RescaleIntercept">RescaleIntercept of this frame.</param>
public sealed record DicomFrameRef(DicomFile File, int Frame, Vector3D PositionLps, Vector3D RowDirection, Vector3D ColumnDirection,
    double RowSpacingMm, double ColumnSpacingMm, double RescaleSlope, double RescaleIntercept)
{
    /// <summary>The slice normal, row × column (ITK/GDCM convention).</summary>
    public Vector3D Normal => RowDirection.Cross(ColumnDirection);

    /// <summary>A name for messages: the file, and the frame when the file has several.</summary>
    public string Describe() => File.Dataset.GetInt(DicomTag.NumberOfFrames) is > 1 ? $"{File.FilePath} frame {Frame + 1}" : File.FilePath ?? "(stream)";
}

/// <summary>
/// Images that belong in one volume: same SeriesInstanceUID, orientation and matrix size (a multi-frame file is a
/// series on its own). Built by <see cref="DicomSeriesScanner"/>; turned into a volume by <see cref="DicomSeriesBuilder"/>.
/// </summary>
public sealed class DicomSeries
{
    internal DicomSeries(string seriesInstanceUid, IReadOnlyList<DicomFrameRef> frames)
    {
        SeriesInstanceUid = seriesInstanceUid;
        Frames = frames;
        var first = frames[0].File.Dataset;
        Description = first.GetString(DicomTag.SeriesDescription) ?? string.Empty;
        Modality = first.GetString(DicomTag.Modality) ?? string.Empty;
        SeriesNumber = first.GetInt(DicomTag.SeriesNumber);
        Rows = first.GetInt(DicomTag.Rows) ?? 0;
        Columns = first.GetInt(DicomTag.Columns) ?? 0;
        FrameOfReferenceUid = first.GetString(DicomTag.FrameOfReferenceUid);
    }

    /// <summary>SeriesInstanceUID (0020,000E).</summary>
    public string SeriesInstanceUid { get; }

    /// <summary>SeriesDescription (0008,103E), empty when absent.</summary>
    public string Description { get; }

    /// <summary>Modality (0008,0060), e.g. CT or MR.</summary>
    public string Modality { get; }

    /// <summary>SeriesNumber (0020,0011), if present.</summary>
    public int? SeriesNumber { get; }

    /// <summary>FrameOfReferenceUID (0020,0052), if present.</summary>
    public string? FrameOfReferenceUid { get; }

    /// <summary>Rows of each frame (the j size).</summary>
    public int Rows { get; }

    /// <summary>Columns of each frame (the i size).</summary>
    public int Columns { get; }

    /// <summary>The frames, in the order found (the builder sorts them along the slice normal).</summary>
    public IReadOnlyList<DicomFrameRef> Frames { get; }

    /// <summary>The distinct files of the series.</summary>
    public IReadOnlyList<string> Files => [.. Frames.Select(f => f.File.FilePath ?? string.Empty).Distinct()];

    /// <summary>
    /// How the series' pixel data is stored: each transfer syntax with its file count, e.g.
    /// "JPEG Lossless, Non-Hierarchical, First-Order Prediction (…) in 300 files".
    /// </summary>
    public IReadOnlyList<(DicomTransferSyntax Syntax, int Files)> Encodings =>
        [.. Frames.Select(f => f.File).Distinct().GroupBy(f => f.TransferSyntax.Uid, StringComparer.Ordinal)
            .Select(g => (g.First().TransferSyntax, g.Count())).OrderByDescending(x => x.Item2)];

    /// <summary>
    /// Notes on the encoding for <c>info</c> and loading: compressed pixel data (LC-DICOM-W10, which syntax in how
    /// many files), lossy compression (LC-DICOM-W11: a lossy syntax, or LossyImageCompression (0028,2110) = 01 —
    /// values differ from the acquisition), and syntaxes this reader cannot decode (LC-DICOM-W12, the conversion).
    /// </summary>
    public IReadOnlyList<ImagingWarning> EncodingWarnings()
    {
        var warnings = new List<ImagingWarning>();
        var encodings = Encodings;
        var compressed = encodings.Where(e => e.Syntax.IsEncapsulated).ToList();
        if (compressed.Count > 0)
        {
            warnings.Add(new ImagingWarning("LC-DICOM-W10",
                "pixel data compressed: " + string.Join("; ", compressed.Select(e => $"{e.Syntax} in {e.Files} file(s)")), WarningSeverity.Info));
        }

        var lossyFiles = Frames.Select(f => f.File).Distinct().Count(f => f.TransferSyntax.IsLossy || f.Dataset.GetString(new DicomTag(0x0028, 0x2110)) == "01");
        if (lossyFiles > 0)
        {
            warnings.Add(new ImagingWarning("LC-DICOM-W11",
                $"{lossyFiles} file(s) hold lossy-compressed pixels (lossy transfer syntax or LossyImageCompression (0028,2110) = 01): values differ from the acquisition"));
        }

        foreach (var (syntax, files) in compressed.Where(e => !e.Syntax.CanDecodePixels))
        {
            warnings.Add(new ImagingWarning("LC-DICOM-W12", $"{files} file(s) are compressed as {syntax}, which is not decoded here; {syntax.ConversionHint}"));
        }

        return warnings;
    }
}

/// <summary>What a folder scan found: image series, other DICOM objects (SEG, RTSTRUCT …) and skipped files.</summary>
/// <param name="Series">Image series, ordered by series number then description then UID.</param>
/// <param name="OtherObjects">DICOM files that are not images (SEG, RTSTRUCT, RTPLAN, SR …), with their modality.</param>
/// <param name="Skipped">Files that are not DICOM or could not be read, with the reason.</param>
public sealed record DicomFolderScan(IReadOnlyList<DicomSeries> Series, IReadOnlyList<DicomFile> OtherObjects, IReadOnlyList<(string File, string Reason)> Skipped);

/// <summary>One line of a folder listing (<c>localcontrol info FOLDER</c>).</summary>
/// <param name="Index">0-based index, usable as <c>--series</c>.</param>
/// <param name="SeriesInstanceUid">The UID, usable as <c>--series</c>.</param>
/// <param name="Description">SeriesDescription.</param>
/// <param name="Modality">Modality.</param>
/// <param name="FileCount">Files in the series.</param>
/// <param name="Geometry">The volume grid, or null when the frames do not form one.</param>
/// <param name="Problem">Why there is no grid (the error the builder would give), else null.</param>
public sealed record DicomSeriesSummary(int Index, string SeriesInstanceUid, string Description, string Modality, int FileCount,
    LocalControl.Imaging.Geometry.ImageGeometry? Geometry, string? Problem)
{
    /// <summary>Each transfer syntax of the series with its file count.</summary>
    public IReadOnlyList<(DicomTransferSyntax Syntax, int Files)> Encodings { get; init; } = [];

    /// <summary>Compression notes (LC-DICOM-W10/W11/W12), see <see cref="DicomSeries.EncodingWarnings"/>.</summary>
    public IReadOnlyList<ImagingWarning> EncodingWarnings { get; init; } = [];

    /// <summary>Summarises every series of a scan, computing each grid from the headers (no pixels are read).</summary>
    public static IReadOnlyList<DicomSeriesSummary> Of(DicomFolderScan scan)
    {
        ArgumentNullException.ThrowIfNull(scan);
        var result = new List<DicomSeriesSummary>(scan.Series.Count);
        for (var i = 0; i < scan.Series.Count; i++)
        {
            var s = scan.Series[i];
            LocalControl.Imaging.Geometry.ImageGeometry? geometry = null;
            string? problem = null;
            try
            {
                geometry = DicomSeriesBuilder.ComputeGeometry(s).Geometry;
            }
            catch (ImagingException ex)
            {
                problem = ex.Message;
            }

            result.Add(new DicomSeriesSummary(i, s.SeriesInstanceUid, s.Description, s.Modality, s.Files.Count, geometry, problem)
            {
                Encodings = s.Encodings,
                EncodingWarnings = s.EncodingWarnings(),
            });
        }

        return result;
    }
}
