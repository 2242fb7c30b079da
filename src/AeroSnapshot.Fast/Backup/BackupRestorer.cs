using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Interop;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// The contract's restore from a backup, in its strict order: the data directory's lock must be
/// free (the database is not running) → finish or undo an earlier interrupted restore → unpack the
/// archive into <c>D.restore-backup-tmp/data</c> while validating the backup manifest, the snapshot
/// manifest, every checksum and every WAL record (<see cref="BackupArchiveReader"/>) → fsync it
/// recursively and write <c>READY</c> → swap it with D in one <c>RENAME_EXCHANGE</c> (the old data
/// directory is moved aside into the temporary directory by the same call) → fsync both parents →
/// delete the temporary directory with the old data. Any refusal or failure before the swap leaves D
/// exactly as it was and removes the temporary directory. States and recovery:
/// <see cref="BackupRestoreRecovery"/>.
/// </summary>
internal sealed class BackupRestorer
{
    private const uint TemporaryMode = 0b111_000_000; // 0700: nobody else puts anything in it

    private readonly SnapshotOptions _options;
    private readonly AlignedBufferPool _buffers;
    private SnapshotStep _step = SnapshotStep.Prepare;
    private string? _archive;

    public BackupRestorer(SnapshotOptions options, AlignedBufferPool buffers)
    {
        _options = options;
        _buffers = buffers;
    }

    public BackupVerification Run(string archivePath, string dataDirectory)
    {
        BackupRestorePaths paths = BackupRestorePaths.For(dataDirectory);
        _archive = archivePath;
        bool temporaryMade = false;
        try
        {
            Enter(SnapshotStep.Prepare);
            if (NativeFile.TryStatus(paths.DataDirectory) is not { Kind: FileKind.Directory })
            {
                throw new SnapshotException(SnapshotErrorCode.Failed, $"The data directory '{paths.DataDirectory}' does not exist or is not a directory (a symbolic link is not followed).", SnapshotStep.Prepare, paths.DataDirectory, Errno.ENOENT);
            }

            DataDirectoryFlock? dataLock = DataDirectoryFlock.Acquire(paths.DataDirectory, create: false);
            using var releaseLock = dataLock;

            Enter(SnapshotStep.RestoreRecover);
            _ = BackupRestoreRecovery.Recover(paths);

            Enter(SnapshotStep.RestoreBackupUnpack);
            // mkdir never follows a link: a link (or anything) already there fails with EEXIST.
            NativeFile.MakeDirectory(paths.Temporary, TemporaryMode);
            temporaryMade = true;
            NativeFile.MakeDirectory(paths.Swapped, 0b111_101_101);
            BackupVerification verification;
            using (var reader = new BackupArchiveReader(archivePath, paths.Swapped, _options, _buffers))
            {
                verification = reader.Read();

                Enter(SnapshotStep.RestoreBackupSync);
                reader.SyncAndClose();
            }

            NativeFile.SyncDirectory(paths.Temporary);
            ulong newInode = NativeFile.TryStatus(paths.Swapped)!.Value.Inode;
            BackupRestoreRecovery.WriteReady(paths, newInode);
            NativeFile.SyncDirectory(paths.Parent);

            Enter(SnapshotStep.RestoreBackupSwap);

            // Without a lock file nobody held the lock; one is created now, right before the old
            // directory is replaced, so the database cannot start on it during the swap.
            using DataDirectoryFlock? lateLock = dataLock is null ? DataDirectoryFlock.Acquire(paths.DataDirectory, create: true) : null;
            Exchange(paths.Swapped, paths.DataDirectory);
            NativeFile.SyncDirectory(paths.Temporary);
            NativeFile.SyncDirectory(paths.Parent);

            Enter(SnapshotStep.RestoreBackupRemoveOld);
            DirectoryTree.Delete(paths.Temporary);
            NativeFile.SyncDirectory(paths.Parent);
            return verification;
        }
        catch (Exception failure) when (failure is not SimulatedCrashException)
        {
            Exception reported = Classify(failure);
            if (temporaryMade)
            {
                try
                {
                    // Before the swap this undoes, after it finishes, exactly as clean would.
                    _ = BackupRestoreRecovery.Recover(paths);
                }
                catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
                {
                    if (reported is SnapshotException error)
                    {
                        error.CleanupFailure = cleanup;
                    }
                }
            }

            if (ReferenceEquals(reported, failure))
            {
                throw;
            }

            throw reported;
        }
    }

    private static void Exchange(string from, string to)
    {
        if (Sys.RenameAt2(Sys.AtFdCwd, from, Sys.AtFdCwd, to, Sys.RenameExchange) < 0)
        {
            int errno = Errors.LastErrno;
            throw errno is Errno.EINVAL or Errno.ENOSYS
                ? new NativeIOException("renameat2", to, errno, "the file system cannot exchange two directories atomically (RENAME_EXCHANGE), which restore needs so that the data directory is complete at every moment")
                : Errors.For("renameat2", from, errno);
        }
    }

    private void Enter(SnapshotStep step)
    {
        _step = step;
        _options.CancellationToken.ThrowIfCancellationRequested();
        _options.BeforeStep?.Invoke(step);
    }

    private Exception Classify(Exception failure) => failure switch
    {
        SnapshotException => failure,
        OperationCanceledException => failure,
        NativeIOException native => SnapshotException.FromNative(native, _step),
        // Every write and directory call here goes through NativeFile (NativeIOException, with its
        // path); a plain IOException comes from the archive's FileStream under TarReader. Name the
        // archive: the strace sweep found this error carrying an errno but no path.
        IOException io => new SnapshotException(SnapshotErrorCode.IO, $"Restore from a backup, step {_step}, failed reading the archive '{_archive}': {io.Message}", _step, _archive, errno: io.HResult is > 0 and < 4096 ? io.HResult : null, innerException: io),
        _ => new SnapshotException(SnapshotErrorCode.Failed, $"Restore from a backup, step {_step}, failed: {failure.Message}", _step, innerException: failure),
    };
}
