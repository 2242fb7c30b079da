using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// A file read front to back as a <see cref="Stream"/> (the archive reader takes any stream: a
/// file, a pipe, a network body), through <see cref="PositionalIO"/>: each read fills the caller's
/// buffer unless the file ends, and an error names the file and its errno. It does not own the
/// handle and does not buffer.
/// </summary>
internal sealed class SequentialFileStream(SafeFileHandle handle, string path) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = PositionalIO.ReadFull(handle, path, buffer, _position);
        _position += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
