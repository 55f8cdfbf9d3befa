namespace LocalControl.Imaging.Formats.Nifti;

/// <summary>
/// The NIfTI-1 (348 bytes) or NIfTI-2 (540 bytes) header, field for field, with the wider NIfTI-2 types used for
/// both (a NIfTI-1 int16 fits a long, a float32 fits a double). Names follow <c>nifti1.h</c>/<c>nifti2.h</c>.
/// World coordinates here are NIfTI's RAS+; conversion to LPS happens in <see cref="NiftiGeometry"/> only.
/// </summary>
public sealed class NiftiHeader
{
    /// <summary>1 or 2.</summary>
    public int Version { get; set; } = 1;

    /// <summary>True when the file was (or is to be) written big-endian.</summary>
    public bool BigEndian { get; set; }

    /// <summary>The magic string without NULs (<c>n+1</c>, <c>ni1</c>, <c>n+2</c>, <c>ni2</c>).</summary>
    public string Magic { get; set; } = "n+1";

    /// <summary><c>dim_info</c>: frequency/phase/slice encoding directions.</summary>
    public byte DimInfo { get; set; }

    /// <summary><c>dim[0..7]</c>: dim[0] = number of dimensions, dim[1..] = sizes.</summary>
    public long[] Dim { get; set; } = new long[8];

    /// <summary><c>intent_p1..p3</c>.</summary>
    public double[] IntentP { get; set; } = new double[3];

    /// <summary><c>intent_code</c> (1002 = label map).</summary>
    public int IntentCode { get; set; }

    /// <summary><c>datatype</c> code (2 uint8, 4 int16, 8 int32, 16 float32, 64 float64, 256 int8, 512 uint16, 768 uint32, 1024 int64, 1280 uint64).</summary>
    public int Datatype { get; set; }

    /// <summary><c>bitpix</c>: bits per voxel.</summary>
    public int Bitpix { get; set; }

    /// <summary><c>slice_start</c>.</summary>
    public long SliceStart { get; set; }

    /// <summary><c>pixdim[0..7]</c>: pixdim[0] = qfac, pixdim[1..3] = voxel size in <see cref="XyztUnits"/>.</summary>
    public double[] Pixdim { get; set; } = new double[8];

    /// <summary><c>vox_offset</c>: byte offset of the voxel data in a single-file image.</summary>
    public double VoxOffset { get; set; }

    /// <summary><c>scl_slope</c>.</summary>
    public double SclSlope { get; set; }

    /// <summary><c>scl_inter</c>.</summary>
    public double SclInter { get; set; }

    /// <summary><c>slice_end</c>.</summary>
    public long SliceEnd { get; set; }

    /// <summary><c>slice_code</c>.</summary>
    public int SliceCode { get; set; }

    /// <summary><c>xyzt_units</c>: bits 0–2 space (1 m, 2 mm, 3 µm), bits 3–5 time.</summary>
    public int XyztUnits { get; set; }

    /// <summary><c>cal_max</c>.</summary>
    public double CalMax { get; set; }

    /// <summary><c>cal_min</c>.</summary>
    public double CalMin { get; set; }

    /// <summary><c>slice_duration</c>.</summary>
    public double SliceDuration { get; set; }

    /// <summary><c>toffset</c>.</summary>
    public double TOffset { get; set; }

    /// <summary><c>descrip</c> (80 chars).</summary>
    public string Descrip { get; set; } = "";

    /// <summary><c>aux_file</c> (24 chars).</summary>
    public string AuxFile { get; set; } = "";

    /// <summary><c>qform_code</c>.</summary>
    public int QformCode { get; set; }

    /// <summary><c>sform_code</c>.</summary>
    public int SformCode { get; set; }

    /// <summary><c>quatern_b</c>, <c>quatern_c</c>, <c>quatern_d</c>.</summary>
    public double[] Quatern { get; set; } = new double[3];

    /// <summary><c>qoffset_x/y/z</c> (RAS mm).</summary>
    public double[] QOffset { get; set; } = new double[3];

    /// <summary><c>srow_x</c>, <c>srow_y</c>, <c>srow_z</c> as a 3x4 row-major affine (RAS).</summary>
    public double[,] Srow { get; set; } = new double[3, 4];

    /// <summary><c>intent_name</c> (16 chars).</summary>
    public string IntentName { get; set; } = "";

    /// <summary>Header size in bytes: 348 or 540.</summary>
    public int SizeOfHeader => Version == 2 ? 540 : 348;

    /// <summary>True for a single-file image (<c>n+1</c>/<c>n+2</c>), false for a .hdr/.img pair.</summary>
    public bool IsSingleFile => Magic.Length > 1 && Magic[1] == '+';
}
