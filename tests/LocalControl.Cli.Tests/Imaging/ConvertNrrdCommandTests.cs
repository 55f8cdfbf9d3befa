using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Formats.Nrrd;
using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Imaging;

/// <summary>
/// <c>convert</c> to .nrrd and .seg.nrrd from every format we read: what it writes is read back by numpy (header parsed
/// by hand: Debian has no NRRD package) and compared with what nibabel or the test's own construction says.
/// </summary>
public sealed class ConvertNrrdCommandTests : IDisposable
{
    // Header fields and key/values (UTF-8, spec escapes undone), voxels as float64 (i fastest) to argv[2], the LPS
    // index→point matrix; with argv[3] a NIfTI, also nibabel's RAS affine of that file and its voxels (Fortran order).
    private const string Oracle = """
import sys, gzip, json, numpy as np
path, out = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read()
end = raw.find(b'\n\n')
f, kv = {}, {}
for l in raw[:end].decode('utf-8').split('\n')[1:]:
    if l.startswith('#'): continue
    if ':=' in l and (': ' not in l or l.index(':=') < l.index(': ')):
        k, v = l.split(':=', 1); kv[k] = v.replace('\\n', '\n').replace('\\\\', '\\')
    else:
        k, v = l.split(': ', 1); f[k] = v
types = {'short':'<i2','unsigned short':'<u2','unsigned char':'u1','signed char':'i1','int':'<i4','unsigned int':'<u4','float':'<f4','double':'<f8'}
data = raw[end + 2:]
if f['encoding'] == 'gzip': data = gzip.decompress(data)
np.frombuffer(data, dtype=types[f['type']]).astype('<f8').tofile(out)
vecs = [[float(x) for x in p.strip('()').split(',')] for p in f['space directions'].split() if p != 'none']
org = [float(x) for x in f['space origin'].strip('()').split(',')]
A = np.eye(4); A[:3, :3] = np.array(vecs).T; A[:3, 3] = org
res = {'lps': A.tolist(), 'fields': f, 'kv': kv}
if len(sys.argv) > 3:
    import nibabel as nib
    img = nib.load(sys.argv[3])
    res['ras'] = img.affine.tolist()
    np.asanyarray(img.dataobj).astype('<f8').ravel(order='F').tofile(out + '.nib')
print(json.dumps(res))
""";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lc-cli-nrrd-" + Guid.NewGuid().ToString("N"));

    public ConvertNrrdCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    private static double[] Float64(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new double[bytes.Length / 8];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    private (JsonNode Json, double[] Voxels) Numpy(string nrrd, string? nifti = null)
    {
        var json = JsonNode.Parse(nifti is null ? Python("-c", Oracle, nrrd, F("v.f8")) : Python("-c", Oracle, nrrd, F("v.f8"), nifti))!;
        return (json, Float64(F("v.f8")));
    }

    private string LitsNifti()
    {
        var path = F("lits.nii.gz");
        Python("-c", """
import sys, numpy as np, nibabel as nib
i, j, k = np.indices((20, 16, 8))
m = np.zeros((20, 16, 8), np.int16)
m[2:18, 2:14, 1:7] = 1
m[((i - 9) ** 2 + (j - 8) ** 2 + ((k - 4) * 2) ** 2) <= 9] = 2
a = np.array([[-0.75, 0.1, 0, 100.5], [0.1, 0.75, 0, -20.25], [0, 0, 3, 55], [0, 0, 0, 1]])
nib.save(nib.Nifti1Image(m, a), sys.argv[1])
""", path);
        return path;
    }

    [Fact]
    public void A_nifti_label_map_with_a_built_in_table_becomes_a_seg_nrrd_nibabel_agrees_with()
    {
        var src = LitsNifti();
        var (code, stdout, err) = Run("convert", src, F("lits.seg.nrrd"), "--label-table", "lits");
        Assert.True(code == 0, err);
        Assert.Equal("", stdout);
        Assert.Contains("2 segments", err, StringComparison.Ordinal);
        var (json, voxels) = Numpy(F("lits.seg.nrrd"), src);
        Assert.Equal(Float64(F("v.f8.nib")), voxels);
        Assert.Equal("unsigned char", (string?)json["fields"]!["type"]);

        // nibabel's RAS affine = our LPS matrix with x and y negated.
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                Assert.Equal((r < 2 ? -1 : 1) * (double)json["ras"]![r]![c]!, (double)json["lps"]![r]![c]!, 9);
            }
        }

        var kv = json["kv"]!;
        Assert.Equal("liver", (string?)kv["Segment0_Name"]);
        Assert.Equal("LocalControlRole:liver|", (string?)kv["Segment0_Tags"]);
        Assert.Equal("tumour", (string?)kv["Segment1_Name"]);
        Assert.Equal("2", (string?)kv["Segment1_LabelValue"]);
        Assert.Equal("LocalControlRole:tumour|", (string?)kv["Segment1_Tags"]);
        Assert.Equal("2 17 2 13 1 6", (string?)kv["Segment0_Extent"]);
        Assert.Equal("6 12 5 11 3 5", (string?)kv["Segment1_Extent"]); // radius 3 around (9, 8) in i, j; |k − 4| ≤ 1.5

        // measure reads the written file with its roles and no --label-table.
        var (code2, measured, err2) = Run("measure", "--labels", F("lits.seg.nrrd"));
        Assert.True(code2 == 0, err2);
        Assert.Single(JsonNode.Parse(measured)!["lesions"]!.AsArray());
    }

    [Fact]
    public void A_dicom_ct_becomes_a_nrrd_of_hounsfield_values_on_the_same_grid()
    {
        var ct = Path.Combine(RepoRoot(), "tests", "data", "dcmqi", "ct-3slice");
        var (code, _, err) = Run("convert", ct, F("ct.nrrd"), "--nrrd-encoding", "raw");
        Assert.True(code == 0, err);
        var (json, voxels) = Numpy(F("ct.nrrd"));
        Assert.Equal("raw", (string?)json["fields"]!["encoding"]);
        var direct = DicomSeriesBuilder.Load(ct);
        Assert.Equal(direct.Voxels.Buffer.Select(v => (double)v), voxels);

        // pydicom's first slice position and pixel spacing are the written origin and spacing.
        var dicom = JsonNode.Parse(Python("-c", """
import sys, glob, json, pydicom, numpy as np
ds = [pydicom.dcmread(p) for p in glob.glob(sys.argv[1] + '/*.dcm')]
ds.sort(key=lambda d: float(d.ImagePositionPatient[2]))
print(json.dumps({'origin': [float(x) for x in ds[0].ImagePositionPatient], 'ps': [float(x) for x in ds[0].PixelSpacing]}))
""", ct))!;
        for (var r = 0; r < 3; r++)
        {
            Assert.Equal((double)dicom["origin"]![r]!, (double)json["lps"]![r]![3]!, 4);
        }

        Assert.Equal((double)dicom["ps"]![1]!, (double)json["lps"]![0]![0]!, 5);
        Assert.Equal((double)dicom["ps"]![0]!, (double)json["lps"]![1]![1]!, 5);
    }

    [Fact]
    public void A_dicom_seg_keeps_its_segment_name_on_the_ct_grid()
    {
        var dcmqi = Path.Combine(RepoRoot(), "tests", "data", "dcmqi");
        var (code, _, err) = Run("convert", Path.Combine(dcmqi, "liver.dcm"), F("liver.seg.nrrd"), "--reference", Path.Combine(dcmqi, "ct-3slice"));
        Assert.True(code == 0, err);
        var (json, voxels) = Numpy(F("liver.seg.nrrd"));
        Assert.Equal("Liver", (string?)json["kv"]!["Segment0_Name"]);
        Assert.Equal("LocalControlRole:liver|", (string?)json["kv"]!["Segment0_Tags"]);
        Assert.Null(json["kv"]!["Segment1_Name"]);

        // dcmqi's own NRRD of the same segmentation holds the same voxels.
        var (_, reference) = Numpy(Path.Combine(dcmqi, "liver_seg.nrrd"));
        Assert.Equal(reference.Select(v => v != 0 ? 1.0 : 0.0), voxels);
    }

    [Fact]
    public void A_totalsegmentator_folder_becomes_one_seg_nrrd_with_its_roles()
    {
        var folder = F("segmentations");
        Python(Path.Combine(RepoRoot(), "tests", "LocalControl.Imaging.Tests", "Formats", "Segmentations", "make_totalseg_folder.py"), folder, F("expected.raw"));
        var (code, _, err) = Run("convert", folder, F("total.seg.nrrd"));
        Assert.True(code == 0, err);
        var expectedBytes = File.ReadAllBytes(F("expected.raw"));
        var expected = new int[expectedBytes.Length / 4];
        Buffer.BlockCopy(expectedBytes, 0, expected, 0, expectedBytes.Length);
        var (json, voxels) = Numpy(F("total.seg.nrrd"));
        Assert.Equal(expected.Select(v => (double)v), voxels);
        var kv = json["kv"]!.AsObject();
        var roles = kv.Where(p => p.Key.EndsWith("_LabelValue", StringComparison.Ordinal))
            .ToDictionary(p => (string)p.Value!, p => (string?)kv[p.Key.Replace("_LabelValue", "_Tags", StringComparison.Ordinal)]);
        Assert.Equal("LocalControlRole:tumour|", roles["119"]);
        Assert.Equal("LocalControlRole:portal-vein|", roles["64"]);
        Assert.Equal("LocalControlRole:liver|", roles["5"]);
        Assert.False(roles.ContainsKey("3")); // kidney_left is empty: no segment
        Assert.Contains("LC-SEG-W01", err, StringComparison.Ordinal); // the unmapped structure is still named
    }

    [Fact]
    public void An_rtstruct_becomes_a_seg_nrrd_with_its_roi_names()
    {
        var oracle = Path.Combine(RepoRoot(), "tests", "LocalControl.Imaging.Tests", "Formats", "Dicom", "Oracle");
        Python(Path.Combine(oracle, "make_series.py"), F("ct"), "20", "16", "6", "2.5", "ok");
        Python(Path.Combine(oracle, "make_rtstruct.py"), F("rs.dcm"), "-93", "-114", "56", "4", "50", "2.5", "6", "3", "1.5");
        var (code, _, err) = Run("convert", F("rs.dcm"), F("rs.seg.nrrd"), "--reference", F("ct"));
        Assert.True(code == 0, err);
        var loaded = NrrdReader.Load(F("rs.seg.nrrd"));
        var (json, voxels) = Numpy(F("rs.seg.nrrd"));
        Assert.Contains(voxels, v => v == 1);
        Assert.Contains(voxels, v => v == 2);
        var pydicomNames = Python("-c", "import sys,pydicom;print('|'.join(r.ROIName for r in pydicom.dcmread(sys.argv[1]).StructureSetROISequence))", F("rs.dcm")).Trim().Split('|');
        Assert.Equal(pydicomNames, new[] { (string?)json["kv"]!["Segment0_Name"], (string?)json["kv"]!["Segment1_Name"] });
        Assert.Equal(pydicomNames, loaded.LabelTable!.Entries.Select(e => e.Name));
    }

    [Fact]
    public void A_plain_nrrd_keeps_the_stored_type_and_the_names_the_input_carries()
    {
        var src = Path.Combine(RepoRoot(), "tests", "data", "dcmqi", "liver_spine_seg.nrrd");
        var (code, _, err) = Run("convert", src, F("copy.nrrd"));
        Assert.True(code == 0, err);
        var (_, original) = Numpy(src);
        var (json, voxels) = Numpy(F("copy.nrrd"));
        Assert.Equal(original, voxels);
        Assert.Equal("short", (string?)json["fields"]!["type"]);
        var a = NrrdReader.Load(src);
        var b = NrrdReader.Load(F("copy.nrrd"));
        Assert.True(a.Info.Geometry.IsSameGridAs(b.Info.Geometry, 1e-12, 1e-12));
        Assert.Null(b.LabelTable); // dcmqi's label map names no segment: none are invented

        // A Slicer-style NRRD with segment names (RAS space, big-endian) keeps them and its voxels.
        var named = F("named.nrrd");
        File.WriteAllBytes(named, [.. System.Text.Encoding.UTF8.GetBytes(
            "NRRD0004\ntype: short\ndimension: 3\nspace: right-anterior-superior\nsizes: 2 2 1\nspace directions: (1,0,0) (0,1,0) (0,0,2)\n" +
            "endian: big\nencoding: raw\nspace origin: (5,6,7)\nSegment0_Name:=Lebergewebe Ü\nSegment0_LabelValue:=1\nSegment1_Name:=tumor\nSegment1_LabelValue:=2\n\n"), 0, 0, 0, 1, 0, 2, 0, 1]);
        var (code2, _, err2) = Run("convert", named, F("named-copy.nrrd"));
        Assert.True(code2 == 0, err2);
        var (json2, voxels2) = Numpy(F("named-copy.nrrd"));
        Assert.Equal(new double[] { 0, 1, 2, 1 }, voxels2);
        Assert.Equal("Lebergewebe Ü", (string?)json2["kv"]!["Segment0_Name"]);
        Assert.Equal("LocalControlRole:tumour|", (string?)json2["kv"]!["Segment1_Tags"]);
        Assert.Equal(-5, (double)json2["lps"]![0]![3]!); // RAS x = 5 is LPS x = −5
    }

    [Fact]
    public void Wrong_outputs_and_bad_labels_exit_2_with_one_line_and_write_nothing()
    {
        var src = LitsNifti();
        foreach (var (args, says) in new[]
        {
            (new[] { "convert", src, F("out.mha") }, ".seg.nrrd"),
            (["convert", src, F("out.nii.gz"), "--label-table", "lits"], "NIfTI keeps no segment names"),
            (["convert", src, F("out.nrrd"), "--nrrd-encoding", "bzip2"], "bzip2"),
            (["convert", src, F("out.seg.nrrd"), "--label-table", "no-such-table"], "no-such-table"),
        })
        {
            var (code, stdout, err) = Run(args);
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Contains(says, err, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        }

        Python("-c", "import sys,numpy as np,nibabel as nib;m=np.zeros((3,3,3),np.int16);m[1,1,1]=-2;nib.save(nib.Nifti1Image(m,np.eye(4)),sys.argv[1])", F("neg.nii.gz"));
        var (code2, _, err2) = Run("convert", F("neg.nii.gz"), F("neg.seg.nrrd"));
        Assert.Equal(2, code2);
        Assert.Contains("LC-NRRD-011", err2, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetFiles(_dir), p => p.Contains(".nrrd", StringComparison.Ordinal) || p.EndsWith(".mha", StringComparison.Ordinal) || p.Contains("out.nii", StringComparison.Ordinal));
    }
}
