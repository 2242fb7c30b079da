using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Reading;
using AeroSnapshot.Fast.Restoring;

namespace AeroSnapshot.Fast;

// Read side: verify, discover, list, clean up, prune, restore. Each public entry point validates
// its arguments and hands over to the one class that does that job (Reading/, Restoring/).
public sealed partial class SnapshotManager
{
    /// <summary>
    /// Verifies a snapshot: reads its manifest strictly, then every file once, and reports every
    /// problem. Never reads outside <paramref name="snapshotDirectory"/> and never follows a link.
    /// </summary>
    /// <param name="snapshotDirectory">The snapshot directory (<c>…/snapshots/&lt;id&gt;</c>).</param>
    /// <param name="options">Progress, cancellation, buffer size and <see cref="SnapshotOptions.StopAtFirstProblem"/>.</param>
    /// <returns>The report; problems (including failed reads, as <see cref="VerificationProblemKind.Unreadable"/>) are listed, not thrown.</returns>
    /// <exception cref="SnapshotException">Nothing exists at <paramref name="snapshotDirectory"/>, or its own status cannot be read.</exception>
    public VerificationReport Verify(string snapshotDirectory, SnapshotOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(snapshotDirectory);
        options ??= SnapshotOptions.Default;
        AlignedBufferPool buffers = Buffers(options);
        long start = Stopwatch.GetTimestamp();
        using Activity? activity = SnapshotTelemetry.Source.StartActivity("aerosnap.verify");
        activity?.SetTag("aerosnap.snapshot.dir", snapshotDirectory);
        try
        {
            VerificationReport report = new SnapshotVerifier(options, buffers).Verify(snapshotDirectory);
            string outcome = report.IsValid ? "valid" : "corrupt";
            SnapshotTelemetry.RecordDuration(SnapshotTelemetry.VerifyDuration, start, outcome);
            activity?.SetTag(SnapshotTelemetry.OutcomeTag, outcome);
            report.Duration = Stopwatch.GetElapsedTime(start);
            return report;
        }
        catch (Exception failure)
        {
            SnapshotTelemetry.RecordDuration(SnapshotTelemetry.VerifyDuration, start, "failed", failure);
            SnapshotTelemetry.Fail(activity, failure);
            throw;
        }
    }

    /// <summary>
    /// Finds the newest snapshot under <c>&lt;dataDirectory&gt;/snapshots</c> that verifies. Entries
    /// that are not snapshot ids are ignored; every snapshot passed over is reported through
    /// <paramref name="onSkipped"/> and the options' logger. Nothing is ever deleted.
    /// </summary>
    /// <exception cref="SnapshotException">
    /// <c>snapshots</c> cannot be listed or is not a directory, or a restore into
    /// <paramref name="dataDirectory"/> was interrupted before its swap (run <see cref="RemoveLeftovers"/> first).
    /// </exception>
    public DiscoveryResult DiscoverNewestValid(string dataDirectory, SnapshotOptions? options = null, Action<SkippedSnapshot>? onSkipped = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        options ??= SnapshotOptions.Default;
        return new SnapshotDiscovery(options, Buffers(options)).Discover(dataDirectory, onSkipped);
    }

    /// <summary>Lists the entries of <c>snapshots/</c> from metadata alone (no data is read), newest snapshot first.</summary>
    /// <exception cref="SnapshotException"><c>snapshots</c> or an entry of it cannot be listed.</exception>
    public IReadOnlyList<SnapshotListing> ListSnapshots(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        return SnapshotCatalog.List(dataDirectory, Buffers(SnapshotOptions.Default));
    }

    /// <summary>
    /// Removes leftover staging and half-pruned directories (never a snapshot), and finishes or undoes
    /// an interrupted restore into <paramref name="dataDirectory"/>; returns the names it handled.
    /// </summary>
    /// <remarks>
    /// Call it while no snapshot is being taken of, and no restore is running into, this data
    /// directory: work in progress looks exactly like a leftover.
    /// </remarks>
    /// <exception cref="SnapshotException">A leftover could not be removed, or an interrupted restore could not be recovered.</exception>
    public IReadOnlyList<string> RemoveLeftovers(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            // Restores first: an interrupted one may have moved snapshots/ out of the data directory.
            List<string> handled = RestoreRecovery.Recover(RestoreTarget.For(dataDirectory));
            handled.AddRange(RecoverCheckpointAndBackupRestore(dataDirectory));
            handled.AddRange(StagingArea.RemoveLeftovers(Path.Join(dataDirectory, SnapshotLayout.SnapshotsDirectoryName)));
            return handled;
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Cleanup);
        }
    }

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
        AlignedBufferPool buffers = Buffers(options);
        long start = Stopwatch.GetTimestamp();
        using Activity? activity = SnapshotTelemetry.Source.StartActivity("aerosnap.prune");
        activity?.SetTag("aerosnap.data_dir", dataDirectory);
        try
        {
            PruneResult result = new SnapshotPruner(options, buffers).Prune(dataDirectory, keep);
            SnapshotTelemetry.RecordDuration(SnapshotTelemetry.PruneDuration, start, "success");
            SnapshotTelemetry.SnapshotsPruned.Add(result.Deleted.Count);
            activity?.SetTag("aerosnap.prune.deleted", result.Deleted.Count);
            return result with { Duration = Stopwatch.GetElapsedTime(start) };
        }
        catch (Exception failure)
        {
            SnapshotTelemetry.RecordDuration(SnapshotTelemetry.PruneDuration, start, "failed", failure);
            SnapshotTelemetry.Fail(activity, failure);
            throw;
        }
    }

    /// <summary>
    /// Restores a snapshot into an existing data directory, replacing its state: the target ends
    /// with the snapshot's <c>storage.dat</c> and whole schema tree (<c>metadata/schemas/**</c>) and an
    /// empty WAL, verified while copying, and swapped in atomically only once it is durable. On
    /// failure the target is as it was.
    /// </summary>
    /// <param name="snapshotDirectory">The snapshot to restore.</param>
    /// <param name="targetDataDirectory">The data directory to restore into; it must exist (nothing is created otherwise).</param>
    /// <param name="keepWal">
    /// Keep the target's <c>wal/</c> instead of giving it an empty WAL: the restored storage then
    /// sits beside a WAL from another time, for AeroDB to roll forward. Off by default.
    /// </param>
    /// <param name="options">Progress, cancellation, buffer size and <see cref="SnapshotOptions.Strict"/>.</param>
    /// <remarks>
    /// Restore never merges. Carried over from the target: <c>snapshots/</c> (the recovery history,
    /// often the source) and <c>wal/</c> with <paramref name="keepWal"/>; a <c>LOCK</c> file is
    /// recreated empty (the caller's locked one stays at its name until the exchange).
    /// Everything else of the target (<c>checkpoint.json</c>, other entries of <c>metadata/</c>,
    /// unknown files) is deleted with the previous data and listed in <see cref="RestoreResult.Discarded"/>.
    /// Schema files a reference-written snapshot holds but does not list are copied too, unverified,
    /// and listed in <see cref="RestoreResult.UnverifiedFiles"/>. The database must not be running on the target.
    /// </remarks>
    /// <exception cref="SnapshotException">
    /// <c>AERO_DATA_CORRUPTION</c> or <c>AERO_METADATA_CORRUPTION</c> when the snapshot does not
    /// verify, <c>AERO_SNAPSHOT_FAILED</c> when the target does not exist or is not a data directory,
    /// <c>AERO_SNAPSHOT_IO</c> when a system call fails; in every case the target is as it was.
    /// </exception>
    public RestoreResult Restore(string snapshotDirectory, string targetDataDirectory, bool keepWal = false, SnapshotOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(snapshotDirectory);
        ArgumentException.ThrowIfNullOrEmpty(targetDataDirectory);
        options ??= SnapshotOptions.Default;
        AlignedBufferPool buffers = Buffers(options);
        long start = Stopwatch.GetTimestamp();
        using Activity? activity = SnapshotTelemetry.Source.StartActivity("aerosnap.restore");
        activity?.SetTag("aerosnap.snapshot.dir", snapshotDirectory);
        activity?.SetTag("aerosnap.data_dir", targetDataDirectory);
        try
        {
            RestoreResult result = new SnapshotRestorer(snapshotDirectory, targetDataDirectory, keepWal, options, buffers, new StepRecorder { Operation = activity }).Run();
            SnapshotTelemetry.RecordDuration(SnapshotTelemetry.RestoreDuration, start, "success");
            return result;
        }
        catch (Exception failure)
        {
            SnapshotTelemetry.RecordDuration(SnapshotTelemetry.RestoreDuration, start, "failed", failure);
            SnapshotTelemetry.Fail(activity, failure);
            throw;
        }
    }
}
