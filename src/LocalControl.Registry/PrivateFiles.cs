namespace LocalControl.Registry;

/// <summary>
/// Files only the server's own account may read: the registry database (and its -wal and -shm files), uploaded images
/// and keys are created 0600 in folders created 0700, whatever the process umask.
/// </summary>
public static class PrivateFiles
{
    /// <summary>rw for the owner only.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>rwx for the owner only.</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="folder"/> (0700) if it does not exist.</summary>
    public static void CreateFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            return;
        }
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, FolderMode);
        }
    }

    /// <summary>Options for creating a new file 0600.</summary>
    public static FileStreamOptions CreateNew()
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }
        return options;
    }

    /// <summary>Writes a new text file 0600 (refuses to overwrite).</summary>
    public static void WriteAllText(string path, string text)
    {
        CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = new FileStream(path, CreateNew());
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    /// <summary>
    /// Makes a SQLite database file private before SQLite opens it: creates it empty (0600) if missing, or narrows an
    /// existing one to 0600. SQLite gives its -wal and -shm files the mode of the database file.
    /// </summary>
    public static void PrepareSqliteFile(string path)
    {
        if (OperatingSystem.IsWindows() || path == ":memory:" || path.Length == 0)
        {
            return;
        }
        CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (!File.Exists(path))
        {
            using var _ = new FileStream(path, CreateNew());
        }
        foreach (var f in new[] { path, path + "-wal", path + "-shm" })
        {
            if (File.Exists(f))
            {
                File.SetUnixFileMode(f, FileMode);
            }
        }
    }
}
