using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

/// <summary>Where the real test files are, and how to ask the Debian pydicom oracle about them.</summary>
internal static class DicomTestData
{
    public const string Python = "/usr/bin/python3";

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "tests"));

    public static string Dcmqi => Path.Combine(Shared, "data", "dcmqi");

    public static string OracleScript(string name) => Path.Combine(RepoRoot, "tests", "LocalControl.Imaging.Tests", "Formats", "Dicom", "Oracle", name);

    /// <summary>pydicom's bundled test files (Debian python3-pydicom).</summary>
    public static string PydicomTestFiles { get; } = RunPython("-c", "import pydicom,os;print(os.path.join(os.path.dirname(pydicom.__file__),'data','test_files'))").Trim();

    public static string RunPython(params string[] args)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: run scripts/install-test-deps.sh (python3-pydicom, python3-numpy)");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"python failed ({p.ExitCode}): {stderr.Result}");
        return stdout;
    }

    public static JsonDocument RunOracle(string script, IEnumerable<string> args) =>
        JsonDocument.Parse(RunPython([OracleScript(script), .. args]));

    private static string FindRepoRoot([CallerFilePath] string here = "")
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "LocalControl.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", ".."));
    }
}
