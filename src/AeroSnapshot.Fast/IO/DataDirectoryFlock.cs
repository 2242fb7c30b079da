using AeroSnapshot.Fast.Interop;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// The data directory's advisory lock, taken by restore-backup to check that the database is not
/// running and to keep it from starting: an exclusive non-blocking <c>flock</c> on
/// <c>&lt;data-dir&gt;/LOCK</c>, opened without following a link. Deliberately minimal; the tool has
/// its own fuller lock for the other commands.
/// </summary>
internal sealed class DataDirectoryFlock : IDisposable
{
    public const string FileName = "LOCK";

    private readonly SafeFileHandle _handle;

    private DataDirectoryFlock(SafeFileHandle handle) => _handle = handle;

    /// <summary>
    /// Takes the lock at once or throws naming the file. With <paramref name="create"/> false, a
    /// missing lock file is not created (so a refused restore leaves the directory exactly as it
    /// was) and null is returned: nobody holds a lock on a file that does not exist.
    /// </summary>
    public static DataDirectoryFlock? Acquire(string dataDirectory, bool create)
    {
        string path = Path.Join(dataDirectory, FileName);
        int fd = Sys.Open(path, OpenFlags.ReadWrite | (create ? OpenFlags.Create : 0) | OpenFlags.NoFollow | OpenFlags.NonBlocking | OpenFlags.CloseOnExec, 0b110_100_100);
        if (fd < 0)
        {
            int openErrno = Errors.LastErrno;
            if (!create && openErrno == Errno.ENOENT)
            {
                return null;
            }

            throw Errors.For("open", path, openErrno);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (NativeFile.Status(handle, path).Kind != FileKind.Regular)
        {
            handle.Dispose();
            throw new NativeIOException("open", path, Errno.EINVAL, "the lock file is not a regular file");
        }

        int result;
        using (var raw = new RawDescriptor(handle))
        {
            result = Sys.Flock(raw.Value, Sys.LockExclusive | Sys.LockNonBlocking);
        }

        if (result < 0)
        {
            int errno = Errors.LastErrno;
            handle.Dispose();
            throw errno == Errno.EAGAIN
                ? new SnapshotException(
                    SnapshotErrorCode.Failed,
                    $"The data directory '{dataDirectory}' is in use: another process holds the lock on '{path}'. Stop the database (or wait for the other command) and try again.",
                    SnapshotStep.Prepare,
                    path,
                    errno,
                    invariant: "a restore runs only while the database is not running")
                : Errors.For("flock", path, errno);
        }

        return new DataDirectoryFlock(handle);
    }

    public void Dispose() => _handle.Dispose();
}
