using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Pruning;

namespace AeroSnapshot.Fast;

// Prune: hands over to Pruning/SnapshotPruner.
public sealed partial class SnapshotManager
{
    /// <summary>
    /// Deletes all but the newest <paramref name="keep"/> valid snapshots. Snapshots that do not
    /// verify are never deleted; nothing is deleted when no snapshot verifies, or when verification
    /// cannot tell (a read failed).
    /// </summary>
    /// <param name="dataDirectory">The data directory whose <c>snapshots/</c> is pruned.</param>
    /// <param name="keep">How many valid snapshots to keep; at least 1, so the newest valid one is never deleted.</param>
    /// <param name="options">Progress, cancellation, logger and buffer size.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keep"/> is less than 1.</exception>
    /// <exception cref="SnapshotException">A read failed during verification (nothing deleted), or a deletion failed (its leftover is never taken for a snapshot).</exception>
    public PruneResult Prune(string dataDirectory, int keep, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        return Prune(dataDirectory, RetentionPolicy.Last(keep), options, cancellationToken);
    }

    /// <summary>
    /// Deletes the valid snapshots <paramref name="policy"/> does not keep (by count, age and
    /// calendar; the newest valid snapshot is always kept). Snapshots that do not verify are never
    /// deleted and take no part in the policy; nothing is deleted when verification cannot tell (a read failed).
    /// </summary>
    /// <param name="dataDirectory">The data directory whose <c>snapshots/</c> is pruned.</param>
    /// <param name="policy">Which valid snapshots to keep.</param>
    /// <param name="options">Progress, cancellation, logger and buffer size.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <returns>What was kept (and by which rules) and deleted, and the snapshots that did not verify.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A rule of <paramref name="policy"/> is negative.</exception>
    /// <exception cref="SnapshotException">A read failed during verification (nothing deleted), or a deletion failed (its leftover is never taken for a snapshot).</exception>
    public PruneResult Prune(string dataDirectory, RetentionPolicy policy, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
        => Prune(dataDirectory, policy, preview: false, SnapshotOptions.ForCall(options, cancellationToken));

    /// <summary>
    /// What <see cref="Prune(string, RetentionPolicy, SnapshotOptions?, CancellationToken)"/> would delete, deleting
    /// nothing: every snapshot is verified and the policy applied exactly as prune does, and
    /// <see cref="PruneResult.Deleted"/> lists what it would delete (<see cref="PruneResult.Preview"/> is true).
    /// </summary>
    /// <param name="dataDirectory">The data directory whose <c>snapshots/</c> is looked at.</param>
    /// <param name="policy">Which valid snapshots to keep.</param>
    /// <param name="options">Progress, cancellation, logger and buffer size.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <returns>What prune would keep and delete, and the snapshots that do not verify.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A rule of <paramref name="policy"/> is negative.</exception>
    /// <exception cref="SnapshotException">A read failed during verification.</exception>
    public PruneResult PreviewPrune(string dataDirectory, RetentionPolicy policy, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
        => Prune(dataDirectory, policy, preview: true, SnapshotOptions.ForCall(options, cancellationToken));

    private PruneResult Prune(string dataDirectory, RetentionPolicy policy, bool preview, SnapshotOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        options ??= SnapshotOptions.Default;
        return new PruneAttempt(dataDirectory, policy, preview, options, Buffers(options)).Run();
    }
}
