using System.Globalization;
using System.Text.Json;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Tests.Support;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

public sealed class DicomRtStructTests
{
    [Fact]
    public void Pydicoms_rtstruct_contours_read_as_pydicom_reads_them()
    {
        var path = Path.Combine(DicomTestData.PydicomTestFiles, "rtstruct.dcm");
        var ours = DicomRtStructReader.Read(path);
        var theirs = JsonDocument.Parse(DicomTestData.RunPython(DicomTestData.OracleScript("rtstruct_dump.py"), path)).RootElement;
        Assert.Equal(theirs.EnumerateObject().Count(), ours.Rois.Count);
        foreach (var roi in ours.Rois)
        {
            var t = theirs.GetProperty(roi.Number.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(t.GetProperty("name").GetString(), roi.Name);
            var contours = t.GetProperty("contours").EnumerateArray().ToList();
            Assert.Equal(contours.Count, roi.Contours.Count);
            for (var c = 0; c < contours.Count; c++)
            {
                Assert.Equal(contours[c].GetProperty("type").GetString(), roi.Contours[c].GeometricType);
                var data = contours[c].GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                Assert.Equal(data, roi.Contours[c].PointsLps.SelectMany(p => new[] { p.X, p.Y, p.Z }));
            }
        }

        Assert.Equal(["patient", "Isocenter 1", "Isocenter 2"], ours.Rois.Select(r => r.Name));
    }

    [Fact]
    public void Pydicoms_rtstruct_rasterises_its_closed_square_and_ignores_points()
    {
        var set = DicomRtStructReader.Read(Path.Combine(DicomTestData.PydicomTestFiles, "rtstruct.dcm"));
        // The 'patient' ROI: squares of ±200 mm x / ±150 mm y on three planes; a 4 mm grid around them.
        var grid = new ImageGeometry(new VolumeSize(120, 100, 3), new Vector3D(4, 4, 200), new Vector3D(-238, -198, -200), Matrix3D.Identity);
        var (map, _) = DicomContourRasteriser.Rasterise(set, grid);
        Assert.Equal(["patient"], map.Table.Entries.Select(e => e.Name));
        // Centres inside x in [-200, 200), y in [-150, 150): x = -238 + 4i → i 10..109 (100), y = -198 + 4j → j 12..86 (75).
        var perSlice = Enumerable.Range(0, 3).Select(k => map.Labels.Slice(k).ToArray().Count(v => v == 1)).ToArray();
        Assert.All(perSlice, n => Assert.True(n is 0 or 7500, $"{n} voxels in a slice, 0 or 100 x 75 expected"));
        Assert.Contains(7500, perSlice);
    }

    [Fact]
    public void A_synthetic_sphere_rasterises_within_one_voxel_of_the_analytic_sphere_and_a_ring_keeps_its_hole()
    {
        using var tmp = new TempDir();
        var file = tmp.File("sphere.dcm");
        var grid = new ImageGeometry(new VolumeSize(60, 60, 30), new Vector3D(0.8, 0.8, 1.5), new Vector3D(-20, -30, 10), Matrix3D.Identity);
        var centre = new Vector3D(3.3, -5.7, 31.1);
        const double radius = 14.2;
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        DicomTestData.RunPython(DicomTestData.OracleScript("make_rtstruct.py"), file, F(centre.X), F(centre.Y), F(centre.Z), F(radius),
            F(grid.OriginLps.Z), F(grid.SpacingMm.Z), "30", "12", "6");
        var set = DicomRtStructReader.Read(file);
        var (map, warnings) = DicomContourRasteriser.Rasterise(set, grid);
        Assert.Empty(warnings);
        Assert.Equal(LabelRole.Tumour, map.Table.Find(1)!.Role);
        Assert.Equal(0xFF0000, map.Table.Find(1)!.ColourRgb);

        long inside = 0, disagree = 0;
        var maxSpacing = 1.5;
        var ringK = 0;
        for (var k = 0; k < 30; k++)
        {
            for (var j = 0; j < 60; j++)
            {
                for (var i = 0; i < 60; i++)
                {
                    var p = grid.IndexToPointLps(i, j, k);
                    var label = map.Labels[i, j, k];
                    if (k == ringK)
                    {
                        var rr = Math.Sqrt((p.X - centre.X) * (p.X - centre.X) + (p.Y - centre.Y) * (p.Y - centre.Y));
                        var inRing = rr < 12 && rr >= 6;
                        if (Math.Abs(rr - 12) > 0.8 && Math.Abs(rr - 6) > 0.8)
                        {
                            Assert.Equal(inRing ? 2 : 0, label);
                        }

                        continue;
                    }

                    var distance = (p - centre).Length;
                    var analytic = distance < radius;
                    inside += analytic ? 1 : 0;
                    if (analytic != (label == 1))
                    {
                        disagree++;
                        Assert.True(Math.Abs(distance - radius) <= maxSpacing, $"voxel ({i},{j},{k}) at {distance:F2} mm from the centre is {(analytic ? "outside" : "inside")} the rasterised sphere");
                    }
                }
            }
        }

        // In-plane, voxel centres are classified exactly by the 256-gon: disagreements are rare and at the surface.
        Assert.True(disagree < inside / 50, $"{disagree} of {inside} voxels disagree");
    }

    [Fact]
    public void A_ct_image_is_not_a_structure_set()
    {
        var ex = Assert.Throws<ImagingException>(() => DicomRtStructReader.Read(Path.Combine(DicomTestData.Dcmqi, "ct-3slice", "01.dcm")));
        Assert.Equal(DicomErrorCodes.RtStruct, ex.Code);
    }
}
