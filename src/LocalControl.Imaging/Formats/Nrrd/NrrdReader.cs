using System.Globalization;
using System.IO.Compression;
using System.Text;
using LocalControl.Imaging.Formats.Nifti;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Formats.Nrrd;

/// <summary>
/// Reads NRRD (attached .nrrd or detached .nhdr) with raw, gzip or ascii encoding, either byte order, into LPS
/// geometry; 3D Slicer segment names and label values become a <see cref="LabelTable"/>.
/// Error codes LC-NRRD-001…; see docs/formats/nrrd.md.
/// </summary>
public static class NrrdReader
{
    private const int MaxHeaderBytes = 1 << 20;

    /// <summary>Reads only the header (the data, gzip or not, is not touched).</summary>
    public static ImageInfo Identify(string path) => Identify(path, ImagingReadOptions.Default);

    /// <summary>Reads only the header within <paramref name="options"/>: budget, and the path rule for a detached data file.</summary>
    public static ImageInfo Identify(string path, ImagingReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Describe(ReadHeader(path), path, options).Info;
    }

    /// <summary>Reads the header and the voxels.</summary>
    public static LoadedImage Load(string path) => Load(path, ImagingReadOptions.Default);

    /// <summary>Reads the header and the voxels within <paramref name="options"/>: the claim is checked before allocating.</summary>
    public static LoadedImage Load(string path, ImagingReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        var header = ReadHeader(path);
        var layout = Describe(header, path, options);
        var voxels = ReadVoxels(layout, header, options);
        return new LoadedImage(layout.Info, voxels) { LabelTable = SlicerLabelTable(header) };
    }

    /// <summary>Parses the header lines up to the blank line that ends them.</summary>
    public static NrrdHeader ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = ImagingFiles.OpenRegular(path);
        var buffer = new byte[(int)Math.Min(MaxHeaderBytes, file.Length)];
        var got = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var span = buffer.AsSpan(0, got);
        if (got < 8 || !span[..4].SequenceEqual("NRRD"u8) || !char.IsAsciiDigit((char)span[4]))
        {
            Throw("LC-NRRD-001", "not a NRRD file (the first line must be NRRD000n).", path, null, 0);
        }

        var header = new NrrdHeader();
        var fieldLines = new Dictionary<string, int>(StringComparer.Ordinal);
        var pos = 0;
        var lineNumber = 0;
        while (true)
        {
            var nl = span[pos..].IndexOf((byte)'\n');
            if (nl < 0)
            {
                if (got >= MaxHeaderBytes)
                {
                    Throw("LC-NRRD-002", "the header is longer than 1 MiB or never ends.", path, null, pos);
                }

                // Detached header without a final newline: the rest is the last line.
                nl = span.Length - pos;
            }

            var line = DecodeLine(span.Slice(pos, nl)).TrimEnd('\r');
            var lineStart = pos;
            pos = Math.Min(span.Length, pos + nl + 1);
            lineNumber++;
            if (lineNumber == 1)
            {
                header.Magic = line.Trim();
                continue;
            }

            if (line.Length == 0)
            {
                break;
            }

            if (line.StartsWith('#'))
            {
                if (pos >= span.Length)
                {
                    break;
                }

                continue;
            }

            var kv = line.IndexOf(":=", StringComparison.Ordinal);
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (kv >= 0 && (colon < 0 || kv < colon))
            {
                var key = line[..kv];
                RefuseDuplicate(fieldLines, "key " + key, key, lineNumber, path, lineStart);
                header.KeyValues[key] = Unescape(line[(kv + 2)..]);
            }
            else if (colon > 0)
            {
                // Field names are case-insensitive and "datafile" is the old spelling of "data file": one entry each.
                var field = line[..colon].Trim().ToLowerInvariant();
                var canonical = field == "datafile" ? "data file" : field;
                RefuseDuplicate(fieldLines, "field " + canonical, field, lineNumber, path, lineStart);
                header.Fields[canonical] = line[(colon + 2)..].Trim();
            }
            else
            {
                Throw("LC-NRRD-002", $"header line {lineNumber} is neither \"field: value\" nor \"key:=value\".", path, null, lineStart);
            }

            if (pos >= span.Length)
            {
                break;
            }
        }

        header.DataOffset = pos;
        return header;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>A header line as text: UTF-8 (3D Slicer writes segment names so), Latin-1 when the bytes are not valid UTF-8.</summary>
    private static string DecodeLine(ReadOnlySpan<byte> bytes)
    {
        if (!bytes.ContainsAnyExceptInRange((byte)0, (byte)0x7F))
        {
            return Encoding.ASCII.GetString(bytes);
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(bytes);
        }
    }

    /// <summary>Undoes the spec's key/value escapes: <c>\n</c> is a newline, <c>\\</c> a backslash; any other backslash is kept.</summary>
    public static string Unescape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var sb = new StringBuilder(value.Length);
        for (var n = 0; n < value.Length; n++)
        {
            if (value[n] == '\\' && n + 1 < value.Length && value[n + 1] is 'n' or '\\')
            {
                sb.Append(value[n + 1] == 'n' ? '\n' : '\\');
                n++;
            }
            else
            {
                sb.Append(value[n]);
            }
        }

        return sb.ToString();
    }

    /// <summary>A field or key given twice is refused, naming both lines: the last one must not win silently.</summary>
    private static void RefuseDuplicate(Dictionary<string, int> seen, string id, string name, int lineNumber, string path, long offset)
    {
        if (seen.TryGetValue(id, out var first))
        {
            Throw("LC-NRRD-002", $"\"{ImagingFiles.Shown(name)}\" is given twice, on header lines {first} and {lineNumber}; refusing to guess which one is meant.", path, ImagingFiles.Shown(name), offset);
        }

        seen[id] = lineNumber;
    }

    private sealed record Layout(ImageInfo Info, bool BigEndian, string Encoding, string DataPath, long ByteSkip, int LineSkip, bool Attached, long Count);

    private static Layout Describe(NrrdHeader h, string path, ImagingReadOptions options)
    {
        var warnings = new List<ImagingWarning>();
        var type = ParseType(Required(h, "type", path), path);
        var dimension = ParseInt(Required(h, "dimension", path), "dimension", path);
        if (dimension is < 1 or > 16)
        {
            Throw("LC-NRRD-003", $"dimension {dimension} is outside 1…16.", path, "dimension");
        }

        var sizeParts = Split(Required(h, "sizes", path));
        if (sizeParts.Length != dimension)
        {
            Throw("LC-NRRD-003", $"sizes lists {sizeParts.Length} numbers for dimension {dimension}.", path, "sizes");
        }

        var sizes = new long[dimension];
        long count = 1;
        for (var a = 0; a < dimension; a++)
        {
            sizes[a] = ParseLong(sizeParts[a], "sizes", path);
            if (sizes[a] < 1 || sizes[a] > int.MaxValue)
            {
                Throw("LC-NRRD-003", sizes[a] < 1 ? $"sizes[{a}] is {sizes[a]}; sizes must be at least 1." : $"sizes[{a}] is {sizes[a]}; sizes must be at most 2147483647.", path, "sizes");
            }

            count *= sizes[a];
            if (count > NiftiReaderCore.MaxDataBytes)
            {
                Throw("LC-NRRD-004", "the header claims more voxels than the 2 GiB limit; refusing to read.", path, "sizes");
            }
        }

        options.Budget.CheckVoxels(count, type.SizeInBytes(), path, "sizes");
        if (count * type.SizeInBytes() > NiftiReaderCore.MaxDataBytes)
        {
            Throw("LC-NRRD-004", $"the header claims {count * type.SizeInBytes()} bytes of voxels, above the 2 GiB limit.", path, "sizes");
        }

        // Which axes are spatial: those with a space direction vector (or a finite spacing).
        var directions = new Vector3D?[dimension];
        var origin = Vector3D.Zero;
        var flip = SpaceFlip(h, path, warnings);
        if (h.Field("space directions") is { } dirs)
        {
            var parts = SplitVectors(dirs);
            if (parts.Count != dimension)
            {
                Throw("LC-NRRD-005", $"space directions lists {parts.Count} entries for dimension {dimension}.", path, "space directions");
            }

            for (var a = 0; a < dimension; a++)
            {
                if (parts[a] == "none")
                {
                    continue;
                }

                var v = ParseVector(parts[a], "space directions", path);
                directions[a] = new Vector3D(v.X * flip.X, v.Y * flip.Y, v.Z * flip.Z);
            }

            if (h.Field("space origin") is { } o)
            {
                var v = ParseVector(o, "space origin", path);
                origin = new Vector3D(v.X * flip.X, v.Y * flip.Y, v.Z * flip.Z);
            }
        }
        else
        {
            var spacings = h.Field("spacings") is { } sp ? Split(sp) : [];
            if (spacings.Length != 0 && spacings.Length != dimension)
            {
                Throw("LC-NRRD-006", $"spacings lists {spacings.Length} numbers for dimension {dimension}.", path, "spacings");
            }

            var kinds = h.Field("kinds") is { } k ? Split(k.ToLowerInvariant()) : [];
            var spatial = 0;
            for (var a = 0; a < dimension; a++)
            {
                var s = 1.0; // no spacing information at all: unit voxels (warned below)
                if (spacings.Length > 0 && spacings[a].Equals("nan", StringComparison.OrdinalIgnoreCase)
                    && a < kinds.Length && kinds[a] is not ("domain" or "space" or "???" or "none"))
                {
                    continue; // an axis the header itself calls non-spatial (list, vector, RGB-color …)
                }

                if (spacings.Length > 0)
                {
                    // NaN (no spacing), zero, negative or unreadable voxel sizes are refused: never silently 1 mm.
                    if (!double.TryParse(spacings[a], NumberStyles.Float, CultureInfo.InvariantCulture, out s) || !double.IsFinite(s) || s <= 0)
                    {
                        Throw("LC-NRRD-006", $"spacings[{a}] is \"{Truncate(spacings[a])}\": the voxel size along axis {a} must be a finite number of millimetres above 0.", path, "spacings");
                    }
                }

                var axis = spatial++;
                directions[a] = new Vector3D(axis == 0 ? s : 0, axis == 1 ? s : 0, axis == 2 ? s : 0);
            }

            if (spacings.Length == 0)
            {
                warnings.Add(new ImagingWarning("LC-NRRD-W01", "no space directions and no spacings: unit spacing and zero origin assumed; the position in the patient is unknown."));
            }
        }

        var spatialAxes = Enumerable.Range(0, dimension).Where(a => directions[a] is not null).ToList();
        if (spatialAxes.Count is < 1 or > 3)
        {
            Throw("LC-NRRD-005", $"{spatialAxes.Count} spatial axes; 1 to 3 are supported.", path, "space directions");
        }

        // Spatial axes must come first (non-spatial axes of size 1 may sit anywhere).
        var extra = new List<int>();
        var seenNonSpatial = false;
        for (var a = 0; a < dimension; a++)
        {
            if (directions[a] is null)
            {
                if (sizes[a] > 1)
                {
                    seenNonSpatial = true;
                    extra.Add((int)sizes[a]);
                }
            }
            else if (seenNonSpatial)
            {
                Throw("LC-NRRD-005", "a non-spatial axis (e.g. segmentation layers) varies faster than a spatial axis; not supported.", path, "kinds");
            }
        }

        var size = new int[3] { 1, 1, 1 };
        var cols = new Vector3D[3];
        for (var n = 0; n < spatialAxes.Count; n++)
        {
            size[n] = (int)sizes[spatialAxes[n]];
            cols[n] = directions[spatialAxes[n]]!.Value;
        }

        // Fill missing axes (1-D or 2-D images) with unit vectors orthogonal to the given ones, and say so.
        if (spatialAxes.Count < 3)
        {
            warnings.Add(new ImagingWarning("LC-NRRD-W03", $"only {spatialAxes.Count} spatial axis/axes: the missing one(s) are taken as 1 mm thick; distances along them are not physical."));
            var basis = new[] { new Vector3D(1, 0, 0), new Vector3D(0, 1, 0), new Vector3D(0, 0, 1) };
            for (var n = spatialAxes.Count; n < 3; n++)
            {
                cols[n] = MissingAxis(cols, n, basis);
            }
        }

        var spacing = new double[3];
        for (var n = 0; n < 3; n++)
        {
            spacing[n] = cols[n].Length;
            if (!double.IsFinite(spacing[n]) || spacing[n] <= 0)
            {
                Throw("LC-NRRD-006", $"space direction of axis {n} has zero or non-finite length: the spacing is unusable.", path, "space directions");
            }

            cols[n] = cols[n] * (1 / spacing[n]);
        }

        if (!origin.IsFinite)
        {
            Throw("LC-NRRD-006", "space origin is not finite.", path, "space origin");
        }

        var direction = Matrix3D.FromColumns(cols[0], cols[1], cols[2]);
        if (!direction.IsFinite || Math.Abs(direction.Determinant) < 1e-6)
        {
            Throw("LC-NRRD-006", "the space directions are parallel or not finite.", path, "space directions");
        }

        var geometry = GeometryGuard.Create(new VolumeSize(size[0], size[1], size[2]), new Vector3D(spacing[0], spacing[1], spacing[2]), origin, direction, "LC-NRRD-006", path, "space directions");
        var encoding = Required(h, "encoding", path).ToLowerInvariant();
        encoding = encoding switch
        {
            "raw" => "raw",
            "gzip" or "gz" => "gzip",
            "ascii" or "text" or "txt" => "ascii",
            _ => Throw<string>("LC-NRRD-007", $"encoding \"{encoding}\" is not supported (raw, gzip and ascii are).", path, "encoding"),
        };
        var endian = h.Field("endian")?.ToLowerInvariant();
        if (endian is null && type.SizeInBytes() > 1 && encoding != "ascii")
        {
            Throw("LC-NRRD-003", "endian is required for multi-byte types.", path, "endian");
        }

        if (endian is not null and not "little" and not "big")
        {
            Throw("LC-NRRD-003", $"endian \"{endian}\" must be little or big.", path, "endian");
        }

        var byteSkip = h.Field("byte skip") is { } bs ? ParseLong(bs, "byte skip", path) : 0;
        if (byteSkip < -1 || (byteSkip == -1 && encoding != "raw"))
        {
            Throw("LC-NRRD-003", $"byte skip {byteSkip} is invalid (only raw data may use -1).", path, "byte skip");
        }

        var lineSkip = h.Field("line skip") is { } ls ? ParseInt(ls, "line skip", path) : 0;
        if (lineSkip < 0)
        {
            Throw("LC-NRRD-003", "line skip must be ≥ 0.", path, "line skip");
        }

        var dataFile = h.Field("data file");
        var attached = dataFile is null;
        var dataPath = path;
        if (!attached)
        {
            if (dataFile!.StartsWith("LIST", StringComparison.Ordinal) || dataFile.Contains(' ', StringComparison.Ordinal))
            {
                Throw("LC-NRRD-007", "multi-file data (\"data file: LIST\" or a format string) is not supported.", path, "data file");
            }

            // The path rule: inside the header's folder, a regular file, no link out (messages reveal nothing outside).
            dataPath = ImagingFiles.ResolveCompanion(path, dataFile, options, "data file");
        }

        var info = new ImageInfo("nrrd", path, geometry, type, extra, 1, 0, warnings);
        return new Layout(info, endian == "big", encoding, dataPath, byteSkip, lineSkip, attached, count);
    }

    /// <summary>A unit axis orthogonal to the first <paramref name="n"/> given ones: the first basis vector that is
    /// (axis-aligned input), else one built by Gram–Schmidt / the cross product (an oblique direction has none).</summary>
    private static Vector3D MissingAxis(Vector3D[] cols, int n, Vector3D[] basis)
    {
        foreach (var b in basis)
        {
            var orthogonal = true;
            for (var m = 0; m < n; m++)
            {
                orthogonal &= Math.Abs(cols[m].Dot(b)) < 1e-9 * cols[m].Length;
            }

            if (orthogonal)
            {
                return b;
            }
        }

        if (n == 2)
        {
            var normal = cols[0].Cross(cols[1]);
            return normal * (1 / normal.Length);
        }

        var given = cols[0] * (1 / cols[0].Length);
        var pick = basis[0];
        foreach (var b in basis)
        {
            pick = Math.Abs(given.Dot(b)) < Math.Abs(given.Dot(pick)) ? b : pick;
        }

        var rest = pick - (given * given.Dot(pick));
        return rest * (1 / rest.Length);
    }

    private static Array ReadVoxels(Layout layout, NrrdHeader header, ImagingReadOptions options)
    {
        var path = layout.DataPath;
        using var file = ImagingFiles.OpenRegular(path);
        long start = 0;
        if (layout.Attached)
        {
            start = header.DataOffset;
        }

        file.Position = start;
        var fileLength = file.Length;
        // line skip counts lines of the (still encoded) data file; byte skip counts decoded bytes (spec).
        for (var n = 0; n < layout.LineSkip; n++)
        {
            int b;
            while ((b = file.ReadByte()) != '\n')
            {
                if (b < 0)
                {
                    Throw("LC-NRRD-009", $"line skip {layout.LineSkip} runs past the end of the data file.", path, "line skip", file.Position);
                }
            }
        }

        var type = layout.Info.StoredType;
        var dataBytes = layout.Count * type.SizeInBytes();
        var remaining = fileLength - file.Position;
        var array = NiftiReaderCore.Allocate(type, 0);
        switch (layout.Encoding)
        {
            case "raw":
            {
                if (layout.ByteSkip == -1)
                {
                    // "byte skip: -1" reads the data from the end: the file must hold that many bytes after the header.
                    if (fileLength - dataBytes < file.Position)
                    {
                        Throw("LC-NRRD-009", $"the header claims {dataBytes} bytes of voxels but the file holds {Math.Max(0, remaining)} after the header.", path, "sizes", fileLength);
                    }

                    file.Position = fileLength - dataBytes;
                    remaining = dataBytes;
                }
                else
                {
                    file.Position += layout.ByteSkip;
                    remaining -= layout.ByteSkip;
                }

                if (remaining < dataBytes || file.Position < 0)
                {
                    Throw("LC-NRRD-009", $"the header claims {dataBytes} bytes of voxels but the file holds {Math.Max(0, remaining)} after the header.", path, "sizes", fileLength);
                }

                array = NiftiReaderCore.Allocate(type, layout.Count);
                ReadExactly(file, NiftiReaderCore.AsBytes(array), path, file.Position);
                break;
            }

            case "gzip":
            {
                if (remaining * NiftiReaderCore.MaxDeflateRatio < dataBytes + layout.ByteSkip)
                {
                    Throw("LC-NRRD-009", $"the header claims {dataBytes} decompressed bytes, more than {remaining} gzip bytes can hold.", path, "sizes");
                }

                array = NiftiReaderCore.Allocate(type, layout.Count);
                try
                {
                    using var gz = ImagingFiles.LimitDecoded(new GZipStream(file, CompressionMode.Decompress, leaveOpen: true), Math.Min(options.Budget.MaxDecodedBytes, dataBytes + layout.ByteSkip), path);
                    Skip(gz, layout.ByteSkip, path);
                    // Only the claimed bytes are decompressed: a gzip bomb stops here.
                    ReadExactly(gz, NiftiReaderCore.AsBytes(array), path, null);
                }
                catch (InvalidDataException ex)
                {
                    throw new ImagingException("LC-NRRD-010", "corrupt gzip data: " + ex.Message, path, inner: ex);
                }

                break;
            }

            default:
            {
                // ASCII: each value takes at least two characters (digit and separator), except the last.
                if (remaining < 2 * layout.Count - 1)
                {
                    Throw("LC-NRRD-009", $"the header claims {layout.Count} values but the text holds at most {(remaining + 1) / 2}.", path, "sizes", fileLength);
                }

                options.Budget.CheckBytes(layout.Count * sizeof(double), layout.Info.FilePath, "sizes");
                var values = new double[layout.Count];
                using var reader = new StreamReader(ImagingFiles.LimitDecoded(file, options.Budget.MaxDecodedBytes, path), Encoding.ASCII, false, 1 << 16, leaveOpen: true);
                var text = reader.ReadToEnd();
                var n = 0L;
                foreach (var token in text.Split([' ', '\t', '\n', '\r', ','], StringSplitOptions.RemoveEmptyEntries))
                {
                    if (n >= values.LongLength)
                    {
                        break;
                    }

                    if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out values[n]))
                    {
                        Throw("LC-NRRD-009", $"\"{Truncate(token)}\" is not a number (value {n}).", path, "data");
                    }

                    n++;
                }

                if (n < values.LongLength)
                {
                    Throw("LC-NRRD-009", $"the text holds {n} of the {layout.Count} values the header claims.", path, "sizes");
                }

                array = FromDoubles(type, values);
                return array;
            }
        }

        if (layout.BigEndian == BitConverter.IsLittleEndian)
        {
            NiftiReaderCore.SwapInPlace(array);
        }

        return array;
    }

    private static string Truncate(string s) => s.Length > 20 ? s[..20] + "…" : s;

    private static Array FromDoubles(VoxelType type, double[] v) => type switch
    {
        VoxelType.UInt8 => v.Select(x => (byte)x).ToArray(),
        VoxelType.Int8 => v.Select(x => (sbyte)x).ToArray(),
        VoxelType.Int16 => v.Select(x => (short)x).ToArray(),
        VoxelType.UInt16 => v.Select(x => (ushort)x).ToArray(),
        VoxelType.Int32 => v.Select(x => (int)x).ToArray(),
        VoxelType.UInt32 => v.Select(x => (uint)x).ToArray(),
        VoxelType.Int64 => v.Select(x => (long)x).ToArray(),
        VoxelType.UInt64 => v.Select(x => (ulong)x).ToArray(),
        VoxelType.Float32 => v.Select(x => (float)x).ToArray(),
        _ => v,
    };

    private static void ReadExactly(Stream stream, Span<byte> target, string path, long? offset)
    {
        var got = stream.ReadAtLeast(target, target.Length, throwOnEndOfStream: false);
        if (got < target.Length)
        {
            Throw("LC-NRRD-009", $"the voxel data ends after {got} of {target.Length} bytes.", path, "sizes", offset is { } o ? o + got : null);
        }
    }

    private static void Skip(Stream stream, long count, string path)
    {
        var buffer = new byte[64 * 1024];
        while (count > 0)
        {
            var got = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (got == 0)
            {
                Throw("LC-NRRD-009", "byte skip runs past the end of the data.", path, "byte skip");
            }

            count -= got;
        }
    }

    /// <summary>3D Slicer's segment metadata (<c>SegmentN_Name</c>, <c>SegmentN_LabelValue</c>, <c>SegmentN_Color</c>,
    /// <c>SegmentN_Tags</c>) as a label table. The role is the <c>LocalControlRole:</c> tag our writer puts there, else it
    /// comes from the name.</summary>
    public static LabelTable? SlicerLabelTable(NrrdHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var table = new LabelTable();
        var any = false;
        for (var n = 0; n < 1000; n++)
        {
            if (!header.KeyValues.TryGetValue($"Segment{n}_Name", out var name))
            {
                break;
            }

            if (header.KeyValues.TryGetValue($"Segment{n}_Layer", out var layer) && layer.Trim() != "0")
            {
                continue; // overlapping layers cannot be expressed as one label map
            }

            var value = header.KeyValues.TryGetValue($"Segment{n}_LabelValue", out var lv) && int.TryParse(lv, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : n + 1;
            if (value <= 0)
            {
                continue;
            }

            var role = header.KeyValues.TryGetValue($"Segment{n}_Tags", out var tags) && RoleFromTags(tags) is { } tagged ? tagged
                : LabelRoles.Parse(name) ?? LabelRole.Other;
            var colour = header.KeyValues.TryGetValue($"Segment{n}_Color", out var c) ? ParseColour(c) : null;
            table.Set(new LabelEntry(value, name, role, colour));
            any = true;
        }

        return any ? table : null;
    }

    /// <summary>The role in a Slicer tag list (<c>key:value|key:value|</c>), or null when it has no known <c>LocalControlRole</c>.</summary>
    private static LabelRole? RoleFromTags(string tags)
    {
        foreach (var tag in tags.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = tag.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && tag[..colon] == NrrdWriter.RoleTag)
            {
                return LabelRoles.Parse(tag[(colon + 1)..]);
            }
        }

        return null;
    }

    /// <summary>"r g b" with components in 0…1 (Slicer's <c>SegmentN_Color</c>) as 0xRRGGBB, or null when it is not three such numbers.</summary>
    private static int? ParseColour(string text)
    {
        var parts = Split(text);
        if (parts.Length != 3)
        {
            return null;
        }

        var rgb = 0;
        foreach (var p in parts)
        {
            if (!double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v >= 0 && v <= 1))
            {
                return null;
            }

            rgb = (rgb << 8) | (int)Math.Round(v * 255);
        }

        return rgb;
    }

    private static Vector3D SpaceFlip(NrrdHeader h, string path, List<ImagingWarning> warnings)
    {
        var space = h.Field("space")?.ToLowerInvariant();
        switch (space)
        {
            case null:
                return new Vector3D(1, 1, 1);
            case "left-posterior-superior" or "lps":
                return new Vector3D(1, 1, 1);
            case "right-anterior-superior" or "ras":
                return new Vector3D(-1, -1, 1);
            case "left-anterior-superior" or "las":
                return new Vector3D(1, -1, 1);
            case "scanner-xyz" or "3d-right-handed" or "3d-left-handed":
                warnings.Add(new ImagingWarning("LC-NRRD-W02", $"space \"{space}\" is not anatomical; it is treated as LPS."));
                return new Vector3D(1, 1, 1);
            default:
                return Throw<Vector3D>("LC-NRRD-005", $"space \"{space}\" is not supported (LPS, RAS, LAS).", path, "space");
        }
    }

    private static VoxelType ParseType(string t, string path) => t.Trim().ToLowerInvariant() switch
    {
        "uchar" or "unsigned char" or "uint8" or "uint8_t" => VoxelType.UInt8,
        "signed char" or "int8" or "int8_t" => VoxelType.Int8,
        "short" or "short int" or "signed short" or "signed short int" or "int16" or "int16_t" => VoxelType.Int16,
        "ushort" or "unsigned short" or "unsigned short int" or "uint16" or "uint16_t" => VoxelType.UInt16,
        "int" or "signed int" or "int32" or "int32_t" => VoxelType.Int32,
        "uint" or "unsigned int" or "uint32" or "uint32_t" => VoxelType.UInt32,
        "longlong" or "long long" or "long long int" or "signed long long" or "signed long long int" or "int64" or "int64_t" => VoxelType.Int64,
        "ulonglong" or "unsigned long long" or "unsigned long long int" or "uint64" or "uint64_t" => VoxelType.UInt64,
        "float" => VoxelType.Float32,
        "double" => VoxelType.Float64,
        _ => Throw<VoxelType>("LC-NRRD-003", $"type \"{t}\" is not supported.", path, "type"),
    };

    private static string Required(NrrdHeader h, string field, string path) =>
        h.Field(field) ?? Throw<string>("LC-NRRD-003", $"the required field \"{field}\" is missing.", path, field);

    private static string[] Split(string s) => s.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    private static List<string> SplitVectors(string s)
    {
        var result = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            if (char.IsWhiteSpace(s[i]))
            {
                i++;
                continue;
            }

            if (s[i] == '(')
            {
                var close = s.IndexOf(')', i);
                if (close < 0)
                {
                    result.Add(s[i..]);
                    break;
                }

                result.Add(s[i..(close + 1)]);
                i = close + 1;
            }
            else
            {
                var end = i;
                while (end < s.Length && !char.IsWhiteSpace(s[end]))
                {
                    end++;
                }

                result.Add(s[i..end]);
                i = end;
            }
        }

        return result;
    }

    private static Vector3D ParseVector(string text, string field, string path)
    {
        var t = text.Trim();
        if (!t.StartsWith('(') || !t.EndsWith(')'))
        {
            Throw("LC-NRRD-006", $"\"{Truncate(t)}\" is not a vector (x,y,z).", path, field);
        }

        var parts = t[1..^1].Split(',');
        var v = new double[parts.Length];
        if (parts.Length != 3 || !parts.Select((p, n) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out v[n])).All(ok => ok))
        {
            Throw("LC-NRRD-006", $"\"{Truncate(t)}\" is not a 3-vector of numbers.", path, field);
        }

        if (!v.All(double.IsFinite))
        {
            Throw("LC-NRRD-006", $"\"{Truncate(t)}\" holds a non-finite number.", path, field);
        }

        return new Vector3D(v[0], v[1], v[2]);
    }

    private static int ParseInt(string s, string field, string path) =>
        int.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : Throw<int>("LC-NRRD-003", $"\"{Truncate(s)}\" is not an integer.", path, field);

    private static long ParseLong(string s, string field, string path) =>
        long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : Throw<long>("LC-NRRD-003", $"\"{Truncate(s)}\" is not an integer.", path, field);

    private static void Throw(string code, string message, string path, string? field, long? offset = null) =>
        throw new ImagingException(code, message, path, field, offset);

    private static T Throw<T>(string code, string message, string path, string? field) =>
        throw new ImagingException(code, message, path, field);
}

/// <summary>The NRRD entry of the format registry: detected by the <c>NRRD000n</c> magic.</summary>
public sealed class NrrdFormat : IVolumeFormat
{
    /// <inheritdoc />
    public string Name => "nrrd";

    /// <inheritdoc />
    public bool IsMatch(string path, ReadOnlySpan<byte> head) => head.Length >= 5 && head[..4].SequenceEqual("NRRD"u8) && char.IsAsciiDigit((char)head[4]);

    /// <inheritdoc />
    public ImageInfo Identify(string path) => NrrdReader.Identify(path);

    /// <inheritdoc />
    public ImageInfo Identify(string path, ImagingReadOptions options) => NrrdReader.Identify(path, options);

    /// <inheritdoc />
    public LoadedImage Load(string path) => NrrdReader.Load(path);

    /// <inheritdoc />
    public LoadedImage Load(string path, ImagingReadOptions options) => NrrdReader.Load(path, options);
}
