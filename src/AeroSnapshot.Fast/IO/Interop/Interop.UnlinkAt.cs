using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    internal const int AtRemoveDir = 0x200;

    // Raw NUL-terminated names relative to a directory descriptor: a tree is deleted whatever its
    // names are (not UTF-8) and however deep it is (no path is ever longer than one name).
    [LibraryImport(Libc, EntryPoint = "unlinkat", SetLastError = true)]
    internal static unsafe partial int UnlinkAt(int dirFd, byte* name, int flags);

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true)]
    internal static unsafe partial int OpenAt(int dirFd, byte* name, int flags, uint mode);

    [LibraryImport(Libc, EntryPoint = "fchmodat", SetLastError = true)]
    internal static unsafe partial int FChmodAt(int dirFd, byte* name, uint mode, int flags);
}
