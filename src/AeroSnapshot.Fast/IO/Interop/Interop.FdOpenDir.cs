using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    /// <summary>Wraps an open directory descriptor for readdir; on success closedir closes the descriptor.</summary>
    [LibraryImport(Libc, EntryPoint = "fdopendir", SetLastError = true)]
    internal static partial IntPtr FdOpenDir(int fd);
}
