using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Copying;

/// <summary>
/// The copy loop, the library's only one: read a buffer, hash it, write the same buffer. Every
/// source byte is read once and never re-read from the copy; the loop allocates nothing. What a
/// <see cref="CopyJob"/> asks for makes it a copy, a verification (no destination), the pre-copy's
/// chunk-hashed copy of a prefix or its comparison of that prefix, or the append of a tail that
/// continues an earlier CRC-32.
/// </summary>
internal sealed class FileCopier
{
    private readonly StreamingCrc32 _crc = new();

    /// <summary>
    /// Reads the job's range of its source, writes it into the job's destination (if any) at the
    /// same offsets, and returns the CRC-32 and the count of the bytes read. A chunk comparison that
    /// finds a difference stops the read there (<see cref="ChunkHashes.FirstDifference"/>).
    /// </summary>
    public CopiedFile Copy(in CopyJob job)
    {
        StreamingCrc32 crc = job.Crc ?? _crc;
        if (job.Crc is null)
        {
            _crc.Reset();
        }

        Span<byte> buffer = job.Buffer;
        DestinationWriteMode mode = job.Mode;
        ChunkHashes? chunks = job.ChunkHashes;
        var writeback = new WritebackWindow(job.Destination is null ? 0 : job.WritebackWindowBytes, job.Offset);
        long offset = job.Offset;
        long end = job.Length < 0 ? long.MaxValue : job.Offset + job.Length;
        bool ended = false;
        while (offset < end)
        {
            job.Cancellation.ThrowIfCancellationRequested();
            int want = (int)Math.Min(buffer.Length, Math.Min(end - offset, chunks?.Room(offset) ?? long.MaxValue));
            int filled = PositionalIO.ReadFull(job.Source, job.SourcePath, buffer[..want], offset);
            if (filled == 0)
            {
                ended = true;
                break;
            }

            ReadOnlySpan<byte> chunk = buffer[..filled];
            if (!job.WithoutCrc)
            {
                crc.Append(chunk);
            }

            job.Observer?.Append(chunk);

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
            if (chunks is not null && !chunks.Append(chunk, offset))
            {
                break;
            }

            if (filled < want)
            {
                ended = true;
                break;
            }
        }

        chunks?.Finish(ended && end != long.MaxValue);
        if (job.Destination is { } written && mode == DestinationWriteMode.Direct && offset % AlignedBufferPool.Alignment != 0)
        {
            // The last block was written padded to a page (O_DIRECT needs whole blocks): cut it back.
            NativeFile.Truncate(written, job.DestinationPath, offset);
        }

        return new CopiedFile(new Crc32Checksum(crc.GetCurrentHashAsUInt32()), offset - job.Offset, writeback);
    }

    /// <summary>Writes one filled buffer; returns the mode to use from now on.</summary>
    private static DestinationWriteMode Write(SafeFileHandle destination, string path, DestinationWriteMode mode, Span<byte> buffer, int filled, long offset)
    {
        switch (mode)
        {
            case DestinationWriteMode.Direct:
                PositionalIO.WriteAll(destination, path, buffer[..AlignUp(filled)], offset);
                return mode;
            case DestinationWriteMode.DontCache when UncachedWrite.TryWrite(destination, path, buffer[..filled], offset):
                return mode;
            default:
                PositionalIO.WriteAll(destination, path, buffer[..filled], offset);
                return DestinationWriteMode.Buffered;
        }
    }

    private static int AlignUp(int length) => (length + AlignedBufferPool.Alignment - 1) & ~(AlignedBufferPool.Alignment - 1);
}
