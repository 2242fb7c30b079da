using System.IO.Hashing;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Copying;

/// <summary>
/// The copy loop: read a buffer, add it to the CRC, write the same buffer. Every source byte is
/// read once and never re-read from the copy; the loop allocates nothing.
/// </summary>
internal sealed class FileCopier
{
    private readonly Crc32 _crc = new();

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
        out long length)
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
            Write(destination, destinationPath, chunk, offset);
            offset += filled;
            writeback.OnWritten(destinationFd.Value, destinationPath, offset);
            progress.Advance(filled, sourcePath);
        }

        length = offset;
        return new Crc32Checksum(_crc.GetCurrentHashAsUInt32());
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
            throw Interop.Errors.FromIOException("read", path, ex);
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
            throw Interop.Errors.FromIOException("write", path, ex);
        }
    }
}
