using System.Globalization;
using LocalControl.Core.IO;

namespace LocalControl.Imaging.Formats;

/// <summary>
/// Lists the regular files under a folder without ever leaving it or looping: a symbolic link is followed only when
/// its target lies inside the folder, every folder (and file) is visited once by its canonical path (so
/// <c>a -&gt; .</c> or two links to one file cannot repeat or hang the walk), and FIFOs, devices and sockets are
/// reported as skipped, never opened.
/// </summary>
public static class FolderWalk
{
    /// <summary>Error code: a folder holding more files than the walk accepts.</summary>
    public const string TooManyFilesCode = "LC-IMG-007";

    /// <summary>The regular files under <paramref name="folder"/>, as paths under the folder the user gave, in ordinal order.</summary>
    /// <param name="folder">The folder to walk.</param>
    /// <param name="recursive">Whether to descend into subfolders.</param>
    /// <param name="maxFiles">More files than this is refused (<see cref="TooManyFilesCode"/>).</param>
    /// <param name="skipped">Told about each entry left out and why (may be null).</param>
    public static IReadOnlyList<string> RegularFiles(string folder, bool recursive, int maxFiles, Action<string, string>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var root = InputFiles.RealPath(folder) ?? throw new ImagingException("LC-IMG-001", "the folder cannot be resolved.", folder);
        var seenFolders = new HashSet<string>(StringComparer.Ordinal) { root };
        var seenFiles = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        var pending = new Queue<string>();
        pending.Enqueue(folder);
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0, ReturnSpecialDirectories = false };
        while (pending.Count > 0)
        {
            var current = pending.Dequeue();
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(current, "*", options).Order(StringComparer.Ordinal).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                skipped?.Invoke(current, "the folder cannot be listed: " + IoErrors.Describe(ex));
                continue;
            }

            foreach (var entry in entries)
            {
                var own = InputFiles.KindOf(entry, followLinks: false);
                string real;
                if (own == FileKind.SymbolicLink)
                {
                    var target = InputFiles.RealPath(entry);
                    if (target is null || (target != root && !InputFiles.IsInside(root, target)))
                    {
                        skipped?.Invoke(entry, "a symbolic link that does not lead to a file inside the folder; not followed");
                        continue;
                    }

                    real = target;
                }
                else
                {
                    real = InputFiles.RealPath(entry) ?? entry;
                }

                var kind = own == FileKind.SymbolicLink ? InputFiles.KindOf(real) : own;
                switch (kind)
                {
                    case FileKind.Directory:
                        if (recursive && seenFolders.Add(real))
                        {
                            pending.Enqueue(entry);
                        }

                        break;
                    case FileKind.Regular:
                        if (seenFiles.Add(real))
                        {
                            if (result.Count >= maxFiles)
                            {
                                throw new ImagingException(TooManyFilesCode, string.Create(CultureInfo.InvariantCulture,
                                    $"the folder holds more than {maxFiles} files; give the folder of one series."), folder);
                            }

                            result.Add(entry);
                        }

                        break;
                    case FileKind.Missing:
                        break;
                    default:
                        skipped?.Invoke(entry, $"{InputFiles.Describe(kind)}, not a regular file; not opened");
                        break;
                }
            }
        }

        result.Sort(StringComparer.Ordinal);
        return result;
    }
}
