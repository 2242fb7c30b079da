using AeroSnapshot.Fast.IO.Interop;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// An owner and group to give what an operation writes: a restore run as root gives everything it
/// writes the owner and group of the data directory it replaces, so the database's own account can
/// still open its storage. Set with <c>fchown</c> on a descriptor (never by path, which would follow
/// a link swapped in), and only where the file does not have them already, so a restore run by the
/// owner itself makes no call at all.
/// </summary>
internal readonly record struct Ownership(uint Owner, uint Group)
{
    /// <summary>The owner and group of what <paramref name="status"/> describes.</summary>
    public static Ownership Of(FileStatus status) => new(status.Owner, status.Group);

    /// <summary>Gives the open file or directory this owner and group, unless it has them.</summary>
    /// <exception cref="NativeIOException"><c>fchown</c> failed (EPERM: only root may give a file away).</exception>
    public void Apply(SafeFileHandle handle, string path)
    {
        int errno = TryApply(handle, path);
        if (errno != 0)
        {
            throw new NativeIOException(
                "fchown",
                path,
                errno,
                errno == Errno.EPERM
                    ? $"it must get the owner {Owner}:{Group} of the data directory it replaces, and only root can give a file to another owner; run the restore as root or as that owner"
                    : null);
        }
    }

    /// <summary>Like <see cref="Apply"/>; returns 0 or the errno of <c>fchown</c> instead of throwing.</summary>
    public int TryApply(SafeFileHandle handle, string path)
    {
        FileStatus status = NativeFile.Status(handle, path);
        if (status.Owner == Owner && status.Group == Group)
        {
            return 0;
        }

        using var fd = new RawDescriptor(handle);
        return Sys.FChown(fd.Value, Owner, Group) == 0 ? 0 : Errors.LastErrno;
    }
}
