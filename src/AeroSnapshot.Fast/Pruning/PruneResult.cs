using AeroSnapshot.Fast.Discovery;

namespace AeroSnapshot.Fast.Pruning;

/// <summary>What prune did (or, for a preview, would do).</summary>
/// <param name="Kept">Valid snapshots kept, newest first.</param>
/// <param name="Deleted">Valid snapshots deleted (a preview: that would be deleted), oldest first.</param>
/// <param name="Invalid">Snapshots that did not verify: never deleted automatically, listed here.</param>
public sealed record PruneResult(IReadOnlyList<SnapshotId> Kept, IReadOnlyList<SnapshotId> Deleted, IReadOnlyList<SkippedSnapshot> Invalid)
{
    /// <summary>The whole prune, verification included.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>For every valid snapshot, newest first, the retention rules that keep it (none: deleted).</summary>
    public IReadOnlyList<RetentionDecision> Decisions { get; init; } = [];

    /// <summary>True for <see cref="SnapshotManager.PreviewPrune"/>: nothing was deleted, <see cref="Deleted"/> is what prune would delete.</summary>
    public bool Preview { get; init; }
}
