using AeroSnapshot.Fast.IO.Interop;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// <c>ioctl(FICLONE)</c>: on a copy-on-write file system (XFS with reflink, btrfs) the copy shares
/// the source's extents instead of writing them, so copying costs metadata only and the CRC is
/// computed by reading the clone once.
/// </summary>
internal static class Reflink
{
    private const int ENOTTY = 25;

    /// <summary>
    /// Clones <paramref name="source"/> into the empty <paramref name="destination"/>; false when the
    /// file system cannot (then the caller streams the copy instead). Other errors are thrown.
    /// </summary>
    public static bool TryClone(SafeFileHandle source, SafeFileHandle destination, string destinationPath)
    {
        using var sourceFd = new RawDescriptor(source);
        using var destinationFd = new RawDescriptor(destination);
        if (Sys.Ioctl(destinationFd.Value, Sys.FiClone, sourceFd.Value) == 0)
        {
            return true;
        }

        int errno = Errors.LastErrno;
        if (errno is Errno.EOPNOTSUPP or Errno.EXDEV or Errno.EINVAL or ENOTTY or Errno.EPERM)
        {
            return false;
        }

        throw Errors.For("ioctl(FICLONE)", destinationPath, errno);
    }
}
