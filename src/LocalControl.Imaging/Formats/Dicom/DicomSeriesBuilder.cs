using System.Globalization;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

using LocalControl.Imaging.Formats;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>How strict the series builder is.</summary>
public sealed record DicomSeriesOptions
{
    /// <summary>Default tolerances.</summary>
    public static DicomSeriesOptions Default { get; } = new();

    /// <summary>Largest allowed relative deviation of one slice step from the mean step (0.01 = 1 %).</summary>
    public double SpacingRelativeTolerance { get; init; } = 0.01;

    /// <summary>Largest allowed sine of the angle between the slice stacking direction and the slice normal (gantry tilt).</summary>
    public double TiltTolerance { get; init; } = 1e-3;
}

/// <summary>A series read into a volume: voxel values after the modality LUT (HU for CT) and the geometry (LPS).</summary>
/// <param name="Voxels">Rescaled values, i = column fastest, then row j, then slice k along the slice normal.</param>
/// <param name="Series">The series read.</param>
/// <param name="SortedFrames">The frames in slice order (k).</param>
/// <param name="Warnings">Oddities that did not stop reading.</param>
public sealed record DicomVolume(Volume<float> Voxels, DicomSeries Series, IReadOnlyList<DicomFrameRef> SortedFrames, IReadOnlyList<ImagingWarning> Warnings)
{
    /// <summary>The geometry (LPS).</summary>
    public ImageGeometry Geometry => Voxels.Geometry;
}

/// <summary>
/// Turns a <see cref="DicomSeries"/> into a volume, the way ITK, Slicer and dcm2niix agree on: sort frames by their
/// position along the slice normal n = row × column (never by InstanceNumber or SliceLocation), take the slice
/// spacing from ImagePositionPatient differences ((last − first)/(N − 1); never from SliceThickness), PixelSpacing
/// as (row spacing, column spacing), and refuse — naming the files — duplicate positions, missing slices, uneven
/// spacing and gantry tilt rather than interpolate silently.
/// </summary>
public static class DicomSeriesBuilder
{
    /// <summary>The geometry the series would have, without reading pixels (what <c>info</c> shows).</summary>
    /// <exception cref="ImagingException">The frames do not form a regular grid (LC-DICOM-012, LC-DICOM-013).</exception>
    public static (ImageGeometry Geometry, IReadOnlyList<DicomFrameRef> Sorted, IReadOnlyList<ImagingWarning> Warnings) ComputeGeometry(
        DicomSeries series, DicomSeriesOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        options ??= DicomSeriesOptions.Default;
        var warnings = new List<ImagingWarning>();
        var first = series.Frames[0];
        var n = first.Normal;
        var sorted = series.Frames.OrderBy(f => f.PositionLps.Dot(n)).ThenBy(f => f.Describe(), StringComparer.Ordinal).ToList();
        double sliceSpacing;
        if (sorted.Count == 1)
        {
            var ds = first.File.Dataset;
            sliceSpacing = ds.GetNumber(DicomTag.SpacingBetweenSlices) is > 0 and var sbs ? sbs : ds.GetNumber(DicomTag.SliceThickness) is > 0 and var st ? st : 1;
            warnings.Add(new ImagingWarning("LC-DICOM-W01",
                string.Create(CultureInfo.InvariantCulture, $"a single slice: its thickness along k is taken as {sliceSpacing} mm (SpacingBetweenSlices, SliceThickness or 1)"), WarningSeverity.Info));
        }
        else
        {
            var d = sorted.Select(f => f.PositionLps.Dot(n)).ToArray();
            sliceSpacing = (d[^1] - d[0]) / (sorted.Count - 1);
            for (var k = 1; k < d.Length; k++)
            {
                var step = d[k] - d[k - 1];
                if (Math.Abs(step) < 1e-4 * Math.Max(1, Math.Abs(sliceSpacing)) || sliceSpacing <= 0)
                {
                    throw Error(DicomErrorCodes.UnevenSpacing,
                        $"two frames lie at the same position along the slice normal ({d[k]:F3} mm): {sorted[k - 1].Describe()} and {sorted[k].Describe()} (several acquisitions or echoes in one series?)", series);
                }

                if (Math.Abs(step - sliceSpacing) > options.SpacingRelativeTolerance * sliceSpacing)
                {
                    var missing = Math.Round(step / sliceSpacing) - 1;
                    var what = missing >= 1 ? $"about {missing:F0} slice(s) missing" : "uneven slice spacing";
                    throw Error(DicomErrorCodes.UnevenSpacing,
                        $"{what}: step of {step:F3} mm between {sorted[k - 1].Describe()} and {sorted[k].Describe()}, mean step {sliceSpacing:F3} mm (tolerance {options.SpacingRelativeTolerance:P1}); the series is not resampled",
                        series);
                }
            }

            var stepVector = (sorted[^1].PositionLps - sorted[0].PositionLps) * (1.0 / (sorted.Count - 1));
            var lateral = (stepVector - n * stepVector.Dot(n)).Length / stepVector.Length;
            if (lateral > options.TiltTolerance)
            {
                var angle = Math.Asin(Math.Min(1, lateral)) * 180 / Math.PI;
                throw Error(DicomErrorCodes.GantryTilt,
                    $"the slices are stacked {angle:F2}° off their normal (gantry tilt or sheared series), from {sorted[0].Describe()} to {sorted[^1].Describe()}; resample it explicitly (e.g. dcm2niix corrects tilt)",
                    series);
            }
        }

        foreach (var f in sorted)
        {
            if ((f.RowDirection - first.RowDirection).Length > 1e-3 || (f.ColumnDirection - first.ColumnDirection).Length > 1e-3 ||
                Math.Abs(f.RowSpacingMm - first.RowSpacingMm) > 1e-3 * first.RowSpacingMm || Math.Abs(f.ColumnSpacingMm - first.ColumnSpacingMm) > 1e-3 * first.ColumnSpacingMm)
            {
                throw Error(DicomErrorCodes.UnevenSpacing, $"{f.Describe()} has another orientation or pixel spacing than {first.Describe()}", series);
            }
        }

        var size = new VolumeSize(series.Columns, series.Rows, sorted.Count);
        var spacing = new Vector3D(first.ColumnSpacingMm, first.RowSpacingMm, sliceSpacing);
        var direction = Matrix3D.FromColumns(first.RowDirection, first.ColumnDirection, n);
        var geometry = GeometryGuard.Create(size, spacing, sorted[0].PositionLps, direction, DicomErrorCodes.MissingAttribute,
            first.File.FilePath ?? string.Empty, "PixelSpacing / ImagePositionPatient / ImageOrientationPatient");
        return (geometry, sorted, warnings);
    }

    /// <summary>Reads every frame of <paramref name="series"/> into a volume of rescaled values (HU for CT).</summary>
    /// <exception cref="ImagingException">Irregular grid, unsupported pixels, or unreadable pixel data.</exception>
    public static DicomVolume Build(DicomSeries series, DicomSeriesOptions? options = null)
    {
        var (geometry, sorted, warnings) = ComputeGeometry(series, options);
        series.Frames[0].File.Budget.CheckVoxels(geometry.Size.VoxelCount, sizeof(float), Path.GetDirectoryName(series.Frames[0].File.FilePath), "Rows × Columns × frames");
        if (geometry.Size.VoxelCount > Array.MaxLength)
        {
            throw Error(DicomErrorCodes.UnsupportedPixelFormat, $"{geometry.Size.VoxelCount} voxels do not fit in one buffer", series);
        }

        var descriptions = new Dictionary<DicomFile, DicomPixelDescription>();
        foreach (var f in sorted.Select(s => s.File).Distinct())
        {
            var d = DicomPixelDescription.From(f.Dataset, f.FilePath);
            if (!d.IsMonochrome)
            {
                throw DicomThrowHelper.Error(DicomErrorCodes.UnsupportedPixelFormat,
                    $"{d.PhotometricInterpretation} with {d.SamplesPerPixel} samples per pixel is not a scalar image (only MONOCHROME1/2 become volumes)", f.FilePath, DicomTag.PhotometricInterpretation);
            }

            if (d.Rows != series.Rows || d.Columns != series.Columns)
            {
                throw DicomThrowHelper.Error(DicomErrorCodes.UnsupportedPixelFormat, $"{d.Rows}x{d.Columns} differs from the series' {series.Rows}x{series.Columns}", f.FilePath, DicomTag.Rows);
            }

            DicomPixelDecoder.CheckAvailable(f, d); // compressed syntaxes and short pixel data are refused before the volume is allocated
            descriptions[f] = d;
        }

        var volume = new Volume<float>(geometry);
        var buffer = volume.Buffer;
        var sliceLength = geometry.Size.I * geometry.Size.J;
        try
        {
            Parallel.For(0, sorted.Count, k =>
            {
                var frame = sorted[k];
                var d = descriptions[frame.File] with { RescaleSlope = frame.RescaleSlope, RescaleIntercept = frame.RescaleIntercept };
                DicomPixelDecoder.DecodeFrameInto(frame.File, d, frame.Frame, buffer.AsSpan(k * sliceLength, sliceLength));
            });
        }
        catch (AggregateException ex) when (ex.Flatten().InnerExceptions.FirstOrDefault(e => e is ImagingException) is ImagingException first)
        {
            // Report the first bad file as the user's error (one line, no stack trace), not as a parallel-loop failure.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }

        return new DicomVolume(volume, series, sorted, warnings);
    }

    /// <summary>Scans a folder (or reads one file) and builds the series chosen by UID or 0-based index; one series needs no choice.</summary>
    /// <exception cref="ImagingException">No series, or several and none (or an unknown one) chosen (LC-DICOM-011).</exception>
    public static DicomVolume Load(string fileOrFolder, string? seriesUidOrIndex = null, DicomSeriesOptions? options = null) =>
        Build(Select(fileOrFolder, seriesUidOrIndex), options);

    /// <summary>Picks one series from a folder or file; see <see cref="Load"/>.</summary>
    public static DicomSeries Select(string fileOrFolder, string? seriesUidOrIndex = null) => Select(fileOrFolder, seriesUidOrIndex, ImagingReadOptions.Default);

    /// <summary>Picks one series from a folder or file, reading within <paramref name="read"/>'s budget; see <see cref="Load"/>.</summary>
    public static DicomSeries Select(string fileOrFolder, string? seriesUidOrIndex, ImagingReadOptions read)
    {
        ArgumentNullException.ThrowIfNull(fileOrFolder);
        ArgumentNullException.ThrowIfNull(read);
        IReadOnlyList<DicomSeries> all;
        if (Directory.Exists(fileOrFolder))
        {
            all = DicomSeriesScanner.Scan(fileOrFolder, recursive: true, read).Series;
        }
        else
        {
            // One file: let its own problem (no position, no pixel data …) be the message.
            var file = DicomReader.Read(fileOrFolder, read);
            DicomPixelDecoder.PixelElement(file);
            DicomSeriesScanner.FramesOf(file);
            all = DicomSeriesScanner.Group([file]);
        }

        if (all.Count == 0)
        {
            throw new ImagingException(DicomErrorCodes.NoSeries, "no image with a position in the patient was found", fileOrFolder);
        }

        if (seriesUidOrIndex is null)
        {
            if (all.Count == 1)
            {
                return all[0];
            }

            var list = string.Join("; ", all.Select((s, i) => $"{i}: {s.SeriesInstanceUid} {s.Modality} '{s.Description}'"));
            throw new ImagingException(DicomErrorCodes.SeriesSelection, $"{all.Count} series found, choose one with --series UID or index: {list}", fileOrFolder);
        }

        var byUid = all.Where(s => s.SeriesInstanceUid == seriesUidOrIndex).ToList();
        if (byUid.Count == 1)
        {
            return byUid[0];
        }

        if (byUid.Count > 1)
        {
            throw new ImagingException(DicomErrorCodes.SeriesSelection,
                $"series {seriesUidOrIndex} holds {byUid.Count} volumes (orientations or multi-frame files); choose one by index: " +
                string.Join(", ", byUid.Select(s => all.ToList().IndexOf(s))), fileOrFolder);
        }

        if (int.TryParse(seriesUidOrIndex, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < all.Count)
        {
            return all[index];
        }

        throw new ImagingException(DicomErrorCodes.SeriesSelection, $"no series '{seriesUidOrIndex}' (by UID or index 0..{all.Count - 1})", fileOrFolder);
    }

    private static ImagingException Error(string code, string message, DicomSeries series) =>
        new(code, $"series {series.SeriesInstanceUid}: {message}", Path.GetDirectoryName(series.Frames[0].File.FilePath));
}
