using System.Runtime.InteropServices;
using AeroSnapshot.Cli.Interop;
using AeroSnapshot.Fast;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Cli;

/// <summary>
/// The data directory's advisory lock: an exclusive <c>flock</c> on <c>&lt;data-dir&gt;/LOCK</c>, the
/// file AeroDB itself locks while it runs. Commands that write to a data directory take it so they
/// never race the database or each other; they never wait for it, because a held lock means
/// someone is working there and the user must decide, not the tool.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    /// <summary>The lock file's name inside the data directory.</summary>
    public const string FileName = "LOCK";

    private readonly SafeFileHandle _handle;

    private DataDirectoryLock(SafeFileHandle handle, string path)
    {
        _handle = handle;
        FilePath = path;
    }

    /// <summary>The lock file.</summary>
    public string FilePath { get; }

    /// <summary>Takes the lock at once or fails with <c>AERO_SNAPSHOT_FAILED</c> naming the file.</summary>
    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        if (!Directory.Exists(dataDirectory))
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The data directory '{dataDirectory}' does not exist or is not a directory.",
                SnapshotStep.Prepare,
                dataDirectory);
        }

        string path = Path.Join(dataDirectory, FileName);
        int fd = LibC.Open(path, LibC.ReadWrite | LibC.Create | LibC.CloseOnExec, 0b110_100_100);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"Cannot open the data directory's lock file '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.",
                SnapshotStep.Prepare,
                path,
                errno);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        int result = NativeHandles.WithFd(handle, static raw => LibC.Flock(raw, LibC.LockExclusive | LibC.LockNonBlocking));
        if (result < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            string message = errno == LibC.EWOULDBLOCK
                ? $"The data directory '{dataDirectory}' is in use: another process holds the lock on '{path}'. Stop it (or wait for it to finish) and try again."
                : $"Cannot lock '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.";
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                message,
                SnapshotStep.Prepare,
                path,
                errno,
                invariant: "one process at a time works on a data directory");
        }

        return new DataDirectoryLock(handle, path);
    }

    /// <summary>Releases the lock (closing the descriptor drops the <c>flock</c>). The file stays.</summary>
    public void Dispose() => _handle.Dispose();
}
