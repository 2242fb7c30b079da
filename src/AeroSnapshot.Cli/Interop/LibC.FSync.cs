using System.Runtime.InteropServices;

namespace AeroSnapshot.Cli.Interop;

internal static partial class LibC
{
    // Our own fsync: the runtime's FlushToDisk returns normally when fsync fails.
    [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int FSync(int fd);
}
