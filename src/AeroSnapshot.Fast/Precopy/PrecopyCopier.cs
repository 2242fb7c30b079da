using System.IO.Hashing;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Precopy;

/// <summary>
/// The byte loops of a pre-copy: copy with CRC-32 and a strong hash, re-hash a source to check it
/// still holds what was copied, and append a tail continuing a CRC-32. Every loop reads through the
/// caller's pooled buffer and allocates nothing.
/// </summary>
/// <remarks>
/// The storage prefix is hashed in fixed chunks (<see cref="DefaultChunkBytes"/>), one XxHash128 per chunk,
/// rather than as one hash: the check inside the pause can stop at the first chunk that differs
/// (a fallback then costs a plain create plus the re-hash up to that chunk, not of the whole
/// prefix), and the warning can name the region that was overwritten in place. A list of 128-bit
/// hashes is as strong a test of equality as one hash over the whole prefix.
/// </remarks>
internal sealed class PrecopyCopier
{
    /// <summary>Bytes of storage prefix covered by one strong hash: 128 hashes (2 KiB) for 1 GiB.</summary>
    public const int DefaultChunkBytes = 8 << 20;

    private readonly XxHash128 _strong = new();

    public PrecopyCopier(int chunkBytes = DefaultChunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        ChunkBytes = chunkBytes;
    }

    /// <summary>Bytes of storage prefix covered by one strong hash.</summary>
    public int ChunkBytes { get; }

    /// <summary>
    /// Copies <c>[0, limit)</c> of <paramref name="source"/> (less if it ends sooner) into
    /// <paramref name="destination"/>, appending it to <paramref name="crc"/> and one strong hash per
    /// <see cref="ChunkBytes"/> to <paramref name="chunkHashes"/>. Returns the bytes copied.
    /// </summary>
    public long CopyPrefix(
        SafeFileHandle source,
        string sourcePath,
        SafeFileHandle destination,
        string destinationPath,
        long limit,
        StreamingCrc32 crc,
        List<UInt128> chunkHashes,
        Span<byte> buffer,
        ref WritebackWindow writeback,
        CancellationToken cancellationToken)
    {
        long offset = 0;
        _strong.Reset();
        while (offset < limit)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int want = (int)Math.Min(buffer.Length, Math.Min(limit - offset, ChunkBytes - (offset % ChunkBytes)));
            int filled = FileCopier.ReadFull(source, sourcePath, buffer[..want], offset);
            if (filled == 0)
            {
                break;
            }

            ReadOnlySpan<byte> chunk = buffer[..filled];
            crc.Append(chunk);
            _strong.Append(chunk);
            FileCopier.Write(destination, destinationPath, chunk, offset);
            offset += filled;
            writeback.OnWritten(destination, destinationPath, offset);
            if (offset % ChunkBytes == 0)
            {
                chunkHashes.Add(_strong.GetCurrentHashAsUInt128());
                _strong.Reset();
            }

            if (filled < want)
            {
                break;
            }
        }

        if (offset % ChunkBytes != 0)
        {
            chunkHashes.Add(_strong.GetCurrentHashAsUInt128());
        }

        return offset;
    }

    /// <summary>
    /// Re-reads <c>[0, length)</c> of <paramref name="source"/> and compares it, chunk by chunk, with
    /// <paramref name="chunkHashes"/>. Returns the index of the first chunk that differs, or -1 when
    /// all are equal. Stops at the first difference.
    /// </summary>
    public int FirstDifferingChunk(SafeFileHandle source, string sourcePath, long length, IReadOnlyList<UInt128> chunkHashes, Span<byte> buffer, ProgressReporter progress, CancellationToken cancellationToken)
    {
        long offset = 0;
        int index = 0;
        _strong.Reset();
        while (offset < length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int want = (int)Math.Min(buffer.Length, Math.Min(length - offset, ChunkBytes - (offset % ChunkBytes)));
            int filled = FileCopier.ReadFull(source, sourcePath, buffer[..want], offset);
            if (filled < want)
            {
                // Shorter than the caller saw a moment ago: it cannot be the same prefix.
                return index;
            }

            _strong.Append(buffer[..filled]);
            offset += filled;
            progress.Advance(filled, sourcePath);
            if (offset % ChunkBytes == 0 || offset == length)
            {
                if (index >= chunkHashes.Count || _strong.GetCurrentHashAsUInt128() != chunkHashes[index])
                {
                    return index;
                }

                index++;
                _strong.Reset();
            }
        }

        return index == chunkHashes.Count ? -1 : index;
    }

    /// <summary>
    /// Copies <c>[from, EOF)</c> of <paramref name="source"/> to the same offsets of
    /// <paramref name="destination"/>, continuing <paramref name="crc"/>. Returns the bytes copied.
    /// </summary>
    public static long AppendTail(SafeFileHandle source, string sourcePath, SafeFileHandle destination, string destinationPath, long from, StreamingCrc32 crc, Span<byte> buffer, ProgressReporter progress, CancellationToken cancellationToken)
    {
        long offset = from;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int filled = FileCopier.ReadFull(source, sourcePath, buffer, offset);
            if (filled == 0)
            {
                break;
            }

            ReadOnlySpan<byte> chunk = buffer[..filled];
            crc.Append(chunk);
            FileCopier.Write(destination, destinationPath, chunk, offset);
            offset += filled;
            progress.Advance(filled, sourcePath);
        }

        return offset - from;
    }

    /// <summary>
    /// Copies all of a small file with its CRC-32 and strong hash. Returns its length.
    /// </summary>
    public long CopyWhole(SafeFileHandle source, string sourcePath, SafeFileHandle destination, string destinationPath, StreamingCrc32 crc, Span<byte> buffer, out UInt128 strong)
    {
        crc.Reset();
        _strong.Reset();
        long offset = 0;
        while (true)
        {
            int filled = FileCopier.ReadFull(source, sourcePath, buffer, offset);
            if (filled == 0)
            {
                break;
            }

            ReadOnlySpan<byte> chunk = buffer[..filled];
            crc.Append(chunk);
            _strong.Append(chunk);
            FileCopier.Write(destination, destinationPath, chunk, offset);
            offset += filled;
        }

        strong = _strong.GetCurrentHashAsUInt128();
        return offset;
    }

    /// <summary>The strong hash and length of all of a file.</summary>
    public long HashWhole(SafeFileHandle source, string sourcePath, Span<byte> buffer, out UInt128 strong)
    {
        _strong.Reset();
        long offset = 0;
        while (true)
        {
            int filled = FileCopier.ReadFull(source, sourcePath, buffer, offset);
            if (filled == 0)
            {
                break;
            }

            _strong.Append(buffer[..filled]);
            offset += filled;
        }

        strong = _strong.GetCurrentHashAsUInt128();
        return offset;
    }

    // pread may return fewer bytes than asked: fill the span unless the file ends.
}
