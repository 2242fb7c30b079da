using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    internal const int FAdviseSequential = 2;
    internal const int FAdviseWillNeed = 3;
    internal const int FAdviseDontNeed = 4;

    /// <summary>Returns 0 or an errno value itself; it does not set errno.</summary>
    [LibraryImport(Libc, EntryPoint = "posix_fadvise")]
    internal static partial int FAdvise(int fd, long offset, long length, int advice);
}
