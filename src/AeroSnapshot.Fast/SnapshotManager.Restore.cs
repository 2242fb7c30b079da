using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Restoring;

namespace AeroSnapshot.Fast;

// Restore: hands over to Restoring/SnapshotRestorer.
public sealed partial class SnapshotManager
{
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
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <remarks>
    /// Restore never merges. Carried over from the target: <c>snapshots/</c> (the recovery history,
    /// often the source) and <c>wal/</c> with <paramref name="keepWal"/>; a <c>LOCK</c> file is
    /// recreated empty (the caller's locked one stays at its name until the exchange).
    /// Everything else of the target (<c>checkpoint.json</c>, other entries of <c>metadata/</c>,
    /// unknown files) is deleted with the previous data and listed in <see cref="RestoreResult.Discarded"/>.
    /// Schema files a reference-written snapshot holds but does not list are copied too, unverified,
    /// and listed in <see cref="RestoreResult.UnverifiedFiles"/>. The database must not be running on the target:
    /// the restore is refused while AeroDB's running marker <c>.lock</c> exists in it.
    /// The storage file goes where the target keeps it (<see cref="DataDirectoryLayout"/>, or
    /// <see cref="SnapshotOptions.StorageLocation"/>). Everything written gets the target's owner and
    /// group and the modes of what it replaces; new files and directories are no wider than the target was.
    /// </remarks>
    /// <exception cref="SnapshotException">
    /// <c>AERO_DATA_CORRUPTION</c> or <c>AERO_METADATA_CORRUPTION</c> when the snapshot does not
    /// verify, <c>AERO_SNAPSHOT_FAILED</c> when the target does not exist or is not a data directory,
    /// holds AeroDB's <c>.lock</c>, or holds two storage files and no location was given,
    /// <c>AERO_SNAPSHOT_IO</c> when a system call fails; in every case the target is as it was.
    /// </exception>
    public RestoreResult Restore(string snapshotDirectory, string targetDataDirectory, bool keepWal = false, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(snapshotDirectory);
        ArgumentException.ThrowIfNullOrEmpty(targetDataDirectory);
        options ??= SnapshotOptions.Default;
        return new SnapshotRestorer(snapshotDirectory, targetDataDirectory, keepWal, options, Buffers(options), new StepRecorder()).Run();
    }

    /// <summary>
    /// What <see cref="Restore"/> would replace, carry over and delete in the target, changing
    /// nothing (the CLI's <c>restore --dry-run</c>); the snapshot's checksums are not read here.
    /// </summary>
    internal RestorePreview PreviewRestore(string snapshotDirectory, string targetDataDirectory, bool keepWal, SnapshotOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(snapshotDirectory);
        ArgumentException.ThrowIfNullOrEmpty(targetDataDirectory);
        options ??= SnapshotOptions.Default;
        return new SnapshotRestorer(snapshotDirectory, targetDataDirectory, keepWal, options, Buffers(options), new StepRecorder()).Preview();
    }
}
