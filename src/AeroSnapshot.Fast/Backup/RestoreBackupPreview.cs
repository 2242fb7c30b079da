namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// What a restore from a backup would do to a data directory, found by its own checks with nothing
/// written (<c>aerosnap restore-backup --dry-run</c>): the whole archive checked as the restore checks
/// it, the data directory's refusals (its LOCK held, AeroDB's running marker, two storage files).
/// </summary>
/// <param name="Archive">The archive, checked exactly as <see cref="SnapshotManager.VerifyBackup(string, string, SnapshotOptions?, CancellationToken)"/> checks it against this data directory.</param>
/// <param name="DataDirectory">The data directory that would be replaced.</param>
/// <param name="StorageFile">Where the restored storage file would go, relative to the data directory.</param>
/// <param name="Deleted">The data directory's entries now: all of them go with the old data (nothing of it is kept).</param>
/// <param name="Recovered">An earlier interrupted restore from a backup the restore would first finish or undo.</param>
internal sealed record RestoreBackupPreview(
    BackupVerification Archive,
    string DataDirectory,
    string StorageFile,
    IReadOnlyList<string> Deleted,
    IReadOnlyList<string> Recovered);
