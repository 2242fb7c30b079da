namespace AeroSnapshot.Fast.Precopy;

/// <summary>What became of the storage file's pre-copy inside the write pause.</summary>
public enum PrecopyStorageOutcome
{
    /// <summary>The source prefix still held the pre-copied bytes: only the tail was copied in the pause.</summary>
    Appended,

    /// <summary>
    /// The pre-copy could not be used at all (already used, disposed, made for another data
    /// directory or schema directory, or its staging directory was removed meanwhile): everything
    /// was copied in the pause.
    /// </summary>
    Unusable,

    /// <summary>The storage file is another file than the one pre-copied (replaced under its name): copied in full.</summary>
    Replaced,

    /// <summary>The storage file is shorter than the pre-copied prefix (truncated): copied in full.</summary>
    Shrank,

    /// <summary>
    /// The source prefix no longer holds the pre-copied bytes (written in place, which an append-only
    /// storage file never does): copied in full.
    /// </summary>
    PrefixChanged,
}

/// <summary>
/// How a snapshot used a <see cref="SnapshotPrecopy"/> (<see cref="Creation.SnapshotResult.Precopy"/>). Any
/// outcome gives the same snapshot; the fallbacks only make the pause longer.
/// </summary>
/// <param name="Storage">Whether the storage pre-copy was completed or the storage file was copied in full, and why.</param>
/// <param name="PrefixBytes">Bytes of the storage file pre-copied before the pause.</param>
/// <param name="AppendedBytes">Bytes of the storage file copied in the pause when the pre-copy was completed (the tail), 0 otherwise.</param>
/// <param name="Detail">Why the storage file was copied in full, in words (null when <see cref="PrecopyStorageOutcome.Appended"/>).</param>
/// <param name="SchemaFilesReused">Pre-copied schema files found unchanged and kept.</param>
/// <param name="SchemaFilesCopied">Schema files copied in the pause: new, changed, or all of them when the pre-copy was unusable.</param>
/// <param name="SchemaFilesRemoved">Pre-copied schema files dropped because their source changed or disappeared.</param>
public sealed record PrecopyReport(
    PrecopyStorageOutcome Storage,
    long PrefixBytes,
    long AppendedBytes,
    string? Detail,
    int SchemaFilesReused,
    int SchemaFilesCopied,
    int SchemaFilesRemoved)
{
    /// <summary>True when the storage file's pre-copy was completed with its tail (no full copy in the pause).</summary>
    public bool StorageReused => Storage == PrecopyStorageOutcome.Appended;
}
