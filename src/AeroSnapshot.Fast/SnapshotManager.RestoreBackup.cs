using AeroSnapshot.Fast.Backup;

namespace AeroSnapshot.Fast;

// verify-backup and restore-backup (BACKUP-CHECKPOINT.md §3).
public sealed partial class SnapshotManager
{
    /// <summary>
    /// Makes every check a restore from <paramref name="archivePath"/> would make (layout, backup
    /// manifest, snapshot manifest, every checksum, every WAL record) and writes nothing.
    /// </summary>
    /// <exception cref="SnapshotException">
    /// <c>AERO_METADATA_CORRUPTION</c> (a refused entry, a missing part, a bad manifest),
    /// <c>AERO_DATA_CORRUPTION</c> (a checksum), <c>AERO_WAL_CORRUPTION</c> (a WAL record), all FATAL;
    /// <c>AERO_SNAPSHOT_IO</c> when the archive cannot be read.
    /// </exception>
    public BackupVerification VerifyBackup(string archivePath, SnapshotOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        options ??= SnapshotOptions.Default;
        using var reader = new BackupArchiveReader(Path.GetFullPath(archivePath), null, options, Buffers(options));
        return reader.Read();
    }

    /// <summary>
    /// Replaces the data directory with the contents of a backup archive: checks the database is not
    /// running (the directory's <c>LOCK</c> must be free), unpacks and validates everything into a
    /// temporary directory beside it, and only then swaps it in atomically. Destructive: nothing of the
    /// old data directory is kept (its snapshots included). Refused while AeroDB's running marker
    /// <c>.lock</c> exists in it. The storage file goes where the replaced directory kept it
    /// (<see cref="DataDirectoryLayout"/>, or <see cref="SnapshotOptions.StorageLocation"/>), and
    /// everything written gets its owner and group and modes no wider than it had.
    /// </summary>
    /// <param name="archivePath">The backup archive.</param>
    /// <param name="dataDirectory">The data directory to replace; it must exist.</param>
    /// <param name="options">Progress, cancellation, buffer size and <see cref="SnapshotOptions.StorageLocation"/>.</param>
    /// <exception cref="SnapshotException">
    /// The corruption codes of <see cref="VerifyBackup"/>, or a failure; in every case before the
    /// swap, the data directory is exactly as it was.
    /// </exception>
    public BackupVerification RestoreBackup(string archivePath, string dataDirectory, SnapshotOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        options ??= SnapshotOptions.Default;
        return new BackupRestorer(Path.GetFullPath(archivePath), dataDirectory, options, Buffers(options)).Run();
    }
}
