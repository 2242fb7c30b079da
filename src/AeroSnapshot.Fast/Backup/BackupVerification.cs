using AeroSnapshot.Fast.Wal;

namespace AeroSnapshot.Fast.Backup;

/// <summary>What a backup archive that passed every check holds.</summary>
/// <param name="ArchivePath">The archive.</param>
/// <param name="Manifest">Its <c>backup_manifest.json</c>.</param>
/// <param name="SnapshotManifest">The packed snapshot's <c>manifest.json</c>.</param>
/// <param name="SnapshotBytes">Bytes of snapshot data checked against the snapshot manifest.</param>
/// <param name="SnapshotFiles">Snapshot files checked (<c>storage.dat</c> and the schema files).</param>
/// <param name="Wal">The WAL's records, when the archive has one.</param>
public sealed record BackupVerification(string ArchivePath, BackupManifest Manifest, SnapshotManifest SnapshotManifest, long SnapshotBytes, int SnapshotFiles, WalSummary? Wal)
{
    /// <summary>
    /// Schema files in the archive that its snapshot manifest does not list, as entry names
    /// (<c>snapshot/schemas/…</c>): AeroDB checksums only the files directly in <c>schemas/</c> but
    /// packs the whole tree, so its backups hold nested schema files nothing can verify. They are
    /// read (and restored) like the others, as <see cref="SnapshotManager.Verify"/> tolerates them
    /// in a snapshot on disk; empty for the archives this library writes.
    /// </summary>
    public IReadOnlyList<string> Unverified { get; init; } = [];
}
