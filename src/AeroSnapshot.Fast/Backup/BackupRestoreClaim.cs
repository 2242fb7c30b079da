using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// Keeps restores from a backup into one data directory D apart: a run holds an exclusive, non-blocking
/// <c>flock</c> on its temporary directory T (<c>D.restore-backup-tmp</c>) itself, from the moment it
/// makes T until T is deleted. Whoever finds T (the next restore-backup, <c>clean</c>) locks it before
/// touching it: held means a live run, refused at once naming T; free means a crashed run's leftover,
/// finished or undone under the lock. The lock lives exactly as long as the work it guards, whether
/// or not D has a <c>LOCK</c> file (a finished restore-backup leaves none), and a crash drops it.
/// </summary>
/// <remarks>
/// T is made with <c>mkdir</c> and locked right after, so another process can lock a T in the
/// moment between: it then takes the empty T for a leftover and removes it, and the run that made
/// it finds its lock refused (and gives way) or finds, once locked, that the name no longer leads
/// to the directory it locked (and starts again). So every lock is checked against the name after it
/// is taken, and nothing is ever deleted unless its remover holds the lock on what the name leads to.
/// </remarks>
internal sealed class BackupRestoreClaim : IDisposable
{
    private const int MaxAttempts = 8;
    private const uint TemporaryMode = FileModes.PrivateDirectory; // nobody else puts anything in it

    private readonly SafeFileHandle _handle;

    private BackupRestoreClaim(SafeFileHandle handle) => _handle = handle;

    /// <summary>
    /// Makes and locks a new, empty T, first finishing or undoing (under its lock) any T a crashed
    /// run left.
    /// </summary>
    /// <exception cref="SnapshotException">Another restore-backup into D is running (<c>AERO_SNAPSHOT_FAILED</c>, EWOULDBLOCK).</exception>
    /// <exception cref="NativeIOException">A system call failed, or T is not a directory.</exception>
    public static BackupRestoreClaim Create(BackupRestorePaths paths)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (!NativeFile.TryMakeDirectory(paths.Temporary, TemporaryMode))
            {
                // Something is there: a live run's T (refused), a leftover (recovered), or not a directory.
                using BackupRestoreClaim? leftover = TryLockExisting(paths);
                if (leftover is not null)
                {
                    _ = BackupRestoreRecovery.RecoverLocked(paths);
                }

                continue;
            }

            if (TryLock(paths) is { } claim)
            {
                return claim;
            }
        }

        throw Replaced(paths);
    }

    /// <summary>
    /// Locks the T that is there, or returns null when there is none. A T another process holds is
    /// refused at once.
    /// </summary>
    /// <exception cref="SnapshotException">Another restore-backup into D is running.</exception>
    /// <exception cref="NativeIOException">T is not a directory, or a system call failed.</exception>
    public static BackupRestoreClaim? TryLockExisting(BackupRestorePaths paths)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (NativeFile.TryStatus(paths.Temporary) is not { } status)
            {
                return null;
            }

            if (status.Kind != FileKind.Directory)
            {
                throw new NativeIOException("stat", paths.Temporary, Errno.EEXIST, $"it is {FileStatus.Describe(status.Kind)}, not the directory a restore makes; look at it and remove it by hand");
            }

            if (TryLock(paths) is { } claim)
            {
                return claim;
            }
        }

        throw Replaced(paths);
    }

    /// <summary>Releases the lock (unlocked, then closed).</summary>
    public void Dispose() => NativeFile.UnlockAndClose(_handle);

    private static SnapshotException Replaced(BackupRestorePaths paths) => new(
        SnapshotErrorCode.Failed,
        $"The temporary directory '{paths.Temporary}' kept being replaced while it was locked; another process is creating and removing it.",
        SnapshotStep.RestoreRecover,
        paths.Temporary);

    /// <summary>Opens T without following a link and locks it; null when the name no longer leads to what was locked.</summary>
    private static BackupRestoreClaim? TryLock(BackupRestorePaths paths)
    {
        SafeFileHandle handle;
        try
        {
            handle = NativeFile.OpenForSync(paths.Temporary, directory: true);
        }
        catch (NativeIOException ex) when (ex.Errno == Errno.ENOENT)
        {
            return null; // removed meanwhile
        }

        try
        {
            if (!NativeFile.TryLockExclusive(handle, paths.Temporary))
            {
                throw new SnapshotException(
                    SnapshotErrorCode.Failed,
                    $"Another restore from a backup into '{paths.DataDirectory}' is running: it holds the lock on its temporary directory '{paths.Temporary}'. Wait for it to finish; nothing was changed.",
                    SnapshotStep.RestoreRecover,
                    paths.Temporary,
                    Errno.EAGAIN,
                    rule: "one restore from a backup at a time per data directory");
            }

            if (NativeFile.TryStatus(paths.Temporary) is { Kind: FileKind.Directory } named && named.Inode == NativeFile.Status(handle, paths.Temporary).Inode)
            {
                return new BackupRestoreClaim(handle);
            }
        }
        catch
        {
            NativeFile.UnlockAndClose(handle);
            throw;
        }

        NativeFile.UnlockAndClose(handle);
        return null;
    }
}
