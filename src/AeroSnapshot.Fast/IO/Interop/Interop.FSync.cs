using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    // RandomAccess.FlushToDisk and FileStream.Flush(true) discard fsync's error on Linux; these
    // do not, which is the whole point of calling them directly.
    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int FSync(int fd);

    [LibraryImport(Libc, EntryPoint = "fdatasync", SetLastError = true)]
    internal static partial int FDataSync(int fd);
}
