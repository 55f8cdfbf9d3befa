using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace LocalControl.Core.IO;

/// <summary>What a path names in the file system (symbolic links followed unless asked not to).</summary>
public enum FileKind
{
    /// <summary>Nothing exists there (or it cannot be looked at).</summary>
    Missing,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,

    /// <summary>A named pipe: opening it for reading blocks until someone writes.</summary>
    Fifo,

    /// <summary>A character device such as <c>/dev/zero</c> or <c>/dev/full</c>.</summary>
    CharacterDevice,

    /// <summary>A block device (a disk).</summary>
    BlockDevice,

    /// <summary>A Unix socket.</summary>
    Socket,
}

/// <summary>
/// The one way every reader opens a user's input file: it must be a regular file (a FIFO, device, socket or folder
/// is refused before it is opened, so nothing blocks or reads forever), text inputs are read with a byte cap that is
/// enforced while reading (never "read everything, then check"), and <c>-</c> means standard input. Problems are
/// <see cref="InputFileException"/>s whose messages name the user's path and say what it is.
/// </summary>
public static class InputFiles
{
    /// <summary>Default cap of a text input (case file, rule override, label table): 8 MiB.</summary>
    public const long DefaultMaxTextBytes = 8L << 20;

    /// <summary>The name that means standard input (or output) where a file is expected.</summary>
    public const string StandardStream = "-";

    /// <summary>Where <c>-</c> reads from; the console's standard input unless a host (a test) replaces it.</summary>
    public static Func<Stream> StandardInput { get; set; } = Console.OpenStandardInput;

    /// <summary>What <paramref name="path"/> is, without opening it.</summary>
    public static FileKind KindOf(string path, bool followLinks = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsWindows())
        {
            return Native.Kind(path, followLinks);
        }

        var info = new FileInfo(path);
        if (!followLinks && info.LinkTarget is not null)
        {
            return FileKind.SymbolicLink;
        }

        return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
    }

    /// <summary>A phrase for a non-regular kind ("a folder", "a named pipe (FIFO)") for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        _ => "a socket",
    };

    /// <summary>
    /// Checks that <paramref name="path"/> is a non-empty-path regular file (following links) and says precisely
    /// what is wrong otherwise: "does not exist", "is a folder", "is a named pipe (FIFO)" …
    /// </summary>
    /// <exception cref="InputFileException">Not a regular file.</exception>
    public static void RequireRegularFile(string path, string? displayName = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var shown = displayName ?? path;
        if (path.Length == 0)
        {
            throw new InputFileException("the file name is empty.", shown, FileKind.Missing);
        }

        var kind = KindOf(path);
        switch (kind)
        {
            case FileKind.Regular:
                return;
            case FileKind.Missing:
                throw new InputFileException("the file does not exist.", shown, kind);
            default:
                throw new InputFileException($"is {Describe(kind)}, not a regular file.", shown, kind);
        }
    }

    /// <summary>
    /// Opens a regular file for reading. The kind is checked before opening and again on the open handle, and on
    /// Unix the file is opened non-blocking, so a FIFO swapped in between can never block the reader.
    /// </summary>
    /// <exception cref="InputFileException">Missing, not a regular file, or unreadable.</exception>
    public static FileStream OpenRegular(string path, string? displayName = null, int bufferSize = 4096, FileOptions options = FileOptions.None)
    {
        RequireRegularFile(path, displayName);
        var shown = displayName ?? path;
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                var handle = Native.OpenNonBlocking(path);
                if (handle is not null)
                {
                    var kind = Native.KindOf(handle);
                    if (kind != FileKind.Regular)
                    {
                        handle.Dispose();
                        throw new InputFileException($"is {Describe(kind)}, not a regular file.", shown, kind);
                    }

                    return new FileStream(handle, FileAccess.Read, Math.Max(1, bufferSize));
                }
            }

            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, Math.Max(1, bufferSize), options);
        }
        catch (Exception ex) when (ex is IOException and not InputFileException or UnauthorizedAccessException)
        {
            throw new InputFileException(ex is UnauthorizedAccessException ? "permission denied." : "cannot be read: " + IoErrors.Describe(ex), shown, FileKind.Regular, ex);
        }
    }

    /// <summary>
    /// Reads a text input of at most <paramref name="maxBytes"/> bytes as UTF-8 (a BOM is dropped); <c>-</c> reads
    /// standard input. Reading stops at the cap: <c>/dev/zero</c> or a 10 GB file is refused after
    /// <paramref name="maxBytes"/> + 1 bytes, not read to the end.
    /// </summary>
    /// <exception cref="InputFileException">Missing, not a regular file, empty, too large, not UTF-8.</exception>
    public static string ReadAllTextCapped(string path, long maxBytes = DefaultMaxTextBytes, string? displayName = null)
    {
        var bytes = ReadAllBytesCapped(path, maxBytes, displayName);
        var shown = displayName ?? (path == StandardStream ? "standard input" : path);
        if (bytes.Length == 0)
        {
            throw new InputFileException("the file is empty.", shown, FileKind.Regular);
        }

        var span = bytes.AsSpan();
        if (span.StartsWith("\uFEFF"u8))
        {
            span = span[3..];
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(span);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InputFileException(string.Create(CultureInfo.InvariantCulture, $"is not UTF-8 text (invalid byte at offset {ex.Index + (bytes.Length - span.Length)})."), shown, FileKind.Regular);
        }
    }

    /// <summary>Reads at most <paramref name="maxBytes"/> bytes of a regular file (or standard input for <c>-</c>).</summary>
    /// <exception cref="InputFileException">Missing, not a regular file, or larger than the cap.</exception>
    public static byte[] ReadAllBytesCapped(string path, long maxBytes, string? displayName = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var isStdin = path == StandardStream;
        var shown = displayName ?? (isStdin ? "standard input" : path);
        using var stream = isStdin ? StandardInput() : OpenRegular(path, shown);
        try
        {
            return ReadCapped(stream, maxBytes, shown);
        }
        catch (IOException ex) when (ex is not InputFileException)
        {
            throw new InputFileException("cannot be read: " + IoErrors.Describe(ex), shown, FileKind.Regular, ex);
        }
    }

    /// <summary>Reads a stream to its end, refusing it as soon as it passes <paramref name="maxBytes"/>.</summary>
    public static byte[] ReadCapped(Stream stream, long maxBytes, string shown)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var cap = (int)Math.Min(maxBytes, Array.MaxLength - 1);
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            var want = (int)Math.Min(chunk.Length, (long)cap + 1 - buffer.Length);
            var got = stream.Read(chunk, 0, Math.Max(1, want));
            if (got == 0)
            {
                return buffer.ToArray();
            }

            buffer.Write(chunk, 0, got);
            if (buffer.Length > cap)
            {
                throw new InputFileException(string.Create(CultureInfo.InvariantCulture, $"is larger than the {FormatBytes(maxBytes)} limit for this input."), shown, FileKind.Regular);
            }
        }
    }

    /// <summary>The canonical path (every symbolic link resolved), or null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsWindows())
        {
            return Native.RealPath(path);
        }

        var full = Path.GetFullPath(path);
        return File.Exists(full) || Directory.Exists(full) ? full : null;
    }

    /// <summary>True when <paramref name="candidate"/> (a canonical path) lies inside the folder <paramref name="folder"/> (canonical).</summary>
    public static bool IsInside(string folder, string candidate)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(candidate);
        var f = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        return candidate.StartsWith(f, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>"8 MiB", "512 KiB", "100 bytes".</summary>
    public static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 30} GiB"),
        >= 1L << 20 when bytes % (1L << 20) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20} MiB"),
        >= 1L << 10 when bytes % (1L << 10) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 10} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };

    /// <summary>Linux system calls .NET does not expose: the file type (statx), realpath, a non-blocking open.</summary>
    private static class Native
    {
        private const int AtFdCwd = -100;
        private const int AtSymlinkNoFollow = 0x100;
        private const int AtEmptyPath = 0x1000;
        private const uint StatxType = 0x1;
        private const int ORdOnly = 0;
        private const int ONonBlock = 0x800;
        private const int OCloExec = 0x80000;

        public static FileKind Kind(string path, bool followLinks)
        {
            var buffer = new byte[256];
            return statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType, buffer) != 0 ? FileKind.Missing : FromMode(buffer);
        }

        public static FileKind KindOf(SafeFileHandle handle)
        {
            var buffer = new byte[256];
            var added = false;
            handle.DangerousAddRef(ref added);
            try
            {
                return statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxType, buffer) != 0 ? FileKind.Missing : FromMode(buffer);
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        public static SafeFileHandle? OpenNonBlocking(string path)
        {
            var fd = open(path, ORdOnly | ONonBlock | OCloExec);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw errno switch
                {
                    2 or 20 => new FileNotFoundException("the file does not exist.", path),
                    13 or 1 => new UnauthorizedAccessException("permission denied."),
                    _ => new IOException(string.Create(CultureInfo.InvariantCulture, $"cannot open (errno {errno})."), errno),
                };
            }

            return new SafeFileHandle(fd, ownsHandle: true);
        }

        public static string? RealPath(string path)
        {
            var result = realpath(path, IntPtr.Zero);
            if (result == IntPtr.Zero)
            {
                return null;
            }

            try
            {
                return Marshal.PtrToStringUTF8(result);
            }
            finally
            {
                free(result);
            }
        }

        private static FileKind FromMode(byte[] statxBuffer)
        {
            // struct statx is the same on every Linux architecture: stx_mode is a u16 at byte 28.
            var mode = BitConverter.ToUInt16(statxBuffer, 28) & 0xF000;
            return mode switch
            {
                0x8000 => FileKind.Regular,
                0x4000 => FileKind.Directory,
                0xA000 => FileKind.SymbolicLink,
                0x1000 => FileKind.Fifo,
                0x2000 => FileKind.CharacterDevice,
                0x6000 => FileKind.BlockDevice,
                _ => FileKind.Socket,
            };
        }

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

        [DllImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern void free(IntPtr pointer);
    }
}

/// <summary>An input path that cannot be read as asked: missing, not a regular file, too large, unreadable. The user's mistake (exit 2).</summary>
public sealed class InputFileException : IOException
{
    /// <summary>Creates the exception; the message reads "PATH: WHAT".</summary>
    public InputFileException(string problem, string path, FileKind kind, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Problem = problem;
        InputPath = path;
        Kind = kind;
    }

    /// <summary>Creates an exception with no details.</summary>
    public InputFileException()
        : this("cannot be read.", "", FileKind.Missing)
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public InputFileException(string message)
        : this(message, "", FileKind.Missing)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public InputFileException(string message, Exception inner)
        : this(message, "", FileKind.Missing, inner)
    {
    }

    /// <summary>What is wrong, without the path.</summary>
    public string Problem { get; }

    /// <summary>The path as the user gave it.</summary>
    public string InputPath { get; }

    /// <summary>What the path turned out to be.</summary>
    public FileKind Kind { get; }
}

/// <summary>Turns I/O exceptions into short human phrases ("the disk is full") without .NET's wording or temp-file names.</summary>
public static class IoErrors
{
    /// <summary>A short description of an I/O failure.</summary>
    public static string Describe(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return (ex.HResult & 0xFFFF) switch
        {
            28 => "no space left on the device (the disk is full).",
            122 => "the disk quota is exceeded.",
            5 => "an input/output error occurred on the device.",
            13 or 1 => "permission denied.",
            30 => "the file system is read-only.",
            _ when ex is UnauthorizedAccessException => "permission denied.",
            _ when ex is PathTooLongException => "the path is too long.",
            _ when ex is DirectoryNotFoundException => "a folder on the path does not exist.",
            _ when ex is FileNotFoundException => "the file does not exist.",
            _ => "an I/O error occurred.",
        };
    }
}
