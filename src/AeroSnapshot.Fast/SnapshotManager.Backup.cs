using AeroSnapshot.Fast.Backup;

namespace AeroSnapshot.Fast;

// Backup = the newest valid snapshot + the WAL + backup_manifest.json in one tar file (BACKUP-CHECKPOINT.md §2).
public sealed partial class SnapshotManager
{
    /// <summary>
    /// Writes a backup archive of <paramref name="dataDirectory"/> to <paramref name="outputPath"/>:
    /// the newest valid snapshot (as verify and discovery judge it, a reference snapshot's unlisted
    /// files included and named in <see cref="BackupResult.UnverifiedFiles"/>), the WAL and
    /// <c>backup_manifest.json</c>, in a deterministic GNU tar. Never a snapshot older than the one
    /// <c>checkpoint.json</c> names: the WAL does not continue it. Each listed snapshot file is checked
    /// against its manifest's CRC-32 while it is packed, and the WAL against AeroDB's reader's rules;
    /// the archive is fsynced and published with a no-replace rename.
    /// </summary>
    /// <param name="dataDirectory">The data directory whose <c>snapshots/</c> and WAL are backed up.</param>
    /// <param name="outputPath">The archive to create; an existing file is never replaced.</param>
    /// <param name="walPath">The WAL; null for <c>&lt;data&gt;/wal/wal.log</c>, skipped when that does not exist (a given path must exist).</param>
    /// <param name="executionLock">Must be held by the calling thread (the WAL must not grow while it is copied).</param>
    /// <param name="options">Clock (the backup's id), progress, cancellation, buffer size, logger (skipped snapshots).</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <exception cref="SnapshotException">
    /// The backup was not made and no partial archive is left: no valid snapshot, or only ones older
    /// than the checkpoint's (<c>AERO_SNAPSHOT_FAILED</c>, the latter with invariant D1), a
    /// <c>checkpoint.json</c> that is not a marker (<c>AERO_METADATA_CORRUPTION</c>),
    /// a bad WAL record (<c>AERO_WAL_CORRUPTION</c>), the output exists, or a system call failed.
    /// </exception>
    public BackupResult Backup(string dataDirectory, string outputPath, string? walPath, IExecutionLock executionLock, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ArgumentNullException.ThrowIfNull(executionLock);
        options ??= SnapshotOptions.Default;
        return new BackupWriter(dataDirectory, outputPath, walPath, executionLock, options, Buffers(options)).Run();
    }
}
