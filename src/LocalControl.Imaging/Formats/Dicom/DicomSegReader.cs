using System.Globalization;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>A DICOM segmentation read into a label map (label value = SegmentNumber), with what was noticed on the way.</summary>
/// <param name="LabelMap">Labels and the table of segment names, roles and colours.</param>
/// <param name="ReferencedSeriesInstanceUid">The image series the SEG was drawn on, if it says so.</param>
/// <param name="Warnings">Oddities (overlapping segments, frames outside the reference grid).</param>
public sealed record DicomSegmentation(LabelMap LabelMap, string? ReferencedSeriesInstanceUid, IReadOnlyList<ImagingWarning> Warnings);

/// <summary>
/// Reads DICOM SEG objects (PS3.3 A.51, binary and fractional) into a label map: each frame is placed by its own
/// ImagePositionPatient (per-frame functional groups) in the grid of the referenced image, or — when no reference
/// geometry is given — in the grid the frames themselves span (slice spacing from SpacingBetweenSlices or from the
/// positions). Fractional frames count as inside at values ≥ half of MaximumFractionalValue. Overlapping segments:
/// the higher segment number wins, with a warning.
/// </summary>
public static class DicomSegReader
{
    /// <summary>Largest label grid built (2^28 voxels = 1 GiB of int32, e.g. 512 x 512 x 1024).</summary>
    public const long MaxLabelVoxels = 1L << 28;

    /// <summary>Reads <paramref name="path"/>; pass the referenced image's geometry to get the label map on that grid.</summary>
    /// <exception cref="ImagingException">Not a SEG, or frames that do not fit the grid (LC-DICOM-020), or a pixel/parse error.</exception>
    public static DicomSegmentation Read(string path, ImageGeometry? referenceGeometry = null)
    {
        var file = DicomReader.Read(path);
        return Read(file, referenceGeometry);
    }

    /// <summary>Reads an already parsed SEG file.</summary>
    public static DicomSegmentation Read(DicomFile file, ImageGeometry? referenceGeometry = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        var ds = file.Dataset;
        var path = file.FilePath;
        if (ds.GetString(DicomTag.Modality) != "SEG" && ds.GetString(DicomTag.SopClassUid) != "1.2.840.10008.5.1.4.1.1.66.4")
        {
            throw Error(path, "not a DICOM SEG object (Modality is not SEG)", DicomTag.Modality);
        }

        var type = ds.GetString(DicomTag.SegmentationType) ?? "BINARY";
        if (type is not ("BINARY" or "FRACTIONAL"))
        {
            throw Error(path, $"SegmentationType '{type}' is not supported (BINARY or FRACTIONAL)", DicomTag.SegmentationType);
        }

        var d = DicomPixelDescription.From(ds, path);
        var frames = DicomSeriesScanner.FramesOf(file);
        var perFrame = ds.GetSequence(DicomTag.PerFrameFunctionalGroupsSequence);
        var shared = ds.GetItem(DicomTag.SharedFunctionalGroupsSequence);
        var table = ReadSegments(ds, path);
        var warnings = new List<ImagingWarning>();
        var geometry = referenceGeometry ?? GridOfFrames(frames, shared, path);
        DicomPixelDecoder.CheckAvailable(file, d);
        file.Budget.CheckVoxels(geometry.Size.VoxelCount, sizeof(int), path, "label grid");
        if (geometry.Size.VoxelCount > MaxLabelVoxels)
        {
            throw Error(path, $"the label grid would hold {geometry.Size.VoxelCount} voxels (more than {MaxLabelVoxels})", DicomTag.PlanePositionSequence);
        }

        var labels = new Volume<int>(geometry);
        var threshold = type == "FRACTIONAL" ? Math.Max(1, (ds.GetNumber(DicomTag.MaximumFractionalValue) ?? 255) / 2.0) : 1;
        var overlaps = 0L;
        var outside = 0;
        for (var f = 0; f < frames.Count; f++)
        {
            var frame = frames[f];
            var segmentNumber = (perFrame.Count > f ? perFrame[f].GetItem(DicomTag.SegmentIdentificationSequence) : null)?.GetInt(DicomTag.ReferencedSegmentNumber)
                ?? shared?.GetItem(DicomTag.SegmentIdentificationSequence)?.GetInt(DicomTag.ReferencedSegmentNumber)
                ?? throw Error(path, $"frame {f + 1} names no ReferencedSegmentNumber", DicomTag.ReferencedSegmentNumber);
            if (table.Find(segmentNumber) is null)
            {
                throw Error(path, $"frame {f + 1} refers to segment {segmentNumber}, which SegmentSequence does not define", DicomTag.ReferencedSegmentNumber);
            }

            // Where the frame's first pixel and its axes fall in the target grid: the frame must be a slice of it.
            var origin = geometry.PointLpsToIndex(frame.PositionLps);
            var di = geometry.PointLpsToIndex(frame.PositionLps + frame.RowDirection * frame.ColumnSpacingMm) - origin;
            var dj = geometry.PointLpsToIndex(frame.PositionLps + frame.ColumnDirection * frame.RowSpacingMm) - origin;
            if (!Near(di, new Vector3D(1, 0, 0)) || !Near(dj, new Vector3D(0, 1, 0)) || !NearInteger(origin))
            {
                throw Error(path, string.Create(CultureInfo.InvariantCulture,
                    $"frame {f + 1} is not a slice of the reference grid (its first pixel falls at index ({origin.X:F2}, {origin.Y:F2}, {origin.Z:F2}); orientation or spacing differ)"), DicomTag.PlanePositionSequence);
            }

            int i0 = (int)Math.Round(origin.X), j0 = (int)Math.Round(origin.Y), k = (int)Math.Round(origin.Z);
            if (k < 0 || k >= geometry.Size.K)
            {
                outside++;
                continue;
            }

            var values = DicomPixelDecoder.DecodeFrame(file, frame.Frame);
            for (var r = 0; r < d.Rows; r++)
            {
                var j = j0 + r;
                if (j < 0 || j >= geometry.Size.J)
                {
                    continue;
                }

                for (var c = 0; c < d.Columns; c++)
                {
                    var i = i0 + c;
                    if (i < 0 || i >= geometry.Size.I || values[r * d.Columns + c] < threshold)
                    {
                        continue;
                    }

                    ref var voxel = ref labels[i, j, k];
                    if (voxel != 0 && voxel != segmentNumber)
                    {
                        overlaps++;
                    }

                    voxel = Math.Max(voxel, segmentNumber);
                }
            }
        }

        if (overlaps > 0)
        {
            warnings.Add(new ImagingWarning("LC-DICOM-W02", $"{overlaps} voxels belong to more than one segment; the higher segment number was kept"));
        }

        if (outside > 0)
        {
            warnings.Add(new ImagingWarning("LC-DICOM-W03", $"{outside} frames lie outside the reference grid and were left out"));
        }

        var referencedSeries = ds.GetItem(DicomTag.ReferencedSeriesSequence)?.GetString(DicomTag.SeriesInstanceUid);
        return new DicomSegmentation(new LabelMap(labels, table), referencedSeries, warnings);
    }

    private static LabelTable ReadSegments(DicomDataset ds, string? path)
    {
        var table = new LabelTable();
        foreach (var s in ds.GetSequence(DicomTag.SegmentSequence))
        {
            var number = s.GetInt(DicomTag.SegmentNumber) ?? throw Error(path, "a segment has no SegmentNumber", DicomTag.SegmentNumber);
            if (number <= 0)
            {
                throw Error(path, $"SegmentNumber {number} must be positive", DicomTag.SegmentNumber);
            }

            var name = s.GetString(DicomTag.SegmentLabel) ?? $"Segment {number}";
            double[] lab;
            try
            {
                lab = s.GetNumbers(DicomTag.RecommendedDisplayCieLabValue);
            }
            catch (ImagingException)
            {
                lab = []; // a display colour that is not three numbers is dropped, not fatal
            }

            table.Set(new LabelEntry(number, name, DicomRoleNames.FromName(name), lab.Length == 3 ? DicomColour.CieLabToRgb(lab[0], lab[1], lab[2]) : null));
        }

        if (table.Entries.Count == 0)
        {
            throw Error(path, "SegmentSequence is empty", DicomTag.SegmentSequence);
        }

        return table;
    }

    /// <summary>The grid the frames span: their plane, slice spacing from SpacingBetweenSlices or the smallest position step.</summary>
    private static ImageGeometry GridOfFrames(IReadOnlyList<DicomFrameRef> frames, DicomDataset? shared, string? path)
    {
        var first = frames[0];
        var n = first.Normal;
        var d = frames.Select(f => f.PositionLps.Dot(n)).Distinct().Order().ToArray();
        var spacing = shared?.GetItem(DicomTag.PixelMeasuresSequence)?.GetNumber(DicomTag.SpacingBetweenSlices) is > 0 and var sbs ? sbs
            : d.Length > 1 ? d.Zip(d.Skip(1), (a, b) => b - a).Where(x => x > 1e-4).DefaultIfEmpty(1).Min() : 1;
        var firstFrame = frames.First(f => Math.Abs(f.PositionLps.Dot(n) - d[0]) < 1e-6);
        var count = (int)Math.Round((d[^1] - d[0]) / spacing) + 1;
        if (count > 100_000)
        {
            throw Error(path, $"the frames span {count} slices of {spacing} mm", DicomTag.PlanePositionSequence);
        }

        var rows = frames[0].File.Dataset.GetInt(DicomTag.Rows) ?? 1;
        var columns = frames[0].File.Dataset.GetInt(DicomTag.Columns) ?? 1;
        return GeometryGuard.Create(new VolumeSize(columns, rows, count), new Vector3D(first.ColumnSpacingMm, first.RowSpacingMm, spacing),
            firstFrame.PositionLps, Matrix3D.FromColumns(first.RowDirection, first.ColumnDirection, n), DicomErrorCodes.Segmentation, path ?? string.Empty,
            "PixelMeasuresSequence / PlanePositionSequence");
    }

    private static bool Near(Vector3D a, Vector3D b) => (a - b).Length < 1e-3;

    private static bool NearInteger(Vector3D v) =>
        Math.Abs(v.X - Math.Round(v.X)) < 0.05 && Math.Abs(v.Y - Math.Round(v.Y)) < 0.05 && Math.Abs(v.Z - Math.Round(v.Z)) < 0.05;

    private static ImagingException Error(string? path, string message, DicomTag tag) =>
        DicomThrowHelper.Error(DicomErrorCodes.Segmentation, message, path, tag);
}

/// <summary>Guesses a <see cref="LabelRole"/> from a segment or ROI name (English, case-insensitive); Other when unsure.</summary>
public static class DicomRoleNames
{
    private static readonly (string Word, LabelRole Role)[] Words =
    [
        ("portal", LabelRole.PortalVein), ("hepatic vein", LabelRole.HepaticVein), ("hepatic_vein", LabelRole.HepaticVein),
        ("bile", LabelRole.BileDuct), ("hilum", LabelRole.Hilum), ("ablation", LabelRole.AblationZone),
        ("tumour", LabelRole.Tumour), ("tumor", LabelRole.Tumour), ("lesion", LabelRole.Tumour), ("metasta", LabelRole.Tumour),
        ("vessel", LabelRole.Vessel), ("vein", LabelRole.Vessel), ("arter", LabelRole.Vessel), ("aorta", LabelRole.Vessel), ("cava", LabelRole.Vessel),
        ("liver", LabelRole.Liver), ("lung", LabelRole.Lung), ("bone", LabelRole.Bone), ("spine", LabelRole.Bone), ("vertebra", LabelRole.Bone),
        ("gallbladder", LabelRole.Gallbladder), ("stomach", LabelRole.Stomach), ("bowel", LabelRole.Bowel), ("colon", LabelRole.Bowel),
        ("duoden", LabelRole.Bowel), ("diaphragm", LabelRole.Diaphragm), ("heart", LabelRole.Heart), ("bronch", LabelRole.LargeBronchus),
        ("pleura", LabelRole.Pleura), ("spinal cord", LabelRole.SpinalCord), ("cord", LabelRole.SpinalCord), ("nerve", LabelRole.NerveRoot),
        ("skin", LabelRole.Skin), ("body", LabelRole.Skin),
    ];

    /// <summary>
    /// The role named exactly (<see cref="LabelRoles.Parse"/>: "liver", "Tumor 2", "portal-vein" …), else the role
    /// whose keyword appears first in the list above within <paramref name="name"/> ("Liver segment VIII" → liver).
    /// </summary>
    public static LabelRole FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (LabelRoles.Parse(name) is { } exact)
        {
            return exact;
        }

        var lower = name.ToLowerInvariant();
        foreach (var (word, role) in Words)
        {
            if (lower.Contains(word, StringComparison.Ordinal))
            {
                return role;
            }
        }

        return LabelRole.Other;
    }
}

/// <summary>Colour conversions for DICOM display colours.</summary>
public static class DicomColour
{
    /// <summary>
    /// DICOM scaled CIELab (PS3.3 C.10.7.1.1: L = v0·100/65535, a and b = v·255/65535 − 128, D65) to sRGB 0xRRGGBB.
    /// </summary>
    public static int CieLabToRgb(double l16, double a16, double b16)
    {
        var l = l16 * 100 / 65535;
        var a = a16 * 255 / 65535 - 128;
        var b = b16 * 255 / 65535 - 128;
        var fy = (l + 16) / 116;
        var fx = fy + a / 500;
        var fz = fy - b / 200;
        static double Finv(double t) => t > 6.0 / 29 ? t * t * t : 3 * (6.0 / 29) * (6.0 / 29) * (t - 4.0 / 29);
        double x = 0.950456 * Finv(fx), y = Finv(fy), z = 1.088754 * Finv(fz);
        double r = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
        double g = -0.9692660 * x + 1.8760108 * y + 0.0415560 * z;
        double bl = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
        static int Gamma(double c)
        {
            c = Math.Clamp(c, 0, 1);
            var s = c <= 0.0031308 ? 12.92 * c : 1.055 * Math.Pow(c, 1 / 2.4) - 0.055;
            return (int)Math.Round(s * 255);
        }

        return (Gamma(r) << 16) | (Gamma(g) << 8) | Gamma(bl);
    }
}
