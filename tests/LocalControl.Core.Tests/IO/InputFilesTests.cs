using System.Diagnostics;
using LocalControl.Core.IO;

namespace LocalControl.Core.Tests.IO;

/// <summary>The input rule: only regular files are opened, reads are capped while reading, each problem has its own message.</summary>
public sealed class InputFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lc-io-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Kinds_are_told_apart_without_opening()
    {
        var file = Path.Combine(_dir, "f");
        File.WriteAllText(file, "x");
        var link = Path.Combine(_dir, "l");
        File.CreateSymbolicLink(link, file);
        var fifo = Path.Combine(_dir, "p");
        using (var p = Process.Start("mkfifo", fifo))
        {
            p.WaitForExit();
        }

        Assert.Equal(FileKind.Regular, InputFiles.KindOf(file));
        Assert.Equal(FileKind.Regular, InputFiles.KindOf(link));
        Assert.Equal(FileKind.SymbolicLink, InputFiles.KindOf(link, followLinks: false));
        Assert.Equal(FileKind.Directory, InputFiles.KindOf(_dir));
        Assert.Equal(FileKind.Fifo, InputFiles.KindOf(fifo));
        Assert.Equal(FileKind.CharacterDevice, InputFiles.KindOf("/dev/zero"));
        Assert.Equal(FileKind.Missing, InputFiles.KindOf(Path.Combine(_dir, "none")));
        Assert.Equal(FileKind.Fifo, Assert.Throws<InputFileException>(() => InputFiles.OpenRegular(fifo)).Kind);
    }

    [Fact]
    public void A_capped_read_stops_at_the_cap_plus_one()
    {
        var file = Path.Combine(_dir, "big");
        File.WriteAllBytes(file, new byte[1001]);
        Assert.Equal(1000, InputFiles.ReadAllBytesCapped(Path.Combine(_dir, "big"), 1001).Length - 1);
        var ex = Assert.Throws<InputFileException>(() => InputFiles.ReadAllBytesCapped(file, 1000));
        Assert.Contains("larger than the 1000 bytes limit", ex.Message, StringComparison.Ordinal);
        using var endless = new EndlessStream();
        Assert.Throws<InputFileException>(() => InputFiles.ReadCapped(endless, 1 << 20, "endless"));
        Assert.True(endless.Delivered <= (1 << 20) + (64 * 1024), $"read {endless.Delivered} bytes for a 1 MiB cap");
    }

    [Fact]
    public void Empty_missing_and_folder_have_their_own_messages()
    {
        var empty = Path.Combine(_dir, "e.json");
        File.WriteAllText(empty, "");
        Assert.Contains("the file is empty", Assert.Throws<InputFileException>(() => InputFiles.ReadAllTextCapped(empty)).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<InputFileException>(() => InputFiles.ReadAllTextCapped(Path.Combine(_dir, "none"))).Message, StringComparison.Ordinal);
        Assert.Contains("is a folder", Assert.Throws<InputFileException>(() => InputFiles.ReadAllTextCapped(_dir)).Message, StringComparison.Ordinal);
    }

    private sealed class EndlessStream : Stream
    {
        public long Delivered { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Delivered; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            Delivered += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
