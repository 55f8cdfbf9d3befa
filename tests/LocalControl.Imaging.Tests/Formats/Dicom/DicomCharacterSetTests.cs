using System.Text.Json;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Tests.Support;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

public sealed class DicomCharacterSetTests
{
    [Fact]
    public void Text_in_latin1_utf8_cyrillic_and_latin2_reads_as_pydicom_wrote_it_also_inside_sequence_items()
    {
        using var tmp = new TempDir();
        var texts = JsonDocument.Parse(DicomTestData.RunPython(DicomTestData.OracleScript("make_charsets.py"), tmp.PathName)).RootElement;
        var files = texts.EnumerateObject().ToList();
        Assert.Equal(4, files.Count);
        foreach (var file in files)
        {
            var expected = file.Value.EnumerateArray().Select(e => e.GetString()).ToArray();
            var ds = DicomReader.Read(Path.Combine(tmp.PathName, file.Name)).Dataset;
            Assert.Equal(expected[0], ds.GetString(DicomTag.PatientName));
            Assert.Equal(expected[1], ds.GetString(DicomTag.SeriesDescription));
            var item = ds.GetItem(new DicomTag(0x0008, 0x2218))!; // AnatomicRegionSequence
            Assert.Equal(expected[2], item.GetString(new DicomTag(0x0008, 0x0104))); // CodeMeaning, charset inherited
        }

        // The UTF-8 file really holds multi-byte UTF-8, and the Latin-1 file single bytes (so the test can fail).
        var utf8 = File.ReadAllBytes(Path.Combine(tmp.PathName, "ISO_IR_192.dcm"));
        Assert.True(utf8.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes("Müller")) >= 0);
        var latin1 = File.ReadAllBytes(Path.Combine(tmp.PathName, "ISO_IR_100.dcm"));
        Assert.True(latin1.AsSpan().IndexOf(System.Text.Encoding.Latin1.GetBytes("Müller")) >= 0);
    }
}
