using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// Every byte the library reads from or writes to a file goes through here: positional reads that
/// fill the buffer (pread may return less than asked), positional writes of the whole span, and the
/// read of a small file. Whatever the runtime throws (an <see cref="IOException"/> whose HResult is
/// the errno, or an <see cref="UnauthorizedAccessException"/> for EACCES and EPERM) leaves as a
/// <see cref="NativeIOException"/> naming the call, the path and the errno.
/// </summary>
internal static class PositionalIO
{
    /// <summary>
    /// Fills <paramref name="buffer"/> from <paramref name="offset"/>; less only where the file ends.
    /// Returns the bytes read.
    /// </summary>
    public static int ReadFull(SafeFileHandle file, string path, Span<byte> buffer, long offset)
    {
        int filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                int read = RandomAccess.Read(file, buffer[filled..], offset + filled);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failure("read", path, ex);
        }

        return filled;
    }

    /// <summary>Writes all of <paramref name="bytes"/> at <paramref name="offset"/> (RandomAccess.Write loops on short writes itself).</summary>
    public static void WriteAll(SafeFileHandle file, string path, ReadOnlySpan<byte> bytes, long offset)
    {
        try
        {
            RandomAccess.Write(file, bytes, offset);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failure("write", path, ex);
        }
    }

    /// <summary>
    /// Reads all of an open small file (a manifest, a marker, an intent record) from offset 0; a file
    /// longer than <paramref name="limit"/> bytes is refused (EINVAL) before it is read.
    /// </summary>
    public static byte[] ReadSmallFile(SafeFileHandle file, string path, long length, int limit)
    {
        if (length > limit)
        {
            throw new NativeIOException("read", path, Errno.EINVAL, $"it is {length} bytes, more than the {limit} such a file can have");
        }

        byte[] bytes = new byte[length];
        int read = ReadFull(file, path, bytes, 0);
        return read == bytes.Length ? bytes : bytes[..read];
    }

    /// <summary>The <see cref="NativeIOException"/> for whatever the runtime threw for <paramref name="operation"/> on <paramref name="path"/>.</summary>
    public static NativeIOException Failure(string operation, string path, Exception exception) => exception switch
    {
        NativeIOException native => native,
        IOException io => Errors.FromIOException(operation, path, io),
        UnauthorizedAccessException { InnerException: IOException inner } when Errors.ErrnoOf(inner) is { } errno => new NativeIOException(operation, path, errno, exception.Message),
        _ => new NativeIOException(operation, path, Errno.EACCES, exception.Message),
    };
}
