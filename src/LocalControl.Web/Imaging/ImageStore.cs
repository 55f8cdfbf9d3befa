using System.Security.Cryptography;
using LocalControl.Imaging;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Volumes;
using LocalControl.Registry.Entities;
using Microsoft.Extensions.Caching.Memory;

namespace LocalControl.Web.Imaging;

/// <summary>The result of checking an upload: the stored file's metadata, or why it was refused.</summary>
public sealed record StoredImage(CaseImage? Image, string? Error);

/// <summary>
/// Uploaded volumes on disk (<c>Images:Folder</c>, default <c>{Registry:DataFolder}/images</c>; on a multi-instance
/// PostgreSQL deployment it must be shared storage), read with the imaging library, kept decoded in a bounded memory
/// cache, and rendered as axial slices.
/// </summary>
public sealed class ImageStore(string folder, IMemoryCache cache)
{
    /// <summary>Largest upload accepted, bytes.</summary>
    public const long MaxUploadBytes = 512L * 1024 * 1024;

    private static readonly string[] Extensions = [".nii.gz", ".nii", ".nrrd", ".nhdr"];

    /// <summary>The image folder.</summary>
    public string Folder { get; } = folder;

    /// <summary>Stores an upload if the imaging library reads it as a 3D volume; a label map must hold integer labels.</summary>
    public async Task<StoredImage> StoreAsync(Stream content, string fileName, string kind, string uploadedBy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(fileName);
        var extension = Extensions.FirstOrDefault(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        if (extension is null || extension == ".nhdr")
        {
            return new(null, "Upload a NIfTI (.nii, .nii.gz) or NRRD (.nrrd) file.");
        }
        if (kind is not ("image" or "labels"))
        {
            return new(null, "Kind must be image or labels.");
        }
        Directory.CreateDirectory(Folder);
        var name = Guid.NewGuid().ToString("N") + extension;
        var path = Path.Combine(Folder, name);
        string sha;
        await using (var file = File.Create(path))
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
            var loaded = VolumeFormats.Load(path);
            var g = loaded.Info.Geometry;
            if (kind == "labels")
            {
                _ = loaded.ToLabelVolume(); // refuses fractional voxel values
            }
            return new(new CaseImage
            {
                Kind = kind,
                FileName = Path.GetFileName(fileName),
                StoredPath = name,
                Format = loaded.Info.Format,
                SizeI = g.Size.I,
                SizeJ = g.Size.J,
                SizeK = g.Size.K,
                SpacingMm = FormattableString.Invariant($"{g.SpacingMm.X:0.###} {g.SpacingMm.Y:0.###} {g.SpacingMm.Z:0.###}"),
                Sha256 = sha,
                UploadedBy = uploadedBy,
            }, null);
        }
        catch (ImagingException e)
        {
            File.Delete(path);
            return new(null, $"{e.Message}");
        }
    }

    /// <summary>Renders axial slice <paramref name="k"/> as PNG: intensities through a window (centre/width), or labels as coloured overlay (alpha 0 where 0).</summary>
    public byte[] RenderSlice(CaseImage image, int k, double windowCentre, double windowWidth)
    {
        ArgumentNullException.ThrowIfNull(image);
        k = Math.Clamp(k, 0, image.SizeK - 1);
        var width = image.SizeI;
        var height = image.SizeJ;
        if (image.Kind == "labels")
        {
            var labels = Labels(image);
            var slice = labels.Slice(k);
            var rgba = new byte[width * height * 4];
            for (var p = 0; p < slice.Length; p++)
            {
                var label = slice[p];
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
            return PngEncoder.Encode(width, height, 4, rgba);
        }
        var volume = Intensities(image);
        var values = volume.Slice(k);
        var grey = new byte[width * height];
        var w = Math.Max(1, windowWidth);
        var low = windowCentre - w / 2;
        for (var p = 0; p < values.Length; p++)
        {
            var v = (values[p] - low) / w * 255.0;
            grey[p] = (byte)Math.Clamp(Math.Round(v), 0, 255);
        }
        return PngEncoder.Encode(width, height, 1, grey);
    }

    /// <summary>Distinct colours for labels 1..n (a fixed palette, then a hash).</summary>
    public static (byte R, byte G, byte B) Colour(int label)
    {
        (byte, byte, byte)[] palette = [(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240), (240, 50, 230)];
        return label > 0 && label <= palette.Length ? palette[label - 1] : ((byte)(label * 67 % 256), (byte)(label * 149 % 256), (byte)(label * 211 % 256));
    }

    private Volume<float> Intensities(CaseImage image) => cache.GetOrCreate(("img", image.Id), e =>
    {
        var v = VolumeFormats.Load(Path.Combine(Folder, image.StoredPath)).ToFloatVolume();
        e.Size = v.Buffer.LongLength * sizeof(float);
        e.SlidingExpiration = TimeSpan.FromMinutes(30);
        return v;
    })!;

    private Volume<int> Labels(CaseImage image) => cache.GetOrCreate(("lab", image.Id), e =>
    {
        var v = VolumeFormats.Load(Path.Combine(Folder, image.StoredPath)).ToLabelVolume();
        e.Size = v.Buffer.LongLength * sizeof(int);
        e.SlidingExpiration = TimeSpan.FromMinutes(30);
        return v;
    })!;
}
