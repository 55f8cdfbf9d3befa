using System.IO.Compression;
using System.Text;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nrrd;
using LocalControl.Imaging.Tests.Support;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Formats;

/// <summary>NRRD files must match an independent numpy reader (voxels and affine) and, for the dcmqi files, the DICOM geometry from pydicom.</summary>
public class NrrdTests
{
    // An independent minimal NRRD reader in numpy (no NRRD package is installed): header fields, raw/gzip/ascii,
    // endianness, detached data; prints the RAS affine and writes the voxels as float64, i fastest.
    private const string NumpyNrrd = """
import sys, os, gzip, json, re, numpy as np
path, out = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read()
end = raw.find(b'\n\n')
head = (raw[:end] if end >= 0 else raw).decode('latin1').split('\n')
f = {}
for l in head[1:]:
    l = l.rstrip('\r')
    if not l or l.startswith('#'): continue
    if ':=' in l and (': ' not in l or l.index(':=') < l.index(': ')): continue
    k, v = l.split(': ', 1); f[k.strip().lower()] = v.strip()
types = {'short':'i2','signed short':'i2','int16':'i2','ushort':'u2','unsigned short':'u2','uint16':'u2','uchar':'u1','unsigned char':'u1','uint8':'u1',
         'signed char':'i1','int8':'i1','int':'i4','int32':'i4','uint':'u4','uint32':'u4','longlong':'i8','int64':'i8','ulonglong':'u8','uint64':'u8','float':'f4','double':'f8'}
dt = np.dtype(types[f['type']]).newbyteorder('>' if f.get('endian') == 'big' else '<')
sizes = [int(s) for s in f['sizes'].split()]
n = int(np.prod(sizes))
data = open(os.path.join(os.path.dirname(path), f['data file']), 'rb').read() if 'data file' in f else raw[end + 2:]
enc = f['encoding']
if enc in ('gzip', 'gz'): data = gzip.decompress(data)
if enc in ('ascii', 'text', 'txt'): arr = np.array(data.split(), dtype=np.float64)[:n]
else: arr = np.frombuffer(data[:n * dt.itemsize], dtype=dt).astype(np.float64)
arr.tofile(out)
vecs = [tuple(float(x) for x in m.split(',')) for m in re.findall(r'\(([^)]*)\)', f['space directions'])]
org = [float(x) for x in re.findall(r'\(([^)]*)\)', f['space origin'])[0].split(',')]
sign = {'left-posterior-superior': [-1, -1, 1], 'right-anterior-superior': [1, 1, 1]}[f['space']]
A = np.eye(4)
for c in range(3):
    A[:3, c] = [sign[r] * vecs[c][r] for r in range(3)]
A[:3, 3] = [sign[r] * org[r] for r in range(3)]
print(json.dumps(A.tolist()))
""";

    public static TheoryData<string> DcmqiFiles() => new() { "liver_seg.nrrd", "liver_spine_seg.nrrd", "23x38x3/nrrd/label.nrrd" };

    private static void AssertMatchesNumpy(string path)
    {
        using var tmp = new TempDir();
        var affine = PythonOracle.RunJson(NumpyNrrd, path, tmp.File("d.f8")).AsArray();
        var image = VolumeFormats.Load(path);
        Assert.Equal("nrrd", image.Info.Format);
        var ours = image.Info.Geometry.AffineRas();
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                Assert.Equal((double)affine[r]![c]!, ours[r, c], 9);
            }
        }

        Assert.Equal(PythonOracle.ReadFloat64(tmp.File("d.f8")), image.ToDoubleArray());
    }

    [Theory]
    [MemberData(nameof(DcmqiFiles))]
    public void Real_slicer_label_maps_match_an_independent_numpy_reader(string name) =>
        AssertMatchesNumpy(Path.Combine(TestPaths.SharedData, "dcmqi", name));

    [Fact]
    public void The_liver_label_map_sits_where_pydicom_puts_the_ct_slices()
    {
        const string script = """
import sys, glob, json, pydicom, numpy as np
ds = [pydicom.dcmread(p) for p in glob.glob(sys.argv[1] + '/*.dcm')]
iop = np.array(ds[0].ImageOrientationPatient, dtype=float); n = np.cross(iop[:3], iop[3:])
ds.sort(key=lambda d: float(np.dot(n, np.array(d.ImagePositionPatient, dtype=float))))
print(json.dumps({'origin': [float(x) for x in ds[0].ImagePositionPatient], 'ps': [float(x) for x in ds[0].PixelSpacing],
  'dz': float(np.dot(n, np.array(ds[1].ImagePositionPatient, dtype=float) - np.array(ds[0].ImagePositionPatient, dtype=float)))}))
""";
        var dicom = PythonOracle.RunJson(script, Path.Combine(TestPaths.SharedData, "dcmqi", "ct-3slice"));
        var g = NrrdReader.Identify(Path.Combine(TestPaths.SharedData, "dcmqi", "liver_seg.nrrd")).Geometry;
        var origin = dicom["origin"]!.AsArray();
        Assert.Equal((double)origin[0]!, g.OriginLps.X, 3);
        Assert.Equal((double)origin[1]!, g.OriginLps.Y, 3);
        Assert.Equal((double)origin[2]!, g.OriginLps.Z, 3);
        Assert.Equal((double)dicom["ps"]![1]!, g.SpacingMm.X, 5);
        Assert.Equal((double)dicom["ps"]![0]!, g.SpacingMm.Y, 5);
        Assert.Equal((double)dicom["dz"]!, g.SpacingMm.Z, 3);
    }

    private static string Header(string type, string encoding, string endian, string extra = "") =>
        $"NRRD0004\n# test\ntype: {type}\ndimension: 3\nspace: right-anterior-superior\nsizes: 3 4 2\n" +
        $"space directions: (0.5,0.1,0) (-0.1,0.5,0) (0,0,2.5)\nkinds: domain domain domain\nendian: {endian}\nencoding: {encoding}\n" +
        $"space origin: (10,-20,30.5)\nSegment0_Name:=Liver\nSegment0_LabelValue:=1\nSegment1_Name:=tumor\nSegment1_LabelValue:=2\n{extra}";

    private static byte[] Int16Data(bool bigEndian)
    {
        var bytes = new byte[24 * 2];
        for (var n = 0; n < 24; n++)
        {
            var v = (short)(n * 37 - 300);
            if (bigEndian)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(2 * n), v);
            }
            else
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * n), v);
            }
        }

        return bytes;
    }

    [Theory]
    [InlineData("raw", "little")]
    [InlineData("raw", "big")]
    [InlineData("gzip", "big")]
    [InlineData("ascii", "little")]
    public void Every_encoding_and_byte_order_reads_like_numpy(string encoding, string endian)
    {
        using var tmp = new TempDir();
        var path = tmp.File("t.nrrd");
        var data = Int16Data(endian == "big");
        byte[] payload = encoding switch
        {
            "raw" => data,
            "gzip" => Gzip(data),
            _ => Encoding.ASCII.GetBytes(string.Join(" ", Enumerable.Range(0, 24).Select(n => (n * 37 - 300).ToString(System.Globalization.CultureInfo.InvariantCulture))) + "\n"),
        };
        File.WriteAllBytes(path, [.. Encoding.Latin1.GetBytes(Header("short", encoding, endian) + "\n"), .. payload]);
        AssertMatchesNumpy(path);
        var image = NrrdReader.Load(path);
        Assert.Equal(LabelRole.Liver, image.LabelTable!.Find(1)!.Role);
        Assert.Equal(LabelRole.Tumour, image.LabelTable.Find(2)!.Role);
    }

    [Fact]
    public void A_detached_header_reads_its_data_file()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("t.raw.gz"), Gzip(Int16Data(false)));
        File.WriteAllText(tmp.File("t.nhdr"), Header("short", "gzip", "little", "data file: t.raw.gz\n"));
        AssertMatchesNumpy(tmp.File("t.nhdr"));
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    [Theory]
    [InlineData("type: complex\n", "LC-NRRD-003", "type")]
    [InlineData("encoding: bzip2\n", "LC-NRRD-007", "encoding")]
    [InlineData("sizes: 100000 100000 100000\n", "LC-NRRD-004", "sizes")]
    [InlineData("sizes: 3 -4 2\n", "LC-NRRD-003", "sizes")]
    [InlineData("space directions: (0,0,0) (-0.1,0.5,0) (0,0,2.5)\n", "LC-NRRD-006", "space directions")]
    [InlineData("space directions: (nan,0,0) (-0.1,0.5,0) (0,0,2.5)\n", "LC-NRRD-006", "space directions")]
    [InlineData("space origin: (1,2)\n", "LC-NRRD-006", "space origin")]
    [InlineData("sizes: 3 4 20\n", "LC-NRRD-009", "sizes")]
    public void Bad_headers_name_the_field(string replacement, string code, string field)
    {
        using var tmp = new TempDir();
        var path = tmp.File("bad.nrrd");
        var key = replacement[..replacement.IndexOf(':', StringComparison.Ordinal)];
        var header = string.Join("\n", Header("short", "raw", "little").Split('\n').Select(l => l.StartsWith(key + ":", StringComparison.Ordinal) ? replacement.TrimEnd('\n') : l));
        File.WriteAllBytes(path, [.. Encoding.Latin1.GetBytes(header + "\n"), .. Int16Data(false)]);
        var ex = Assert.ThrowsAny<ImagingException>(() => VolumeFormats.Load(path));
        Assert.Equal(code, ex.Code);
        Assert.Equal(field, ex.Field);
        Assert.Equal(path, ex.FilePath);
    }
}
