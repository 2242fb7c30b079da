using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Copying;

/// <summary>
/// The copy loop: read a buffer, add it to the CRC, write the same buffer. Every source byte is
/// read once and never re-read from the copy; the loop allocates nothing. Verification runs the
/// same loop without a destination.
/// </summary>
internal sealed class FileCopier
{
    private readonly StreamingCrc32 _crc = new();

    /// <summary>
    /// Reads all of the job's source from offset 0, writes it into the job's destination (if any)
    /// at the same offsets, and returns the CRC-32 of the bytes read and their count.
    /// </summary>
    public CopiedFile Copy(in CopyJob job)
    {
        _crc.Reset();
        Span<byte> buffer = job.Buffer;
        DestinationWriteMode mode = job.Mode;
        var writeback = new WritebackWindow(job.Destination is null ? 0 : job.WritebackWindowBytes);
        long offset = 0;
        while (true)
        {
            job.Cancellation.ThrowIfCancellationRequested();
            int filled = ReadFull(job.Source, job.SourcePath, buffer, offset);
            if (filled == 0)
            {
                break;
            }

            ReadOnlySpan<byte> chunk = buffer[..filled];
            _crc.Append(chunk);
            if (job.Destination is { } destination)
            {
                mode = Write(destination, job.DestinationPath, mode, buffer, filled, offset);
                if (mode == DestinationWriteMode.Buffered)
                {
                    // O_DIRECT bypasses the page cache and RWF_DONTCACHE has the kernel write back and
                    // drop each range itself; only plain buffered writes need the window. A DONTCACHE
                    // copy that fell back to buffered writes gets it from here on.
                    writeback.OnWritten(destination, job.DestinationPath, offset + filled);
                }
            }

            offset += filled;
            job.Progress.Advance(filled, job.SourcePath);
        }

        if (job.Destination is { } written && mode == DestinationWriteMode.Direct && offset % AlignedBufferPool.Alignment != 0)
        {
            // The last block was written padded to a page (O_DIRECT needs whole blocks): cut it back.
            NativeFile.Truncate(written, job.DestinationPath, offset);
        }

        return new CopiedFile(new Crc32Checksum(_crc.GetCurrentHashAsUInt32()), offset, writeback);
    }

    /// <summary>Writes one filled buffer; returns the mode to use from now on.</summary>
    private static DestinationWriteMode Write(SafeFileHandle destination, string path, DestinationWriteMode mode, Span<byte> buffer, int filled, long offset)
    {
        switch (mode)
        {
            case DestinationWriteMode.Direct:
                Write(destination, path, buffer[..AlignUp(filled)], offset);
                return mode;
            case DestinationWriteMode.DontCache when UncachedWrite.TryWrite(destination, path, buffer[..filled], offset):
                return mode;
            default:
                Write(destination, path, buffer[..filled], offset);
                return DestinationWriteMode.Buffered;
        }
    }

    private static int AlignUp(int length) => (length + AlignedBufferPool.Alignment - 1) & ~(AlignedBufferPool.Alignment - 1);

    /// <summary>
    /// Fills <paramref name="buffer"/> from <paramref name="offset"/> (less only at the end of the
    /// file): RandomAccess.Read may return fewer bytes than asked (pread's contract), and every write
    /// should be full-sized and aligned. Errors name <paramref name="path"/>.
    /// </summary>
    internal static int ReadFull(SafeFileHandle source, string path, Span<byte> buffer, long offset)
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

    /// <summary>Writes all of <paramref name="chunk"/> at <paramref name="offset"/>; errors name <paramref name="path"/>.</summary>
    internal static void Write(SafeFileHandle destination, string path, ReadOnlySpan<byte> chunk, long offset)
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
