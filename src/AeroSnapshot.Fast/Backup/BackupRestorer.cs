using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Restoring;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// The contract's restore from a backup, in its strict order: the data directory's lock must be
/// free (the database is not running) → finish or undo an earlier interrupted restore → make
/// <c>D.restore-backup-tmp</c> and lock it for this run's life (<see cref="BackupRestoreClaim"/>: one
/// restore-backup at a time per data directory, with or without a <c>LOCK</c> file) → unpack the
/// archive into <c>D.restore-backup-tmp/data</c> while validating the backup manifest, the snapshot
/// manifest, every checksum and every WAL record (<see cref="BackupArchiveReader"/>) → fsync it
/// recursively and write <c>READY</c> → swap it with D in one <c>RENAME_EXCHANGE</c> (the old data
/// directory is moved aside into the temporary directory by the same call) → fsync both parents →
/// delete the temporary directory with the old data. Any refusal or failure before the swap leaves D
/// exactly as it was and removes the temporary directory. States and recovery:
/// <see cref="BackupRestoreRecovery"/>.
/// <para>
/// Like a restore from a snapshot, it refuses while AeroDB's running marker <c>.lock</c> exists in D,
/// puts the storage file where D's database reads it (<c>data/storage.dat</c> in a directory AeroDB
/// restored; <see cref="DataDirectoryLayout"/>), and gives everything it writes D's owner and group
/// and modes that follow D's (<see cref="ReplacedDirectory"/>), on descriptors, before it is fsynced.
/// </para>
/// </summary>
internal sealed class BackupRestorer : OperationAttempt<BackupRestoreResult>
{
    private readonly SnapshotOptions _options;
    private readonly AlignedBufferPool _buffers;
    private readonly string _archivePath;
    private readonly BackupRestorePaths _paths;
    private bool _temporaryMade;   // the temporary directory exists: a failure undoes (or finishes) the restore
    private BackupRestoreClaim? _claim; // this run's lock on the temporary directory, held until it is deleted

    public BackupRestorer(string archivePath, string dataDirectory, SnapshotOptions options, AlignedBufferPool buffers)
        : base(options, recorder: null, SnapshotStep.Prepare, OperationTelemetry.RestoreBackup)
    {
        _options = options;
        _buffers = buffers;
        _archivePath = archivePath;
        _paths = BackupRestorePaths.For(dataDirectory);
    }

    protected override string Describe(SnapshotStep step) => $"Restore from a backup, step {step},";

    protected override string Component => "backup";

    // Every write and directory call here goes through the I/O layer (NativeIOException, with its
    // path); a plain IOException comes from the archive's FileStream under TarReader. Name the
    // archive: the strace sweep found this error carrying an errno but no path.
    protected override SnapshotException ClassifyIOException(IOException io)
        => new(SnapshotErrorCode.IO, $"Restore from a backup, step {Steps.Current}, failed reading the archive '{_archivePath}': {io.Message}", Steps.Current, _archivePath, errno: Errors.ErrnoOf(io), innerException: io);

    protected override TimeSpan? Elapsed(BackupRestoreResult result) => result.Duration;

    protected override BackupRestoreResult RunSteps()
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return Restore() with { Duration = System.Diagnostics.Stopwatch.GetElapsedTime(start) };
        }
        catch (SimulatedCrashException)
        {
            ReleaseClaim(); // a killed process's locks go with it
            throw;
        }
    }

    private BackupRestoreResult Restore()
    {
        Steps.Enter(SnapshotStep.Prepare);
        if (NativeFile.TryStatus(_paths.DataDirectory) is not { Kind: FileKind.Directory } dataDirectory)
        {
            throw new SnapshotException(SnapshotErrorCode.Failed, $"The data directory '{_paths.DataDirectory}' does not exist or is not a directory (a symbolic link is not followed).", SnapshotStep.Prepare, _paths.DataDirectory, Errno.ENOENT);
        }

        DataDirectoryLock? dataLock = DataDirectoryLock.AcquireIfPresent(_paths.DataDirectory);
        using var releaseLock = dataLock;
        DataDirectoryLayout.ThrowIfRunning(_paths.DataDirectory, "Restore from a backup");
        ReplacedDirectory replaced = ReplacedDirectory.Inspect(_paths.DataDirectory, dataDirectory, _options.StorageLocation);

        Steps.Enter(SnapshotStep.RestoreRecover);
        _ = BackupRestoreRecovery.Recover(_paths);

        Steps.Enter(SnapshotStep.RestoreBackupUnpack);
        // Made with mkdir, which never follows a link, and locked for this run's life.
        _claim = BackupRestoreClaim.Create(_paths);
        _temporaryMade = true;
        NativeFile.MakeDirectory(_paths.Swapped, FileModes.Directory);
        BackupVerification verification;
        using (var reader = new BackupArchiveReader(_archivePath, _paths.Swapped, BackupTargetLimits.For(_paths), _options, _buffers))
        {
            verification = reader.Read();

            Steps.Enter(SnapshotStep.RestoreBackupSync);
            Arrange(replaced);
            reader.SyncAndClose();
        }

        NativeFile.SyncDirectory(_paths.Temporary);
        ulong newInode = NativeFile.TryStatus(_paths.Swapped)!.Value.Inode;
        BackupRestoreRecovery.WriteReady(_paths, newInode);
        NativeFile.SyncDirectory(_paths.Parent);

        Steps.Enter(SnapshotStep.RestoreBackupSwap);

        // Without a lock file nobody held the lock; one is created now, right before the old
        // directory is replaced, so the database cannot start on it during the swap.
        using DataDirectoryLock? lateLock = dataLock is null ? DataDirectoryLock.Acquire(_paths.DataDirectory) : null;
        DataDirectoryLayout.ThrowIfRunning(_paths.DataDirectory, "Restore from a backup");
        Exchange(_paths.Swapped, _paths.DataDirectory);
        NativeFile.SyncDirectory(_paths.Temporary);
        NativeFile.SyncDirectory(_paths.Parent);

        Steps.Enter(SnapshotStep.RestoreBackupRemoveOld);
        DirectoryTree.Delete(_paths.Temporary);
        ReleaseClaim();
        NativeFile.SyncDirectory(_paths.Parent);
        return new BackupRestoreResult(_paths.DataDirectory, verification, replaced.Storage.Location);
    }

    /// <summary>Before the swap, undoes it; after, finishes it: exactly what <c>clean</c> would do.</summary>
    protected override Exception? CleanUp()
    {
        if (!_temporaryMade)
        {
            return null;
        }

        try
        {
            // Under this run's own lock, so no other run can take the temporary directory meanwhile.
            _ = _claim is null ? BackupRestoreRecovery.Recover(_paths) : BackupRestoreRecovery.RecoverLocked(_paths);
            return null;
        }
        catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException or SnapshotException)
        {
            return cleanup;
        }
        finally
        {
            ReleaseClaim();
        }
    }

    private void ReleaseClaim()
    {
        _claim?.Dispose();
        _claim = null;
    }

    private static void Exchange(string from, string to) => AtomicRename.Exchange(from, to);

    /// <summary>
    /// Lays the unpacked data directory out as the replaced one was (the storage file moved under
    /// <c>data/</c> when D kept it there) and gives every entry D's owner and its mode, before the
    /// reader makes it all durable.
    /// </summary>
    private void Arrange(ReplacedDirectory replaced)
    {
        using DirectoryHandle root = DirectoryHandle.Open(_paths.Swapped);
        string data = Path.Join(_paths.Swapped, DataDirectoryLayout.DataSubdirectoryName);
        bool nested = replaced.Storage.Location == StorageFileLocation.DataSubdirectory;
        if (nested)
        {
            NativeFile.MakeDirectory(data, FileModes.PrivateDirectory);
            using DirectoryHandle dataHandle = DirectoryHandle.Open(data);
            int errno = DirectoryHandle.TryMove(root, "storage.dat"u8, dataHandle);
            if (errno != 0)
            {
                throw Errors.For("renameat2", root.ChildPath(SnapshotLayout.StorageFileName), errno);
            }
        }

        TreeModes.Apply(root, replaced.ModeFor, replaced.Modes.Owner);
        if (nested)
        {
            // The reader makes durable what it made; data/ is this method's.
            NativeFile.SyncDirectory(data);
        }
    }
}
