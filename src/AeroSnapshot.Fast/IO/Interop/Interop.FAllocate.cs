using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    [LibraryImport(Libc, EntryPoint = "fallocate", SetLastError = true)]
    internal static partial int FAllocate(int fd, int mode, long offset, long length);
}
