using AeroSnapshot.Fast.ManifestFormat;

namespace AeroSnapshot.Fast.Checkpoint;

/// <summary>
/// <c>checkpoint.json</c> of the AeroDB checkpoint specification: records that a checkpoint was
/// taken from a snapshot and whether the WAL was truncated after it.
/// </summary>
[JsonDocument(DocumentName = FileName)]
public sealed partial class CheckpointMarker : IEquatable<CheckpointMarker>
{
    /// <summary>The marker's file name.</summary>
    public const string FileName = "checkpoint.json";

    /// <summary>The only format version defined.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The snapshot the checkpoint was taken from.</summary>
    [JsonField("snapshot_id")]
    public required SnapshotId SnapshotId { get; init; }

    /// <summary>When the checkpoint was taken.</summary>
    [JsonField("created_at")]
    public required SnapshotInstant CreatedAt { get; init; }

    /// <summary>Whether the WAL was truncated once the checkpoint was durable.</summary>
    [JsonField("wal_truncated")]
    public required bool WalTruncated { get; init; }

    /// <summary>Always 1.</summary>
    [JsonField("format_version")]
    public required int FormatVersion { get; init; }

    /// <summary>The marker in <paramref name="dataDirectory"/> (read strictly, never through a link), or null when there is none.</summary>
    /// <exception cref="ManifestFormatException">A file is there but it is not a valid marker.</exception>
    /// <exception cref="NativeIOException">It could not be read.</exception>
    internal static CheckpointMarker? ReadIn(string dataDirectory)
    {
        byte[]? bytes = IO.DurableFile.TryReadSmall(System.IO.Path.Join(dataDirectory, FileName), 64 * 1024);
        return bytes is null ? null : ReadUtf8(bytes);
    }

    partial void OnRead()
    {
        if (FormatVersion != CurrentFormatVersion)
        {
            throw new ManifestFormatException(
                $"{FileName}: format_version {FormatVersion} is not supported (1).", "format_version", -1);
        }
    }

    /// <inheritdoc/>
    public bool Equals(CheckpointMarker? other) => other is not null
        && SnapshotId == other.SnapshotId
        && CreatedAt == other.CreatedAt
        && WalTruncated == other.WalTruncated
        && FormatVersion == other.FormatVersion;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as CheckpointMarker);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(SnapshotId, CreatedAt, WalTruncated, FormatVersion);
}
