namespace AeroSnapshot.Fast;

/// <summary>
/// The steps of snapshot creation, in the order of the specification's exact sequence (with the
/// publish protocol's steps between them), then those of reading, pruning and restoring. An error
/// names the step that failed.
/// </summary>
public enum SnapshotStep
{
    /// <summary>Checking that the caller holds the global execution lock.</summary>
    CheckLock,

    /// <summary>Creating <c>snapshots/</c>, removing stale staging, scanning the sources, checking space.</summary>
    Prepare,

    /// <summary>Making the WAL durable.</summary>
    SyncWal,

    /// <summary>Copying <c>storage.dat</c> with its checksum.</summary>
    CopyStorage,

    /// <summary>fsync of the storage copy.</summary>
    SyncStorage,

    /// <summary>Copying the schema tree with checksums.</summary>
    CopySchemas,

    /// <summary>fsync of the schema files and directories.</summary>
    SyncSchemas,

    /// <summary>Writing <c>manifest.json</c>.</summary>
    WriteManifest,

    /// <summary>fsync of <c>manifest.json</c>.</summary>
    SyncManifest,

    /// <summary>fsync of the staging directory.</summary>
    SyncStaging,

    /// <summary>The no-replace rename that makes the snapshot visible.</summary>
    Publish,

    /// <summary>fsync of <c>snapshots/</c>, then of the data directory (which makes <c>snapshots/</c> itself durable, however it came to exist).</summary>
    SyncParent,

    /// <summary>Removing a failed attempt's staging directory.</summary>
    Cleanup,

    /// <summary>Reading a snapshot back (verify, discover, restore).</summary>
    Read,

    /// <summary>Prune: renaming a snapshot aside to <c>.deleting-&lt;id&gt;</c>, so it stops being a snapshot in one step.</summary>
    PruneRenameAside,

    /// <summary>Prune: fsync of <c>snapshots/</c>, making the rename durable before anything is deleted.</summary>
    PruneSyncRename,

    /// <summary>Prune: deleting the renamed-aside tree.</summary>
    PruneDelete,

    /// <summary>Prune: fsync of <c>snapshots/</c> after the deletion.</summary>
    PruneSyncDelete,

    /// <summary>Restore: finishing or undoing an earlier restore of the same target that was interrupted.</summary>
    RestoreRecover,

    /// <summary>Restore: copying the snapshot into the new directory beside the target, checking each file's CRC-32 as it is copied.</summary>
    RestoreCopy,

    /// <summary>Restore: creating the empty <c>wal/wal.log</c> of the restored directory (a snapshot carries no WAL), unless the WAL is kept.</summary>
    RestoreEmptyWal,

    /// <summary>Restore: fsync of every file and directory created, and of the target's parent.</summary>
    RestoreSync,

    /// <summary>Restore: writing the fsynced intent marker into the new directory before entries of the target are moved.</summary>
    RestoreWriteIntent,

    /// <summary>Restore: moving the entries that are kept (<c>snapshots/</c>, and the WAL when kept) from the target into the new directory.</summary>
    RestoreMoveEntries,

    /// <summary>Restore: fsync of both directories after the moves.</summary>
    RestoreSyncMoves,

    /// <summary>Restore: the atomic swap of the new directory and the target (<c>RENAME_EXCHANGE</c>).</summary>
    RestoreSwap,

    /// <summary>Restore: fsync of the target's parent, which makes the swap durable. The restore is complete after this step.</summary>
    RestoreSyncSwap,

    /// <summary>Restore, after completion: removing the intent marker from the restored directory.</summary>
    RestoreRemoveIntent,

    /// <summary>Restore, after completion: deleting the previous data (now beside the target).</summary>
    RestoreRemoveOld,

    /// <summary>Checkpoint: writing the fsynced intent (<c>.checkpoint-intent</c>) that lets <c>clean</c> finish or undo an interrupted checkpoint.</summary>
    CheckpointWriteIntent,

    /// <summary>Checkpoint: writing <c>checkpoint.json</c> durably (temporary file, fsync, rename, fsync of the data directory).</summary>
    CheckpointWriteMarker,

    /// <summary>Checkpoint: resetting the WAL to empty (<c>ftruncate</c>) and making that durable.</summary>
    CheckpointResetWal,

    /// <summary>Checkpoint: removing the intent once the checkpoint is complete.</summary>
    CheckpointRemoveIntent,

    /// <summary>Backup: choosing the snapshot and streaming it and the WAL into the archive, checking every CRC-32.</summary>
    BackupWrite,

    /// <summary>Backup: fsync of the archive.</summary>
    BackupSync,

    /// <summary>Backup: the no-replace rename that publishes the archive, and the fsync of its directory.</summary>
    BackupPublish,

    /// <summary>Restore from a backup: unpacking and validating the archive into the temporary directory beside the data directory.</summary>
    RestoreBackupUnpack,

    /// <summary>Restore from a backup: fsync of the new data directory, then its ready marker.</summary>
    RestoreBackupSync,

    /// <summary>Restore from a backup: the atomic swap (<c>RENAME_EXCHANGE</c>) of the new data directory and the old one, which moves the old aside into the temporary directory. Complete once both parents are fsynced.</summary>
    RestoreBackupSwap,

    /// <summary>Restore from a backup, after completion: deleting the temporary directory, which holds the old data directory.</summary>
    RestoreBackupRemoveOld,

    /// <summary>Reading a captured clone of <c>storage.dat</c> for its checksum, after the pause (<see cref="Creation.SnapshotCapture"/>).</summary>
    ChecksumStorage,
}
