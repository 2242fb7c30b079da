using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    // On a descriptor only, for the reason given beside fchmod: a restore run as root gives what it
    // writes the owner and group of the data directory it replaces.
    [LibraryImport(Libc, EntryPoint = "fchown", SetLastError = true)]
    internal static partial int FChown(int fd, uint owner, uint group);
}
