namespace LocalControl.Imaging.Tests.Support;

/// <summary>Where the shared test data lives (read-only) and where tests may write.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>tests/data of the repository: small real files with their licence notes (never written to).</summary>
    public static string SharedData => Path.GetFullPath(Path.Combine(RepoRoot, "tests", "data"));

    public static string NibabelData => "/usr/lib/python3/dist-packages/nibabel/tests/data";

    public static string Python => "/usr/bin/python3";

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LocalControl.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("LocalControl.sln not found above the test binaries.");
    }
}

/// <summary>A temporary folder removed at dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(PathName);

    public string PathName { get; } = Path.Combine(Path.GetTempPath(), "lc-img-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => Path.Combine(PathName, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(PathName, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
