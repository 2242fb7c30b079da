using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    /// <summary><c>RWF_DONTCACHE</c> (Linux 6.14+): write through the page cache and drop the pages once written back.</summary>
    internal const int RwfDontCache = 0x80;

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    [LibraryImport(Libc, EntryPoint = "pwritev2", SetLastError = true)]
    internal static unsafe partial nint PWriteV2(int fd, IoVector* vectors, int count, long offset, int flags);
}
