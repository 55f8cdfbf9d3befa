using LocalControl.Imaging.Formats.Dicom.Codecs;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// Decodes one encapsulated frame with the codec its transfer syntax names (RLE, JPEG, JPEG-LS, JPEG 2000) into
/// native little-endian bytes, samples interleaved, exactly <see cref="DicomPixelDescription.BytesPerFrame"/> long.
/// The codec's own frame header is checked against Rows, Columns, SamplesPerPixel and BitsAllocated before the
/// output is allocated; a corrupt stream is refused with LC-DICOM-016 naming the file, frame and byte offset.
/// </summary>
internal static class DicomCompressedFrameDecoder
{
    public static byte[] Decode(DicomFile file, DicomElement pixelData, DicomPixelDescription d, int frame)
    {
        // The decoded frame is allocated from the header's claim: within the reading budget, before any byte is read.
        file.Budget.CheckBytes(d.BytesPerFrame, file.FilePath, "Rows × Columns × SamplesPerPixel × BitsAllocated");
        var (fragments, length) = DicomEncapsulatedFrames.Locate(file, pixelData, d, frame);
        var data = DicomEncapsulatedFrames.Read(file, fragments, length);
        var codec = file.TransferSyntax.Codec;
        if (codec == DicomPixelCodec.Rle)
        {
            return DicomRleDecoder.DecodeFrame(data, d, file.FilePath, fragments[0].Offset);
        }

        var bytesPerSample = d.BitsAllocated / 8;
        var output = new byte[d.BytesPerFrame];
        try
        {
            switch (codec)
            {
                case DicomPixelCodec.Jpeg:
                    var header = JpegDecoder.ReadFrameHeader(data);
                    CheckPrecision(file, d, header.Precision, frame);
                    JpegDecoder.Decode(data, d.Rows, d.Columns, d.SamplesPerPixel, bytesPerSample, output);
                    break;
                case DicomPixelCodec.JpegLs:
                    CharLsDecoder.Decode(data, d.Rows, d.Columns, d.SamplesPerPixel, d.BitsAllocated, output);
                    break;
                case DicomPixelCodec.Jpeg2000:
                    OpenJpegDecoder.Decode(data, d.Rows, d.Columns, d.SamplesPerPixel, d.BitsAllocated, output);
                    break;
                default:
                    throw DicomThrowHelper.Error(DicomErrorCodes.UnsupportedTransferSyntax,
                        $"pixel data compressed as {file.TransferSyntax} is not decoded; {file.TransferSyntax.ConversionHint}", file.FilePath, DicomTag.TransferSyntaxUid);
            }
        }
        catch (JpegDataException ex)
        {
            var at = FileOffset(fragments, ex.Offset);
            var code = ex.Unsupported ? DicomErrorCodes.UnsupportedPixelFormat : DicomErrorCodes.CompressedCorrupt;
            throw DicomThrowHelper.Error(code, $"frame {frame + 1} of {d.NumberOfFrames}, {file.TransferSyntax.Name}: {ex.Message}", file.FilePath, DicomTag.PixelData, at);
        }
        catch (CodecException ex)
        {
            throw DicomThrowHelper.Error(ex.LibraryMissing ? DicomErrorCodes.CodecMissing : DicomErrorCodes.CompressedCorrupt,
                $"frame {frame + 1} of {d.NumberOfFrames}, {file.TransferSyntax.Name}: {ex.Message}", file.FilePath, DicomTag.PixelData, fragments[0].Offset);
        }

        return output;
    }

    private static void CheckPrecision(DicomFile file, DicomPixelDescription d, int precision, int frame)
    {
        if (precision > d.BitsAllocated)
        {
            throw DicomThrowHelper.Error(DicomErrorCodes.CompressedCorrupt,
                $"frame {frame + 1}: the JPEG stream has {precision}-bit samples, BitsAllocated is {d.BitsAllocated}", file.FilePath, DicomTag.BitsAllocated);
        }
    }

    /// <summary>Maps an offset in the concatenated frame to the file offset (fragments are not contiguous: 8-byte item headers lie between).</summary>
    private static long FileOffset(IReadOnlyList<DicomFragment> fragments, long streamOffset)
    {
        foreach (var f in fragments)
        {
            if (streamOffset < f.Length)
            {
                return f.Offset + streamOffset;
            }

            streamOffset -= f.Length;
        }

        var last = fragments[^1];
        return last.Offset + last.Length;
    }
}
