namespace AeroSnapshot.Fast;

// Read side: verify, discover, list, clean up, prune, restore. (Being implemented.)
public sealed partial class SnapshotManager
{
    /// <summary>
    /// Verifies a snapshot: reads its manifest strictly, then every file once, and reports every
    /// problem. Never reads outside <paramref name="snapshotDirectory"/> and never follows a link.
    /// </summary>
    /// <param name="snapshotDirectory">The snapshot directory (<c>…/snapshots/&lt;id&gt;</c>).</param>
    /// <param name="options">Progress, cancellation, buffer size and <see cref="SnapshotOptions.StopAtFirstProblem"/>.</param>
    public VerificationReport Verify(string snapshotDirectory, SnapshotOptions? options = null)
        => throw new NotImplementedException();

    /// <summary>
    /// Finds the newest snapshot under <c>&lt;dataDirectory&gt;/snapshots</c> that verifies. Entries
    /// that are not snapshot ids are ignored; every snapshot passed over is reported through
    /// <paramref name="onSkipped"/> and the options' logger. Nothing is ever deleted.
    /// </summary>
    public DiscoveryResult DiscoverNewestValid(string dataDirectory, SnapshotOptions? options = null, Action<SkippedSnapshot>? onSkipped = null)
        => throw new NotImplementedException();

    /// <summary>Lists the entries of <c>snapshots/</c> from metadata alone (no data is read), newest snapshot first.</summary>
    public IReadOnlyList<SnapshotListing> ListSnapshots(string dataDirectory)
        => throw new NotImplementedException();

    /// <summary>Removes leftover staging and half-pruned directories (never a snapshot); returns their names.</summary>
    public IReadOnlyList<string> RemoveLeftovers(string dataDirectory)
        => throw new NotImplementedException();

    /// <summary>
    /// Deletes all but the newest <paramref name="keep"/> valid snapshots. Snapshots that do not
    /// verify are never deleted; nothing is deleted when no snapshot verifies.
    /// </summary>
    public PruneResult Prune(string dataDirectory, int keep, SnapshotOptions? options = null)
        => throw new NotImplementedException();

    /// <summary>
    /// Materialises a snapshot into a data directory (<c>storage.dat</c>, <c>metadata/schemas/**</c>),
    /// verifying while copying, and swaps it in only once it is durable. On failure the target is as it was.
    /// </summary>
    /// <param name="snapshotDirectory">The snapshot to restore.</param>
    /// <param name="targetDataDirectory">The data directory to restore into (created if missing).</param>
    /// <param name="clearWal">Also empty the target's <c>wal/</c> (a snapshot carries no WAL); left alone by default.</param>
    /// <param name="options">Progress, cancellation and buffer size.</param>
    public RestoreResult Restore(string snapshotDirectory, string targetDataDirectory, bool clearWal = false, SnapshotOptions? options = null)
        => throw new NotImplementedException();
}
