using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// The archive being written: positional writes to our own descriptor (so the final fsync reports
/// its errors, which the runtime's flush does not), no buffering of its own (<c>TarWriter</c> writes
/// whole 512-byte headers and the entries' data in pooled-buffer chunks), and the writeback window,
/// so a large archive does not pile up dirty pages for one long fsync at the end.
/// </summary>
internal sealed class ArchiveFileStream : Stream
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private WritebackWindow _writeback;
    private long _position;

    public ArchiveFileStream(SafeFileHandle handle, string path, long writebackWindowBytes)
    {
        _handle = handle;
        _path = path;
        _writeback = new WritebackWindow(writebackWindowBytes);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _position;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        PositionalIO.WriteAll(_handle, _path, buffer, _position);
        _position += buffer.Length;
        _writeback.OnWritten(_handle, _path, _position);
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>fsync of the archive, errors reported.</summary>
    public void Sync()
    {
        NativeFile.Sync(_handle, _path, dataOnly: false);
        _writeback.OnSynced(_handle);
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
