using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.Layout;
using AeroSnapshot.Fast.Restoring;

namespace AeroSnapshot.Fast;

// Discover, list and clean up: Discovery/ and Layout/; an interrupted restore is finished by Restoring/.
public sealed partial class SnapshotManager
{
    /// <summary>
    /// Finds the newest snapshot under <c>&lt;dataDirectory&gt;/snapshots</c> that verifies. Entries
    /// that are not snapshot ids are ignored; every snapshot passed over is reported through
    /// <paramref name="onSkipped"/> and the options' logger. Nothing is ever deleted.
    /// </summary>
    /// <exception cref="SnapshotException">
    /// <c>snapshots</c> cannot be listed or is not a directory, or a restore into
    /// <paramref name="dataDirectory"/> was interrupted before its swap (run <see cref="RemoveLeftovers"/> first).
    /// </exception>
    public DiscoveryResult DiscoverNewestValid(string dataDirectory, SnapshotOptions? options = null, Action<SkippedSnapshot>? onSkipped = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        options ??= SnapshotOptions.Default;
        var discovery = new SnapshotDiscovery(options, Buffers(options));
        return new SingleStepOperation<DiscoveryResult>(
            options,
            OperationTelemetry.Discover,
            "snapshot",
            "Discovery",
            SnapshotStep.Read,
            () => discovery.Discover(dataDirectory, onSkipped),
            static result => result.Found ? "found" : "none",
            new("aerosnap.data_dir", dataDirectory)).Run();
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
        return new SingleStepOperation<IReadOnlyList<string>>(
            SnapshotOptions.Default,
            OperationTelemetry.Clean,
            "snapshot",
            "Clean",
            SnapshotStep.Cleanup,
            () =>
            {
                // Restores first: an interrupted one may have moved snapshots/ out of the data directory.
                List<string> handled = RestoreRecovery.Recover(RestoreTarget.For(dataDirectory));
                handled.AddRange(RecoverCheckpointAndBackupRestore(dataDirectory));
                handled.AddRange(StagingArea.RemoveLeftovers(Path.Join(dataDirectory, SnapshotLayout.SnapshotsDirectoryName)));
                return handled;
            },
            spanTag: new("aerosnap.data_dir", dataDirectory)).Run();
    }

    /// <summary>
    /// What <see cref="RemoveLeftovers"/> would handle, changing nothing (the CLI's <c>clean --dry-run</c>):
    /// the same names, found the same way, with what would be done to each.
    /// </summary>
    internal IReadOnlyList<string> PreviewLeftovers(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            List<string> handled = RestoreRecovery.Recover(RestoreTarget.For(dataDirectory), preview: true);
            handled.AddRange(Fast.Backup.BackupRestoreRecovery.Recover(Fast.Backup.BackupRestorePaths.For(dataDirectory), preview: true));
            handled.AddRange(Fast.Checkpoint.CheckpointRecovery.Recover(dataDirectory, preview: true));
            handled.AddRange(StagingArea.RemoveLeftovers(Path.Join(dataDirectory, SnapshotLayout.SnapshotsDirectoryName), preview: true));
            return handled;
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Cleanup);
        }
    }
}
