using System.Diagnostics;
using System.Text.Json.Nodes;

namespace LocalControl.Imaging.Tests.Support;

/// <summary>Runs Debian's python3 (numpy, scipy, nibabel) as an independent oracle.</summary>
internal static class PythonOracle
{
    /// <summary>Runs <paramref name="script"/> with arguments; returns stdout, fails the test on a non-zero exit.</summary>
    public static string Run(string script, params string[] args)
    {
        var psi = new ProcessStartInfo(TestPaths.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("python3 did not start");
        var stderrTask = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var stderr = stderrTask.Result;
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"python oracle failed ({p.ExitCode}): {stderr}");
        }

        return stdout;
    }

    public static JsonNode RunJson(string script, params string[] args) =>
        JsonNode.Parse(Run(script, args)) ?? throw new InvalidOperationException("no JSON from python");

    /// <summary>Reads a raw little-endian float64 file written by numpy's tofile.</summary>
    public static double[] ReadFloat64(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var result = new double[bytes.Length / 8];
        Buffer.BlockCopy(bytes, 0, result, 0, result.Length * 8);
        return result;
    }

    /// <summary>nibabel's view of a NIfTI file: affine (4x4), shape, header xyzt_units, and get_fdata() (Fortran order) as raw float64 in <paramref name="dataOut"/>.</summary>
    public const string NibabelDump = """
import sys, json, numpy as np, nibabel as nib
path, out = sys.argv[1], sys.argv[2]
img = nib.load(path)
if not isinstance(img, (nib.Nifti1Pair, nib.Nifti2Pair)):
    img = nib.Nifti2Image.from_filename(path)
data = np.asanyarray(img.dataobj).astype(np.float64) if img.header.get_slope_inter()[0] is None else img.get_fdata()
np.asfortranarray(data).ravel(order='F').astype('<f8').tofile(out)
h = img.header
print(json.dumps({"affine": img.affine.tolist(), "shape": list(img.shape), "units": int(h['xyzt_units']),
  "sform": int(h['sform_code']), "qform": int(h['qform_code'])}))
""";
}
