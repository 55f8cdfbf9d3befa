using System.Security.Cryptography;
using System.Text.Json;
using LocalControl.Imaging.Formats.Dicom;
using Xunit.Abstractions;

namespace LocalControl.Imaging.Tests.Formats.Dicom;

/// <summary>pydicom's reading of its own test files, produced once per test run.</summary>
public sealed class PydicomOracleFixture : IDisposable
{
    public PydicomOracleFixture()
    {
        var dir = DicomTestData.PydicomTestFiles;
        Files = [.. Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".dcm", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("DICOMDIR", StringComparison.Ordinal)
                || (f.Contains("dicomdirtests", StringComparison.Ordinal) && !Path.HasExtension(f) && Path.GetFileName(f) != "README"))
            .Order(StringComparer.Ordinal)];
        Oracle = DicomTestData.RunOracle("pydicom_dump.py", Files);
    }

    public IReadOnlyList<string> Files { get; }

    public JsonDocument Oracle { get; }

    public void Dispose() => Oracle.Dispose();
}

public sealed class DicomReaderOracleTests(PydicomOracleFixture oracle, ITestOutputHelper output) : IClassFixture<PydicomOracleFixture>
{
    /// <summary>
    /// Files that pydicom (with force=True) reads but we refuse on purpose, with the code we give. Each is checked:
    /// the refusal must carry exactly this code.
    /// </summary>
    private static readonly Dictionary<string, string> DeliberateRefusals = new(StringComparer.Ordinal)
    {
        // No preamble, no meta, and a stray first byte: pydicom's forced read yields one garbage element (0820,0500).
        ["no_meta.dcm"] = DicomErrorCodes.NotDicom,
        // A DICOMDIR whose last record item (248 bytes) overruns its sequence's length (224 bytes left).
        ["DICOMDIR-nooffset"] = DicomErrorCodes.Truncated,
        // Truncated in the middle of BeamSequence; pydicom defers the sequence and only fails when it is used.
        ["rtplan_truncated.dcm"] = DicomErrorCodes.Truncated,
    };

    [Fact]
    public void Every_pydicom_test_file_reads_to_the_same_elements_as_pydicom()
    {
        Assert.True(oracle.Files.Count > 60, $"only {oracle.Files.Count} pydicom test files found");
        int compared = 0, bothRefused = 0, elements = 0;
        var failures = new List<string>();
        foreach (var file in oracle.Files)
        {
            var expected = oracle.Oracle.RootElement.GetProperty(file);
            DicomFile? ours = null;
            ImagingException? error = null;
            try
            {
                ours = DicomReader.Read(file);
            }
            catch (ImagingException ex)
            {
                error = ex;
            }

            if (expected.TryGetProperty("readError", out var pyError))
            {
                Assert.True(error is not null, $"{file}: pydicom refuses it ({pyError}) but we read it");
                bothRefused++;
                continue;
            }

            if (DeliberateRefusals.TryGetValue(Path.GetFileName(file), out var code))
            {
                Assert.True(error?.Code == code, $"{file}: expected {code}, got {error?.Message ?? "no error"}");
                bothRefused++;
                continue;
            }

            if (error is not null)
            {
                failures.Add($"{Path.GetFileName(file)}: we refuse it, pydicom reads it: {error.Message}");
                continue;
            }

            var ourElements = Flatten(ours!.Dataset, "", ours.TransferSyntax.IsExplicitVR).ToDictionary(e => e.Path);
            var theirs = expected.GetProperty("elements").EnumerateArray().ToList();
            foreach (var t in theirs)
            {
                elements++;
                var path = t.GetProperty("path").GetString()!;
                if (!ourElements.TryGetValue(path, out var e))
                {
                    failures.Add($"{Path.GetFileName(file)} {path}: missing");
                    continue;
                }

                var vr = t.GetProperty("vr").GetString()!;
                if (e.Vr is { } ourVr && ourVr != vr && !(vr.Contains(ourVr, StringComparison.Ordinal)))
                {
                    failures.Add($"{Path.GetFileName(file)} {path}: VR {ourVr}, pydicom {vr}");
                }

                if (t.TryGetProperty("raw", out var raw) && raw.GetString() != e.Raw)
                {
                    failures.Add($"{Path.GetFileName(file)} {path}: bytes {Short(e.Raw)}, pydicom {Short(raw.GetString())}");
                }

                if (t.TryGetProperty("items", out var items) && items.GetInt32() != e.Items)
                {
                    failures.Add($"{Path.GetFileName(file)} {path}: {e.Items} items, pydicom {items.GetInt32()}");
                }

                if (t.TryGetProperty("text", out var text) && e.Text is not null && text.GetString()!.TrimEnd(' ') != e.Text?.TrimEnd(' '))
                {
                    failures.Add($"{Path.GetFileName(file)} {path}: text '{e.Text}', pydicom '{text.GetString()}'");
                }
            }

            if (ourElements.Count != theirs.Count)
            {
                var extra = ourElements.Keys.Except(theirs.Select(t => t.GetProperty("path").GetString()!)).Take(5);
                failures.Add($"{Path.GetFileName(file)}: {ourElements.Count} elements, pydicom {theirs.Count}; extra: {string.Join(", ", extra)}");
            }

            compared++;
        }

        output.WriteLine($"{compared} files compared element by element ({elements} elements), {bothRefused} refused (by both, or deliberately by us)");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
        Assert.True(compared >= 60);
    }

    [Fact]
    public void Every_file_pydicom_can_decode_has_our_pixel_values_or_a_documented_refusal()
    {
        int decoded = 0, refused = 0, geometryCompared = 0;
        var failures = new List<string>();
        var refusals = new List<string>();
        foreach (var file in oracle.Files)
        {
            var expected = oracle.Oracle.RootElement.GetProperty(file);
            if (!expected.TryGetProperty("stored", out var stored))
            {
                continue;
            }

            var name = Path.GetFileName(file);
            try
            {
                var f = DicomReader.Read(file);
                var d = DicomPixelDescription.From(f.Dataset, file);
                var all = new List<double>();
                var rescaledAll = new List<double>();
                for (var frame = 0; frame < d.NumberOfFrames; frame++)
                {
                    all.AddRange(DicomPixelDecoder.DecodeFrame(f, frame));
                    rescaledAll.AddRange(DicomPixelDecoder.DecodeFrame(f, frame, rescale: true));
                }

                geometryCompared += CompareGeometry(f, d, expected.GetProperty("geometry"), name, failures);
                if (Digest(all) != stored.GetString())
                {
                    failures.Add($"{name}: stored values differ (sum {all.Sum()}, pydicom {expected.GetProperty("storedSum").GetDouble()})");
                }
                else if (Digest(rescaledAll) != expected.GetProperty("rescaled").GetString())
                {
                    failures.Add($"{name}: rescaled values differ");
                }

                decoded++;
            }
            catch (ImagingException ex) when (ex.Code is DicomErrorCodes.UnsupportedTransferSyntax or DicomErrorCodes.UnsupportedPixelFormat)
            {
                // Our documented refusals: compressed JPEG-family syntaxes (with a conversion hint) and sub-sampled YBR.
                Assert.True(ex.Code != DicomErrorCodes.UnsupportedTransferSyntax || ex.Message.Contains("convert it first", StringComparison.Ordinal), ex.Message);
                refused++;
                refusals.Add($"{name}: {ex.Code}");
            }
            catch (ImagingException ex)
            {
                failures.Add($"{name}: {ex.Message}");
            }
        }

        output.WriteLine($"{decoded} files decoded equal to pydicom's pixel_array ({geometryCompared} with position, orientation and spacing equal to pydicom's tags); {refused} refused with a documented code:");
        refusals.ForEach(output.WriteLine);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(decoded >= 15, $"only {decoded} decoded");
    }

    /// <summary>Our frame geometry and rescale against pydicom's tags; returns 1 when the file has a position to compare.</summary>
    private static int CompareGeometry(DicomFile f, DicomPixelDescription d, JsonElement g, string name, List<string> failures)
    {
        double[] Tag(string key) => g.TryGetProperty(key, out var v) ? [.. v.EnumerateArray().Select(x => x.GetDouble())] : [];
        if (g.TryGetProperty("RescaleSlope", out var slope) && slope.GetDouble() != d.RescaleSlope)
        {
            failures.Add($"{name}: RescaleSlope {d.RescaleSlope}, pydicom {slope.GetDouble()}");
        }

        if (g.TryGetProperty("RescaleIntercept", out var intercept) && intercept.GetDouble() != d.RescaleIntercept)
        {
            failures.Add($"{name}: RescaleIntercept {d.RescaleIntercept}, pydicom {intercept.GetDouble()}");
        }

        var ipp = Tag("ImagePositionPatient");
        var iop = Tag("ImageOrientationPatient");
        var ps = Tag("PixelSpacing");
        if (ipp.Length != 3 || iop.Length != 6 || ps.Length != 2)
        {
            return 0;
        }

        IReadOnlyList<DicomFrameRef> frames;
        try
        {
            frames = DicomSeriesScanner.FramesOf(f);
        }
        catch (ImagingException ex)
        {
            failures.Add($"{name}: pydicom has a position, we say {ex.Message}");
            return 0;
        }

        // We renormalise ImageOrientationPatient (often written with 6 digits); compare with pydicom's tags normalised.
        double Norm(int at) => Math.Sqrt(iop[at] * iop[at] + iop[at + 1] * iop[at + 1] + iop[at + 2] * iop[at + 2]);
        var (nr, nc) = (Norm(0), Norm(3));
        iop = [iop[0] / nr, iop[1] / nr, iop[2] / nr, iop[3] / nc, iop[4] / nc, iop[5] / nc];
        var first = frames[0];
        var ours = new[] { first.PositionLps.X, first.PositionLps.Y, first.PositionLps.Z };
        var ourIop = new[] { first.RowDirection.X, first.RowDirection.Y, first.RowDirection.Z, first.ColumnDirection.X, first.ColumnDirection.Y, first.ColumnDirection.Z };
        if (!ours.Zip(ipp).All(p => Math.Abs(p.First - p.Second) < 1e-9) || !ourIop.Zip(iop).All(p => Math.Abs(p.First - p.Second) < 1e-12)
            || first.RowSpacingMm != ps[0] || first.ColumnSpacingMm != ps[1])
        {
            failures.Add($"{name}: geometry ({string.Join(",", ours)}) / ({string.Join(",", ourIop)}) / {first.RowSpacingMm},{first.ColumnSpacingMm} differs from pydicom's ({string.Join(",", ipp)}) / ({string.Join(",", iop)}) / {ps[0]},{ps[1]}");
        }

        return 1;
    }

    internal sealed record Flat(string Path, string? Vr, string? Raw, string? Text, int Items);

    internal static IEnumerable<Flat> Flatten(DicomDataset ds, string prefix, bool explicitVr)
    {
        foreach (var e in ds.Elements)
        {
            var path = $"{prefix}{e.Tag.Group:X4},{e.Tag.Element:X4}";
            // Implicit VR (or UN in the file): the VR is the dictionary's, and pydicom's dictionary is larger than ours.
            // Only a VR written in the file is compared (pydicom resolves US/SS and OB/OW from other attributes).
            var vr = !explicitVr || e.VR == DicomVR.UN ? null : e.VR.ToString();

            if (e.Items is not null)
            {
                yield return new Flat(path, "SQ", null, null, e.Items.Count);
                for (var i = 0; i < e.Items.Count; i++)
                {
                    foreach (var inner in Flatten(e.Items[i], $"{path}[{i}]/", explicitVr && e.VR != DicomVR.UN))
                    {
                        yield return inner;
                    }
                }

                continue;
            }

            var raw = e.RawValue is { } r ? Hex(r) : null;
            var text = e.EffectiveVR.UsesCharacterSet && e.RawValue is not null ? ds.GetString(e.Tag) : null;
            yield return new Flat(path, vr, raw, text, 0);
        }
    }

    private static string Hex(byte[] bytes) =>
        bytes.Length <= 4096 ? Convert.ToHexStringLower(bytes) : "sha1:" + Convert.ToHexStringLower(SHA1.HashData(bytes));

    private static string Digest(List<double> values)
    {
        var bytes = new byte[values.Count * 8];
        for (var i = 0; i < values.Count; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), values[i]);
        }

        return Hex(bytes);
    }

    private static string Short(string? s) => s is null ? "(none)" : s.Length > 40 ? s[..40] + "…" : s;
}
