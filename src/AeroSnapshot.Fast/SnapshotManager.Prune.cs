using System.Diagnostics;
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keep"/> is less than 1.</exception>
    /// <exception cref="SnapshotException">A read failed during verification (nothing deleted), or a deletion failed (its leftover is never taken for a snapshot).</exception>
    public PruneResult Prune(string dataDirectory, int keep, SnapshotOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        options ??= SnapshotOptions.Default;
        return new PruneAttempt(dataDirectory, keep, options, Buffers(options)).Run();
    }
}
