using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    internal const uint SyncFileRangeWaitBefore = 1;
    internal const uint SyncFileRangeWrite = 2;
    internal const uint SyncFileRangeWaitAfter = 4;

    [LibraryImport(Libc, EntryPoint = "sync_file_range", SetLastError = true)]
    internal static partial int SyncFileRange(int fd, long offset, long count, uint flags);
}
