using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.Interop;

internal static partial class Sys
{
    internal const int LockExclusive = 2;
    internal const int LockNonBlocking = 4;

    [LibraryImport(Libc, EntryPoint = "flock", SetLastError = true)]
    internal static partial int Flock(int fd, int operation);
}
