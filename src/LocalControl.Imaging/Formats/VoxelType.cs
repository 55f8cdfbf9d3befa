namespace LocalControl.Imaging.Formats;

/// <summary>The scalar type voxels are stored as in a file (before any slope/intercept scaling).</summary>
public enum VoxelType
{
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,
    /// <summary>Signed 8-bit integer.</summary>
    Int8,
    /// <summary>Signed 16-bit integer.</summary>
    Int16,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16,
    /// <summary>Signed 32-bit integer.</summary>
    Int32,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32,
    /// <summary>Signed 64-bit integer.</summary>
    Int64,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64,
    /// <summary>IEEE 754 single.</summary>
    Float32,
    /// <summary>IEEE 754 double.</summary>
    Float64,
}

/// <summary>Helpers for <see cref="VoxelType"/>.</summary>
public static class VoxelTypes
{
    /// <summary>Bytes per voxel.</summary>
    public static int SizeInBytes(this VoxelType type) => type switch
    {
        VoxelType.UInt8 or VoxelType.Int8 => 1,
        VoxelType.Int16 or VoxelType.UInt16 => 2,
        VoxelType.Int32 or VoxelType.UInt32 or VoxelType.Float32 => 4,
        _ => 8,
    };

    /// <summary>True for the integer types.</summary>
    public static bool IsInteger(this VoxelType type) => type is not (VoxelType.Float32 or VoxelType.Float64);

    /// <summary>Lower-case name used in JSON output (<c>uint8</c>, <c>int16</c>, <c>float32</c> …).</summary>
    public static string JsonName(this VoxelType type) => type switch
    {
        VoxelType.UInt8 => "uint8",
        VoxelType.Int8 => "int8",
        VoxelType.Int16 => "int16",
        VoxelType.UInt16 => "uint16",
        VoxelType.Int32 => "int32",
        VoxelType.UInt32 => "uint32",
        VoxelType.Int64 => "int64",
        VoxelType.UInt64 => "uint64",
        VoxelType.Float32 => "float32",
        _ => "float64",
    };
}
