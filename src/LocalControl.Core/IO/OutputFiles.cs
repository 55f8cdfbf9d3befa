using System.Globalization;
using System.Text;

namespace LocalControl.Core.IO;

/// <summary>
/// The one way every command writes an output file (<c>-o</c>). A regular file (or a new name) is written to a
/// temporary file beside it and renamed over it only when complete, so a failure or Ctrl+C never leaves a partial
/// or stray file. A device or FIFO (<c>/dev/stdout</c>, <c>/dev/null</c>, a pipe) is written to directly and never
/// replaced; a symbolic link is followed (its target is replaced, the link is kept); <c>-</c> means standard output;
/// a folder is refused with a message before anything is created. I/O failures become
/// <see cref="OutputFileException"/> naming the user's path ("no space left on the device"), never a temp-file name.
/// </summary>
public static class OutputFiles
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<string> PendingTemps = new(StringComparer.Ordinal);
    private static bool _abandoned;

    /// <summary>Where <c>-</c> writes; the console's standard output unless a host (a test) replaces it.</summary>
    public static Func<Stream> StandardOutput { get; set; } = Console.OpenStandardOutput;

    /// <summary>Writes text (UTF-8, no BOM) to <paramref name="path"/> by the rules of <see cref="Write"/>.</summary>
    public static void WriteText(string path, string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var bytes = new UTF8Encoding(false).GetBytes(content);
        Write(path, s => s.Write(bytes));
    }

    /// <summary>
    /// Writes <paramref name="path"/> with <paramref name="write"/>, which is handed a stream to fill. See the type's
    /// summary for what happens for each kind of target.
    /// </summary>
    /// <exception cref="OutputFileException">The target is a folder, its folder is missing, or writing failed.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        if (path == InputFiles.StandardStream)
        {
            var stdout = StandardOutput();
            try
            {
                write(stdout);
                stdout.Flush();
            }
            catch (IOException ex) when (ex is not OutputFileException)
            {
                throw new OutputFileException("standard output", "cannot write: " + IoErrors.Describe(ex), ex);
            }

            return;
        }

        if (path.Length == 0)
        {
            throw new OutputFileException(path, "the output file name is empty.");
        }

        var target = path;
        var kind = InputFiles.KindOf(path, followLinks: false);
        if (kind == FileKind.SymbolicLink)
        {
            target = InputFiles.RealPath(path) ?? throw new OutputFileException(path, "is a symbolic link to a file that does not exist; give the file itself.");
            kind = InputFiles.KindOf(target);
        }

        switch (kind)
        {
            case FileKind.Directory:
                throw new OutputFileException(path, "is a folder; give the name of a file to write.");
            case FileKind.Fifo or FileKind.CharacterDevice:
                WriteDirect(path, target, write);
                return;
            case FileKind.BlockDevice or FileKind.Socket:
                throw new OutputFileException(path, $"is {InputFiles.Describe(kind)}; it is not replaced or written to.");
            default:
                WriteReplacing(path, target, write);
                return;
        }
    }

    /// <summary>
    /// Called on SIGINT/SIGTERM: deletes every temporary file still being written and stops any from being renamed
    /// into place, so the interrupted command leaves no partial output. Safe to call from a signal handler.
    /// </summary>
    public static void AbandonAll()
    {
        lock (Gate)
        {
            _abandoned = true;
            foreach (var tmp in PendingTemps)
            {
                try
                {
                    File.Delete(tmp);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }

            PendingTemps.Clear();
        }
    }

    /// <summary>Temporary files being written now (for tests and diagnostics).</summary>
    public static IReadOnlyList<string> Pending
    {
        get
        {
            lock (Gate)
            {
                return [.. PendingTemps];
            }
        }
    }

    private static void WriteDirect(string shown, string target, Action<Stream> write)
    {
        try
        {
            using var stream = new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
            write(stream);
            stream.Flush();
        }
        catch (Exception ex) when (ex is IOException and not OutputFileException or UnauthorizedAccessException)
        {
            throw new OutputFileException(shown, "cannot write: " + IoErrors.Describe(ex), ex);
        }
    }

    private static void WriteReplacing(string shown, string target, Action<Stream> write)
    {
        var full = Path.GetFullPath(target);
        var folder = Path.GetDirectoryName(full);
        if (string.IsNullOrEmpty(folder) || InputFiles.KindOf(folder) != FileKind.Directory)
        {
            throw new OutputFileException(shown, "its folder does not exist.");
        }

        var tmp = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture,
            $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        lock (Gate)
        {
            if (_abandoned)
            {
                throw new OperationCanceledException("The command was interrupted.");
            }

            PendingTemps.Add(tmp);
        }

        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: false);
            }

            lock (Gate)
            {
                if (_abandoned)
                {
                    throw new OperationCanceledException("The command was interrupted.");
                }

                File.Move(tmp, full, overwrite: true);
                PendingTemps.Remove(tmp);
            }
        }
        catch (Exception ex) when (ex is IOException and not OutputFileException or UnauthorizedAccessException)
        {
            throw new OutputFileException(shown, "cannot write: " + IoErrors.Describe(ex), ex);
        }
        finally
        {
            // After a successful rename the temp name no longer exists; after a failure or an interruption it is removed.
            lock (Gate)
            {
                PendingTemps.Remove(tmp);
                TryDelete(tmp);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>An output that cannot be written as asked (a folder, a missing folder, a full disk): the user's situation, exit 2.</summary>
public sealed class OutputFileException : IOException
{
    /// <summary>Creates the exception; the message reads "PATH: WHAT".</summary>
    public OutputFileException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        OutputPath = path;
    }

    /// <summary>Creates an exception with no details.</summary>
    public OutputFileException()
        : this("", "cannot be written.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public OutputFileException(string message)
        : this("", message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public OutputFileException(string message, Exception inner)
        : this("", message, inner)
    {
    }

    /// <summary>The path as the user gave it.</summary>
    public string OutputPath { get; }
}
