using System.Runtime.InteropServices;

namespace AeroSnapshot.Cli.Interop;

/// <summary>
/// The few system calls the tool makes itself. The library's own interop is internal on purpose
/// (it is the library's contract with the kernel, not ours), so the tool declares the handful it
/// needs: open a file without the runtime's emulated <c>FileShare</c> lock. The data directory's
/// lock is the library's (<see cref="AeroSnapshot.Fast.DataDirectoryLock"/>).
/// </summary>
internal static partial class LibC
{
    private const string Library = "libc";

    // These values are the same on x64 and arm64 (unlike O_DIRECT/O_DIRECTORY/O_NOFOLLOW,
    // which the tool does not use).
    internal const int ReadOnly = 0x0;
    internal const int NonBlocking = 0x800;
    internal const int CloseOnExec = 0x80000;

    internal const int ENOENT = 2;
    internal const int EEXIST = 17;
    internal const int ENOTDIR = 20;

    [LibraryImport(Library, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags, uint mode);
}
