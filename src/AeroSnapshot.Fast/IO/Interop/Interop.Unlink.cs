using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    [LibraryImport(Libc, EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Unlink(string path);

    [LibraryImport(Libc, EntryPoint = "rmdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int RmDir(string path);
}
