using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Layout;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast.Pruning;

/// <summary>
/// Prune: keep the newest <c>keep</c> snapshots that verify, delete the older valid ones, and never
/// touch one that does not verify (it is evidence, and it may be all there is). Every snapshot is
/// verified before anything is deleted; if verification cannot tell (a read failed), nothing is.
/// </summary>
/// <remarks>
/// Each deletion is crash-safe: the snapshot is first renamed aside to <c>.deleting-&lt;id&gt;</c>
/// (no-replace) and that rename is made durable, so from then on no crash can leave a
/// half-deleted tree under a snapshot's name; then the tree is deleted and <c>snapshots/</c> fsynced
/// again. A leftover <c>.deleting-*</c> directory is ignored by discovery and removed by
/// <see cref="StagingArea.RemoveLeftovers"/>. Snapshots are deleted oldest first, so a failure part
/// way keeps the newer ones.
/// </remarks>
internal sealed class SnapshotPruner
{
    private readonly SnapshotOptions _options;
    private readonly SnapshotVerifier _verifier;

    public SnapshotPruner(SnapshotOptions options, AlignedBufferPool buffers)
    {
        _options = options;
        _verifier = new SnapshotVerifier(options, buffers);
    }

    public PruneResult Prune(string dataDirectory, int keep)
    {
        List<SnapshotsDirectory.Entry>? entries;
        try
        {
            entries = SnapshotsDirectory.Scan(dataDirectory);
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Read);
        }

        if (entries is null)
        {
            return new PruneResult([], [], []);
        }

        var valid = new List<SnapshotsDirectory.Entry>();
        var invalid = new List<SkippedSnapshot>();
        foreach (SnapshotsDirectory.Entry entry in entries)
        {
            if (entry.Id is not { } id)
            {
                continue;
            }

            VerificationReport? report = _verifier.TryVerify(entry.Path);
            if (report is null)
            {
                continue;
            }

            if (report.HasReadFailures)
            {
                VerificationProblem failure = report.Problems.First(static p => p.IsReadFailure);
                throw new SnapshotException(
                    SnapshotErrorCode.IO,
                    $"Prune deleted nothing: snapshot {id} could not be read ({failure.Message}), so which snapshots are valid is not known.",
                    SnapshotStep.Read,
                    Path.Join(entry.Path, failure.RelativePath),
                    failure.Errno,
                    rule: "prune never deletes when it cannot tell which snapshots are valid");
            }

            if (report.IsValid)
            {
                valid.Add(entry);
            }
            else
            {
                invalid.Add(new SkippedSnapshot(id, entry.Path, report.CorruptionCode!, report.Problems));
                _options.Logger?.LogSnapshotSkipped(id.ToString(), report.CorruptionCode!, report.Summarize());
            }
        }

        // entries are newest first, so valid is too.
        var kept = valid.Take(keep).Select(static e => e.Id!.Value).ToList();
        var deleted = new List<SnapshotId>();
        string snapshotsDirectory = SnapshotsDirectory.PathIn(dataDirectory);
        for (int i = valid.Count - 1; i >= keep; i--)
        {
            Delete(snapshotsDirectory, valid[i]);
            deleted.Add(valid[i].Id!.Value);
        }

        return new PruneResult(kept, deleted, invalid);
    }

    private void Delete(string snapshotsDirectory, SnapshotsDirectory.Entry snapshot)
    {
        SnapshotId id = snapshot.Id!.Value;
        string aside = Path.Join(snapshotsDirectory, StagingArea.DeletingName(id));
        SnapshotStep step = SnapshotStep.PruneRenameAside;
        try
        {
            Enter(step);
            RenameAside(snapshot.Path, aside);

            Enter(step = SnapshotStep.PruneSyncRename);
            NativeFile.SyncDirectory(snapshotsDirectory);

            Enter(step = SnapshotStep.PruneDelete);
            DirectoryTree.Delete(aside);

            Enter(step = SnapshotStep.PruneSyncDelete);
            NativeFile.SyncDirectory(snapshotsDirectory);
        }
        catch (NativeIOException ex)
        {
            throw new SnapshotException(
                SnapshotErrorCode.IO,
                $"Prune failed while deleting snapshot {id} at step {step}: {ex.Message} Anything left is under '{Path.GetFileName(aside)}', which is never taken for a snapshot and is removed as a leftover.",
                step,
                ex.Path,
                ex.Errno,
                ex);
        }
    }

    private static void RenameAside(string snapshot, string aside)
    {
        // Prune runs alone on this data directory (its lock), which the no-replace fallback relies on.
        if (AtomicRename.TryNoReplace(snapshot, aside, isDirectory: true))
        {
            return;
        }

        // A leftover of an earlier interrupted prune of the same id: garbage by construction.
        DirectoryTree.Delete(aside);
        if (!AtomicRename.TryNoReplace(snapshot, aside, isDirectory: true))
        {
            throw new NativeIOException("renameat2", snapshot, Errno.EEXIST, $"'{aside}' came back while it was removed");
        }
    }

    private void Enter(SnapshotStep step)
    {
        _options.CancellationToken.ThrowIfCancellationRequested();
        _options.BeforeStep?.Invoke(step);
    }
}
