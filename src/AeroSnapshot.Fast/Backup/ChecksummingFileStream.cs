using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Wal;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// A read-only view of one file of exactly <see cref="Length"/> bytes that adds every byte read to a
/// CRC-32, handed to <c>TarWriter</c> as an entry's data. <c>TarWriter</c> copies entry data with
/// <see cref="Stream.CopyTo(Stream, int)"/>, which this overrides to move the file through the pooled
/// aligned buffer: each byte is read once, checksummed and written on, and the loop allocates
/// nothing. With a <see cref="WalFrameValidator"/>, the same bytes are also checked as WAL records. A file that ends early fails the copy instead of leaving a short entry in the archive.
/// </summary>
internal sealed class ChecksummingFileStream : Stream
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly AlignedBufferPool _buffers;
    private readonly StreamingCrc32 _crc;
    private readonly ProgressReporter _progress;
    private readonly CancellationToken _cancellation;
    private readonly WalFrameValidator? _frames;
    private long _position;

    public ChecksummingFileStream(SafeFileHandle handle, string path, long length, AlignedBufferPool buffers, StreamingCrc32 crc, ProgressReporter progress, CancellationToken cancellation, WalFrameValidator? frames = null)
    {
        _frames = frames;
        _handle = handle;
        _path = path;
        Length = length;
        _buffers = buffers;
        _crc = crc;
        _progress = progress;
        _cancellation = cancellation;
        _crc.Reset();
    }

    /// <summary>True once the data went through the pooled copy loop (the tests check it did).</summary>
    public bool CopiedThroughPool { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("The stream is read once, from the start.");
    }

    /// <summary>The CRC-32 of the bytes read so far.</summary>
    public Crc32Checksum Checksum => new(_crc.GetCurrentHashAsUInt32());

    public override void CopyTo(Stream destination, int bufferSize)
    {
        CopiedThroughPool = true;
        using AlignedBufferPool.Lease lease = _buffers.Rent();
        Span<byte> buffer = lease.Span;
        while (_position < Length)
        {
            _cancellation.ThrowIfCancellationRequested();
            int filled = Fill(buffer[..(int)Math.Min(buffer.Length, Length - _position)]);
            destination.Write(buffer[..filled]);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long left = Length - _position;
        return left <= 0 ? 0 : Fill(buffer[..(int)Math.Min(buffer.Length, left)]);
    }

    public override long Seek(long offset, SeekOrigin origin)
        => origin == SeekOrigin.Current && offset == 0 ? _position : throw new NotSupportedException("The stream is read once, from the start.");

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Reads exactly <c>span.Length</c> bytes at the current position, checksumming them.</summary>
    private int Fill(Span<byte> span)
    {
        int done = PositionalIO.ReadFull(_handle, _path, span, _position);
        if (done < span.Length)
        {
            throw new NativeIOException("read", _path, Errno.EIO, $"the file ended at {_position + done} bytes but was {Length} when opened: it changed while it was read");
        }

        _crc.Append(span);
        _frames?.Append(span);
        _position += done;
        _progress.Advance(done, _path);
        return done;
    }
}
