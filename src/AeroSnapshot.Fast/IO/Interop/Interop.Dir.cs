using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    // struct dirent of 64-bit glibc: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
    internal const int DirentTypeOffset = 18;
    internal const int DirentNameOffset = 19;

    // No opendir(path): it follows a link at the last component. A directory is opened with
    // O_NOFOLLOW | O_DIRECTORY and read through fdopendir (DirectoryHandle.List).

    /// <summary>Null at the end or on error; errno tells which (it is cleared before the call).</summary>
    [LibraryImport(Libc, EntryPoint = "readdir", SetLastError = true)]
    internal static partial IntPtr ReadDir(IntPtr dir);

    [LibraryImport(Libc, EntryPoint = "closedir", SetLastError = true)]
    internal static partial int CloseDir(IntPtr dir);
}
