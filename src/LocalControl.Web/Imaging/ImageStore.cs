using System.Runtime.InteropServices;
using System.Security.Cryptography;
using LocalControl.Imaging;
using LocalControl.Imaging.Formats;
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

    private static readonly string[] Extensions = [".nii.gz", ".nii", ".nrrd", ".nhdr", ".zip"];

    /// <summary>Most files in an uploaded zip (a header, its data file, perhaps a readme).</summary>
    public const int MaxZipEntries = 4;

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
        };
    }

    /// <summary>The image folder.</summary>
    public string Folder { get; }

    /// <summary>Most voxels (all frames) an upload may hold.</summary>
    public long MaxVoxels { get; }

    /// <summary>Stores an upload if the imaging library reads it as a 3D volume within the budget; a label map must hold integer labels.</summary>
    public async Task<StoredImage> StoreAsync(Stream content, string fileName, string kind, string uploadedBy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(fileName);
        var shownName = Path.GetFileName(fileName);
        var extension = Extensions.FirstOrDefault(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        if (extension is null || extension == ".nhdr")
        {
            return new(null, "Upload a NIfTI (.nii, .nii.gz) or NRRD (.nrrd) file with its voxels inside it, or a .zip of a header (.nhdr, .hdr) and its data file.");
        }
        if (kind is not ("image" or "labels"))
        {
            return new(null, "Kind must be image or labels.");
        }
        PrivateFiles.CreateFolder(Folder);
        var name = Guid.NewGuid().ToString("N") + extension.ToLowerInvariant();
        var path = Path.Combine(Folder, name);
        string sha;
        await using (var file = new FileStream(path, PrivateFiles.CreateNew()))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = await content.ReadAsync(buffer, ct)) > 0)
            {
                total += n;
                if (total > MaxUploadBytes)
                {
                    file.Close();
                    File.Delete(path);
                    return new(null, $"The file is larger than {MaxUploadBytes / (1024 * 1024)} MB.");
                }
                hash.AppendData(buffer, 0, n);
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
            }
            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
            sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        try
        {
            var read = _read;
            var imagePath = path;
            if (extension == ".zip")
            {
                // A header and its data file: extracted into a private folder of their own; the header may name a
                // data file in that folder only (the library's companion rule: no absolute path, no .., no link out).
                imagePath = Unzip(path, Path.Combine(Folder, name[..^4]));
                name = name[..^4] + "/" + Path.GetFileName(imagePath);
                read = _read with { AllowExternalDataFiles = true };
            }
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
            Delete(name);
            if (extension == ".zip")
            {
                Delete(Path.GetFileName(path)[..^4] + "/"); // the zip and whatever was extracted
            }
            // The reader names the file it read: the stored copy's path, which the uploader must not learn.
            var message = e is ImagingException or UploadRefusedException ? e.Message : "the file could not be read (" + e.GetType().Name + ").";
            return new(null, Scrub(message, path, shownName));
        }
    }

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
                var options = image.StoredPath.Contains('/', StringComparison.Ordinal) ? _read with { AllowExternalDataFiles = true } : _read;
                g = CheckHeader(path, options).Geometry;
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

    // Extracts a zip of plain file names (no folders, no .., at most MaxZipEntries, within the byte budget) and
    // returns the one header in it.
    private string Unzip(string zipPath, string folder)
    {
        using var archive = System.IO.Compression.ZipFile.OpenRead(zipPath);
        var entries = archive.Entries.Where(e => e.FullName.Length > 0 && !e.FullName.EndsWith('/')).ToList();
        if (entries.Count is 0 or > MaxZipEntries)
        {
            throw new UploadRefusedException($"the zip holds {entries.Count} files; upload a header and its data file (at most {MaxZipEntries} files).");
        }
        foreach (var e in entries)
        {
            if (e.FullName.Contains('/', StringComparison.Ordinal) || e.FullName.Contains('\\', StringComparison.Ordinal) || e.FullName.StartsWith('.')
                || e.FullName.Any(char.IsControl))
            {
                throw new UploadRefusedException($"zip entry '{Shorten(e.FullName)}': files must sit at the top of the zip, with plain names.");
            }
        }
        var headers = entries.Where(e => e.FullName.EndsWith(".nhdr", StringComparison.OrdinalIgnoreCase) || e.FullName.EndsWith(".hdr", StringComparison.OrdinalIgnoreCase)).ToList();
        if (headers.Count != 1)
        {
            throw new UploadRefusedException($"the zip must hold exactly one header (.nhdr or .hdr); it holds {headers.Count}.");
        }
        PrivateFiles.CreateFolder(folder);
        var budget = _read.Budget.MaxDecodedBytes + (1 << 20); // the voxels plus a header
        long total = 0;
        var buffer = new byte[1 << 16];
        foreach (var e in entries)
        {
            using var source = e.Open();
            using var target = new FileStream(Path.Combine(folder, e.FullName), PrivateFiles.CreateNew());
            int n;
            while ((n = source.Read(buffer)) > 0)
            {
                total += n;
                if (total > budget)
                {
                    throw new UploadRefusedException(FormattableString.Invariant($"the zip expands to more than {budget:N0} bytes, the upload budget."));
                }
                target.Write(buffer, 0, n);
            }
        }
        return Path.Combine(folder, headers[0].FullName);
    }

    private static string Shorten(string s) => s.Length > 80 ? s[..80] + "…" : s;

    /// <summary>Distinct colours for labels 1..n (a fixed palette, then a hash).</summary>
    public static (byte R, byte G, byte B) Colour(int label)
    {
        (byte, byte, byte)[] palette = [(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240), (240, 50, 230)];
        return label > 0 && label <= palette.Length ? palette[label - 1] : ((byte)(label * 67 % 256), (byte)(label * 149 % 256), (byte)(label * 211 % 256));
    }

    // From the header alone, before any voxel is decoded: self-contained, 3D, within the budget (the read options).
    private static ImageInfo CheckHeader(string path, ImagingReadOptions read)
    {
        var info = VolumeFormats.Identify(path, read);
        if (info.FrameCount > 1)
        {
            throw new UploadRefusedException($"the image has {info.FrameCount} frames; upload a single 3D volume.");
        }
        return info;
    }

    // Decodes once and writes the voxels as the slice file (temp file, then rename).
    private static void WriteVoxels(string path, string kind, ImageInfo checkedInfo, ImagingReadOptions read)
    {
        var loaded = VolumeFormats.Load(path, read);
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
    private T[] ReadBlock<T>(CaseImage image, IndexBox box) where T : unmanaged
    {
        var path = Resolve(image.StoredPath);
        var voxelPath = path + VoxelSuffix;
        if (!File.Exists(voxelPath))
        {
            // Uploaded before voxel files existed: decode once now (within the budget), then read slices as for any other.
            _decode.Wait();
            try
            {
                if (!File.Exists(voxelPath))
                {
                    var options = image.StoredPath.Contains('/', StringComparison.Ordinal) ? _read with { AllowExternalDataFiles = true } : _read;
                    WriteVoxels(path, image.Kind, CheckHeader(path, options), options);
                }
            }
            finally
            {
                _decode.Release();
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
