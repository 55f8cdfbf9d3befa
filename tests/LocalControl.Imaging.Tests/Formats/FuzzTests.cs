using System.Diagnostics;
using System.IO.Compression;
using LocalControl.Imaging.Formats;
using LocalControl.Imaging.Tests.Support;
using Xunit.Abstractions;

namespace LocalControl.Imaging.Tests.Formats;

/// <summary>
/// Seeded random-mutation fuzzing of the readers over real files: every mutated file must either load or fail with an
/// <see cref="ImagingException"/> — no other exception, no hang, and no allocation beyond what the file can justify.
/// Gzip files are mutated after decompression and recompressed, so that mutations reach the header. A failure prints
/// the seed and iteration, which reproduce it exactly.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    // 400 per file in the normal suite (a few seconds); set LC_FUZZ_ITERATIONS for a longer run.
    private static readonly int IterationsPerFile =
        int.TryParse(Environment.GetEnvironmentVariable("LC_FUZZ_ITERATIONS"), System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 400;

    public static TheoryData<string> Corpus() => new()
    {
        Path.Combine(TestPaths.NibabelData, "anatomical.nii"),
        Path.Combine(TestPaths.NibabelData, "standard.nii.gz"),
        Path.Combine(TestPaths.NibabelData, "example_nifti2.nii.gz"),
        Path.Combine(TestPaths.NibabelData, "functional.nii"),
        Path.Combine(TestPaths.SharedData, "dcmqi", "liver_seg.nrrd"),
        Path.Combine(TestPaths.SharedData, "dcmqi", "23x38x3", "nrrd", "label.nrrd"),
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Mutated_files_load_or_fail_with_an_imaging_exception(string source)
    {
        var original = File.ReadAllBytes(source);
        var gzip = original.Length > 2 && original[0] == 0x1f && original[1] == 0x8b;
        var plain = gzip ? Gunzip(original) : original;
        // NRRD keeps gzip after a text header: mutate it as bytes (header mutations still reach the text).
        using var tmp = new TempDir();
        var path = tmp.File("fuzz" + (source.EndsWith(".gz", StringComparison.Ordinal) ? ".nii.gz" : Path.GetExtension(source)));
        // A stable seed per file (FNV-1a of its name): string.GetHashCode is randomised per process, so a printed
        // seed would not reproduce.
        var seed = StableSeed(Path.GetFileName(source));
        var rng = new Random(seed);
        var stopwatch = Stopwatch.StartNew();
        int loaded = 0, rejected = 0;
        for (var iteration = 0; iteration < IterationsPerFile; iteration++)
        {
            var mutated = Mutate(plain, rng, headerBytes: Math.Min(plain.Length, 600));
            var bytes = gzip ? GzipBytes(mutated) : mutated;
            File.WriteAllBytes(path, bytes);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var started = stopwatch.Elapsed;
            try
            {
                VolumeFormats.Identify(path);
                VolumeFormats.Load(path);
                loaded++;
            }
            catch (ImagingException ex)
            {
                Assert.StartsWith("LC-", ex.Code, StringComparison.Ordinal);
                rejected++;
            }
#pragma warning disable CA1031 // any other exception is the bug this test looks for
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Assert.Fail($"seed {seed}, iteration {iteration}: {ex.GetType().Name}: {ex.Message}");
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // The readers may allocate what the file can hold: its length times the deflate bound, plus slack.
            Assert.True(allocated < 64L * 1024 * 1024 + bytes.Length * 1100L, $"seed {seed}, iteration {iteration}: allocated {allocated} bytes");
            Assert.True(stopwatch.Elapsed - started < TimeSpan.FromSeconds(5), $"seed {seed}, iteration {iteration}: too slow");
        }

        output.WriteLine($"{Path.GetFileName(source)}: {IterationsPerFile} executions in {stopwatch.Elapsed.TotalSeconds:F1} s ({loaded} loaded, {rejected} rejected)");
        Assert.True(rejected > 0, "the mutations never produced an invalid file: the fuzzer is not exercising the checks");
    }

    /// <summary>FNV-1a (32-bit) of the UTF-16 code units of <paramref name="name"/>, as a non-negative seed.</summary>
    internal static int StableSeed(string name)
    {
        var hash = 2166136261u;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7fffffff);
    }

    [Fact]
    public void The_seed_is_the_same_in_every_process()
    {
        // The published FNV-1a 32-bit test vectors (isthe.com/chongo/tech/comp/fnv): "" 0x811c9dc5, "a" 0xe40c292c,
        // "foobar" 0xbf9cf968; the top bit is cleared to make a non-negative seed.
        Assert.Equal(0x011c9dc5, StableSeed(""));
        Assert.Equal(0x640c292c, StableSeed("a"));
        Assert.Equal(0x3f9cf968, StableSeed("foobar"));
    }

    private static byte[] Mutate(byte[] input, Random rng, int headerBytes)
    {
        var data = (byte[])input.Clone();
        var ops = 1 + rng.Next(4);
        for (var op = 0; op < ops; op++)
        {
            // Mostly aim at the header, where the interesting fields are.
            var limit = rng.Next(4) == 0 ? data.Length : Math.Min(data.Length, headerBytes);
            if (limit == 0)
            {
                break;
            }

            var at = rng.Next(limit);
            switch (rng.Next(7))
            {
                case 0:
                    data[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    data[at] = (byte)rng.Next(256);
                    break;
                case 2:
                    // An extreme value over 2, 4 or 8 bytes (sizes, offsets, spacings).
                    var width = 1 << (1 + rng.Next(3));
                    var fill = rng.Next(3) switch { 0 => (byte)0xff, 1 => (byte)0x7f, _ => (byte)0 };
                    for (var n = 0; n < width && at + n < data.Length; n++)
                    {
                        data[at + n] = n == width - 1 && fill == 0x7f ? (byte)0xff : fill;
                    }

                    break;
                case 3:
                    Array.Resize(ref data, rng.Next(data.Length + 1)); // truncate
                    break;
                case 4:
                    // Text-level: replace a digit by a long number (NRRD sizes, spacings).
                    if (data[at] is >= (byte)'0' and <= (byte)'9')
                    {
                        data = [.. data[..at], .. "99999999"u8.ToArray(), .. data[(at + 1)..]];
                    }

                    break;
                case 5:
                    data = [.. data[..at], .. data[Math.Min(data.Length, at + 1 + rng.Next(16))..]]; // delete
                    break;
                default:
                    var junk = new byte[1 + rng.Next(16)];
                    rng.NextBytes(junk);
                    data = [.. data[..at], .. junk, .. data[at..]]; // insert
                    break;
            }
        }

        return data;
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] GzipBytes(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }
}
