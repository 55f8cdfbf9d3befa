using System.Globalization;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Formats.Nrrd;

/// <summary>Choices for writing a NRRD file.</summary>
public sealed record NrrdWriteOptions
{
    /// <summary>Gzip the voxel data (<c>encoding: gzip</c>, the default, as 3D Slicer writes); false writes <c>encoding: raw</c>.</summary>
    public bool Gzip { get; init; } = true;

    /// <summary>Segment names, roles and colours to write as <c>SegmentN_*</c> keys with a plain image (a label map saved as
    /// <c>.nrrd</c>); ignored by <see cref="NrrdWriter.WriteSegmentation"/>, which takes the table from its label map.</summary>
    public LabelTable? LabelTable { get; init; }
}

/// <summary>
/// Writes NRRD (attached data, <c>NRRD0004</c>) that <see cref="NrrdReader"/> reads back exactly and 3D Slicer opens:
/// <c>space: left-posterior-superior</c>, <c>space directions</c> = direction columns × spacing, <c>space origin</c> = the
/// centre of voxel (0,0,0), numbers in shortest round-trip form, little-endian, raw or gzip. A scaled image (DICOM
/// slope/intercept) is written as its values: NRRD has no standard scaling field. <see cref="WriteSegmentation"/> writes a
/// Slicer <c>.seg.nrrd</c> (one layer, one segment per label value present) whose segments carry name, colour, label value,
/// extent, ID and a <c>LocalControlRole:</c> tag. Output goes to a temporary file renamed over the target when complete.
/// See docs/formats/nrrd.md.
/// </summary>
public static class NrrdWriter
{
    /// <summary>The tag key that carries a segment's role (<c>SegmentN_Tags:=LocalControlRole:tumour|</c>).</summary>
    public const string RoleTag = "LocalControlRole";

    // Display colours (0xRRGGBB) by role, close to 3D Slicer's generic anatomy colours, so a map looks familiar.
    private static readonly Dictionary<LabelRole, int> RoleColours = new()
    {
        [LabelRole.Liver] = 0xDD8265,
        [LabelRole.Tumour] = 0xF1D691,
        [LabelRole.Vessel] = 0xD8654F,
        [LabelRole.PortalVein] = 0x0097CE,
        [LabelRole.HepaticVein] = 0x0067A8,
        [LabelRole.Hilum] = 0xB17A65,
        [LabelRole.BileDuct] = 0x2CB25B,
        [LabelRole.Lung] = 0xC5EFF5,
        [LabelRole.Bone] = 0xF1D6B4,
        [LabelRole.AblationZone] = 0xFF7F00,
        [LabelRole.Bowel] = 0xFFC6A6,
        [LabelRole.Gallbladder] = 0x8BBB5B,
        [LabelRole.Stomach] = 0xD8846E,
        [LabelRole.Heart] = 0xCE6E54,
    };

    // The fixed palette for everything else, by the segment's position (distinct hues, never black or white).
    private static readonly int[] Palette =
    [
        0x80AE80, 0xF1D691, 0xB17A65, 0x6FB8D2, 0xD8654F, 0xDD8265, 0x90EE90, 0xC0687D,
        0xDCF514, 0x4E3F00, 0xFFFADC, 0xE6DCC8, 0xC8C8EB, 0xFA5A5A, 0x9B7F5F, 0x3A7D95,
    ];

    /// <summary>Writes a typed volume (byte, sbyte, short, ushort, int, uint, long, ulong, float or double).</summary>
    public static void Write<T>(string path, Volume<T> volume, NrrdWriteOptions? options = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(volume);
        var info = new ImageInfo("nrrd", path, volume.Geometry, NiftiWriter.TypeOf<T>());
        Write(path, new LoadedImage(info, volume.Buffer), options);
    }

    /// <summary>Writes an image: stored type and extra dimensions kept; a scaled image as its values (see the type summary).</summary>
    public static void Write(string path, LoadedImage image, NrrdWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(image);
        options ??= new NrrdWriteOptions();
        var (type, voxels) = image.Info.IsScaled ? ApplyScaling(image) : (image.Info.StoredType, image.StoredVoxels);
        var header = new StringBuilder();
        AppendImageFields(header, image.Info.Geometry, type, image.Info.ExtraDimensions, options.Gzip);
        if (options.LabelTable is { } table)
        {
            AppendSegments(header, SegmentsPresent(image, type, table), extentPerSegment: false);
        }

        WriteFile(path, header, voxels, options.Gzip);
    }

    /// <summary>
    /// Writes a 3D Slicer segmentation (<c>.seg.nrrd</c>): the labels as unsigned char, short or int (the smallest that holds
    /// them), one segment per label value present in the voxels with its name, role and colour from the map's table
    /// (a value the table lacks becomes "Label N", role other). A negative label cannot be a Slicer segment: refused.
    /// </summary>
    public static void WriteSegmentation(string path, LabelMap map, NrrdWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(map);
        options ??= new NrrdWriteOptions();
        var labels = map.Labels;
        var src = labels.Buffer;
        var boxes = LabelBoxes(labels, path);
        var max = boxes.Count == 0 ? 0 : boxes.Keys.Max();
        VoxelType type;
        Array voxels;
        if (max <= byte.MaxValue)
        {
            type = VoxelType.UInt8;
            var narrow = new byte[src.Length];
            for (var n = 0; n < src.Length; n++)
            {
                narrow[n] = (byte)src[n];
            }

            voxels = narrow;
        }
        else if (max <= short.MaxValue)
        {
            type = VoxelType.Int16;
            var narrow = new short[src.Length];
            for (var n = 0; n < src.Length; n++)
            {
                narrow[n] = (short)src[n];
            }

            voxels = narrow;
        }
        else
        {
            type = VoxelType.Int32;
            voxels = src;
        }

        var header = new StringBuilder();
        AppendImageFields(header, labels.Geometry, type, [], options.Gzip);
        Key(header, "Segmentation_MasterRepresentation", "Binary labelmap");
        Key(header, "Segmentation_ContainedRepresentationNames", "Binary labelmap|");
        Key(header, "Segmentation_ReferenceImageExtentOffset", "0 0 0");
        var segments = SegmentsOf([.. boxes.Keys.Order()], map.Table);
        for (var n = 0; n < segments.Count; n++)
        {
            segments[n] = segments[n] with { Box = boxes[segments[n].Entry.Value] };
        }

        AppendSegments(header, segments, extentPerSegment: true);
        WriteFile(path, header, voxels, options.Gzip);
    }

    /// <summary>The colour a segment is written with: the table's, else its role's, else the palette's entry <paramref name="index"/>.</summary>
    public static int ColourFor(LabelEntry entry, int index)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.ColourRgb ?? (RoleColours.TryGetValue(entry.Role, out var c) ? c : Palette[index % Palette.Length]);
    }

    /// <summary>Escapes a key/value string as the NRRD spec asks: backslash as <c>\\</c>, newline as <c>\n</c>; other control characters become spaces.</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length);
        foreach (var ch in value)
        {
            sb.Append(ch switch
            {
                '\\' => @"\\",
                '\n' => @"\n",
                < ' ' or '\u007f' => " ",
                _ => ch.ToString(),
            });
        }

        return sb.ToString();
    }

    private sealed record Segment(LabelEntry Entry, int Index, (int I0, int I1, int J0, int J1, int K0, int K1)? Box = null);

    private static List<Segment> SegmentsOf(LabelTable table) => [.. table.Entries.Select((e, n) => new Segment(e, n))];

    private static List<Segment> SegmentsOf(IReadOnlyList<int> values, LabelTable table)
    {
        var list = new List<Segment>(values.Count);
        foreach (var v in values)
        {
            var entry = table.Find(v) ?? new LabelEntry(v, "Label " + v.ToString(CultureInfo.InvariantCulture), LabelRole.Other);
            list.Add(new Segment(entry, list.Count));
        }

        return list;
    }

    private static void AppendSegments(StringBuilder h, List<Segment> segments, bool extentPerSegment)
    {
        for (var n = 0; n < segments.Count; n++)
        {
            var s = segments[n];
            var p = $"Segment{n.ToString(CultureInfo.InvariantCulture)}_";
            var rgb = ColourFor(s.Entry, s.Index);
            Key(h, p + "Color", string.Join(' ', new[] { (rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF }.Select(c => Number(c / 255.0))));
            Key(h, p + "ColorAutoGenerated", s.Entry.ColourRgb is null ? "1" : "0");
            if (extentPerSegment && s.Box is { } b)
            {
                Key(h, p + "Extent", FormattableString.Invariant($"{b.I0} {b.I1} {b.J0} {b.J1} {b.K0} {b.K1}"));
            }

            Key(h, p + "ID", "Segment_" + s.Entry.Value.ToString(CultureInfo.InvariantCulture));
            Key(h, p + "LabelValue", s.Entry.Value.ToString(CultureInfo.InvariantCulture));
            Key(h, p + "Layer", "0");
            Key(h, p + "Name", s.Entry.Name);
            Key(h, p + "NameAutoGenerated", "0");
            Key(h, p + "Tags", $"{RoleTag}:{s.Entry.Role.Name()}|");
        }
    }

    private static void AppendImageFields(StringBuilder h, ImageGeometry g, VoxelType type, IReadOnlyList<int> extra, bool gzip)
    {
        var dims = new List<int> { g.Size.I, g.Size.J, g.Size.K };
        dims.AddRange(extra);
        h.Append("NRRD0004\n");
        h.Append("# Complete NRRD file format specification at:\n");
        h.Append("# http://teem.sourceforge.net/nrrd/format.html\n");
        h.Append("# Written by LocalControl\n");
        h.Append("type: ").Append(TypeName(type)).Append('\n');
        h.Append("dimension: ").Append(dims.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        h.Append("space: left-posterior-superior\n");
        h.Append("sizes: ").Append(string.Join(' ', dims.Select(d => d.ToString(CultureInfo.InvariantCulture)))).Append('\n');
        h.Append("space directions:");
        for (var c = 0; c < 3; c++)
        {
            var col = g.Direction.Column(c) * g.SpacingMm[c];
            h.Append(" (").Append(Number(col.X)).Append(',').Append(Number(col.Y)).Append(',').Append(Number(col.Z)).Append(')');
        }

        h.Append(string.Concat(extra.Select(_ => " none"))).Append('\n');
        h.Append("kinds: domain domain domain").Append(string.Concat(extra.Select(_ => " list"))).Append('\n');
        if (type.SizeInBytes() > 1)
        {
            h.Append("endian: little\n");
        }

        h.Append("encoding: ").Append(gzip ? "gzip" : "raw").Append('\n');
        var o = g.OriginLps;
        h.Append("space origin: (").Append(Number(o.X)).Append(',').Append(Number(o.Y)).Append(',').Append(Number(o.Z)).Append(")\n");
    }

    private static void Key(StringBuilder h, string key, string value) => h.Append(key).Append(":=").Append(Escape(value)).Append('\n');

    private static void WriteFile(string path, StringBuilder header, Array voxels, bool gzip)
    {
        header.Append('\n');
        var headerBytes = new UTF8Encoding(false).GetBytes(header.ToString());
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The NRRD writer writes little-endian data from a little-endian machine only.");
        }

        Core.IO.OutputFiles.Write(path, file =>
        {
            file.Write(headerBytes);
            if (gzip)
            {
                using var gz = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
                gz.Write(NiftiReaderCore.AsBytes(voxels));
            }
            else
            {
                file.Write(NiftiReaderCore.AsBytes(voxels));
            }
        });
    }

    /// <summary>Shortest text that parses back to exactly <paramref name="v"/>; -0 as 0.</summary>
    private static string Number(double v) => (v + 0.0).ToString("R", CultureInfo.InvariantCulture);

    private static string TypeName(VoxelType type) => type switch
    {
        VoxelType.UInt8 => "unsigned char",
        VoxelType.Int8 => "signed char",
        VoxelType.Int16 => "short",
        VoxelType.UInt16 => "unsigned short",
        VoxelType.Int32 => "int",
        VoxelType.UInt32 => "unsigned int",
        VoxelType.Int64 => "long long",
        VoxelType.UInt64 => "unsigned long long",
        VoxelType.Float32 => "float",
        _ => "double",
    };

    /// <summary>Per label value present (&gt; 0), its inclusive voxel bounding box; a negative label is refused.</summary>
    private static Dictionary<int, (int I0, int I1, int J0, int J1, int K0, int K1)> LabelBoxes(Volume<int> labels, string path)
    {
        var boxes = new Dictionary<int, (int I0, int I1, int J0, int J1, int K0, int K1)>();
        var size = labels.Size;
        var src = labels.Buffer;
        var n = 0L;
        for (var k = 0; k < size.K; k++)
        {
            for (var j = 0; j < size.J; j++)
            {
                var row = src.AsSpan((int)n, size.I);
                n += size.I;
                for (var i = 0; i < row.Length; i++)
                {
                    var v = row[i];
                    if (v == 0)
                    {
                        continue;
                    }

                    if (v < 0)
                    {
                        throw new ImagingException("LC-NRRD-011", FormattableString.Invariant($"voxel ({i}, {j}, {k}) holds label {v}: a Slicer segment needs a label value above 0."), path, "labels");
                    }

                    if (boxes.TryGetValue(v, out var b))
                    {
                        boxes[v] = (Math.Min(b.I0, i), Math.Max(b.I1, i), Math.Min(b.J0, j), Math.Max(b.J1, j), b.K0, k);
                    }
                    else
                    {
                        boxes[v] = (i, i, j, j, k, k);
                    }
                }
            }
        }

        return boxes;
    }

    /// <summary>The table's entries for the label values present in an integer single-frame image (plus "Label N" for
    /// values the table lacks); every entry of the table when the image is not a label map.</summary>
    private static List<Segment> SegmentsPresent(LoadedImage image, VoxelType type, LabelTable table)
    {
        if (!type.IsInteger() || image.Info.FrameCount != 1)
        {
            return SegmentsOf(table);
        }

        Volume<int> labels;
        try
        {
            labels = image.ToLabelVolume();
        }
        catch (ImagingException)
        {
            return SegmentsOf(table); // values beyond int32: not a label map; keep the table as given
        }

        var seen = new HashSet<int>();
        foreach (var v in labels.Buffer)
        {
            if (v > 0)
            {
                seen.Add(v);
            }
        }

        return SegmentsOf([.. seen.Order()], table);
    }

    /// <summary>The values (stored × slope + intercept) in the narrowest type that holds them exactly: the stored integer
    /// type, else int16, else int32 when every value is whole; float64 otherwise.</summary>
    private static (VoxelType Type, Array Voxels) ApplyScaling(LoadedImage image)
    {
        var slope = image.Info.ScaleSlope;
        var inter = image.Info.ScaleIntercept;
        var src = image.StoredVoxels;
        var t = src.GetType();
        return t == typeof(byte[]) ? Scale((byte[])src, slope, inter, image.Info.StoredType)
            : t == typeof(sbyte[]) ? Scale((sbyte[])src, slope, inter, image.Info.StoredType)
            : t == typeof(short[]) ? Scale((short[])src, slope, inter, image.Info.StoredType)
            : t == typeof(ushort[]) ? Scale((ushort[])src, slope, inter, image.Info.StoredType)
            : t == typeof(int[]) ? Scale((int[])src, slope, inter, image.Info.StoredType)
            : t == typeof(uint[]) ? Scale((uint[])src, slope, inter, image.Info.StoredType)
            : t == typeof(long[]) ? Scale((long[])src, slope, inter, image.Info.StoredType)
            : t == typeof(ulong[]) ? Scale((ulong[])src, slope, inter, image.Info.StoredType)
            : t == typeof(float[]) ? Scale((float[])src, slope, inter, image.Info.StoredType)
            : Scale((double[])src, slope, inter, image.Info.StoredType);
    }

    private static (VoxelType, Array) Scale<T>(T[] src, double slope, double inter, VoxelType stored)
        where T : unmanaged, INumberBase<T>
    {
        var whole = true;
        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        foreach (var s in src)
        {
            var v = double.CreateTruncating(s) * slope + inter;
            whole &= v == Math.Floor(v);
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        if (!whole || src.Length == 0)
        {
            return (VoxelType.Float64, Fill<T, double>(src, slope, inter));
        }

        if (stored is VoxelType.UInt8 && min >= byte.MinValue && max <= byte.MaxValue)
        {
            return (VoxelType.UInt8, Fill<T, byte>(src, slope, inter));
        }

        if (stored is VoxelType.UInt16 && min >= ushort.MinValue && max <= ushort.MaxValue)
        {
            return (VoxelType.UInt16, Fill<T, ushort>(src, slope, inter));
        }

        if (min >= short.MinValue && max <= short.MaxValue)
        {
            return (VoxelType.Int16, Fill<T, short>(src, slope, inter));
        }

        if (min >= int.MinValue && max <= int.MaxValue)
        {
            return (VoxelType.Int32, Fill<T, int>(src, slope, inter));
        }

        return (VoxelType.Float64, Fill<T, double>(src, slope, inter));
    }

    private static TOut[] Fill<TIn, TOut>(TIn[] src, double slope, double inter)
        where TIn : unmanaged, INumberBase<TIn>
        where TOut : unmanaged, INumberBase<TOut>
    {
        var dst = new TOut[src.Length];
        for (var n = 0; n < src.Length; n++)
        {
            dst[n] = TOut.CreateTruncating(double.CreateTruncating(src[n]) * slope + inter);
        }

        return dst;
    }
}
