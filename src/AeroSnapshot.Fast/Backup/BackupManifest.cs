using AeroSnapshot.Fast.ManifestFormat;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// <c>backup_manifest.json</c>, the last entry of a backup archive: which backup it is, when it was
/// made, which snapshot it holds and whether it holds a WAL. Written and read by the same source
/// generator as <c>manifest.json</c>, in the same serde-pretty bytes.
/// </summary>
[JsonDocument(DocumentName = FileName)]
public sealed partial class BackupManifest : IEquatable<BackupManifest>
{
    /// <summary>The manifest's name in the archive.</summary>
    public const string FileName = "backup_manifest.json";

    /// <summary>The only format version defined.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The backup's own id: the instant it was made, <c>YYYYMMDDTHHMMSSZ</c>.</summary>
    [JsonField("backup_id")]
    public required SnapshotId BackupId { get; init; }

    /// <summary>
    /// When the backup was made, <c>YYYY-MM-DDTHH:MM:SSZ</c>: the instant of <see cref="BackupId"/>
    /// as this library writes it. AeroDB's own backup names itself after the snapshot it packs
    /// (<c>backup_id</c> = <c>snapshot_id</c>) and stamps <c>created_at</c> with the time of the backup;
    /// for that shape any instant at or after the snapshot's is read.
    /// </summary>
    /// <remarks>
    /// Bounded on one side only, on purpose. AeroDB packs the newest snapshot whatever its age (a
    /// snapshot is taken at a checkpoint; a backup may follow it by seconds or by months), so the
    /// distance between the two instants measures how long ago the last checkpoint was, not whether
    /// the archive is sound; any finite limit would refuse genuine AeroDB backups of a database that
    /// has not checkpointed for longer, and a limit against today's clock would make the verdict
    /// depend on when it is read. What ties the manifest to the archive is checked elsewhere:
    /// <c>snapshot_id</c> must be the packed snapshot's, <c>wal_present</c> must match, and every file
    /// and WAL record is checked. A <c>created_at</c> before the snapshot cannot come from any writer
    /// and is refused.
    /// </remarks>
    [JsonField("created_at")]
    public required SnapshotInstant CreatedAt { get; init; }

    /// <summary>The snapshot packed under <c>snapshot/</c>.</summary>
    [JsonField("snapshot_id")]
    public required SnapshotId SnapshotId { get; init; }

    /// <summary>Whether <c>wal/wal.log</c> is in the archive.</summary>
    [JsonField("wal_present")]
    public required bool WalPresent { get; init; }

    /// <summary>Always 1.</summary>
    [JsonField("format_version")]
    public required int FormatVersion { get; init; }

    partial void OnRead()
    {
        if (FormatVersion != CurrentFormatVersion)
        {
            throw new ManifestFormatException(
                $"{FileName}: format_version {FormatVersion} is not supported (1).", "format_version", -1);
        }

        if (CreatedAt == BackupId.Instant)
        {
            return; // as this library writes it: one clock reading
        }

        if (BackupId != SnapshotId)
        {
            throw new ManifestFormatException(
                $"{FileName}: created_at {CreatedAt} is not the instant of backup_id {BackupId}.", "created_at", -1);
        }

        if (CreatedAt.CompareTo(BackupId.Instant) < 0)
        {
            throw new ManifestFormatException(
                $"{FileName}: created_at {CreatedAt} is before the instant of backup_id {BackupId}, the snapshot it packs.", "created_at", -1);
        }
    }

    /// <summary>The manifest's UTF-8 bytes.</summary>
    public byte[] ToUtf8()
    {
        var bytes = new byte[GetUtf8ByteCount()];
        if (!TryWriteUtf8(bytes, out int written) || written != bytes.Length)
        {
            throw new InvalidOperationException("backup_manifest.json could not be serialized.");
        }

        return bytes;
    }

    /// <inheritdoc/>
    public bool Equals(BackupManifest? other) => other is not null
        && BackupId == other.BackupId
        && CreatedAt == other.CreatedAt
        && SnapshotId == other.SnapshotId
        && WalPresent == other.WalPresent
        && FormatVersion == other.FormatVersion;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as BackupManifest);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(BackupId, CreatedAt, SnapshotId, WalPresent, FormatVersion);
}
