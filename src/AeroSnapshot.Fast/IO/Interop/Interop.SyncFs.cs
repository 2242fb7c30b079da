using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    /// <summary>Flushes the whole file system holding <paramref name="fd"/>: everyone's dirty data, not only ours.</summary>
    [LibraryImport(Libc, EntryPoint = "syncfs", SetLastError = true)]
    internal static partial int SyncFs(int fd);
}
