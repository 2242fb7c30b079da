namespace AeroSnapshot.Fast.IO.Interop;

/// <summary>
/// Direct system calls. Each import lives in its own file, as dotnet/runtime's System.Native
/// imports do; errno becomes an exception in one place (<see cref="Errors"/>).
/// </summary>
internal static partial class Sys
{
    // glibc's soname; "libc" alone is not a file on Debian, the loader resolves libc.so.6.
    internal const string Libc = "libc.so.6";
}
