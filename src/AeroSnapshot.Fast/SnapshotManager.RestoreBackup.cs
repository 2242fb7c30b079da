using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Execution;

namespace AeroSnapshot.Fast;

// verify-backup and restore-backup (BACKUP-CHECKPOINT.md §3).
public sealed partial class SnapshotManager
{
    /// <summary>
    /// Makes every check a restore from <paramref name="archivePath"/> would make (layout, entry
    /// types and names, tar header checksums, backup manifest, snapshot manifest, every checksum,
    /// every WAL record) and writes nothing.
    /// </summary>
    /// <exception cref="SnapshotException">
    /// <c>AERO_METADATA_CORRUPTION</c> (a refused entry, a missing part, a bad manifest),
    /// <c>AERO_DATA_CORRUPTION</c> (a checksum), <c>AERO_WAL_CORRUPTION</c> (a WAL record), all FATAL;
    /// <c>AERO_SNAPSHOT_IO</c> when the archive cannot be read.
    /// </exception>
    /// <remarks>
    /// It is the same single pass restore-backup makes, without the writes: an archive it passes,
    /// restore-backup restores into any data directory with room, and an archive it refuses,
    /// restore-backup refuses with the same code. Names are measured against what any Linux file
    /// system takes (255-byte names, 4096-byte paths); <see cref="VerifyBackup(string, string, SnapshotOptions?, CancellationToken)"/>
    /// measures them against a given target.
    /// </remarks>
    public BackupVerification VerifyBackup(string archivePath, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        options ??= SnapshotOptions.Default;
        return VerifyArchive(archivePath, BackupTargetLimits.Anywhere, options);
    }

    /// <summary>
    /// Makes every check <see cref="RestoreBackup"/> of <paramref name="archivePath"/> into
    /// <paramref name="targetDataDirectory"/> would make, and writes nothing: those of
    /// <see cref="VerifyBackup(string, SnapshotOptions?, CancellationToken)"/>, with every name measured against the
    /// target's file system (its NAME_MAX) and every path against PATH_MAX as the restore would
    /// write it there.
    /// </summary>
    /// <param name="archivePath">The backup archive.</param>
    /// <param name="targetDataDirectory">The data directory a restore would replace (its parent, where the restore works, must exist).</param>
    /// <param name="options">Progress, cancellation and buffer size.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <exception cref="SnapshotException">
    /// The codes of <see cref="VerifyBackup(string, SnapshotOptions?, CancellationToken)"/>; <c>AERO_SNAPSHOT_IO</c> when the
    /// target's file system cannot be asked.
    /// </exception>
    public BackupVerification VerifyBackup(string archivePath, string targetDataDirectory, SnapshotOptions? options, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        ArgumentException.ThrowIfNullOrEmpty(targetDataDirectory);
        options ??= SnapshotOptions.Default;
        BackupTargetLimits limits;
        try
        {
            limits = BackupTargetLimits.For(BackupRestorePaths.For(targetDataDirectory));
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Read);
        }

        return VerifyArchive(archivePath, limits, options);
    }

    /// <summary>
    /// Replaces the data directory with the contents of a backup archive: checks the database is not
    /// running (the directory's <c>LOCK</c> must be free) and that no other restore from a backup into
    /// it is running (refused at once, naming the temporary directory it holds), unpacks and validates everything into a
    /// temporary directory beside it, and only then swaps it in atomically. Destructive: nothing of the
    /// old data directory is kept (its snapshots included). Refused while AeroDB's running marker
    /// <c>.lock</c> exists in it. The storage file goes where the replaced directory kept it
    /// (<see cref="DataDirectoryLayout"/>, or <see cref="SnapshotOptions.StorageLocation"/>), and
    /// everything written gets its owner and group and modes no wider than it had.
    /// </summary>
    /// <param name="archivePath">The backup archive.</param>
    /// <param name="dataDirectory">The data directory to replace; it must exist.</param>
    /// <param name="options">Progress, cancellation, buffer size and <see cref="SnapshotOptions.StorageLocation"/>.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <exception cref="SnapshotException">
    /// The corruption codes of <see cref="VerifyBackup(string, SnapshotOptions?, CancellationToken)"/>, or a failure; in every case before the
    /// swap, the data directory is exactly as it was.
    /// </exception>
    public BackupRestoreResult RestoreBackup(string archivePath, string dataDirectory, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        options ??= SnapshotOptions.Default;
        return new BackupRestorer(Path.GetFullPath(archivePath), dataDirectory, options, Buffers(options)).Run();
    }

    private BackupVerification VerifyArchive(string archivePath, BackupTargetLimits limits, SnapshotOptions options)
    {
        string archive = Path.GetFullPath(archivePath);
        AlignedBufferPool buffers = Buffers(options);
        return new SingleStepOperation<BackupVerification>(
            options,
            OperationTelemetry.VerifyBackup,
            "backup",
            "Backup verification",
            SnapshotStep.Read,
            () =>
            {
                using var reader = new BackupArchiveReader(archive, null, limits, options, buffers);
                return reader.Read();
            },
            spanTag: new("aerosnap.backup.archive", archive)).Run();
    }
}
