using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    internal const int ProtRead = 0x1;
    internal const int MapShared = 0x01;
    internal const int MapPopulate = 0x8000;
    internal const int MAdviseSequential = 2;

    /// <summary>Returns the mapping's address, or MAP_FAILED (-1) with errno set.</summary>
    [LibraryImport(Libc, EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint MMap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Libc, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int MUnmap(nint address, nuint length);

    [LibraryImport(Libc, EntryPoint = "madvise", SetLastError = true)]
    internal static partial int MAdvise(nint address, nuint length, int advice);
}
