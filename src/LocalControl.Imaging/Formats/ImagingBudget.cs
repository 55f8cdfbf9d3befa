using System.Globalization;

namespace LocalControl.Imaging.Formats;

/// <summary>
/// How much one image read may decode: voxels and bytes. Every reader checks its header's claim against this before
/// it allocates, and every decompressor (gzip, deflate, DICOM deflate) stops at <see cref="MaxDecodedBytes"/> rather
/// than after. Exceeding it is the user's input (<c>LC-IMG-003</c>, exit 2), never an out-of-memory crash.
/// </summary>
/// <param name="MaxVoxels">Most voxels of one image, all frames together (e.g. 512×512×2048 = 512 Mi).</param>
/// <param name="MaxDecodedBytes">
/// Most bytes one read may produce: the stored voxels, an inflated DICOM dataset, a single DICOM element value,
/// the decompressed stream of a .nii.gz or gzip NRRD.
/// </param>
public sealed record ImagingBudget(long MaxVoxels, long MaxDecodedBytes)
{
    /// <summary>Error code for a read over budget.</summary>
    public const string OverBudgetCode = "LC-IMG-003";

    /// <summary>
    /// The CLI's default: 512 Mi voxels (a 512×512×2048 CT) and 2 GiB decoded (those voxels as float32). A load
    /// at the limit needs about 2–4 GiB of memory, leaving room on a 24 GB machine for the distance maps built from it.
    /// </summary>
    public static ImagingBudget Default { get; } = new(512L << 20, 2L << 30);

    /// <summary>
    /// For files uploaded to a shared server: 128 Mi voxels (a 512×512×512 CT) and 512 MiB decoded, so a handful of
    /// concurrent uploads cannot exhaust the machine.
    /// </summary>
    public static ImagingBudget ForUploads { get; } = new(128L << 20, 512L << 20);

    /// <summary>Refuses a header that claims more voxels, or more bytes, than the budget allows.</summary>
    /// <param name="voxels">Voxels claimed (all frames).</param>
    /// <param name="bytesPerVoxel">Bytes each voxel occupies once decoded.</param>
    /// <param name="file">The file, for the message.</param>
    /// <param name="field">The header field making the claim (e.g. <c>dim</c>, <c>sizes</c>, <c>NumberOfFrames</c>).</param>
    /// <exception cref="ImagingException"><see cref="OverBudgetCode"/>.</exception>
    public void CheckVoxels(long voxels, int bytesPerVoxel, string? file, string? field)
    {
        if (voxels < 0 || voxels > MaxVoxels)
        {
            throw new ImagingException(OverBudgetCode, string.Create(CultureInfo.InvariantCulture,
                $"the header claims {voxels} voxels; the reading budget is {MaxVoxels}. Refusing to read it."), file, field);
        }

        CheckBytes(voxels * Math.Max(1, bytesPerVoxel), file, field);
    }

    /// <summary>Refuses a claim of more decoded bytes than the budget allows.</summary>
    /// <exception cref="ImagingException"><see cref="OverBudgetCode"/>.</exception>
    public void CheckBytes(long bytes, string? file, string? field)
    {
        if (bytes < 0 || bytes > MaxDecodedBytes)
        {
            throw new ImagingException(OverBudgetCode, string.Create(CultureInfo.InvariantCulture,
                $"reading it needs {bytes} bytes; the reading budget is {MaxDecodedBytes} bytes. Refusing to read it."), file, field);
        }
    }

    /// <summary>Voxels claimed by the product of <paramref name="sizes"/>, saturating instead of overflowing.</summary>
    public static long SaturatingProduct(ReadOnlySpan<long> sizes)
    {
        long n = 1;
        foreach (var s in sizes)
        {
            if (s <= 0)
            {
                return 0;
            }

            n = n > long.MaxValue / s ? long.MaxValue : n * s;
        }

        return n;
    }
}
