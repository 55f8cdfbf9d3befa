using System.Collections.Concurrent;
using System.Globalization;
using LocalControl.Imaging.Geometry;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// Finds the image series in a folder (recursively): reads every file's header in parallel, skips what is not
/// DICOM, sets aside non-image objects (SEG, RTSTRUCT …), and groups images by SeriesInstanceUID, orientation and
/// matrix size (as ITK/GDCM and dcm2niix do; one UID can hold several volumes, e.g. two orientations).
/// </summary>
public static class DicomSeriesScanner
{
    private static readonly HashSet<string> NonImageModalities = new(StringComparer.Ordinal) { "SEG", "RTSTRUCT", "RTPLAN", "RTRECORD", "SR", "KO", "PR", "REG" };

    /// <summary>Scans <paramref name="folder"/> and its subfolders.</summary>
    /// <exception cref="ImagingException">The folder holds no DICOM image (LC-DICOM-010).</exception>
    public static DicomFolderScan Scan(string folder, bool recursive = true) => Scan(folder, recursive, ImagingReadOptions.Default);

    /// <summary>
    /// Scans <paramref name="folder"/> (and its subfolders when <paramref name="recursive"/>) within the budget of
    /// <paramref name="options"/>. The walk never leaves the folder: symbolic links are followed only when their target
    /// lies inside it, each folder is visited once (a link loop such as <c>a -&gt; .</c> ends), FIFOs and devices are
    /// skipped, and more than <see cref="ImagingReadOptions.MaxFolderFiles"/> files are refused.
    /// </summary>
    public static DicomFolderScan Scan(string folder, bool recursive, ImagingReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        if (!Directory.Exists(folder))
        {
            throw new ImagingException(DicomErrorCodes.NoSeries, "the folder does not exist", folder);
        }

        var skipped = new ConcurrentBag<(string, string)>();
        var files = FolderWalk.RegularFiles(folder, recursive, options.MaxFolderFiles, (f, why) => skipped.Add((f, why)));
        var read = new DicomFile?[files.Count];
        var readOptions = DicomReadOptions.From(options);
        Parallel.For(0, files.Count, i =>
        {
            try
            {
                read[i] = DicomReader.Read(files[i], readOptions);
            }
            catch (ImagingException ex)
            {
                skipped.Add((files[i], ex.Message));
            }
        });

        var images = new List<DicomFile>();
        var others = new List<DicomFile>();
        foreach (var f in read)
        {
            if (f is null)
            {
                continue;
            }

            var modality = f.Dataset.GetString(DicomTag.Modality) ?? string.Empty;
            if (f.Dataset.Contains(DicomTag.PixelData) && !NonImageModalities.Contains(modality))
            {
                images.Add(f);
            }
            else
            {
                others.Add(f);
            }
        }

        var skippedList = skipped.OrderBy(s => s.Item1, StringComparer.Ordinal).ToList();
        var series = Group(images, skippedList);
        if (series.Count == 0)
        {
            var why = files.Count == 0 ? "the folder is empty" :
                $"none of its {files.Count} files is a DICOM image ({skippedList.Count} not DICOM or unreadable, {others.Count} non-image objects)" +
                (skippedList.Count > 0 ? $"; first problem: {skippedList[0].Item2}" : string.Empty);
            throw new ImagingException(DicomErrorCodes.NoSeries, why, folder);
        }

        return new DicomFolderScan(series, others, skippedList);
    }

    /// <summary>Groups image files into series (a multi-frame file is its own series).</summary>
    public static IReadOnlyList<DicomSeries> Group(IEnumerable<DicomFile> files, List<(string File, string Reason)>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var groups = new Dictionary<string, (string Uid, List<DicomFrameRef> Frames)>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            IReadOnlyList<DicomFrameRef> frames;
            try
            {
                frames = FramesOf(f);
            }
            catch (ImagingException ex)
            {
                skipped?.Add((f.FilePath ?? string.Empty, ex.Message));
                continue;
            }

            var uid = f.Dataset.GetString(DicomTag.SeriesInstanceUid) ?? string.Empty;
            var first = frames[0];
            var key = string.Create(CultureInfo.InvariantCulture,
                $"{uid}|{Round(first.RowDirection)}|{Round(first.ColumnDirection)}|{f.Dataset.GetInt(DicomTag.Rows)}x{f.Dataset.GetInt(DicomTag.Columns)}");
            if (frames.Count > 1)
            {
                key += "|" + (f.Dataset.GetString(DicomTag.SopInstanceUid) ?? f.FilePath);
            }

            if (!groups.TryGetValue(key, out var g))
            {
                g = (uid, []);
                groups[key] = g;
            }

            g.Frames.AddRange(frames);
        }

        return [.. groups.Values.Select(g => new DicomSeries(g.Uid, g.Frames))
            .OrderBy(s => s.SeriesNumber ?? int.MaxValue).ThenBy(s => s.Description, StringComparer.Ordinal).ThenBy(s => s.SeriesInstanceUid, StringComparer.Ordinal)];
    }

    /// <summary>The frames of one image file with their positions, from the classic attributes or the functional groups.</summary>
    public static IReadOnlyList<DicomFrameRef> FramesOf(DicomFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var ds = file.Dataset;
        var path = file.FilePath;
        var frames = ds.GetString(DicomTag.NumberOfFrames) is { Length: > 0 } ? Math.Max(1, ds.GetInt(DicomTag.NumberOfFrames) ?? 1) : 1;
        var pixelsPerFrame = Math.Max(1L, (long)(ds.GetInt(DicomTag.Rows) ?? 1)) * Math.Max(1L, (long)(ds.GetInt(DicomTag.Columns) ?? 1));
        file.Budget.CheckVoxels(frames * pixelsPerFrame, 1, path, "NumberOfFrames");
        var shared = ds.GetItem(DicomTag.SharedFunctionalGroupsSequence);
        var perFrame = ds.GetSequence(DicomTag.PerFrameFunctionalGroupsSequence);
        var result = new List<DicomFrameRef>(Math.Min(frames, Math.Max(1, perFrame.Count)));
        if (perFrame.Count > 0 || shared is not null)
        {
            if (perFrame.Count != frames)
            {
                throw DicomThrowHelper.Missing(path, DicomTag.PerFrameFunctionalGroupsSequence, $"{perFrame.Count} items for {frames} frames");
            }

            for (var f = 0; f < frames; f++)
            {
                DicomDataset? Group(DicomTag macro) => perFrame[f].GetItem(macro) ?? shared?.GetItem(macro);
                var position = Vector(Group(DicomTag.PlanePositionSequence), DicomTag.ImagePositionPatient, 3, path);
                var orientation = Numbers(Group(DicomTag.PlaneOrientationSequence), DicomTag.ImageOrientationPatient, 6, path);
                var spacing = Numbers(Group(DicomTag.PixelMeasuresSequence), DicomTag.PixelSpacing, 2, path);
                var transform = Group(DicomTag.PixelValueTransformationSequence);
                var slope = transform?.GetNumber(DicomTag.RescaleSlope) ?? ds.GetNumber(DicomTag.RescaleSlope) ?? 1;
                var intercept = transform?.GetNumber(DicomTag.RescaleIntercept) ?? ds.GetNumber(DicomTag.RescaleIntercept) ?? 0;
                result.Add(Make(file, f, position, orientation, spacing, slope, intercept));
            }

            return result;
        }

        var ipp = Vector(ds, DicomTag.ImagePositionPatient, 3, path);
        var iop = Numbers(ds, DicomTag.ImageOrientationPatient, 6, path);
        var ps = Numbers(ds, DicomTag.PixelSpacing, 2, path);
        var s = ds.GetNumber(DicomTag.RescaleSlope) ?? 1;
        var i0 = ds.GetNumber(DicomTag.RescaleIntercept) ?? 0;
        var offsets = frames > 1 ? Numbers(ds, new DicomTag(0x3004, 0x000C), 0, path) : []; // GridFrameOffsetVector (RT Dose)
        if (frames > 1 && offsets.Length != frames)
        {
            throw DicomThrowHelper.Missing(path, DicomTag.NumberOfFrames, $"{frames} frames without per-frame positions (no functional groups or GridFrameOffsetVector)");
        }

        for (var f = 0; f < frames; f++)
        {
            var probe = Make(file, f, ipp, iop, ps, s, i0);
            result.Add(frames > 1 ? probe with { PositionLps = ipp + probe.Normal * offsets[f] } : probe);
        }

        return result;
    }

    private static DicomFrameRef Make(DicomFile file, int frame, Vector3D position, double[] iop, double[] spacing, double slope, double intercept)
    {
        var row = new Vector3D(iop[0], iop[1], iop[2]);
        var col = new Vector3D(iop[3], iop[4], iop[5]);
        if (Math.Abs(row.Length - 1) > 1e-2 || Math.Abs(col.Length - 1) > 1e-2 || Math.Abs(row.Dot(col)) > 1e-2)
        {
            throw DicomThrowHelper.Missing(file.FilePath, DicomTag.ImageOrientationPatient, "the row and column directions are not orthonormal");
        }

        if (!(spacing[0] > 0) || !(spacing[1] > 0) || !double.IsFinite(spacing[0]) || !double.IsFinite(spacing[1]))
        {
            throw DicomThrowHelper.Missing(file.FilePath, DicomTag.PixelSpacing, $"spacing {spacing[0]}\\{spacing[1]} must be > 0");
        }

        // Renormalise: IOP is often written with 6 decimals.
        row *= 1 / row.Length;
        col *= 1 / col.Length;
        return new DicomFrameRef(file, frame, position, row, col, spacing[0], spacing[1], slope, intercept);
    }

    private static Vector3D Vector(DicomDataset? ds, DicomTag tag, int n, string? path)
    {
        var v = Numbers(ds, tag, n, path);
        return new Vector3D(v[0], v[1], v[2]);
    }

    private static double[] Numbers(DicomDataset? ds, DicomTag tag, int n, string? path)
    {
        double[] v;
        try
        {
            v = ds?.GetNumbers(tag) ?? [];
        }
        catch (ImagingException ex) when (ex.FilePath is null)
        {
            throw DicomThrowHelper.Missing(path, tag, ex.Message);
        }

        if (v.Length < n || v.Take(n).Any(x => !double.IsFinite(x)))
        {
            throw DicomThrowHelper.Missing(path, tag, $"{n} finite numbers needed, found {v.Length}");
        }

        return v;
    }

    private static string Round(Vector3D v) => string.Create(CultureInfo.InvariantCulture, $"{v.X:F3},{v.Y:F3},{v.Z:F3}");
}
