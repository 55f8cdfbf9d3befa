using System.Runtime.InteropServices;

namespace LocalControl.Imaging.Formats.Dicom.Codecs;

/// <summary>
/// JPEG-LS (ITU-T T.87; transfer syntaxes 1.2.840.10008.1.2.4.80 and .81) through CharLS 2 (Debian package
/// <c>libcharls2</c>), its C API: the frame header is read and checked against the DICOM header before the
/// decoder writes, the decoder handle is a <see cref="SafeHandle"/>.
/// </summary>
internal static partial class CharLsDecoder
{
    private const string Library = "libcharls.so.2";
    private const string Package = "libcharls2";

    [StructLayout(LayoutKind.Sequential)]
    private struct FrameInfo
    {
        public uint Width;
        public uint Height;
        public int BitsPerSample;
        public int ComponentCount;
    }

    public static void Decode(ReadOnlySpan<byte> data, int rows, int columns, int samples, int bitsAllocated, Span<byte> output)
    {
        data = CodestreamChecks.RequireEndMarker(data, "JPEG-LS");
        DecoderHandle handle;
        try
        {
            handle = charls_jpegls_decoder_create();
        }
        catch (DllNotFoundException)
        {
            throw new CodecException($"JPEG-LS needs the CharLS library ({Library}), which is not installed: apt-get install {Package}", libraryMissing: true);
        }

        using (handle)
        {
            if (handle.IsInvalid)
            {
                throw new CodecException("CharLS could not create a decoder (out of memory)");
            }

            unsafe
            {
                fixed (byte* source = data)
                {
                    Check(charls_jpegls_decoder_set_source_buffer(handle, source, (nuint)data.Length));
                    Check(charls_jpegls_decoder_read_header(handle));
                    Check(charls_jpegls_decoder_get_frame_info(handle, out var info));
                    if (info.Height != rows || info.Width != columns || info.ComponentCount != samples)
                    {
                        throw new CodecException(
                            $"the JPEG-LS frame is {info.Height} rows x {info.Width} columns x {info.ComponentCount} components, the DICOM header (Rows, Columns, SamplesPerPixel) says {rows} x {columns} x {samples}");
                    }

                    if (info.BitsPerSample > bitsAllocated || info.BitsPerSample is < 2 or > 16)
                    {
                        throw new CodecException($"the JPEG-LS stream has {info.BitsPerSample}-bit samples, BitsAllocated is {bitsAllocated}");
                    }

                    Check(charls_jpegls_decoder_get_interleave_mode(handle, out var interleave));
                    var bytesPerSample = info.BitsPerSample <= 8 ? 1 : 2;
                    Check(charls_jpegls_decoder_get_destination_size(handle, 0, out var size));
                    var expected = (long)rows * columns * samples * bytesPerSample;
                    if ((long)size != expected)
                    {
                        throw new CodecException($"CharLS needs {size} bytes for a {rows} x {columns} x {samples} frame of {bytesPerSample}-byte samples ({expected} expected)");
                    }

                    // Decode straight into the output when the layouts agree; else into a buffer, then widen/interleave.
                    var direct = bytesPerSample * 8 == bitsAllocated && (samples == 1 || interleave != 0);
                    var buffer = direct ? output : new byte[expected];
                    fixed (byte* destination = buffer)
                    {
                        Check(charls_jpegls_decoder_decode_to_buffer(handle, destination, (nuint)expected, 0));
                    }

                    if (!direct)
                    {
                        Rearrange(buffer, output, rows * columns, samples, bytesPerSample, bitsAllocated, planar: interleave == 0);
                    }
                }
            }
        }
    }

    private static void Rearrange(ReadOnlySpan<byte> decoded, Span<byte> output, int pixels, int samples, int bytesPerSample, int bitsAllocated, bool planar)
    {
        for (var p = 0; p < pixels; p++)
        {
            for (var s = 0; s < samples; s++)
            {
                var source = planar ? s * pixels + p : p * samples + s;
                var v = bytesPerSample == 1 ? decoded[source] : System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(decoded.Slice(2 * source));
                SampleWriter.Write(output, p * samples + s, bitsAllocated, v);
            }
        }
    }

    private static void Check(int error)
    {
        if (error != 0)
        {
            var message = Marshal.PtrToStringUTF8(charls_get_error_message(error)) ?? "unknown error";
            throw new CodecException($"CharLS error {error}: {message}");
        }
    }

    private sealed class DecoderHandle : SafeHandle
    {
        public DecoderHandle()
            : base(IntPtr.Zero, ownsHandle: true)
        {
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            charls_jpegls_decoder_destroy(handle);
            return true;
        }
    }

    [LibraryImport(Library)]
    private static partial DecoderHandle charls_jpegls_decoder_create();

    [LibraryImport(Library)]
    private static partial void charls_jpegls_decoder_destroy(IntPtr decoder);

    [LibraryImport(Library)]
    private static unsafe partial int charls_jpegls_decoder_set_source_buffer(DecoderHandle decoder, byte* source, nuint size);

    [LibraryImport(Library)]
    private static partial int charls_jpegls_decoder_read_header(DecoderHandle decoder);

    [LibraryImport(Library)]
    private static partial int charls_jpegls_decoder_get_frame_info(DecoderHandle decoder, out FrameInfo info);

    [LibraryImport(Library)]
    private static partial int charls_jpegls_decoder_get_interleave_mode(DecoderHandle decoder, out int mode);

    [LibraryImport(Library)]
    private static partial int charls_jpegls_decoder_get_destination_size(DecoderHandle decoder, uint stride, out nuint size);

    [LibraryImport(Library)]
    private static unsafe partial int charls_jpegls_decoder_decode_to_buffer(DecoderHandle decoder, byte* destination, nuint size, uint stride);

    [LibraryImport(Library)]
    private static partial IntPtr charls_get_error_message(int error);
}
