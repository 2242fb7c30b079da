using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast.Restoring;

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
