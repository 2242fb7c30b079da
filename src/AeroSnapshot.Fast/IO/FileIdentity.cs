using AeroSnapshot.Fast.IO.Interop;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// Which file a path or descriptor is: device and inode. A pre-copy is only ever reused for the
/// same data directory, the same storage file (not one that replaced it under the same name) and
/// the staging directory it made itself.
/// </summary>
internal readonly record struct FileIdentity(uint DeviceMajor, uint DeviceMinor, ulong Inode)
{
    /// <summary>The identity of the path itself (a link is not followed), or null when it does not exist.</summary>
    public static FileIdentity? Of(string path)
    {
        if (Sys.Statx(Sys.AtFdCwd, path, Sys.AtSymlinkNoFollow, Sys.StatxBasicStats, out Sys.StatxResult status) < 0)
        {
            int errno = Errors.LastErrno;
            return errno is Errno.ENOENT or Errno.ENOTDIR ? null : throw Errors.For("statx", path, errno);
        }

        return new FileIdentity(status.DeviceMajor, status.DeviceMinor, status.Inode);
    }

    /// <summary>The identity of an open file.</summary>
    public static FileIdentity Of(SafeFileHandle handle, string pathForErrors)
    {
        using var fd = new RawDescriptor(handle);
        if (Sys.Statx(fd.Value, string.Empty, Sys.AtEmptyPath, Sys.StatxBasicStats, out Sys.StatxResult status) < 0)
        {
            throw Errors.Last("statx", pathForErrors);
        }

        return new FileIdentity(status.DeviceMajor, status.DeviceMinor, status.Inode);
    }

    public override string ToString() => $"{DeviceMajor}:{DeviceMinor}/{Inode}";
}
