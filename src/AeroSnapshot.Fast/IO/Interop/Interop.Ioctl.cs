using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    /// <summary><c>FICLONE</c> = <c>_IOW(0x94, 9, int)</c>: share the source's extents (reflink).</summary>
    internal const ulong FiClone = 0x40049409;

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, ulong request, int argument);
}
