using AeroSnapshot.Fast.Execution;
using System.Text;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Layout;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast.Pruning;

/// <summary>
/// Prune: keep the valid snapshots a <see cref="RetentionPolicy"/> keeps (always the newest valid
/// one), delete the other valid ones, and never touch one that does not verify (it is evidence, and
/// it may be all there is). Every snapshot is verified before anything is deleted; if verification
/// cannot tell (a read failed), nothing is. A preview verifies and decides the same way, and deletes nothing.
/// </summary>
/// <remarks>
/// Each deletion is crash-safe: the snapshot is first renamed aside to <c>.deleting-&lt;id&gt;</c>
/// (no-replace) and that rename is made durable, so from then on no crash can leave a
/// half-deleted tree under a snapshot's name; then the tree is deleted and <c>snapshots/</c> fsynced
/// again. A leftover <c>.deleting-*</c> directory is ignored by discovery and removed by
/// <see cref="StagingArea.RemoveLeftovers"/>. Snapshots are deleted oldest first, so a failure part
/// way keeps the newer ones.
/// <para>
/// The owner of <c>snapshots/</c> can swap its entries at any moment, and prune is run as root. So
/// <c>snapshots/</c> is opened once without following a link, and each snapshot is verified, renamed
/// aside and deleted through that one descriptor: after the rename the directory under the
/// <c>.deleting-</c> name is opened (<c>O_NOFOLLOW</c>) and must be the very directory verified
/// (device and inode), or it is put back and prune stops; it is then emptied through that
/// descriptor and removed, never reached by path again.
/// </para>
/// </remarks>
internal sealed class SnapshotPruner
{
    private readonly SnapshotOptions _options;
    private readonly SnapshotVerifier _verifier;
    private readonly StepCursor _steps;

    /// <param name="options">The caller's options.</param>
    /// <param name="buffers">The manager's pool, for the verifications.</param>
    /// <param name="steps">The frame's step cursor (<see cref="PruneAttempt"/>).</param>
    public SnapshotPruner(SnapshotOptions options, AlignedBufferPool buffers, StepCursor steps)
    {
        _options = options;
        _verifier = new SnapshotVerifier(options, buffers);
        _steps = steps;
    }

    public PruneResult Prune(string dataDirectory, RetentionPolicy policy, bool preview)
    {
        List<SnapshotsDirectory.Entry>? entries;
        DirectoryHandle snapshots;
        try
        {
            entries = SnapshotsDirectory.Scan(dataDirectory);
            if (entries is null)
            {
                return new PruneResult([], [], []) { Preview = preview };
            }

            // Everything from here on goes through this one descriptor, opened without following a
            // link: the snapshot verified is the snapshot renamed aside and deleted.
            snapshots = DirectoryHandle.Open(SnapshotsDirectory.PathIn(dataDirectory));
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Read);
        }

        using (snapshots)
        {
            return Prune(snapshots, entries, policy, preview);
        }
    }

    private PruneResult Prune(DirectoryHandle snapshots, List<SnapshotsDirectory.Entry> entries, RetentionPolicy policy, bool preview)
    {
        var valid = new List<(SnapshotsDirectory.Entry Entry, FileIdentity Verified)>();
        var invalid = new List<SkippedSnapshot>();
        foreach (SnapshotsDirectory.Entry entry in entries)
        {
            if (entry.Id is not { } id)
            {
                continue;
            }

            VerificationReport? report = _verifier.TryVerify(snapshots, entry.Path, out FileIdentity? verified);
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

            if (report.IsValid && verified is { } identity)
            {
                valid.Add((entry, identity));
            }
            else
            {
                invalid.Add(new SkippedSnapshot(id, entry.Path, report.CorruptionCode!, report.Problems));
                _options.Logger?.LogSnapshotSkipped(id.ToString(), report.CorruptionCode!, report.Summarize());
            }
        }

        // Decisions come newest first; deletions go oldest first, so a failure part way keeps the newer ones.
        IReadOnlyList<RetentionDecision> decisions = policy.Apply(valid.Select(static e => e.Entry.Id!.Value));
        var byId = valid.ToDictionary(static e => e.Entry.Id!.Value);
        var kept = decisions.Where(static d => d.Keep).Select(static d => d.Id).ToList();
        var deleted = new List<SnapshotId>();
        for (int i = decisions.Count - 1; i >= 0; i--)
        {
            if (decisions[i].Keep)
            {
                continue;
            }

            if (!preview)
            {
                (SnapshotsDirectory.Entry entry, FileIdentity verified) = byId[decisions[i].Id];
                Delete(snapshots, entry, verified);
            }

            deleted.Add(decisions[i].Id);
        }

        return new PruneResult(kept, deleted, invalid) { Decisions = decisions, Preview = preview };
    }

    private void Delete(DirectoryHandle snapshots, SnapshotsDirectory.Entry snapshot, FileIdentity verified)
    {
        SnapshotId id = snapshot.Id!.Value;
        string asideName = StagingArea.DeletingName(id);
        byte[] name = Encoding.UTF8.GetBytes(snapshot.Name);
        byte[] aside = Encoding.UTF8.GetBytes(asideName);
        SnapshotStep step = SnapshotStep.PruneRenameAside;
        try
        {
            Enter(step);
            RenameAside(snapshots, name, aside);
            using DirectoryHandle renamed = snapshots.OpenDirectory(aside);
            if (renamed.Identity() != verified)
            {
                // Another directory took the name between the verification and the rename: it was
                // not verified and is not ours to delete. Put it back under its name.
                int back = snapshots.TryRename(aside, name);
                throw new SnapshotException(
                    SnapshotErrorCode.Failed,
                    $"Prune stopped before deleting snapshot {id}: '{snapshot.Path}' was replaced by another directory after it was verified, so it was not deleted{(back == 0 ? " and was put back under its name" : $"; it is now '{snapshots.ChildPath(asideName)}' (moving it back failed: {Errors.Describe(back)})")}. Run prune again.",
                    step,
                    snapshot.Path,
                    rule: "prune deletes only the directory it verified");
            }

            Enter(step = SnapshotStep.PruneSyncRename);
            snapshots.Sync();

            Enter(step = SnapshotStep.PruneDelete);
            DirectoryTree.DeleteOpened(snapshots, aside, renamed);

            Enter(step = SnapshotStep.PruneSyncDelete);
            snapshots.Sync();
        }
        catch (NativeIOException ex)
        {
            throw new SnapshotException(
                SnapshotErrorCode.IO,
                $"Prune failed while deleting snapshot {id} at step {step}: {ex.Message} Anything left is under '{asideName}', which is never taken for a snapshot and is removed as a leftover.",
                step,
                ex.Path,
                ex.Errno,
                ex);
        }
    }

    /// <summary>Renames the snapshot to its <c>.deleting-</c> name in the same directory, never replacing anything.</summary>
    private static void RenameAside(DirectoryHandle snapshots, byte[] name, byte[] aside)
    {
        int errno = snapshots.TryRename(name, aside);
        if (errno is Errno.EEXIST or Errno.ENOTEMPTY)
        {
            // A leftover of an earlier interrupted prune of the same id: garbage by construction.
            DirectoryTree.DeleteChild(snapshots, aside);
            errno = snapshots.TryRename(name, aside);
        }

        if (errno != 0)
        {
            string path = snapshots.ChildPath(Encoding.UTF8.GetString(name));
            throw errno is Errno.EEXIST or Errno.ENOTEMPTY
                ? new NativeIOException("renameat2", path, errno, $"'{Encoding.UTF8.GetString(aside)}' came back while it was removed")
                : errno is Errno.EINVAL or Errno.ENOSYS
                    ? new NativeIOException("renameat2(RENAME_NOREPLACE)", path, errno, "the file system cannot rename without replacing, which prune needs so that no snapshot is ever renamed over another entry")
                    : Errors.For("renameat2", path, errno);
        }
    }

    private void Enter(SnapshotStep step) => _steps.Enter(step);
}
