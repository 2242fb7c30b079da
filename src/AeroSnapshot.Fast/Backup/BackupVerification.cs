using AeroSnapshot.Fast.Wal;

namespace AeroSnapshot.Fast.Backup;

/// <summary>What a backup archive that passed every check holds.</summary>
/// <param name="ArchivePath">The archive.</param>
/// <param name="Manifest">Its <c>backup_manifest.json</c>.</param>
/// <param name="SnapshotManifest">The packed snapshot's <c>manifest.json</c>.</param>
/// <param name="SnapshotBytes">Bytes of snapshot data checked against the snapshot manifest.</param>
/// <param name="SnapshotFiles">Snapshot files checked (<c>storage.dat</c> and the schema files).</param>
/// <param name="Wal">The WAL's records, when the archive has one.</param>
public sealed record BackupVerification(string ArchivePath, BackupManifest Manifest, SnapshotManifest SnapshotManifest, long SnapshotBytes, int SnapshotFiles, WalSummary? Wal);
