using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    // Names as raw NUL-terminated bytes, relative to directory descriptors: restore moves entries
    // of a data directory whatever their names are, including names that are not UTF-8 and so
    // cannot travel through a .NET string.
    [LibraryImport(Libc, EntryPoint = "renameat2", SetLastError = true)]
    internal static unsafe partial int RenameAt2(int oldDirFd, byte* oldName, int newDirFd, byte* newName, uint flags);
}
