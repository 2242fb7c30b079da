using System.Runtime.InteropServices;
using AeroSnapshot.Fast;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Cli.Interop;

/// <summary>Opening files through <c>open(2)</c>, with failures turned into AeroDB errors.</summary>
internal static class NativeHandles
{
    /// <summary>
    /// Opens a file read-only with <c>open(2)</c>. <see cref="File.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/>
    /// would take an advisory <c>flock</c> to emulate <c>FileShare</c>, and fail if the database holds
    /// its WAL open exclusively; <c>O_NONBLOCK</c> keeps a FIFO from hanging the open.
    /// </summary>
    public static SafeFileHandle OpenReadOnly(string path, SnapshotStep step)
    {
        int fd = LibC.Open(path, LibC.ReadOnly | LibC.NonBlocking | LibC.CloseOnExec, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new SnapshotException(
                SnapshotErrorCode.IO,
                $"Cannot open '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.",
                step,
                path,
                errno);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>fsync with the error reported.</summary>
    public static void Sync(SafeFileHandle handle, string path)
    {
        if (WithFd(handle, static fd => LibC.FSync(fd)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new SnapshotException(SnapshotErrorCode.IO, $"fsync '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}.", path: path, errno: errno);
        }
    }

    /// <summary>Runs <paramref name="call"/> with the raw descriptor while keeping the handle alive.</summary>
    public static int WithFd(SafeFileHandle handle, Func<int, int> call)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return call((int)handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
