using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    // On a descriptor only: chmod(2) by path follows a symbolic link at its last component, so a
    // link swapped in after a check would redirect it (issue 25). A mode is set on what was opened
    // with O_NOFOLLOW, or with fchmodat(AT_SYMLINK_NOFOLLOW) relative to a directory descriptor.
    [LibraryImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
    internal static partial int FChmod(int fd, uint mode);
}
