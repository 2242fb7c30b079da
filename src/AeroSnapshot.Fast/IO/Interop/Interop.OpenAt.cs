using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    // Opening relative to an open directory: with O_NOFOLLOW on every component, the kernel checks
    // each name as it is used, so nothing swapped in after a check can redirect a read.
    [LibraryImport(Libc, EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int OpenAt(int dirFd, string path, int flags, uint mode);
}
