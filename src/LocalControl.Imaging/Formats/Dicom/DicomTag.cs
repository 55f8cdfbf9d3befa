using System.Globalization;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>A DICOM attribute tag (group, element), written <c>(gggg,eeee)</c> in messages.</summary>
/// <param name="Group">Group number.</param>
/// <param name="Element">Element number.</param>
public readonly record struct DicomTag(ushort Group, ushort Element) : IComparable<DicomTag>
{
    /// <summary>The tag as one 32-bit number <c>0xGGGGEEEE</c>.</summary>
    public uint Value => ((uint)Group << 16) | Element;

    /// <summary>True for a private tag (odd group).</summary>
    public bool IsPrivate => (Group & 1) == 1;

    /// <summary>Builds a tag from <c>0xGGGGEEEE</c>.</summary>
    public static DicomTag FromValue(uint value) => new((ushort)(value >> 16), (ushort)value);

    /// <inheritdoc />
    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    /// <summary>Formats as <c>(gggg,eeee)</c> in upper-case hex.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({Group:X4},{Element:X4})");

#pragma warning disable CS1591 // well-known tags: the names are the DICOM keywords
    public static readonly DicomTag FileMetaInformationGroupLength = new(0x0002, 0x0000);
    public static readonly DicomTag MediaStorageSopClassUid = new(0x0002, 0x0002);
    public static readonly DicomTag MediaStorageSopInstanceUid = new(0x0002, 0x0003);
    public static readonly DicomTag TransferSyntaxUid = new(0x0002, 0x0010);
    public static readonly DicomTag SpecificCharacterSet = new(0x0008, 0x0005);
    public static readonly DicomTag ImageType = new(0x0008, 0x0008);
    public static readonly DicomTag SopClassUid = new(0x0008, 0x0016);
    public static readonly DicomTag SopInstanceUid = new(0x0008, 0x0018);
    public static readonly DicomTag Modality = new(0x0008, 0x0060);
    public static readonly DicomTag SeriesDescription = new(0x0008, 0x103E);
    public static readonly DicomTag ReferencedSeriesSequence = new(0x0008, 0x1115);
    public static readonly DicomTag ReferencedInstanceSequence = new(0x0008, 0x114A);
    public static readonly DicomTag ReferencedSopClassUid = new(0x0008, 0x1150);
    public static readonly DicomTag ReferencedSopInstanceUid = new(0x0008, 0x1155);
    public static readonly DicomTag SourceImageSequence = new(0x0008, 0x2112);
    public static readonly DicomTag DerivationImageSequence = new(0x0008, 0x9124);
    public static readonly DicomTag PatientName = new(0x0010, 0x0010);
    public static readonly DicomTag PatientId = new(0x0010, 0x0020);
    public static readonly DicomTag SliceThickness = new(0x0018, 0x0050);
    public static readonly DicomTag SpacingBetweenSlices = new(0x0018, 0x0088);
    public static readonly DicomTag GantryDetectorTilt = new(0x0018, 0x1120);
    public static readonly DicomTag StudyInstanceUid = new(0x0020, 0x000D);
    public static readonly DicomTag SeriesInstanceUid = new(0x0020, 0x000E);
    public static readonly DicomTag SeriesNumber = new(0x0020, 0x0011);
    public static readonly DicomTag AcquisitionNumber = new(0x0020, 0x0012);
    public static readonly DicomTag InstanceNumber = new(0x0020, 0x0013);
    public static readonly DicomTag ImagePositionPatient = new(0x0020, 0x0032);
    public static readonly DicomTag ImageOrientationPatient = new(0x0020, 0x0037);
    public static readonly DicomTag FrameOfReferenceUid = new(0x0020, 0x0052);
    public static readonly DicomTag DimensionIndexValues = new(0x0020, 0x9157);
    public static readonly DicomTag PlanePositionSequence = new(0x0020, 0x9113);
    public static readonly DicomTag PlaneOrientationSequence = new(0x0020, 0x9116);
    public static readonly DicomTag SamplesPerPixel = new(0x0028, 0x0002);
    public static readonly DicomTag PhotometricInterpretation = new(0x0028, 0x0004);
    public static readonly DicomTag PlanarConfiguration = new(0x0028, 0x0006);
    public static readonly DicomTag NumberOfFrames = new(0x0028, 0x0008);
    public static readonly DicomTag Rows = new(0x0028, 0x0010);
    public static readonly DicomTag Columns = new(0x0028, 0x0011);
    public static readonly DicomTag PixelSpacing = new(0x0028, 0x0030);
    public static readonly DicomTag BitsAllocated = new(0x0028, 0x0100);
    public static readonly DicomTag BitsStored = new(0x0028, 0x0101);
    public static readonly DicomTag HighBit = new(0x0028, 0x0102);
    public static readonly DicomTag PixelRepresentation = new(0x0028, 0x0103);
    public static readonly DicomTag RescaleIntercept = new(0x0028, 0x1052);
    public static readonly DicomTag RescaleSlope = new(0x0028, 0x1053);
    public static readonly DicomTag PixelMeasuresSequence = new(0x0028, 0x9110);
    public static readonly DicomTag PixelValueTransformationSequence = new(0x0028, 0x9145);
    public static readonly DicomTag SharedFunctionalGroupsSequence = new(0x5200, 0x9229);
    public static readonly DicomTag PerFrameFunctionalGroupsSequence = new(0x5200, 0x9230);
    public static readonly DicomTag SegmentationType = new(0x0062, 0x0001);
    public static readonly DicomTag SegmentSequence = new(0x0062, 0x0002);
    public static readonly DicomTag SegmentNumber = new(0x0062, 0x0004);
    public static readonly DicomTag SegmentLabel = new(0x0062, 0x0005);
    public static readonly DicomTag RecommendedDisplayCieLabValue = new(0x0062, 0x000D);
    public static readonly DicomTag MaximumFractionalValue = new(0x0062, 0x000E);
    public static readonly DicomTag SegmentIdentificationSequence = new(0x0062, 0x000A);
    public static readonly DicomTag ReferencedSegmentNumber = new(0x0062, 0x000B);
    public static readonly DicomTag SegmentationFractionalType = new(0x0062, 0x0010);
    public static readonly DicomTag ReferencedFrameOfReferenceSequence = new(0x3006, 0x0010);
    public static readonly DicomTag StructureSetRoiSequence = new(0x3006, 0x0020);
    public static readonly DicomTag RoiNumber = new(0x3006, 0x0022);
    public static readonly DicomTag ReferencedFrameOfReferenceUid = new(0x3006, 0x0024);
    public static readonly DicomTag RoiName = new(0x3006, 0x0026);
    public static readonly DicomTag RoiDisplayColor = new(0x3006, 0x002A);
    public static readonly DicomTag RoiContourSequence = new(0x3006, 0x0039);
    public static readonly DicomTag ContourSequence = new(0x3006, 0x0040);
    public static readonly DicomTag ContourGeometricType = new(0x3006, 0x0042);
    public static readonly DicomTag NumberOfContourPoints = new(0x3006, 0x0046);
    public static readonly DicomTag ContourData = new(0x3006, 0x0050);
    public static readonly DicomTag ReferencedRoiNumber = new(0x3006, 0x0084);
    public static readonly DicomTag DoseGridScaling = new(0x3004, 0x000E);
    public static readonly DicomTag ExtendedOffsetTable = new(0x7FE0, 0x0001);
    public static readonly DicomTag ExtendedOffsetTableLengths = new(0x7FE0, 0x0002);
    public static readonly DicomTag FloatPixelData = new(0x7FE0, 0x0008);
    public static readonly DicomTag DoubleFloatPixelData = new(0x7FE0, 0x0009);
    public static readonly DicomTag PixelData = new(0x7FE0, 0x0010);
    public static readonly DicomTag Item = new(0xFFFE, 0xE000);
    public static readonly DicomTag ItemDelimitationItem = new(0xFFFE, 0xE00D);
    public static readonly DicomTag SequenceDelimitationItem = new(0xFFFE, 0xE0DD);
#pragma warning restore CS1591
}
