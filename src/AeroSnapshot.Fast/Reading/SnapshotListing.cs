namespace AeroSnapshot.Fast;

/// <summary>What an entry of <c>snapshots/</c> is.</summary>
public enum SnapshotEntryKind
{
    /// <summary>
    /// An entry named like a snapshot id: a directory, or something that claims to be a snapshot and
    /// is not (a link, a file), which <see cref="SnapshotListing.ManifestError"/> then explains.
    /// </summary>
    Snapshot,

    /// <summary>A leftover of an interrupted create or prune (<c>.staging-*</c>, <c>.deleting-*</c>).</summary>
    Incomplete,

    /// <summary>Anything else (stray files, foreign directories); never touched.</summary>
    Other,
}

/// <summary>One entry of a cheap listing: read from the manifest and directory metadata only, no data read.</summary>
/// <param name="Name">The entry's name under <c>snapshots/</c>.</param>
/// <param name="Directory">The entry's full path.</param>
/// <param name="Kind">Snapshot, incomplete leftover, or other.</param>
/// <param name="Id">The id its name parses to, for snapshots.</param>
/// <param name="CreatedAt">The manifest's <c>created_at</c>, when readable.</param>
/// <param name="Bytes">Total size of its regular files.</param>
/// <param name="Files">Number of regular files in it.</param>
/// <param name="ManifestError">Why the manifest could not be read; null when it could (or for non-snapshots).</param>
public sealed record SnapshotListing(
    string Name,
    string Directory,
    SnapshotEntryKind Kind,
    SnapshotId? Id,
    SnapshotInstant? CreatedAt,
    long Bytes,
    int Files,
    string? ManifestError)
{
    /// <summary>True for a snapshot whose manifest was read.</summary>
    public bool ManifestReadable => Kind == SnapshotEntryKind.Snapshot && ManifestError is null;
}

/// <summary>What prune did.</summary>
/// <param name="Kept">Valid snapshots kept, newest first.</param>
/// <param name="Deleted">Valid snapshots deleted.</param>
/// <param name="Invalid">Snapshots that did not verify: never deleted automatically, listed here.</param>
public sealed record PruneResult(IReadOnlyList<SnapshotId> Kept, IReadOnlyList<SnapshotId> Deleted, IReadOnlyList<SkippedSnapshot> Invalid)
{
    /// <summary>The whole prune, verification included.</summary>
    public TimeSpan Duration { get; init; }
}

/// <summary>What restore did.</summary>
/// <param name="Id">The snapshot restored.</param>
/// <param name="TargetDirectory">The data directory written.</param>
/// <param name="BytesRestored">Bytes copied.</param>
/// <param name="FilesRestored">Files copied (storage and schemas, unlisted ones included).</param>
public sealed record RestoreResult(SnapshotId Id, string TargetDirectory, long BytesRestored, int FilesRestored)
{
    /// <summary>
    /// True when the target's WAL was kept (<c>keepWal</c>): the restored storage then sits beside a
    /// WAL from after the snapshot, to be rolled forward by AeroDB. False (the default) when the
    /// target got an empty <c>wal/wal.log</c>, the snapshot's own state.
    /// </summary>
    public bool WalKept { get; init; }

    /// <summary>
    /// Schema files copied without verification: present in a reference-written snapshot but not
    /// listed in its manifest (see <see cref="VerificationProblemKind.Unlisted"/>), as paths in the snapshot.
    /// </summary>
    public IReadOnlyList<string> UnverifiedFiles { get; init; } = [];

    /// <summary>
    /// Entries of the target that are not part of a restored data directory and were deleted with
    /// the previous data (for example <c>checkpoint.json</c>, other entries of <c>metadata/</c>,
    /// unknown files), as paths relative to the target; restore replaces, it never merges.
    /// </summary>
    public IReadOnlyList<string> Discarded { get; init; } = [];

    /// <summary>The whole restore, from the call to its return.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Each step's time, in the order taken.</summary>
    public IReadOnlyList<StepTiming> Steps { get; init; } = [];

    /// <summary>
    /// A failure while tidying up after the restore was complete and durable (removing the intent
    /// marker or the previous data); null when there was none. The restore itself succeeded; what
    /// is left is removed by <see cref="SnapshotManager.RemoveLeftovers"/> or the next restore.
    /// </summary>
    public Exception? CleanupFailure { get; init; }
}
