using AeroSnapshot.Fast.ManifestFormat;

namespace AeroSnapshot.Fast;

/// <summary>
/// <c>manifest.json</c>: the authoritative descriptor of a snapshot. It is written last, so a
/// snapshot directory with a valid manifest is one whose every file was already on disk.
/// </summary>
/// <remarks>
/// The JSON writer and reader are generated (see <see cref="JsonDocumentAttribute"/>): members are
/// written in the order the contract gives, and reading accepts any key order and whitespace,
/// ignores unknown keys, and refuses everything else the contract forbids.
/// </remarks>
[JsonDocument(DocumentName = FileName)]
public sealed partial class SnapshotManifest : IEquatable<SnapshotManifest>
{
    /// <summary>The manifest's file name inside a snapshot directory.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The format this library writes.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The format written by the reference's MVCC variant, which adds <see cref="CommitBoundary"/>.</summary>
    public const int MvccFormatVersion = 2;

    /// <summary>
    /// How long after the id's instant a <see cref="CreatedAt"/> may be and still be read as the
    /// same snapshot's: 60 seconds. This library writes both from one clock reading; the Rust
    /// reference reads the clock twice, so its <c>created_at</c> may be a second (more on a slow or
    /// suspended machine) later. Earlier than the id is never accepted.
    /// </summary>
    public static readonly TimeSpan MaxCreatedAtDelay = TimeSpan.FromSeconds(60);

    /// <summary>The snapshot's id; equals the name of its directory.</summary>
    [JsonField("snapshot_id")]
    public required SnapshotId SnapshotId { get; init; }

    /// <summary>
    /// When the snapshot was taken: the same second as <see cref="SnapshotId"/> when this library
    /// wrote it, up to <see cref="MaxCreatedAtDelay"/> later when the reference did.
    /// </summary>
    [JsonField("created_at")]
    public required SnapshotInstant CreatedAt { get; init; }

    /// <summary>CRC-32 of <c>storage.dat</c>.</summary>
    [JsonField("storage_checksum")]
    public required Crc32Checksum StorageChecksum { get; init; }

    /// <summary>CRC-32 of every schema file, keyed by its path under <c>schemas/</c>.</summary>
    [JsonField("schema_checksums")]
    public required ChecksumMap SchemaChecksums { get; init; }

    /// <summary>1, or 2 for a manifest with a <see cref="CommitBoundary"/>.</summary>
    [JsonField("format_version")]
    public required int FormatVersion { get; init; }

    /// <summary>The MVCC commit boundary of a version-2 manifest; absent in version 1.</summary>
    [JsonField("commit_boundary")]
    public ulong? CommitBoundary { get; init; }

    /// <summary>Builds a version-1 manifest for a snapshot taken at <paramref name="id"/>.</summary>
    public static SnapshotManifest Create(SnapshotId id, Crc32Checksum storageChecksum, ChecksumMap schemaChecksums) => new()
    {
        SnapshotId = id,
        CreatedAt = id.Instant,
        StorageChecksum = storageChecksum,
        SchemaChecksums = schemaChecksums,
        FormatVersion = CurrentFormatVersion,
    };

    partial void OnRead()
    {
        if (FormatVersion is not (CurrentFormatVersion or MvccFormatVersion))
        {
            throw new ManifestFormatException(
                $"{FileName}: format_version {FormatVersion} is not supported (1 or 2).", "format_version", -1);
        }
    }

    /// <inheritdoc/>
    public bool Equals(SnapshotManifest? other) => other is not null
        && SnapshotId == other.SnapshotId
        && CreatedAt == other.CreatedAt
        && StorageChecksum == other.StorageChecksum
        && SchemaChecksums.Equals(other.SchemaChecksums)
        && FormatVersion == other.FormatVersion
        && CommitBoundary == other.CommitBoundary;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SnapshotManifest);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(SnapshotId, StorageChecksum, SchemaChecksums.Count, FormatVersion);
}
