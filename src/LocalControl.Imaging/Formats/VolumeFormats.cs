using System.IO.Compression;

namespace LocalControl.Imaging.Formats;

/// <summary>
/// The registry of readable formats, and detection by content (magic bytes), never by file extension alone.
/// NIfTI and NRRD are built in; the DICOM reader registers itself with <see cref="Register"/>.
/// </summary>
public static class VolumeFormats
{
    /// <summary>How many leading bytes (decompressed, for gzip files) <see cref="IVolumeFormat.IsMatch"/> is given.</summary>
    public const int HeadLength = 1024;

    private static readonly List<IVolumeFormat> Formats = [new Nifti.NiftiFormat(), new Nrrd.NrrdFormat(), new Dicom.DicomFormat()];
    private static readonly Lock Gate = new();

    /// <summary>The registered formats, in detection order.</summary>
    public static IReadOnlyList<IVolumeFormat> All
    {
        get
        {
            lock (Gate)
            {
                return [.. Formats];
            }
        }
    }

    /// <summary>Adds a format (e.g. DICOM) if one of the same name is not registered yet.</summary>
    public static void Register(IVolumeFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        lock (Gate)
        {
            if (!Formats.Exists(f => f.Name == format.Name))
            {
                Formats.Add(format);
            }
        }
    }

    /// <summary>The format that recognises <paramref name="path"/>.</summary>
    /// <exception cref="ImagingException"><c>LC-IMG-001</c> when no format does.</exception>
    /// <exception cref="FileNotFoundException">Neither a file nor a folder exists there.</exception>
    public static IVolumeFormat Detect(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] head;
        if (Directory.Exists(path))
        {
            head = [];
        }
        else if (File.Exists(path))
        {
            head = ReadHead(path, HeadLength);
        }
        else
        {
            throw new FileNotFoundException($"{path}: no such file or folder.", path);
        }

        foreach (var format in All)
        {
            if (format.IsMatch(path, head))
            {
                return format;
            }
        }

        throw new ImagingException("LC-IMG-001", "not a NIfTI, NRRD or other supported image (unknown magic bytes).", path, byteOffset: 0);
    }

    /// <summary>Reads only the header of <paramref name="path"/> with the detected format (<see cref="ImagingReadOptions.Default"/>).</summary>
    public static ImageInfo Identify(string path) => Identify(path, ImagingReadOptions.Default);

    /// <summary>Reads only the header of <paramref name="path"/> with the detected format, within <paramref name="options"/>.</summary>
    public static ImageInfo Identify(string path, ImagingReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Detect(path).Identify(path, options);
    }

    /// <summary>Reads <paramref name="path"/> with the detected format (<see cref="ImagingReadOptions.Default"/>).</summary>
    public static LoadedImage Load(string path) => Load(path, ImagingReadOptions.Default);

    /// <summary>Reads <paramref name="path"/> with the detected format, within <paramref name="options"/> (budget, second files).</summary>
    public static LoadedImage Load(string path, ImagingReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Detect(path).Load(path, options);
    }

    /// <summary>
    /// Up to <paramref name="count"/> leading bytes of a file, decompressed when it is gzip. Reads no further than that.
    /// </summary>
    public static byte[] ReadHead(string path, int count)
    {
        using var file = ImagingFiles.OpenRegular(path);
        Span<byte> magic = stackalloc byte[2];
        var got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        Stream stream = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
        using (stream)
        {
            var buffer = new byte[count];
            int read;
            try
            {
                read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
            }
            catch (InvalidDataException ex)
            {
                throw new ImagingException("LC-IMG-002", "corrupt gzip stream: " + ex.Message, path, inner: ex);
            }

            return buffer.AsSpan(0, read).ToArray();
        }
    }
}
