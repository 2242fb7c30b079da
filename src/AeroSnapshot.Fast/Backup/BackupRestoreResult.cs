using AeroSnapshot.Fast.Wal;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// A completed restore from a backup: the data directory now holds the archive's snapshot and WAL,
/// durably, and nothing of what it held before.
/// </summary>
/// <param name="DataDirectory">The data directory that was replaced.</param>
/// <param name="Archive">What the archive held, every check passed (what <see cref="SnapshotManager.VerifyBackup(string, SnapshotOptions?, CancellationToken)"/> reports).</param>
/// <param name="StorageLocation">Where the storage file was put: where the replaced directory's database read it.</param>
public sealed record BackupRestoreResult(string DataDirectory, BackupVerification Archive, StorageFileLocation StorageLocation)
{
    /// <summary>The whole restore, from the lock check to the old data's removal.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The archive's <c>backup_manifest.json</c>.</summary>
    public BackupManifest Manifest => Archive.Manifest;

    /// <summary>Bytes of snapshot data restored, every one checked against the snapshot manifest.</summary>
    public long SnapshotBytes => Archive.SnapshotBytes;

    /// <summary>Snapshot files restored (<c>storage.dat</c> and the schema files).</summary>
    public int SnapshotFiles => Archive.SnapshotFiles;

    /// <summary>The restored WAL's records; null when the archive had no WAL (the restored one is empty).</summary>
    public WalSummary? Wal => Archive.Wal;

    /// <summary>Schema files restored without a checksum to check (see <see cref="BackupVerification.Unverified"/>).</summary>
    public IReadOnlyList<string> Unverified => Archive.Unverified;

    /// <summary>For a log line: the data directory, the archive, its snapshot, the duration.</summary>
    public override string ToString()
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"restored {DataDirectory} from {Archive.ArchivePath} (snapshot {Manifest.SnapshotId}, {SnapshotBytes} bytes in {SnapshotFiles} files, WAL {(Wal is { } wal ? $"{wal.Records} records" : "empty")}), {Duration.TotalMilliseconds:0.#} ms");
}
