using AeroSnapshot.Fast.Discovery;

namespace AeroSnapshot.Fast.Pruning;

/// <summary>What prune did.</summary>
/// <param name="Kept">Valid snapshots kept, newest first.</param>
/// <param name="Deleted">Valid snapshots deleted.</param>
/// <param name="Invalid">Snapshots that did not verify: never deleted automatically, listed here.</param>
public sealed record PruneResult(IReadOnlyList<SnapshotId> Kept, IReadOnlyList<SnapshotId> Deleted, IReadOnlyList<SkippedSnapshot> Invalid)
{
    /// <summary>The whole prune, verification included.</summary>
    public TimeSpan Duration { get; init; }
}
