using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LocalControl.Imaging.Formats.Dicom.Codecs;

/// <summary>
/// JPEG 2000 (ISO 15444-1; transfer syntaxes 1.2.840.10008.1.2.4.90 and .91) through OpenJPEG 2 (Debian package
/// <c>libopenjp2-7</c>): a J2K codestream (or a JP2 file, which some writers put in DICOM) read from memory, the
/// image size and component count checked against the DICOM header before samples are copied, every native object
/// (codec, stream, image) in a <see cref="SafeHandle"/>, OpenJPEG's error messages kept for ours.
/// </summary>
internal static unsafe partial class OpenJpegDecoder
{
    private const string Library = "libopenjp2.so.7";
    private const string Package = "libopenjp2-7";

    // opj_image_t and opj_image_comp_t of OpenJPEG 2.5 (x86-64): offsets checked against openjpeg.h.
    [StructLayout(LayoutKind.Sequential)]
    private struct OpjImage
    {
        public uint X0, Y0, X1, Y1, NumComps;
        public int ColorSpace;
        public OpjImageComp* Comps;
        public byte* IccProfile;
        public uint IccProfileLength;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct OpjImageComp
    {
        public uint Dx, Dy, W, H, X0, Y0, Prec, Bpp, Sgnd, ResnoDecoded, Factor;
        public int* Data;
        public ushort Alpha;
    }

    private struct MemoryStream
    {
        public byte* Data;
        public long Length;
        public long Position;
    }

    public static void Decode(ReadOnlySpan<byte> data, int rows, int columns, int samples, int bitsAllocated, Span<byte> output)
    {
        // A JP2 file starts with its signature box; a bare codestream with SOC (FF 4F).
        var isJp2 = data.Length >= 12 && data[4] == 0x6A && data[5] == 0x50 && data[6] == 0x20 && data[7] == 0x20;
        if (!isJp2)
        {
            data = CodestreamChecks.RequireEndMarker(data, "JPEG 2000");
        }

        CodecHandle codec;
        try
        {
            codec = opj_create_decompress(isJp2 ? 2 : 0);
        }
        catch (DllNotFoundException)
        {
            throw new CodecException($"JPEG 2000 needs the OpenJPEG library ({Library}), which is not installed: apt-get install {Package}", libraryMissing: true);
        }

        var errors = new List<string>();
        var errorsHandle = GCHandle.Alloc(errors);
        try
        {
            using (codec)
            {
                if (codec.IsInvalid)
                {
                    throw new CodecException("OpenJPEG could not create a decoder");
                }

                opj_set_error_handler(codec, &OnError, GCHandle.ToIntPtr(errorsHandle));
                // opj_dparameters_t is 8252 bytes in 2.5; a larger zeroed block filled by the library's defaults.
                var parameters = NativeMemory.AllocZeroed(16384);
                try
                {
                    opj_set_default_decoder_parameters(parameters);
                    Require(opj_setup_decoder(codec, parameters), "setting up the decoder", errors);
                }
                finally
                {
                    NativeMemory.Free(parameters);
                }

                fixed (byte* source = data)
                {
                    var state = new MemoryStream { Data = source, Length = data.Length };
                    using var stream = opj_stream_create(1 << 20, 1);
                    if (stream.IsInvalid)
                    {
                        throw new CodecException("OpenJPEG could not create a stream");
                    }

                    opj_stream_set_read_function(stream, &Read);
                    opj_stream_set_skip_function(stream, &Skip);
                    opj_stream_set_seek_function(stream, &Seek);
                    opj_stream_set_user_data(stream, &state, null);
                    opj_stream_set_user_data_length(stream, (ulong)data.Length);

                    Require(opj_read_header(stream, codec, out var imagePointer), "reading the codestream header", errors);
                    using var image = new ImageHandle(imagePointer);
                    var img = (OpjImage*)imagePointer;
                    var width = img->X1 - img->X0;
                    var height = img->Y1 - img->Y0;
                    if (height != rows || width != columns || img->NumComps != samples)
                    {
                        throw new CodecException(
                            $"the JPEG 2000 image is {height} rows x {width} columns x {img->NumComps} components, the DICOM header (Rows, Columns, SamplesPerPixel) says {rows} x {columns} x {samples}");
                    }

                    Require(opj_decode(codec, stream, imagePointer), "decoding", errors);
                    Require(opj_end_decompress(codec, stream), "finishing", errors);
                    Copy(img, rows, columns, samples, bitsAllocated, output);
                }
            }
        }
        finally
        {
            errorsHandle.Free();
        }
    }

    private static void Copy(OpjImage* img, int rows, int columns, int samples, int bitsAllocated, Span<byte> output)
    {
        var pixels = rows * columns;
        for (var c = 0; c < samples; c++)
        {
            var comp = img->Comps[c];
            if (comp.W != columns || comp.H != rows || comp.Data is null)
            {
                throw new CodecException($"JPEG 2000 component {c} is {comp.H} x {comp.W} (sub-sampled components are not supported) or was not decoded");
            }

            if (comp.Prec > bitsAllocated || comp.Prec is 0 or > 31)
            {
                throw new CodecException($"the JPEG 2000 component has {comp.Prec}-bit samples, BitsAllocated is {bitsAllocated}");
            }

            var source = new ReadOnlySpan<int>(comp.Data, pixels);
            if (samples == 1 && bitsAllocated == 16)
            {
                var target = MemoryMarshal.Cast<byte, ushort>(output);
                for (var p = 0; p < pixels; p++)
                {
                    target[p] = (ushort)source[p];
                }

                continue;
            }

            for (var p = 0; p < pixels; p++)
            {
                SampleWriter.Write(output, p * samples + c, bitsAllocated, source[p]);
            }
        }
    }

    private static void Require(int ok, string what, List<string> errors)
    {
        if (ok == 0)
        {
            var detail = errors.Count > 0 ? string.Join("; ", errors.Select(e => e.Trim())) : "no detail";
            throw new CodecException($"OpenJPEG failed {what}: {detail}");
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnError(byte* message, IntPtr client)
    {
        if (GCHandle.FromIntPtr(client).Target is List<string> list && list.Count < 8)
        {
            list.Add(Marshal.PtrToStringUTF8((IntPtr)message) ?? string.Empty);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nuint Read(void* buffer, nuint count, void* user)
    {
        var s = (MemoryStream*)user;
        var left = s->Length - s->Position;
        if (left <= 0)
        {
            return unchecked((nuint)(-1)); // OpenJPEG's end of stream
        }

        var n = (long)Math.Min((ulong)left, count);
        Buffer.MemoryCopy(s->Data + s->Position, buffer, (long)count, n);
        s->Position += n;
        return (nuint)n;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static long Skip(long count, void* user)
    {
        var s = (MemoryStream*)user;
        var target = Math.Clamp(s->Position + count, 0, s->Length);
        var skipped = target - s->Position;
        s->Position = target;
        return skipped;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Seek(long position, void* user)
    {
        var s = (MemoryStream*)user;
        if (position < 0 || position > s->Length)
        {
            return 0;
        }

        s->Position = position;
        return 1;
    }

    private sealed class CodecHandle : SafeHandle
    {
        public CodecHandle()
            : base(IntPtr.Zero, ownsHandle: true)
        {
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            opj_destroy_codec(handle);
            return true;
        }
    }

    private sealed class StreamHandle : SafeHandle
    {
        public StreamHandle()
            : base(IntPtr.Zero, ownsHandle: true)
        {
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            opj_stream_destroy(handle);
            return true;
        }
    }

    private sealed class ImageHandle : SafeHandle
    {
        public ImageHandle(IntPtr image)
            : base(IntPtr.Zero, ownsHandle: true) => SetHandle(image);

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            opj_image_destroy(handle);
            return true;
        }
    }

    [LibraryImport(Library)]
    private static partial CodecHandle opj_create_decompress(int format);

    [LibraryImport(Library)]
    private static partial void opj_destroy_codec(IntPtr codec);

    [LibraryImport(Library)]
    private static partial int opj_set_error_handler(CodecHandle codec, delegate* unmanaged[Cdecl]<byte*, IntPtr, void> handler, IntPtr client);

    [LibraryImport(Library)]
    private static partial void opj_set_default_decoder_parameters(void* parameters);

    [LibraryImport(Library)]
    private static partial int opj_setup_decoder(CodecHandle codec, void* parameters);

    [LibraryImport(Library)]
    private static partial StreamHandle opj_stream_create(nuint bufferSize, int isInput);

    [LibraryImport(Library)]
    private static partial void opj_stream_destroy(IntPtr stream);

    [LibraryImport(Library)]
    private static partial void opj_stream_set_read_function(StreamHandle stream, delegate* unmanaged[Cdecl]<void*, nuint, void*, nuint> read);

    [LibraryImport(Library)]
    private static partial void opj_stream_set_skip_function(StreamHandle stream, delegate* unmanaged[Cdecl]<long, void*, long> skip);

    [LibraryImport(Library)]
    private static partial void opj_stream_set_seek_function(StreamHandle stream, delegate* unmanaged[Cdecl]<long, void*, int> seek);

    [LibraryImport(Library)]
    private static partial void opj_stream_set_user_data(StreamHandle stream, void* data, void* free);

    [LibraryImport(Library)]
    private static partial void opj_stream_set_user_data_length(StreamHandle stream, ulong length);

    [LibraryImport(Library)]
    private static partial int opj_read_header(StreamHandle stream, CodecHandle codec, out IntPtr image);

    [LibraryImport(Library)]
    private static partial int opj_decode(CodecHandle codec, StreamHandle stream, IntPtr image);

    [LibraryImport(Library)]
    private static partial int opj_end_decompress(CodecHandle codec, StreamHandle stream);

    [LibraryImport(Library)]
    private static partial void opj_image_destroy(IntPtr image);
}
