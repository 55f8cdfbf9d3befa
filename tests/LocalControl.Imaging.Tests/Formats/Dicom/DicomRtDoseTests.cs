using System.Globalization;
using LocalControl.Imaging.Formats.Dicom;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

/// <summary>RT Dose grids come out in Gy: stored value × DoseGridScaling (PS3.3 C.8.8.3.4.3), as pydicom's numbers give them.</summary>
public sealed class DicomRtDoseTests
{
    [Theory]
    [InlineData("rtdose.dcm")]
    [InlineData("rtdose_rle.dcm")]
    public void Dose_volumes_apply_dose_grid_scaling(string name)
    {
        var path = Path.Combine(DicomTestData.PydicomTestFiles, name);
        var oracle = DicomTestData.RunPython("-c", """
import sys, numpy as np, pydicom
ds = pydicom.dcmread(sys.argv[1])
dose = ds.pixel_array.astype(np.float64) * float(ds.DoseGridScaling)
print(repr(float(dose.sum())), repr(float(dose.max())), repr(float(ds.DoseGridScaling)))
""", path).Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var volume = DicomSeriesBuilder.Load(path);
        var sum = volume.Voxels.Buffer.Sum(v => (double)v);
        Assert.Equal(oracle[0], sum, oracle[0] * 1e-6);
        Assert.Equal(oracle[1], volume.Voxels.Buffer.Max(), oracle[1] * 1e-6);
        Assert.True(oracle[2] < 1e-3); // the scaling really matters here: without it values are 10^4 and more too large

        // The single-frame API too.
        var f = DicomReader.Read(path);
        Assert.Equal(oracle[2], DicomPixelDescription.From(f.Dataset, path).RescaleSlope);
    }
}
