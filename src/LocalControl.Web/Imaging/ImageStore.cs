using System.Runtime.InteropServices;
using System.Security.Cryptography;
using LocalControl.Imaging;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Formats.Dicom;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Rendering;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using Microsoft.Win32.SafeHandles;

namespace LocalControl.Web.Imaging;

/// <summary>A displayed pixel's LPS point, the voxel it falls in (null outside the image) and that voxel's value.</summary>
public sealed record VoxelValue(Vector3D PointLps, (int I, int J, int K)? Voxel, double? Value);

/// <summary>The result of checking an upload: the stored file's metadata, or why it was refused.</summary>
public sealed record StoredImage(CaseImage? Image, string? Error);

/// <summary>
/// Uploaded volumes on disk (<c>Images:Folder</c>, default <c>{Registry:DataFolder}/images</c>; on a multi-instance
/// PostgreSQL deployment it must be shared storage). An upload is checked from its header against the voxel budget
/// before anything is decoded, decoded once, and kept twice: the file as uploaded (its SHA-256 is in the registry) and
/// its voxels as a raw little-endian file beside it (float32 intensities or int32 labels, i fastest, then j, then k).
/// A slice request reads one slice of that file: no request decodes a volume or holds more than one slice.
/// Every file is 0600, the folder 0700.
/// </summary>
public sealed class ImageStore
{
    /// <summary>Largest upload accepted, bytes.</summary>
    public const long MaxUploadBytes = 512L * 1024 * 1024;

    /// <summary>Default voxel budget of one upload (<c>Images:MaxVoxels</c>): the imaging library's upload budget, a 512 × 512 × 512 CT.</summary>
    public static readonly long DefaultMaxVoxels = ImagingBudget.ForUploads.MaxVoxels;

    private const string VoxelSuffix = ".voxels";

    private const string GeometrySuffix = ".geometry";

    // Stored files never change (a new upload is a new name), so a geometry read once holds.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(long Id, string Sha, string Path), ImageGeometry> _geometries = new();

    /// <summary>Most files in an uploaded zip of a header and its data (a header, its data file, perhaps a readme).</summary>
    public const int MaxZipEntries = 4;

    /// <summary>Most files in one DICOM series upload (a zip or several files): one file per slice of a 2048-slice CT.</summary>
    public const int MaxSeriesFiles = 2048;

    private const string SeriesFolder = "series";

    // Decoding takes memory in proportion to the budget: one at a time, so concurrent uploads cannot add up.
    private readonly SemaphoreSlim _decode = new(1, 1);

    private readonly ImagingReadOptions _read;

    /// <summary>The store on <paramref name="folder"/> with a voxel budget per image (default <see cref="DefaultMaxVoxels"/>).</summary>
    public ImageStore(string folder, long? maxVoxels = null)
    {
        Folder = folder;
        MaxVoxels = maxVoxels ?? DefaultMaxVoxels;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxVoxels, nameof(maxVoxels));
        // The library's upload options: one self-contained file (no second file named by the header, LC-IMG-006) and
        // a budget checked from the header before allocating and enforced while decompressing (LC-IMG-003).
        // The byte budget scales with the voxels: 4 bytes each, the widest stored type an upload is expected in.
        _read = ImagingReadOptions.ForUploads with
        {
            Budget = MaxVoxels == ImagingBudget.ForUploads.MaxVoxels ? ImagingBudget.ForUploads : new ImagingBudget(MaxVoxels, MaxVoxels * 4),
            MaxFolderFiles = MaxSeriesFiles,
        };
    }

    /// <summary>The image folder.</summary>
    public string Folder { get; }

    /// <summary>Most voxels (all frames) an upload may hold.</summary>
    public long MaxVoxels { get; }

    // Bytes a zip may expand to, or a DICOM series may hold: the voxels (at most 4 bytes each, DICOM pixels are 2)
    // plus headers (DICOM files carry their own, a few kB each).
    private long ExpandedBudget => _read.Budget.MaxDecodedBytes + (1 << 20) + MaxSeriesFiles * (64L << 10);

    /// <summary>Stores one uploaded file; see <see cref="StoreAsync(IReadOnlyList{ValueTuple{Stream, string}}, string, string, CancellationToken)"/>.</summary>
    public Task<StoredImage> StoreAsync(Stream content, string fileName, string kind, string uploadedBy, CancellationToken ct) =>
        StoreAsync([(content, fileName)], kind, uploadedBy, ct);

    /// <summary>
    /// Stores an upload if the imaging library reads it as a 3D volume within the budget; a label map must hold integer
    /// labels. The format is told from the content, never the file name: NIfTI (plain or gzip), NRRD, a DICOM file
    /// (the DICM preamble, or a bare dataset), or a zip — of DICOM files (a series) or of a detached header and its
    /// data. Several files are one DICOM series, each of them DICOM by content. A zip is checked entry by entry
    /// before anything is decompressed (names, links, count, declared size), then decompressed within the budget.
    /// </summary>
    public async Task<StoredImage> StoreAsync(IReadOnlyList<(Stream Content, string FileName)> files, string kind, string uploadedBy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (kind is not ("image" or "labels"))
        {
            return new(null, "Kind must be image or labels.");
        }
        if (files.Count == 0)
        {
            return new(null, "Choose a file.");
        }
        if (files.Count > MaxSeriesFiles)
        {
            return new(null, $"{files.Count} files chosen; a DICOM series upload takes at most {MaxSeriesFiles} (or upload them as one zip).");
        }
        var shownName = files.Count == 1 ? Path.GetFileName(files[0].FileName) : $"{Path.GetFileName(files[0].FileName)} and {files.Count - 1} more (DICOM series)";
        PrivateFiles.CreateFolder(Folder);
        var id = Guid.NewGuid().ToString("N");
        var path = Path.Combine(Folder, id + ".upload");
        var seriesFolder = Path.Combine(Folder, id, SeriesFolder);
        string name;
        string sha;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            if (files.Count == 1)
            {
                total = await CopyAsync(files[0].Content, path, hash, total, ct);
                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                (name, var refused) = Place(path, id);
                if (refused is not null)
                {
                    Clean(id);
                    return new(null, refused);
                }
            }
            else
            {
                // Several files: one DICOM series, each file DICOM by its content (whatever its name).
                PrivateFiles.CreateFolder(Path.Combine(Folder, id));
                PrivateFiles.CreateFolder(seriesFolder);
                for (var n = 0; n < files.Count; n++)
                {
                    var target = Path.Combine(seriesFolder, n.ToString("D5", System.Globalization.CultureInfo.InvariantCulture) + ".dcm");
                    total = await CopyAsync(files[n].Content, target, hash, total, ct);
                    if (!DicomFormatDetector.IsDicom(VolumeFormats.ReadHead(target, 132)))
                    {
                        Clean(id);
                        return new(null, $"{Shorten(Path.GetFileName(files[n].FileName))}: not a DICOM file (no DICM preamble); several files are taken as one DICOM series — upload a NIfTI or NRRD file on its own.");
                    }
                }
                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                name = id + "/" + SeriesFolder;
            }
        }
        catch (UploadRefusedException e)
        {
            Clean(id);
            return new(null, e.Message);
        }
        catch (Exception e) when (e is ImagingException or IOException or InvalidDataException)
        {
            Clean(id);
            var message = e is ImagingException ? e.Message : "the file could not be read (" + e.GetType().Name + ").";
            return new(null, Scrub(message, path, shownName));
        }
        try
        {
            var imagePath = Resolve(name);
            var read = ReadOptionsFor(name);
            var info = CheckHeader(imagePath, read);
            await _decode.WaitAsync(ct);
            try
            {
                WriteVoxels(imagePath, kind, info, read);
            }
            finally
            {
                _decode.Release();
            }
            var g = info.Geometry;
            return new(new CaseImage
            {
                Kind = kind,
                FileName = shownName.Length > 256 ? shownName[..256] : shownName,
                StoredPath = name,
                Format = info.Format,
                SizeI = g.Size.I,
                SizeJ = g.Size.J,
                SizeK = g.Size.K,
                SpacingMm = FormattableString.Invariant($"{g.SpacingMm.X:0.###} {g.SpacingMm.Y:0.###} {g.SpacingMm.Z:0.###}"),
                Sha256 = sha,
                UploadedBy = uploadedBy,
            }, null);
        }
        catch (Exception e) when (e is ImagingException or UploadRefusedException or IOException or InvalidDataException)
        {
            Clean(id);
            // The reader names the file it read: the stored copy's path, which the uploader must not learn.
            var message = e is ImagingException or UploadRefusedException ? e.Message : "the file could not be read (" + e.GetType().Name + ").";
            return new(null, Scrub(message, Resolve(name), shownName));
        }
    }

    // Everything an upload may have left: the received file, the zip, the folder, the voxels and geometry.
    private void Clean(string id)
    {
        foreach (var suffix in new[] { ".upload", ".zip", ".nii", ".nii.gz", ".nrrd" })
        {
            Delete(id + suffix);
        }
        Delete(id + "/");
    }

    private async Task<long> CopyAsync(Stream content, string target, IncrementalHash hash, long total, CancellationToken ct)
    {
        await using var file = new FileStream(target, PrivateFiles.CreateNew());
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await content.ReadAsync(buffer, ct)) > 0)
        {
            total += n;
            if (total > MaxUploadBytes)
            {
                throw new UploadRefusedException($"The upload is larger than {MaxUploadBytes / (1024 * 1024)} MB.");
            }
            hash.AppendData(buffer, 0, n);
            await file.WriteAsync(buffer.AsMemory(0, n), ct);
        }
        await file.FlushAsync(ct);
        file.Flush(flushToDisk: true);
        return total;
    }

    /// <summary>What an uploaded file is, from its first bytes: zip, gzip (NIfTI inside), or what the library detects.</summary>
    private (string Name, string? Refused) Place(string received, string id)
    {
        Span<byte> magic = stackalloc byte[4];
        int got;
        using (var f = File.OpenRead(received))
        {
            got = f.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        }
        if (got == 4 && magic[0] == 'P' && magic[1] == 'K' && (magic[2] == 3 && magic[3] == 4 || magic[2] == 5 && magic[3] == 6))
        {
            var zip = Path.Combine(Folder, id + ".zip");
            File.Move(received, zip);
            return (Unzip(zip, Path.Combine(Folder, id)), null);
        }
        var format = VolumeFormats.Detect(received).Name; // LC-IMG-001 when nothing recognises it
        var gzip = got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        if (format == "dicom")
        {
            PrivateFiles.CreateFolder(Path.Combine(Folder, id));
            PrivateFiles.CreateFolder(Path.Combine(Folder, id, SeriesFolder));
            File.Move(received, Path.Combine(Folder, id, SeriesFolder, "00000.dcm"));
            return (id + "/" + SeriesFolder, null);
        }
        var extension = format switch
        {
            "nifti" => gzip ? ".nii.gz" : ".nii",
            "nrrd" => ".nrrd",
            _ => null,
        };
        if (extension is null)
        {
            return ("", $"the file is {format}, not an image this page takes: upload a NIfTI, NRRD or DICOM file, a DICOM series (several files or a zip), or a zip of a header and its data.");
        }
        File.Move(received, Path.Combine(Folder, id + extension));
        return (id + extension, null);
    }

    // A stored image's read options: a header from a zip may name its data file beside it.
    private ImagingReadOptions ReadOptionsFor(string storedPath) =>
        storedPath.Contains('/', StringComparison.Ordinal) && !IsSeries(storedPath) ? _read with { AllowExternalDataFiles = true } : _read;

    private static bool IsSeries(string storedPath) => storedPath.EndsWith("/" + SeriesFolder, StringComparison.Ordinal);

    /// <summary>
    /// The display grid of an image for a plane, in the radiological convention from the image's geometry (not its
    /// storage order): see <see cref="RadiologicalSlice"/>.
    /// </summary>
    public RadiologicalSlice ViewOf(CaseImage image, SliceOrientation plane) => RadiologicalSlice.For(GeometryOf(image), plane);

    /// <summary>
    /// Why <paramref name="overlay"/> cannot be drawn over <paramref name="image"/>, or null when it can (frames of
    /// reference, when both are known, and overlap in patient space). NIfTI and NRRD carry no frame of reference UID,
    /// so for them only patient space decides.
    /// </summary>
    public string? WhyOverlayRefused(CaseImage image, CaseImage overlay) =>
        RadiologicalSlice.WhyOverlayRefused(GeometryOf(image), null, GeometryOf(overlay), null);

    /// <summary>
    /// Renders slice <paramref name="slice"/> of <paramref name="view"/> (the display grid of the image it is drawn on)
    /// as PNG: an intensity image through a window (centre/width) as grey, trilinear; a label map as colours with alpha
    /// 0 where 0, nearest neighbour. Every pixel is sampled at its LPS point through the image's own geometry, so a
    /// label map on another grid lands where it belongs. Only the voxels the slice touches are read.
    /// </summary>
    public byte[] RenderSlice(CaseImage image, RadiologicalSlice view, int slice, double windowCentre, double windowWidth)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(view);
        var g = GeometryOf(image);
        var box = view.VoxelsTouched(g, slice);
        var pixels = view.Width * view.Height;
        if (image.Kind == "labels")
        {
            var labels = new int[pixels];
            view.SampleNearest(g, box, ReadBlock<int>(image, box), slice, labels);
            var rgba = new byte[pixels * 4];
            for (var p = 0; p < labels.Length; p++)
            {
                var label = labels[p];
                if (label == 0)
                {
                    continue;
                }
                var (r, gC, b) = Colour(label);
                rgba[p * 4] = r;
                rgba[p * 4 + 1] = gC;
                rgba[p * 4 + 2] = b;
                rgba[p * 4 + 3] = 255;
            }
            return PngEncoder.Encode(view.Width, view.Height, 4, rgba);
        }
        var values = new float[pixels];
        view.SampleLinear(g, box, ReadBlock<float>(image, box), slice, values);
        var grey = new byte[pixels];
        var w = Math.Max(1, windowWidth);
        var low = windowCentre - w / 2;
        for (var p = 0; p < values.Length; p++)
        {
            // Outside the volume (NaN) stays black.
            var v = (values[p] - low) / w * 255.0;
            grey[p] = float.IsNaN(values[p]) ? (byte)0 : (byte)Math.Clamp(Math.Round(v), 0, 255);
        }
        return PngEncoder.Encode(view.Width, view.Height, 1, grey);
    }

    /// <summary>
    /// The value under a displayed pixel: the pixel's centre (x, y, column and row of slice <paramref name="slice"/> of
    /// <paramref name="view"/>) mapped to LPS through the display grid, then to the image's nearest voxel through the
    /// image's own geometry; only that voxel is read from the voxel file. Null when the point lies outside the image.
    /// </summary>
    public VoxelValue? ValueAt(CaseImage image, RadiologicalSlice view, double x, double y, int slice)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(view);
        var g = GeometryOf(image);
        var pointLps = view.PixelToPointLps(x, y, slice);
        var idx = g.PointLpsToIndex(pointLps);
        // Round half up, as the label sampler does.
        int i = (int)Math.Floor(idx.X + 0.5), j = (int)Math.Floor(idx.Y + 0.5), k = (int)Math.Floor(idx.Z + 0.5);
        if ((uint)i >= (uint)g.Size.I || (uint)j >= (uint)g.Size.J || (uint)k >= (uint)g.Size.K)
        {
            return new VoxelValue(pointLps, null, null);
        }
        var box = new IndexBox(i, j, k, i, j, k);
        double value = image.Kind == "labels" ? ReadBlock<int>(image, box)[0] : ReadBlock<float>(image, box)[0];
        return new VoxelValue(pointLps, (i, j, k), value);
    }

    /// <summary>
    /// A label map's labels as one volume on its own grid (for measuring): read whole from the voxel file, one at a
    /// time (the decode lock), within the voxel budget the upload was checked against.
    /// </summary>
    public LocalControl.Imaging.Volumes.Volume<int> LabelVolume(CaseImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Kind != "labels")
        {
            throw new InvalidOperationException($"Image {image.Id} is not a label map.");
        }
        var g = GeometryOf(image);
        _decode.Wait();
        try
        {
            return new LocalControl.Imaging.Volumes.Volume<int>(g, ReadBlock<int>(image, new IndexBox(0, 0, 0, g.Size.I - 1, g.Size.J - 1, g.Size.K - 1), locked: true));
        }
        finally
        {
            _decode.Release();
        }
    }

    /// <summary>
    /// The image's geometry (size, spacing, origin and direction cosines in LPS), kept beside its voxels at upload
    /// (<c>.geometry</c>); for an image uploaded before that, read once from the stored file's header and kept.
    /// </summary>
    public ImageGeometry GeometryOf(CaseImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return _geometries.GetOrAdd((image.Id, image.Sha256, image.StoredPath), _ =>
        {
            var path = Resolve(image.StoredPath);
            var geometryPath = path + GeometrySuffix;
            var g = File.Exists(geometryPath) ? GeometryFile.TryRead(geometryPath) : null;
            if (g is null)
            {
                g = CheckHeader(path, ReadOptionsFor(image.StoredPath)).Geometry;
                GeometryFile.Write(geometryPath, g);
            }
            if (g.Size != new VolumeSize(image.SizeI, image.SizeJ, image.SizeK))
            {
                throw new InvalidDataException($"The geometry of image {image.Id} ({g.Size}) does not match its registry entry.");
            }
            return g;
        });
    }

    /// <summary>Removes an image's files (the uploaded file or zip and its folder, and the voxels); missing files are no error.</summary>
    public void Delete(string storedPath)
    {
        ArgumentNullException.ThrowIfNull(storedPath);
        var slash = storedPath.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var id = Path.GetFileName(storedPath[..slash]);
            var folder = Path.Combine(Folder, id);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            File.Delete(Path.Combine(Folder, id + ".zip"));
            return;
        }
        var path = Path.Combine(Folder, Path.GetFileName(storedPath));
        File.Delete(path + VoxelSuffix + ".tmp");
        File.Delete(path + VoxelSuffix);
        File.Delete(path + GeometrySuffix);
        File.Delete(path);
    }

    // The stored file of an image, which must lie inside the image folder (a path from the database is not trusted).
    private string Resolve(string storedPath)
    {
        var root = Path.GetFullPath(Folder) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(root, storedPath));
        return full.StartsWith(root, StringComparison.Ordinal) ? full : throw new InvalidDataException("An image's stored path leaves the image folder.");
    }

    // Checks a zip entry by entry before decompressing anything — no path that could leave the folder (zip slip), no
    // link, no more than MaxSeriesFiles files, a declared size within the budget — then looks at each entry's first
    // bytes (a nested zip is refused) and extracts either a DICOM series (every file DICOM by content, extracted under
    // numbered names, so no entry name reaches the disk) or a header and its data file (at most MaxZipEntries files
    // with plain names at the top, one .nhdr/.hdr header). The byte budget is enforced again while decompressing
    // (a declared size can lie). Returns the stored name: "{id}/series" or "{id}/{header}".
    private string Unzip(string zipPath, string folder)
    {
        using var archive = System.IO.Compression.ZipFile.OpenRead(zipPath);
        var entries = archive.Entries.Where(e => e.FullName.Length > 0 && !e.FullName.EndsWith('/')).ToList();
        if (entries.Count == 0)
        {
            throw new UploadRefusedException("the zip holds no file.");
        }
        if (entries.Count > MaxSeriesFiles)
        {
            throw new UploadRefusedException($"the zip holds {entries.Count} files; at most {MaxSeriesFiles} (one DICOM series, one file per slice) or a header and its data file.");
        }
        var budget = ExpandedBudget;
        long declared = 0;
        foreach (var e in entries)
        {
            var n = e.FullName;
            var segments = n.Split('/');
            if (n.StartsWith('/') || n.Contains('\\', StringComparison.Ordinal) || n.Contains(':', StringComparison.Ordinal)
                || segments.Any(x => x is ".." or "." or "") || n.Any(char.IsControl))
            {
                throw new UploadRefusedException($"zip entry '{Shorten(n)}': a path that could leave the zip's folder (zip slip); entries must be plain names inside it.");
            }
            const int linkType = 0xA000, typeMask = 0xF000;
            if (((e.ExternalAttributes >> 16) & typeMask) == linkType)
            {
                throw new UploadRefusedException($"zip entry '{Shorten(n)}' is a symbolic link; links are refused.");
            }
            declared += e.Length;
            if (declared > budget)
            {
                throw new UploadRefusedException(FormattableString.Invariant($"the zip declares more than {budget:N0} bytes uncompressed (at entry '{Shorten(n)}'), the upload budget; nothing was decompressed."));
            }
        }
        // The first bytes of each entry, decompressed (132: the DICOM preamble and DICM).
        var isDicom = new bool[entries.Count];
        var hasPreamble = false; // a DICOM zip is told by the DICM preamble (a raw data file may look like a bare dataset)
        var head = new byte[132];
        for (var i = 0; i < entries.Count; i++)
        {
            int got;
            using (var source = entries[i].Open())
            {
                got = source.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            }
            var span = head.AsSpan(0, got);
            if (got >= 4 && span[0] == 'P' && span[1] == 'K' && (span[2] is 3 or 5 or 7) || entries[i].FullName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                throw new UploadRefusedException($"zip entry '{Shorten(entries[i].FullName)}' is itself a zip; nested zips are refused.");
            }
            isDicom[i] = DicomFormatDetector.IsDicom(span);
            hasPreamble |= got == 132 && span[128] == 'D' && span[129] == 'I' && span[130] == 'C' && span[131] == 'M';
        }
        PrivateFiles.CreateFolder(folder);
        long total = 0;
        var buffer = new byte[1 << 16];
        void Extract(System.IO.Compression.ZipArchiveEntry e, string target)
        {
            using var source = e.Open();
            using var file = new FileStream(target, PrivateFiles.CreateNew());
            int n;
            while ((n = source.Read(buffer)) > 0)
            {
                total += n;
                if (total > budget)
                {
                    throw new UploadRefusedException(FormattableString.Invariant($"zip entry '{Shorten(e.FullName)}': the zip expands to more than {budget:N0} bytes, the upload budget."));
                }
                file.Write(buffer, 0, n);
            }
        }
        if (hasPreamble)
        {
            var series = Path.Combine(folder, SeriesFolder);
            PrivateFiles.CreateFolder(series);
            for (var i = 0; i < entries.Count; i++)
            {
                var n = entries[i].FullName;
                if (!isDicom[i])
                {
                    // A DICOM zip may carry the desktop's droppings; anything else is named and refused.
                    var leaf = n[(n.LastIndexOf('/') + 1)..];
                    if (n.StartsWith("__MACOSX/", StringComparison.Ordinal) || leaf.StartsWith("._", StringComparison.Ordinal) || leaf is ".DS_Store" or "Thumbs.db" or "desktop.ini")
                    {
                        continue;
                    }
                    throw new UploadRefusedException($"zip entry '{Shorten(n)}' is not DICOM; a zip with DICOM files must hold one series and nothing else.");
                }
                Extract(entries[i], Path.Combine(series, i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture) + ".dcm"));
            }
            return Path.GetFileName(folder) + "/" + SeriesFolder;
        }
        if (entries.Count > MaxZipEntries)
        {
            throw new UploadRefusedException($"the zip holds {entries.Count} files and none is DICOM; a zip of a header and its data file holds at most {MaxZipEntries}.");
        }
        foreach (var e in entries)
        {
            if (e.FullName.Contains('/', StringComparison.Ordinal) || e.FullName.StartsWith('.'))
            {
                throw new UploadRefusedException($"zip entry '{Shorten(e.FullName)}': files must sit at the top of the zip, with plain names.");
            }
        }
        var headers = entries.Where(e => e.FullName.EndsWith(".nhdr", StringComparison.OrdinalIgnoreCase) || e.FullName.EndsWith(".hdr", StringComparison.OrdinalIgnoreCase)).ToList();
        if (headers.Count != 1)
        {
            throw new UploadRefusedException($"the zip must hold exactly one header (.nhdr or .hdr) with its data file, or a DICOM series; it holds {headers.Count} headers.");
        }
        foreach (var e in entries)
        {
            Extract(e, Path.Combine(folder, e.FullName));
        }
        return Path.GetFileName(folder) + "/" + headers[0].FullName;
    }

    private static string Shorten(string s) => s.Length > 80 ? s[..80] + "…" : s;

    /// <summary>Distinct colours for labels 1..n (a fixed palette, then a hash).</summary>
    public static (byte R, byte G, byte B) Colour(int label)
    {
        (byte, byte, byte)[] palette = [(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240), (240, 50, 230)];
        return label > 0 && label <= palette.Length ? palette[label - 1] : ((byte)(label * 67 % 256), (byte)(label * 149 % 256), (byte)(label * 211 % 256));
    }

    // A folder is a DICOM series (the DICOM reader, not the folder detection, which also knows mask folders).
    private static readonly DicomFormat Dicom = new();

    // From the header alone, before any voxel is decoded: self-contained, 3D, within the budget (the read options).
    private static ImageInfo CheckHeader(string path, ImagingReadOptions read)
    {
        var info = Directory.Exists(path) ? Dicom.Identify(path, read) : VolumeFormats.Identify(path, read);
        if (info.FrameCount > 1)
        {
            throw new UploadRefusedException($"the image has {info.FrameCount} frames; upload a single 3D volume.");
        }
        return info;
    }

    // Decodes once and writes the voxels as the slice file (temp file, then rename).
    private static void WriteVoxels(string path, string kind, ImageInfo checkedInfo, ImagingReadOptions read)
    {
        var loaded = Directory.Exists(path) ? Dicom.Load(path, read) : VolumeFormats.Load(path, read);
        if (loaded.Info.Geometry.Size != checkedInfo.Geometry.Size)
        {
            throw new UploadRefusedException("the image's size changed between reading its header and its voxels.");
        }
        var temp = path + VoxelSuffix + ".tmp";
        File.Delete(temp);
        using (var file = new FileStream(temp, PrivateFiles.CreateNew()))
        {
            if (kind == "labels")
            {
                file.Write(MemoryMarshal.AsBytes(loaded.ToLabelVolume().Voxels)); // refuses fractional voxel values
            }
            else
            {
                file.Write(MemoryMarshal.AsBytes(loaded.ToFloatVolume().Voxels));
            }
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path + VoxelSuffix, overwrite: true);
        GeometryFile.Write(path + GeometrySuffix, loaded.Info.Geometry);
    }

    // The voxels of one box (i fastest), read row by row from the voxel file: a slice never reads the whole volume.
    private T[] ReadBlock<T>(CaseImage image, IndexBox box, bool locked = false) where T : unmanaged
    {
        var path = Resolve(image.StoredPath);
        var voxelPath = path + VoxelSuffix;
        if (!File.Exists(voxelPath))
        {
            // Uploaded before voxel files existed: decode once now (within the budget), then read slices as for any other.
            if (!locked)
            {
                _decode.Wait();
            }
            try
            {
                if (!File.Exists(voxelPath))
                {
                    var options = ReadOptionsFor(image.StoredPath);
                    WriteVoxels(path, image.Kind, CheckHeader(path, options), options);
                }
            }
            finally
            {
                if (!locked)
                {
                    _decode.Release();
                }
            }
        }
        var size = box.Size;
        var block = new T[size.VoxelCount];
        if (box.IsEmpty)
        {
            return block;
        }
        var bytes = MemoryMarshal.AsBytes(block.AsSpan());
        var width = System.Runtime.CompilerServices.Unsafe.SizeOf<T>(); // 4: float32 intensities or int32 labels
        var rowBytes = size.I * width;
        long voxelRow = image.SizeI, voxelSlice = (long)image.SizeI * image.SizeJ;
        using SafeFileHandle handle = File.OpenHandle(voxelPath);
        var at = 0;
        for (var k = box.K0; k <= box.K1; k++)
        {
            for (var j = box.J0; j <= box.J1; j++)
            {
                var offset = (k * voxelSlice + j * voxelRow + box.I0) * width;
                var read = 0;
                while (read < rowBytes)
                {
                    var n = RandomAccess.Read(handle, bytes.Slice(at + read, rowBytes - read), offset + read);
                    if (n == 0)
                    {
                        throw new InvalidDataException($"The voxel file of image {image.Id} is shorter than its {image.SizeI} × {image.SizeJ} × {image.SizeK} voxels.");
                    }
                    read += n;
                }
                at += rowBytes;
            }
        }
        return block;
    }

    private string Scrub(string message, string storedPath, string shownName)
    {
        var text = message.Replace(storedPath, shownName, StringComparison.Ordinal)
            .Replace(Path.GetFileName(storedPath), shownName, StringComparison.Ordinal)
            .Replace(Folder, "", StringComparison.Ordinal);
        return text.Length > 300 ? text[..300] + "…" : text;
    }

    /// <summary>An upload the store refuses (message for the uploader, no path in it).</summary>
    private sealed class UploadRefusedException(string message) : Exception(message);
}
