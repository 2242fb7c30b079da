using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Checkpoint;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast;

// Checkpoint = snapshot + checkpoint.json + WAL reset (BACKUP-CHECKPOINT.md §1).
public sealed partial class SnapshotManager
{
    /// <summary>
    /// Takes a checkpoint: reads the WAL through once and refuses one AeroDB's reader would refuse
    /// (changing nothing), fsyncs it, takes a snapshot (the normal create, durable and published),
    /// writes <c>checkpoint.json</c> durably, then resets the WAL to empty and makes that durable.
    /// Call it while holding the global execution lock (and, in AeroDB, the WAL writer).
    /// </summary>
    /// <param name="dataDirectory">The data directory; <c>checkpoint.json</c> and the snapshot go in it.</param>
    /// <param name="storagePath">The storage file.</param>
    /// <param name="schemaDirectory">The schema tree.</param>
    /// <param name="walPath">The WAL file (normally <c>&lt;data&gt;/wal/wal.log</c>); one that does not exist is an empty WAL, as AeroDB treats it, and is left absent.</param>
    /// <param name="executionLock">Must be held by the calling thread for the whole call.</param>
    /// <param name="options">Clock, progress, cancellation and tuning.</param>
    /// <param name="walHandle">The database's own writable handle to the WAL, when it has one open; it is truncated through that handle and not closed.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <remarks>
    /// Without <paramref name="walHandle"/> the checkpoint is one of a stopped data directory (the
    /// library opens the WAL itself), and it is refused (<c>AERO_SNAPSHOT_FAILED</c>, naming the file)
    /// while AeroDB's running marker <c>&lt;data&gt;/.lock</c> exists. With it, the caller is the
    /// running database, and its own marker is no reason to refuse.
    /// </remarks>
    /// <exception cref="SnapshotException">
    /// The checkpoint did not complete. <c>AERO_WAL_CORRUPTION</c> (FATAL, K2, with the offset of the
    /// bad record and a <see cref="Wal.WalFrameException"/> inside): nothing was changed, no snapshot
    /// taken. Otherwise a snapshot already published stays; the WAL is untouched
    /// unless the error is at step <see cref="SnapshotStep.CheckpointResetWal"/> after the truncation
    /// (then <see cref="RemoveLeftovers"/> finishes the reset).
    /// </exception>
    public CheckpointResult Checkpoint(string dataDirectory, string storagePath, string schemaDirectory, string walPath, IExecutionLock executionLock, SnapshotOptions? options = null, SafeFileHandle? walHandle = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentException.ThrowIfNullOrEmpty(storagePath);
        ArgumentException.ThrowIfNullOrEmpty(schemaDirectory);
        ArgumentException.ThrowIfNullOrEmpty(walPath);
        ArgumentNullException.ThrowIfNull(executionLock);
        ObjectDisposedException.ThrowIf(_disposed, this);
        options ??= SnapshotOptions.Default;
        var request = new CheckpointRequest(dataDirectory, storagePath, null, schemaDirectory, walPath, walHandle, executionLock);
        return new CheckpointRunner(this, request, options).Run();
    }

    /// <summary>The part of <see cref="RemoveLeftovers"/> for interrupted checkpoints (and restores from a backup).</summary>
    private static List<string> RecoverCheckpointAndBackupRestore(string dataDirectory)
    {
        List<string> handled = BackupRestoreRecovery.Recover(BackupRestorePaths.For(dataDirectory));
        handled.AddRange(CheckpointRecovery.Recover(dataDirectory));
        return handled;
    }
}
