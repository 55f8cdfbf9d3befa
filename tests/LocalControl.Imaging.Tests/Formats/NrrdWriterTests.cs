using System.Text.Json.Nodes;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Nrrd;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Tests.Support;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Tests.Formats;

/// <summary>
/// What the NRRD writer writes must read back, voxel for voxel and point for point, in an independent numpy reader
/// (no NRRD package: Debian has no python3-nrrd) and in ours; a .seg.nrrd must carry every Slicer segment key with the
/// values computed independently (extents by numpy, colours from the table).
/// </summary>
public class NrrdWriterTests
{
    // Parses the header by hand (fields, key/values decoded as UTF-8 with the spec's \n and \\ escapes undone), reads
    // raw or gzip data with numpy, prints the LPS index→point matrix, the fields and key/values, and for a label map each
    // label's inclusive bounding box (i0 i1 j0 j1 k0 k1); writes the voxels as float64, i fastest.
    private const string Oracle = """
import sys, gzip, json, re, numpy as np
path, out = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read()
end = raw.find(b'\n\n')
lines = raw[:end].decode('utf-8').split('\n')
assert lines[0] == 'NRRD0004', lines[0]
f, kv = {}, {}
def unescape(s):
    r, i = [], 0
    while i < len(s):
        if s[i] == '\\' and i + 1 < len(s) and s[i + 1] in 'n\\':
            r.append('\n' if s[i + 1] == 'n' else '\\'); i += 2
        else:
            r.append(s[i]); i += 1
    return ''.join(r)
for l in lines[1:]:
    if l.startswith('#'): continue
    if ':=' in l and (': ' not in l or l.index(':=') < l.index(': ')):
        k, v = l.split(':=', 1); kv[k] = unescape(v)
    else:
        k, v = l.split(': ', 1); f[k] = v
types = {'short':'i2','unsigned short':'u2','unsigned char':'u1','signed char':'i1','int':'i4','unsigned int':'u4',
         'long long':'i8','unsigned long long':'u8','float':'f4','double':'f8'}
dt = np.dtype(types[f['type']]).newbyteorder('<')
sizes = [int(s) for s in f['sizes'].split()]
data = raw[end + 2:]
if f['encoding'] == 'gzip': data = gzip.decompress(data)
else: assert f['encoding'] == 'raw'
assert len(data) == int(np.prod(sizes)) * dt.itemsize, (len(data), sizes)
arr = np.frombuffer(data, dtype=dt)
arr.astype(np.float64).tofile(out)
assert f['space'] == 'left-posterior-superior'
parts = f['space directions'].split()
vecs = [tuple(float(x) for x in p.strip('()').split(',')) for p in parts if p != 'none']
org = [float(x) for x in f['space origin'].strip('()').split(',')]
A = np.eye(4)
for c in range(3): A[:3, c] = vecs[c]
A[:3, 3] = org
boxes = {}
if np.issubdtype(dt, np.integer) and len(sizes) == 3:
    vol = arr.reshape(sizes[::-1])  # k, j, i
    for v in np.unique(vol):
        if v == 0: continue
        k, j, i = np.nonzero(vol == v)
        boxes[str(int(v))] = [int(i.min()), int(i.max()), int(j.min()), int(j.max()), int(k.min()), int(k.max())]
print(json.dumps({'affine': A.tolist(), 'fields': f, 'kv': kv, 'sizes': sizes, 'nones': parts.count('none'), 'boxes': boxes}))
""";

    private static readonly ImageGeometry Oblique = new(
        new VolumeSize(5, 4, 3), new Vector3D(0.7, 0.8, 2.5), new Vector3D(-120.25, 33.125, -7.1),
        Matrix3D.FromColumns(new Vector3D(0.96, 0.28, 0), new Vector3D(-0.28, 0.96, 0), new Vector3D(0, 0, 1)));

    private static (JsonNode Json, double[] Voxels) ReadWithNumpy(string path)
    {
        using var tmp = new TempDir();
        var json = PythonOracle.RunJson(Oracle, path, tmp.File("v.f8"));
        return (json, PythonOracle.ReadFloat64(tmp.File("v.f8")));
    }

    /// <summary>The numpy matrix must put every voxel where the geometry we built says (origin + D·diag(s)·index).</summary>
    private static void AssertAffine(ImageGeometry expected, JsonNode json)
    {
        var a = json["affine"]!.AsArray();
        foreach (var (i, j, k) in new[] { (0, 0, 0), (4, 0, 0), (0, 3, 0), (0, 0, 2), (4, 3, 2), (2, 1, 1) })
        {
            var p = expected.IndexToPointLps(i, j, k);
            for (var r = 0; r < 3; r++)
            {
                var q = (double)a[r]![0]! * i + (double)a[r]![1]! * j + (double)a[r]![2]! * k + (double)a[r]![3]!;
                Assert.Equal(p[r], q, 12);
            }
        }
    }

    private static void AssertSameGeometry(ImageGeometry expected, ImageGeometry actual)
    {
        Assert.Equal(expected.Size, actual.Size);
        for (var a = 0; a < 3; a++)
        {
            Assert.Equal(expected.SpacingMm[a], actual.SpacingMm[a], 12);
            Assert.Equal(expected.OriginLps[a], actual.OriginLps[a]);
            for (var b = 0; b < 3; b++)
            {
                Assert.Equal(expected.Direction[a, b], actual.Direction[a, b], 12);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_oblique_int16_volume_reads_back_exactly_in_numpy_and_in_our_reader(bool gzip)
    {
        using var tmp = new TempDir();
        var v = new Volume<short>(Oblique);
        for (var n = 0; n < v.Buffer.Length; n++)
        {
            v.Buffer[n] = (short)(n * 977 - 30000);
        }

        var path = tmp.File("ct.nrrd");
        NrrdWriter.Write(path, v, new NrrdWriteOptions { Gzip = gzip });
        var (json, voxels) = ReadWithNumpy(path);
        Assert.Equal(gzip ? "gzip" : "raw", (string)json["fields"]!["encoding"]!);
        Assert.Equal("short", (string)json["fields"]!["type"]!);
        AssertAffine(Oblique, json);
        Assert.Equal(v.Buffer.Select(x => (double)x), voxels);

        var back = NrrdReader.Load(path);
        Assert.Equal(VoxelType.Int16, back.Info.StoredType);
        AssertSameGeometry(Oblique, back.Info.Geometry);
        Assert.Equal(v.Buffer, (short[])back.StoredVoxels);
        Assert.Empty(back.Info.Warnings);
        Assert.Null(back.LabelTable);
    }

    [Fact]
    public void Every_voxel_type_round_trips_bit_for_bit()
    {
        using var tmp = new TempDir();
        var g = ImageGeometry.AxisAligned(new VolumeSize(3, 2, 2), new Vector3D(1, 1, 1));
        void Check<T>(T[] values)
            where T : unmanaged
        {
            var path = tmp.File(typeof(T).Name + ".nrrd");
            NrrdWriter.Write(path, new Volume<T>(g, values));
            var back = NrrdReader.Load(path);
            Assert.Equal(values, (T[])back.StoredVoxels);
            var (_, numpy) = ReadWithNumpy(path);
            Assert.Equal(values.Length, numpy.Length);
        }

        Check(new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255 });
        Check(new sbyte[] { -128, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 127 });
        Check(new ushort[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 65535 });
        Check(new int[] { int.MinValue, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, int.MaxValue });
        Check(new uint[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, uint.MaxValue });
        Check(new long[] { long.MinValue, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, long.MaxValue });
        Check(new ulong[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ulong.MaxValue });
        Check(new float[] { float.MinValue, -1.5f, 0, 1e-30f, float.Epsilon, 3, 4, 5, 6, 7, float.PositiveInfinity, float.NaN });
        Check(new double[] { double.MinValue, -1.5, 0, 1e-300, double.Epsilon, Math.PI, 4, 5, 6, 7, double.NegativeInfinity, double.NaN });
    }

    [Fact]
    public void A_scaled_ct_is_written_as_its_hounsfield_values()
    {
        using var tmp = new TempDir();
        var g = ImageGeometry.AxisAligned(new VolumeSize(4, 1, 1), new Vector3D(0.5, 0.5, 1));
        ushort[] stored = [0, 1024, 2024, 4095];
        var image = new LoadedImage(new ImageInfo("dicom", "ct", g, VoxelType.UInt16, scaleSlope: 1, scaleIntercept: -1024), stored);
        var path = tmp.File("hu.nrrd");
        NrrdWriter.Write(path, image);
        var (json, voxels) = ReadWithNumpy(path);
        Assert.Equal("short", (string)json["fields"]!["type"]!);
        Assert.Equal(new double[] { -1024, 0, 1000, 3071 }, voxels);

        // A fractional slope cannot stay integer: float64 values, exact.
        var fractional = new LoadedImage(new ImageInfo("dicom", "pet", g, VoxelType.UInt16, scaleSlope: 0.25, scaleIntercept: 1), stored);
        NrrdWriter.Write(path, fractional);
        (json, voxels) = ReadWithNumpy(path);
        Assert.Equal("double", (string)json["fields"]!["type"]!);
        Assert.Equal(new double[] { 1, 257, 507, 1024.75 }, voxels);
    }

    [Fact]
    public void Extra_dimensions_become_non_spatial_axes_after_the_spatial_ones()
    {
        using var tmp = new TempDir();
        var g = ImageGeometry.AxisAligned(new VolumeSize(2, 2, 2), new Vector3D(1, 2, 3), new Vector3D(1, 2, 3));
        var values = Enumerable.Range(0, 24).Select(n => (float)(n * 0.5)).ToArray();
        var image = new LoadedImage(new ImageInfo("nifti", "t", g, VoxelType.Float32, [3]), values);
        var path = tmp.File("t4.nrrd");
        NrrdWriter.Write(path, image);
        var (json, voxels) = ReadWithNumpy(path);
        Assert.Equal(new[] { 2, 2, 2, 3 }, json["sizes"]!.AsArray().Select(x => (int)x!));
        Assert.Equal(1, (int)json["nones"]!);
        Assert.Equal(values.Select(x => (double)x), voxels);
        var back = NrrdReader.Load(path);
        Assert.Equal(new[] { 3 }, back.Info.ExtraDimensions);
        Assert.Equal(values, (float[])back.StoredVoxels);
    }

    private static LabelMap LiverMap()
    {
        var labels = new Volume<int>(Oblique);
        labels[1, 1, 0] = 1;
        labels[3, 2, 1] = 1;
        labels[2, 2, 2] = 2;
        labels[4, 0, 2] = 7; // not in the table
        var table = new LabelTable()
            .Set(new LabelEntry(1, "Leber – Lébère Ø", LabelRole.Liver, 0x123456))
            .Set(new LabelEntry(2, "odd\\name\nline two", LabelRole.Tumour))
            .Set(new LabelEntry(3, "gallbladder", LabelRole.Gallbladder)); // no voxel: no segment
        return new LabelMap(labels, table);
    }

    [Fact]
    public void A_seg_nrrd_carries_every_slicer_segment_key_with_independently_computed_values()
    {
        using var tmp = new TempDir();
        var map = LiverMap();
        var path = tmp.File("liver.seg.nrrd");
        NrrdWriter.WriteSegmentation(path, map);
        var (json, voxels) = ReadWithNumpy(path);
        Assert.Equal(map.Labels.Buffer.Select(x => (double)x), voxels);
        Assert.Equal("unsigned char", (string)json["fields"]!["type"]!);
        AssertAffine(Oblique, json);
        var kv = json["kv"]!;
        Assert.Equal("Binary labelmap", (string)kv["Segmentation_MasterRepresentation"]!);
        Assert.Null(kv["Segment3_Name"]);
        var expected = new[]
        {
            (Value: 1, Name: "Leber – Lébère Ø", Role: "liver", Rgb: 0x123456, Auto: "0"),
            (Value: 2, Name: "odd\\name\nline two", Role: "tumour", Rgb: 0xF1D691, Auto: "1"),
            (Value: 7, Name: "Label 7", Role: "other", Rgb: 0xF1D691, Auto: "1"),
        };
        var boxes = json["boxes"]!;
        for (var n = 0; n < expected.Length; n++)
        {
            var e = expected[n];
            var p = $"Segment{n}_";
            Assert.Equal(e.Name, (string)kv[p + "Name"]!);
            Assert.Equal(e.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), (string)kv[p + "LabelValue"]!);
            Assert.Equal("0", (string)kv[p + "Layer"]!);
            Assert.Equal($"Segment_{e.Value}", (string)kv[p + "ID"]!);
            Assert.Equal($"LocalControlRole:{e.Role}|", (string)kv[p + "Tags"]!);
            Assert.Equal(e.Auto, (string)kv[p + "ColorAutoGenerated"]!);
            Assert.Equal(string.Join(' ', boxes[e.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]!.AsArray().Select(x => (int)x!)), (string)kv[p + "Extent"]!);
            var rgb = ((string)kv[p + "Color"]!).Split(' ').Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            if (n == 0)
            {
                Assert.Equal(new[] { 0x12 / 255.0, 0x34 / 255.0, 0x56 / 255.0 }, rgb);
            }
            else if (n == 1)
            {
                Assert.Equal(new[] { 0xF1 / 255.0, 0xD6 / 255.0, 0x91 / 255.0 }, rgb); // the tumour role's colour
            }
            else
            {
                Assert.All(rgb, c => Assert.InRange(c, 0, 1));
            }
        }

        // Our reader: the same voxels, names, roles (from the tag), colours.
        var back = NrrdReader.Load(path);
        Assert.Equal(map.Labels.Buffer, back.ToLabelVolume().Buffer);
        AssertSameGeometry(Oblique, back.Info.Geometry);
        var table = back.LabelTable!;
        Assert.Equal(new[] { 1, 2, 7 }, table.Entries.Select(e => e.Value));
        Assert.Equal("Leber – Lébère Ø", table.Find(1)!.Name);
        Assert.Equal(0x123456, table.Find(1)!.ColourRgb);
        Assert.Equal(LabelRole.Liver, table.Find(1)!.Role);
        Assert.Equal("odd\\name\nline two", table.Find(2)!.Name);
        Assert.Equal(LabelRole.Tumour, table.Find(2)!.Role);
        Assert.Equal(0xF1D691, table.Find(2)!.ColourRgb);
        Assert.Equal(LabelRole.Other, table.Find(7)!.Role);
    }

    [Fact]
    public void The_role_tag_wins_over_a_name_that_says_something_else()
    {
        using var tmp = new TempDir();
        var labels = new Volume<int>(ImageGeometry.AxisAligned(new VolumeSize(2, 1, 1), new Vector3D(1, 1, 1)), [1, 2]);
        var table = new LabelTable()
            .Set(new LabelEntry(1, "Segment_1", LabelRole.PortalVein)) // a name that gives no role
            .Set(new LabelEntry(2, "liver", LabelRole.Tumour)); // a name that gives the wrong role
        var path = tmp.File("tag.seg.nrrd");
        NrrdWriter.WriteSegmentation(path, new LabelMap(labels, table));
        var back = NrrdReader.Load(path).LabelTable!;
        Assert.Equal(LabelRole.PortalVein, back.Find(1)!.Role);
        Assert.Equal(LabelRole.Tumour, back.Find(2)!.Role);
    }

    [Fact]
    public void Labels_above_255_and_above_32767_widen_the_stored_type()
    {
        using var tmp = new TempDir();
        var g = ImageGeometry.AxisAligned(new VolumeSize(3, 1, 1), new Vector3D(1, 1, 1));
        foreach (var (top, type) in new[] { (300, "short"), (70000, "int") })
        {
            var path = tmp.File($"w{top}.seg.nrrd");
            NrrdWriter.WriteSegmentation(path, new LabelMap(new Volume<int>(g, [0, 5, top]), new LabelTable()));
            var (json, voxels) = ReadWithNumpy(path);
            Assert.Equal(type, (string)json["fields"]!["type"]!);
            Assert.Equal(new double[] { 0, 5, top }, voxels);
        }
    }

    [Fact]
    public void A_negative_label_is_refused_naming_the_voxel_and_nothing_is_written()
    {
        using var tmp = new TempDir();
        var g = ImageGeometry.AxisAligned(new VolumeSize(3, 2, 1), new Vector3D(1, 1, 1));
        var path = tmp.File("neg.seg.nrrd");
        var ex = Assert.Throws<ImagingException>(() => NrrdWriter.WriteSegmentation(path, new LabelMap(new Volume<int>(g, [0, 1, 0, 0, -3, 0]), new LabelTable())));
        Assert.Equal("LC-NRRD-011", ex.Code);
        Assert.Contains("(1, 1, 0)", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(tmp.PathName));
    }

    [Fact]
    public void An_existing_file_is_replaced_whole_and_no_temporary_file_is_left()
    {
        using var tmp = new TempDir();
        var path = tmp.File("out.nrrd");
        File.WriteAllText(path, "old content that is not NRRD");
        NrrdWriter.Write(path, new Volume<byte>(ImageGeometry.AxisAligned(new VolumeSize(2, 2, 2), new Vector3D(1, 1, 1))));
        Assert.Equal([path], Directory.GetFiles(tmp.PathName));
        Assert.Equal(8, NrrdReader.Load(path).StoredVoxels.Length);
    }

    [Fact]
    public void A_plain_nrrd_with_a_label_table_lists_only_the_labels_present()
    {
        using var tmp = new TempDir();
        var map = LiverMap();
        var path = tmp.File("labels.nrrd");
        NrrdWriter.Write(path, map.Labels, new NrrdWriteOptions { LabelTable = map.Table });
        var (json, _) = ReadWithNumpy(path);
        Assert.Equal("int", (string)json["fields"]!["type"]!);
        Assert.Equal("Label 7", (string)json["kv"]!["Segment2_Name"]!);
        Assert.Null(json["kv"]!["Segment3_Name"]);
        Assert.Equal(LabelRole.Tumour, NrrdReader.Load(path).LabelTable!.Find(2)!.Role);
    }

    [Fact]
    public void Escapes_follow_the_spec_both_ways()
    {
        Assert.Equal(@"a\\b\nc d", NrrdWriter.Escape("a\\b\nc\td"));
        Assert.Equal("a\\b\nc", NrrdReader.Unescape(@"a\\b\nc"));
        Assert.Equal(@"keep \t as is", NrrdReader.Unescape(@"keep \t as is"));
    }
}
