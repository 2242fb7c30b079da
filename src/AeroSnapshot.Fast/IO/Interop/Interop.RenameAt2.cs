using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    internal const int AtFdCwd = -100;
    internal const uint RenameNoReplace = 1;

    /// <summary>
    /// <c>RENAME_EXCHANGE</c>: atomically swap two existing paths (both must exist). Restore uses it
    /// to put a fully built data directory in place of the old one in one step.
    /// </summary>
    internal const uint RenameExchange = 2;

    [LibraryImport(Libc, EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    [LibraryImport(Libc, EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Rename(string oldPath, string newPath);
}
