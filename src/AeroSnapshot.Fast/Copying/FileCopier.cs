using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.Interop;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Copying;

/// <summary>
/// The copy loop: read a buffer, add it to the CRC, write the same buffer. Every source byte is
/// read once and never re-read from the copy; the loop allocates nothing.
/// </summary>
internal sealed class FileCopier
{
    private readonly StreamingCrc32 _crc = new();

    /// <summary>
    /// Copies all of <paramref name="source"/> into <paramref name="destination"/> from offset 0 and
    /// returns the CRC-32 of the bytes copied and their count.
    /// </summary>
    public Crc32Checksum Copy(
        SafeFileHandle source,
        string sourcePath,
        SafeFileHandle destination,
        string destinationPath,
        Span<byte> buffer,
        ref WritebackWindow writeback,
        ProgressReporter progress,
        CancellationToken cancellationToken,
        out long length,
        DestinationWriteMode mode = DestinationWriteMode.Buffered)
    {
        _crc.Reset();
        using var destinationFd = new RawDescriptor(destination);
        long offset = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int filled = ReadFull(source, sourcePath, buffer, offset);
            if (filled == 0)
            {
                break;
            }

            ReadOnlySpan<byte> chunk = buffer[..filled];
            _crc.Append(chunk);
            switch (mode)
            {
                case DestinationWriteMode.Direct:
                    // O_DIRECT needs whole blocks: write the tail padded to a page, truncate after.
                    Write(destination, destinationPath, buffer[..AlignUp(filled)], offset);
                    break;
                case DestinationWriteMode.DontCache:
                    if (!TryWriteDontCache(destinationFd.Value, chunk, offset))
                    {
                        mode = DestinationWriteMode.Buffered;
                        Write(destination, destinationPath, chunk, offset);
                    }

                    break;
                default:
                    Write(destination, destinationPath, chunk, offset);
                    break;
            }

            offset += filled;
            if (mode == DestinationWriteMode.Buffered)
            {
                // O_DIRECT bypasses the page cache and RWF_DONTCACHE has the kernel write back and
                // drop each range itself; only plain buffered writes need the window. A DONTCACHE
                // copy that fell back to buffered writes gets it from here on.
                writeback.OnWritten(destinationFd.Value, destinationPath, offset);
            }

            progress.Advance(filled, sourcePath);
        }

        if (mode == DestinationWriteMode.Direct && offset % AlignedBufferPool.Alignment != 0)
        {
            if (Sys.FTruncate(destinationFd.Value, offset) < 0)
            {
                throw Errors.Last("ftruncate", destinationPath);
            }
        }

        length = offset;
        return new Crc32Checksum(_crc.GetCurrentHashAsUInt32());
    }

    private static int AlignUp(int length) => (length + AlignedBufferPool.Alignment - 1) & ~(AlignedBufferPool.Alignment - 1);

    /// <summary>Writes with RWF_DONTCACHE; false when the kernel or file system does not support it.</summary>
    private static unsafe bool TryWriteDontCache(int fd, ReadOnlySpan<byte> chunk, long offset)
    {
        fixed (byte* start = chunk)
        {
            int written = 0;
            while (written < chunk.Length)
            {
                var vector = new Sys.IoVector { Base = start + written, Length = (nuint)(chunk.Length - written) };
                nint result = Sys.PWriteV2(fd, &vector, 1, offset + written, Sys.RwfDontCache);
                if (result < 0)
                {
                    int errno = Errors.LastErrno;
                    if (errno is Errno.EOPNOTSUPP or Errno.EINVAL && written == 0)
                    {
                        return false;
                    }

                    throw Errors.For("pwritev2", "(storage copy)", errno);
                }

                written += (int)result;
            }
        }

        return true;
    }

    /// <summary>Reads the CRC-32 of a whole file through <paramref name="buffer"/> (used by verification).</summary>
    public Crc32Checksum Checksum(SafeFileHandle source, string sourcePath, Span<byte> buffer, ProgressReporter progress, CancellationToken cancellationToken, out long length)
    {
        _crc.Reset();
        long offset = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int filled = ReadFull(source, sourcePath, buffer, offset);
            if (filled == 0)
            {
                break;
            }

            _crc.Append(buffer[..filled]);
            offset += filled;
            progress.Advance(filled, sourcePath);
        }

        length = offset;
        return new Crc32Checksum(_crc.GetCurrentHashAsUInt32());
    }

    // RandomAccess.Read may return fewer bytes than asked (pread's contract); fill the buffer so
    // that every write is full-sized and aligned.
    private static int ReadFull(SafeFileHandle source, string path, Span<byte> buffer, long offset)
    {
        int filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                int read = RandomAccess.Read(source, buffer[filled..], offset + filled);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }
        }
        catch (IOException ex)
        {
            throw Errors.FromIOException("read", path, ex);
        }

        return filled;
    }

    private static void Write(SafeFileHandle destination, string path, ReadOnlySpan<byte> chunk, long offset)
    {
        try
        {
            // RandomAccess.Write loops on short writes itself.
            RandomAccess.Write(destination, chunk, offset);
        }
        catch (IOException ex)
        {
            throw Errors.FromIOException("write", path, ex);
        }
    }
}
