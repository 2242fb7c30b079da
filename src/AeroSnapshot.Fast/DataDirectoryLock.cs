using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast;

/// <summary>
/// A data directory's advisory lock: an exclusive, non-blocking <c>flock</c> on
/// <c>&lt;data-dir&gt;/LOCK</c>, the file AeroDB itself locks while it runs. Whoever writes to a data
/// directory from outside the database (restore, prune, clean-up, a checkpoint of a stopped
/// database) takes it first, so that it never races the database or another tool; it never waits,
/// because a held lock means someone is working there.
/// </summary>
/// <remarks>
/// <para>
/// The lock file is opened so that it cannot be redirected: the data directory is opened with
/// <c>O_DIRECTORY | O_NOFOLLOW</c> (a data directory that is a symbolic link is refused), and
/// <c>LOCK</c> relative to it with <c>O_NOFOLLOW</c>, then checked on the open descriptor to be a
/// regular file. A <c>LOCK</c> that is a link (dangling or not), a directory, a FIFO or anything
/// else is refused, naming the path and what it is, and nothing is created anywhere.
/// </para>
/// <para>
/// A lock file this acquisition had to create gets the data directory's owner and group (when run as
/// root), and is removed again by <see cref="Abandon"/>, which a
/// command that was refused calls, so a refused command leaves nothing behind. The file is unlinked
/// while still locked, and <see cref="Acquire"/> checks after locking that the name still refers
/// to the file it locked (retrying otherwise), so two holders can never lock two different files.
/// </para>
/// </remarks>
public sealed class DataDirectoryLock : IDisposable
{
    /// <summary>The lock file's name inside the data directory.</summary>
    public const string FileName = "LOCK";

    private const uint LockFileMode = FileModes.File; // as AeroDB creates it
    private const int MaxAttempts = 8;

    private readonly SafeFileHandle _handle;
    private readonly DirectoryHandle _directory;
    private bool _disposed;

    private DataDirectoryLock(SafeFileHandle handle, DirectoryHandle directory, string path, bool created)
    {
        _handle = handle;
        _directory = directory;
        FilePath = path;
        CreatedLockFile = created;
    }

    /// <summary>The lock file.</summary>
    public string FilePath { get; }

    /// <summary>True when <c>LOCK</c> did not exist and this acquisition created it.</summary>
    public bool CreatedLockFile { get; }

    /// <summary>Takes the lock at once, or fails naming the file and why.</summary>
    /// <param name="dataDirectory">The data directory; it must exist and be a real directory, not a link.</param>
    /// <exception cref="SnapshotException">
    /// <c>AERO_SNAPSHOT_FAILED</c>: the data directory does not exist or is not a directory, <c>LOCK</c>
    /// is not a regular file, it cannot be opened or created, or another process holds the lock.
    /// </exception>
    public static DataDirectoryLock Acquire(string dataDirectory) => AcquireCore(dataDirectory, create: true)!;

    /// <summary>
    /// Like <see cref="Acquire(string)"/>, but a missing <c>LOCK</c> is not created and null is
    /// returned: nobody holds a lock on a file that does not exist, and a refused restore then
    /// leaves the directory exactly as it was.
    /// </summary>
    internal static DataDirectoryLock? AcquireIfPresent(string dataDirectory) => AcquireCore(dataDirectory, create: false);

    private static DataDirectoryLock? AcquireCore(string dataDirectory, bool create)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        string directoryPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        DirectoryHandle directory = OpenDataDirectory(directoryPath);
        try
        {
            string path = Path.Join(directoryPath, FileName);
            for (int attempt = 0; attempt < MaxAttempts; attempt++)
            {
                if (OpenLockFile(directory, path, create) is not (SafeFileHandle handle, bool created))
                {
                    directory.Dispose();
                    return null;
                }

                try
                {
                    Lock(handle, path, directoryPath);

                    // A holder that created the file may have unlinked it (Abandon) between our open
                    // and our flock: then we hold a lock on a file nobody else can find. Start again.
                    if (directory.TryStatus(FileName) is { } named && named.Inode == NativeFile.Status(handle, path).Inode)
                    {
                        return new DataDirectoryLock(handle, directory, path, created);
                    }
                }
                catch
                {
                    NativeFile.UnlockAndClose(handle);
                    throw;
                }

                NativeFile.UnlockAndClose(handle);
            }

            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The lock file '{path}' kept being replaced while it was locked; another process is creating and removing it.",
                SnapshotStep.Prepare,
                path);
        }
        catch (NativeIOException ex)
        {
            directory.Dispose();
            throw new SnapshotException(SnapshotErrorCode.Failed, $"Cannot lock the data directory '{directoryPath}': {ex.Message}", SnapshotStep.Prepare, ex.Path, ex.Errno, ex);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Releases the lock and, when this acquisition created <c>LOCK</c>, removes it again (while it
    /// is still locked), so that a refused or failed command leaves nothing behind. A lock file
    /// that was there before is always kept.
    /// </summary>
    public void Abandon()
    {
        if (_disposed)
        {
            return;
        }

        if (CreatedLockFile)
        {
            // Best effort: the lock is released either way, and a leftover LOCK is harmless.
            _directory.TryRemove(System.Text.Encoding.UTF8.GetBytes(FileName), directory: false);
        }

        Dispose();
    }

    /// <summary>Releases the lock (unlocked, then closed: see <see cref="NativeFile.UnlockAndClose"/>). The file stays.</summary>
    public void Dispose()
    {
        _disposed = true;
        NativeFile.UnlockAndClose(_handle);
        _directory.Dispose();
    }

    private static DirectoryHandle OpenDataDirectory(string path)
    {
        try
        {
            return DirectoryHandle.Open(path);
        }
        catch (NativeIOException ex)
        {
            string what = ex.Errno switch
            {
                Errno.ENOENT => "does not exist",
                Errno.ELOOP => "is a symbolic link; a data directory is never reached through a link",
                Errno.ENOTDIR => NativeFile.TryStatus(path) is { } status ? $"is {FileStatus.Describe(status.Kind)}, not a directory" : "is not a directory",
                _ => $"cannot be opened: {Errors.Describe(ex.Errno)}",
            };
            throw new SnapshotException(SnapshotErrorCode.Failed, $"The data directory '{path}' {what}; nothing was changed.", SnapshotStep.Prepare, path, ex.Errno, ex);
        }
    }

    private static (SafeFileHandle Handle, bool Created)? OpenLockFile(DirectoryHandle directory, string path, bool create)
    {
        // First try to create it exclusively (O_EXCL never follows a link and fails on any existing
        // entry), then open what is there, never following a link. Either way the descriptor's own
        // status decides whether it is a regular file.
        SafeFileHandle? opened = directory.TryOpenOrCreate(FileName, LockFileMode, create, out bool created, out int errno);
        if (opened is null && !create && errno == Errno.ENOENT)
        {
            return null;
        }

        if (opened is not { } handle)
        {
            string why = errno switch
            {
                Errno.ELOOP => "it is a symbolic link, which is never followed",
                Errno.EISDIR => "it is a directory",
                Errno.ENOENT => "it disappeared while it was opened",
                _ => Errors.Describe(errno),
            };
            throw new SnapshotException(SnapshotErrorCode.Failed, $"Cannot use the data directory's lock file '{path}': {why}; nothing was changed.", SnapshotStep.Prepare, path, errno);
        }

        FileStatus status = NativeFile.Status(handle, path);
        if (status.Kind != FileKind.Regular)
        {
            handle.Dispose();
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The data directory's lock file '{path}' is {FileStatus.Describe(status.Kind)}, not a regular file; it was not used and nothing was changed.",
                SnapshotStep.Prepare,
                path);
        }

        if (created)
        {
            // Root running a command on the database's directory must not leave it a LOCK the
            // database's own account cannot open for writing: the file gets the directory's owner
            // and group. Best effort: a user who is not root creates it as themselves, as before.
            _ = Ownership.Of(directory.Status()).TryApply(handle, path);
        }

        return (handle, created);
    }

    private static void Lock(SafeFileHandle handle, string path, string directoryPath)
    {
        bool locked;
        try
        {
            locked = NativeFile.TryLockExclusive(handle, path);
        }
        catch (NativeIOException ex)
        {
            throw new SnapshotException(SnapshotErrorCode.Failed, $"Cannot lock '{path}': {Errors.Describe(ex.Errno)}.", SnapshotStep.Prepare, path, ex.Errno, ex, rule: "one process at a time works on a data directory");
        }

        if (!locked)
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The data directory '{directoryPath}' is in use: another process holds the lock on '{path}'. Stop it (or wait for it to finish) and try again.",
                SnapshotStep.Prepare,
                path,
                Errno.EAGAIN,
                rule: "one process at a time works on a data directory");
        }
    }
}
