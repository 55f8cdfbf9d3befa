using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>One contour of an ROI: its geometric type (CLOSED_PLANAR, OPEN_PLANAR, POINT …) and points in LPS mm.</summary>
/// <param name="GeometricType">ContourGeometricType (3006,0042).</param>
/// <param name="PointsLps">ContourData (3006,0050) as points, LPS mm.</param>
public sealed record DicomContour(string GeometricType, IReadOnlyList<Vector3D> PointsLps);

/// <summary>One region of interest of a structure set.</summary>
/// <param name="Number">ROINumber (3006,0022): the label value it gets when rasterised.</param>
/// <param name="Name">ROIName (3006,0026).</param>
/// <param name="ColourRgb">ROIDisplayColor as 0xRRGGBB, if given.</param>
/// <param name="Contours">Its contours.</param>
public sealed record DicomRoi(int Number, string Name, int? ColourRgb, IReadOnlyList<DicomContour> Contours);

/// <summary>An RT Structure Set: ROIs with their contours (PS3.3 A.19).</summary>
/// <param name="FrameOfReferenceUid">The frame of reference of the contours, if given.</param>
/// <param name="Rois">The ROIs in StructureSetROISequence order.</param>
public sealed record DicomStructureSet(string? FrameOfReferenceUid, IReadOnlyList<DicomRoi> Rois);

/// <summary>Reads RT Structure Set files.</summary>
public static class DicomRtStructReader
{
    /// <summary>Reads the ROIs and contours of <paramref name="path"/>.</summary>
    /// <exception cref="ImagingException">Not an RTSTRUCT, or malformed contours (LC-DICOM-021).</exception>
    public static DicomStructureSet Read(string path) => Read(DicomReader.Read(path));

    /// <summary>Reads the ROIs and contours of a parsed file.</summary>
    public static DicomStructureSet Read(DicomFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var ds = file.Dataset;
        var path = file.FilePath;
        if (!ds.Contains(DicomTag.StructureSetRoiSequence) && ds.GetString(DicomTag.Modality) != "RTSTRUCT")
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.RtStruct, "not an RT Structure Set (no StructureSetROISequence)", path, DicomTag.StructureSetRoiSequence);
        }

        var contoursByRoi = new Dictionary<int, (int? Colour, List<DicomContour> Contours)>();
        foreach (var rc in ds.GetSequence(DicomTag.RoiContourSequence))
        {
            var roi = rc.GetInt(DicomTag.ReferencedRoiNumber) ?? throw DicomThrowHelper.Missing(path, DicomTag.ReferencedRoiNumber, "an ROI contour names no ROI");
            double[] colour;
            try
            {
                colour = rc.GetNumbers(DicomTag.RoiDisplayColor);
            }
            catch (ImagingException)
            {
                colour = []; // a display colour that is not three numbers is dropped, not fatal
            }

            var list = new List<DicomContour>();
            foreach (var c in rc.GetSequence(DicomTag.ContourSequence))
            {
                double[] data;
                try
                {
                    data = c.GetNumbers(DicomTag.ContourData);
                }
                catch (ImagingException ex) when (ex.FilePath is null)
                {
                    throw DicomThrowHelper.Error(DicomErrorCodes.RtStruct, ex.Message, path, DicomTag.ContourData);
                }

                if (data.Length % 3 != 0 || data.Any(v => !double.IsFinite(v)))
                {
                    throw DicomThrowHelper.Error(DicomErrorCodes.RtStruct, $"ContourData of ROI {roi} holds {data.Length} numbers (not x,y,z triplets, or not finite)", path, DicomTag.ContourData);
                }

                var points = new Vector3D[data.Length / 3];
                for (var p = 0; p < points.Length; p++)
                {
                    points[p] = new Vector3D(data[3 * p], data[3 * p + 1], data[3 * p + 2]);
                }

                list.Add(new DicomContour(c.GetString(DicomTag.ContourGeometricType) ?? "CLOSED_PLANAR", points));
            }

            int? rgb = colour.Length == 3 ? ((int)Math.Clamp(colour[0], 0, 255) << 16) | ((int)Math.Clamp(colour[1], 0, 255) << 8) | (int)Math.Clamp(colour[2], 0, 255) : null;
            contoursByRoi[roi] = (rgb, list);
        }

        var rois = new List<DicomRoi>();
        foreach (var r in ds.GetSequence(DicomTag.StructureSetRoiSequence))
        {
            var number = r.GetInt(DicomTag.RoiNumber) ?? throw DicomThrowHelper.Missing(path, DicomTag.RoiNumber, "an ROI has no number");
            var name = r.GetString(DicomTag.RoiName) ?? $"ROI {number}";
            var (colour, contours) = contoursByRoi.GetValueOrDefault(number, (null, []));
            rois.Add(new DicomRoi(number, name, colour, contours));
        }

        var frameOfReference = ds.GetItem(DicomTag.ReferencedFrameOfReferenceSequence)?.GetString(DicomTag.FrameOfReferenceUid);
        return new DicomStructureSet(frameOfReference, rois);
    }
}

/// <summary>
/// Rasterises closed planar contours into a label map on a given grid (the referenced image's): each contour is
/// mapped into voxel index space, assigned to the slice its plane falls on, and filled by scanlines through voxel
/// centres with the even–odd rule over all contours of the ROI on that slice (so inner contours cut holes), as
/// plastimatch and 3D Slicer's planar-contour conversion do. A voxel is inside when its centre is inside the polygon:
/// sub-voxel accurate crossings, no voxel snapping of vertices.
/// </summary>
public static class DicomContourRasteriser
{
    /// <summary>Rasterises every ROI with closed contours; label value = ROINumber, later ROIs overwrite earlier ones.</summary>
    public static (LabelMap LabelMap, IReadOnlyList<ImagingWarning> Warnings) Rasterise(DicomStructureSet structureSet, ImageGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(structureSet);
        ArgumentNullException.ThrowIfNull(geometry);
        if (geometry.Size.VoxelCount > DicomSegReader.MaxLabelVoxels)
        {
            throw new ImagingException(DicomErrorCodes.RtStruct, $"the label grid would hold {geometry.Size.VoxelCount} voxels (more than {DicomSegReader.MaxLabelVoxels})");
        }

        var labels = new Volume<int>(geometry);
        var table = new LabelTable();
        var warnings = new List<ImagingWarning>();
        var skipped = 0;
        var overwritten = 0L;
        foreach (var roi in structureSet.Rois)
        {
            var closed = roi.Contours.Where(c => c.GeometricType == "CLOSED_PLANAR" && c.PointsLps.Count >= 3).ToList();
            if (closed.Count == 0 || roi.Number <= 0)
            {
                continue;
            }

            table.Set(new LabelEntry(roi.Number, roi.Name, DicomRoleNames.FromName(roi.Name), roi.ColourRgb));
            var bySlice = new Dictionary<int, List<(double X, double Y)[]>>();
            foreach (var contour in closed)
            {
                var pts = contour.PointsLps.Select(geometry.PointLpsToIndex).ToArray();
                var kMin = pts.Min(p => p.Z);
                var kMax = pts.Max(p => p.Z);
                if (kMax - kMin > 0.25)
                {
                    skipped++; // not in a slice plane of this grid (oblique contour or another orientation)
                    continue;
                }

                var k = (int)Math.Round((kMin + kMax) / 2);
                if (k < 0 || k >= geometry.Size.K)
                {
                    continue;
                }

                if (!bySlice.TryGetValue(k, out var polygons))
                {
                    bySlice[k] = polygons = [];
                }

                polygons.Add([.. pts.Select(p => (p.X, p.Y))]);
            }

            foreach (var (k, polygons) in bySlice)
            {
                overwritten += FillSlice(labels, k, polygons, roi.Number);
            }
        }

        if (overwritten > 0)
        {
            warnings.Add(new ImagingWarning("LC-DICOM-W05", $"{overwritten} voxels lie in more than one ROI; the ROI listed later was kept"));
        }

        if (skipped > 0)
        {
            warnings.Add(new ImagingWarning("LC-DICOM-W04", $"{skipped} contours do not lie in a slice plane of the grid and were left out"));
        }

        return (new LabelMap(labels, table), warnings);
    }

    private static long FillSlice(Volume<int> labels, int k, List<(double X, double Y)[]> polygons, int value)
    {
        var size = labels.Size;
        var overwritten = 0L;
        var crossings = new List<double>();
        var yMin = Math.Max(0, (int)Math.Ceiling(polygons.Min(p => p.Min(q => q.Y))));
        var yMax = Math.Min(size.J - 1, (int)Math.Floor(polygons.Max(p => p.Max(q => q.Y))));
        for (var j = yMin; j <= yMax; j++)
        {
            crossings.Clear();
            foreach (var poly in polygons)
            {
                for (var e = 0; e < poly.Length; e++)
                {
                    var (x0, y0) = poly[e];
                    var (x1, y1) = poly[(e + 1) % poly.Length];
                    // Half-open rule: an edge counts when the scanline is in [min y, max y); vertices are not counted twice.
                    if ((y0 <= j && j < y1) || (y1 <= j && j < y0))
                    {
                        crossings.Add(x0 + (j - y0) * (x1 - x0) / (y1 - y0));
                    }
                }
            }

            crossings.Sort();
            for (var c = 0; c + 1 < crossings.Count; c += 2)
            {
                var from = Math.Max(0, (int)Math.Ceiling(crossings[c]));
                var to = Math.Min(size.I - 1, (int)Math.Ceiling(crossings[c + 1]) - 1);
                for (var i = from; i <= to; i++)
                {
                    ref var voxel = ref labels[i, j, k];
                    overwritten += voxel != 0 && voxel != value ? 1 : 0;
                    voxel = value;
                }
            }
        }

        return overwritten;
    }
}
