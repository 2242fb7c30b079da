using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    internal const int ReadOk = 4;

    /// <summary>Check with the effective (for Linux: file-system) ids, as open would, not the real ones.</summary>
    internal const int AtEAccess = 0x200;

    // glibc uses the faccessat2 system call (Linux 5.8+), which honours AT_EACCESS and
    // AT_SYMLINK_NOFOLLOW itself and asks the same permission and LSM hooks as open.
    [LibraryImport(Libc, EntryPoint = "faccessat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int FAccessAt(int directoryFd, string path, int mode, int flags);
}
