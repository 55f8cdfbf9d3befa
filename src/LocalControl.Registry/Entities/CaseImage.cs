namespace LocalControl.Registry.Entities;

/// <summary>
/// An image uploaded to a case: a CT (or MR) volume or a label map, kept as the uploaded file in the image folder
/// (the database holds where it is and what it is; volumes are too large to belong in a row).
/// </summary>
public sealed class CaseImage
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The case.</summary>
    public long CaseRecordId { get; set; }

    /// <summary>"image" (CT/MR intensities) or "labels" (a label map).</summary>
    public required string Kind { get; set; }

    /// <summary>The file name as uploaded (shown, never used as a path).</summary>
    public required string FileName { get; set; }

    /// <summary>Path of the stored file, relative to the image folder.</summary>
    public required string StoredPath { get; set; }

    /// <summary>Format detected on upload (nifti, nrrd).</summary>
    public required string Format { get; set; }

    /// <summary>Voxels along i.</summary>
    public int SizeI { get; set; }

    /// <summary>Voxels along j.</summary>
    public int SizeJ { get; set; }

    /// <summary>Slices (k).</summary>
    public int SizeK { get; set; }

    /// <summary>Voxel spacing in mm, "i j k".</summary>
    public required string SpacingMm { get; set; }

    /// <summary>SHA-256 of the stored file, hex.</summary>
    public required string Sha256 { get; set; }

    /// <summary>Who uploaded it.</summary>
    public required string UploadedBy { get; set; }

    /// <summary>When (UTC).</summary>
    public DateTime UploadedUtc { get; set; }
}
