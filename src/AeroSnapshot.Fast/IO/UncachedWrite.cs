using AeroSnapshot.Fast.IO.Interop;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// Writes with <c>pwritev2(RWF_DONTCACHE)</c>: the kernel writes each range back and drops its
/// pages itself, so a large copy neither fills the page cache nor needs a writeback window.
/// </summary>
internal static class UncachedWrite
{
    /// <summary>
    /// Writes all of <paramref name="chunk"/> at <paramref name="offset"/>; false, with nothing
    /// written, when the kernel or the file system does not support the flag (the caller then writes
    /// through the page cache). Any other failure is thrown naming <paramref name="path"/>.
    /// </summary>
    public static unsafe bool TryWrite(SafeFileHandle destination, string path, ReadOnlySpan<byte> chunk, long offset)
    {
        using var fd = new RawDescriptor(destination);
        fixed (byte* start = chunk)
        {
            int written = 0;
            while (written < chunk.Length)
            {
                var vector = new Sys.IoVector { Base = start + written, Length = (nuint)(chunk.Length - written) };
                nint result = Sys.PWriteV2(fd.Value, &vector, 1, offset + written, Sys.RwfDontCache);
                if (result < 0)
                {
                    int errno = Errors.LastErrno;
                    if (errno is Errno.EOPNOTSUPP or Errno.EINVAL && written == 0)
                    {
                        return false;
                    }

                    throw Errors.For("pwritev2", path, errno);
                }

                written += (int)result;
            }
        }

        return true;
    }
}
