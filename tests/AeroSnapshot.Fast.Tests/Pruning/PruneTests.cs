using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Pruning;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Pruning;

/// <summary>
/// Prune keeps the newest valid snapshots and deletes older valid ones, one crash-safe rename and
/// delete at a time; it never deletes a snapshot that does not verify, and deletes nothing when it
/// cannot tell which are valid.
/// </summary>
public sealed class PruneTests : IDisposable
{
    private readonly ReadSideWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    /// <summary>Five snapshots, oldest first; the second newest is corrupt.</summary>
    private SnapshotId[] FiveSnapshotsWithOneCorrupt()
    {
        var ids = new SnapshotId[5];
        for (int i = 0; i < ids.Length; i++)
        {
            _workspace.WriteTypicalData("v" + i);
            ids[i] = _workspace.Snapshot();
        }

        Damage.FlipBit(Path.Join(_workspace.SnapshotPath(ids[3]), "storage.dat"), 7);
        return ids;
    }

    private List<string> RemainingNames() => Directory.EnumerateFileSystemEntries(_workspace.SnapshotsDirectory)
        .Select(p => Path.GetFileName(p)!)
        .Order(StringComparer.Ordinal)
        .ToList();

    [Fact]
    public void Prune_keeps_the_newest_valid_snapshots_deletes_older_valid_ones_and_never_an_invalid_one()
    {
        SnapshotId[] ids = FiveSnapshotsWithOneCorrupt();

        PruneResult result = _workspace.Manager.Prune(_workspace.DataDirectory, keep: 2);

        Assert.Equal([ids[4], ids[2]], result.Kept);
        Assert.Equal([ids[0], ids[1]], result.Deleted.Order());
        SkippedSnapshot invalid = Assert.Single(result.Invalid);
        Assert.Equal(ids[3], invalid.Id);
        Assert.Equal(SnapshotErrorCode.DataCorruption, invalid.Code);
        Assert.Equal([ids[2].ToString(), ids[3].ToString(), ids[4].ToString()], RemainingNames());
    }

    [Fact]
    public void A_preview_decides_exactly_as_prune_does_and_deletes_nothing()
    {
        SnapshotId[] ids = FiveSnapshotsWithOneCorrupt();
        List<string> before = RemainingNames();

        PruneResult preview = _workspace.Manager.PreviewPrune(_workspace.DataDirectory, RetentionPolicy.Last(2));

        Assert.True(preview.Preview);
        Assert.Equal([ids[4], ids[2]], preview.Kept);
        Assert.Equal([ids[0], ids[1]], preview.Deleted.Order());
        Assert.Equal(ids[3], Assert.Single(preview.Invalid).Id);
        Assert.Equal(before, RemainingNames());

        PruneResult pruned = _workspace.Manager.Prune(_workspace.DataDirectory, RetentionPolicy.Last(2));

        Assert.False(pruned.Preview);
        Assert.Equal(preview.Kept, pruned.Kept);
        Assert.Equal(preview.Deleted, pruned.Deleted);
        Assert.Equal(preview.Decisions, pruned.Decisions);
    }

    [Fact]
    public void A_policy_counts_valid_snapshots_only_and_never_deletes_an_invalid_one()
    {
        SnapshotId[] ids = FiveSnapshotsWithOneCorrupt();

        // The snapshots are seconds apart, so they share a day: daily 1 keeps the newest only,
        // and the corrupt one neither counts nor goes.
        PruneResult result = _workspace.Manager.Prune(_workspace.DataDirectory, new RetentionPolicy { KeepDaily = 1 });

        Assert.Equal([ids[4]], result.Kept);
        Assert.Equal(RetentionRules.Newest | RetentionRules.Daily, result.Decisions[0].KeptBy);
        Assert.Equal([ids[3].ToString(), ids[4].ToString()], RemainingNames());
    }

    [Fact]
    public void Pruning_when_nothing_verifies_deletes_nothing()
    {
        _workspace.WriteTypicalData();
        SnapshotId a = _workspace.Snapshot();
        SnapshotId b = _workspace.Snapshot();
        File.Delete(Path.Join(_workspace.SnapshotPath(a), "manifest.json"));
        Damage.AppendByte(Path.Join(_workspace.SnapshotPath(b), "storage.dat"));

        PruneResult result = _workspace.Manager.Prune(_workspace.DataDirectory, keep: 1);

        Assert.Empty(result.Kept);
        Assert.Empty(result.Deleted);
        Assert.Equal([b, a], result.Invalid.Select(i => i.Id));
        Assert.Equal([a.ToString(), b.ToString()], RemainingNames());
    }

    [Fact]
    public void Keep_one_never_deletes_the_newest_valid_snapshot_even_when_newer_ones_are_corrupt()
    {
        _workspace.WriteTypicalData();
        SnapshotId a = _workspace.Snapshot();
        SnapshotId b = _workspace.Snapshot();
        SnapshotId c = _workspace.Snapshot();
        Damage.TruncateToZero(Path.Join(_workspace.SnapshotPath(c), "storage.dat"));

        PruneResult result = _workspace.Manager.Prune(_workspace.DataDirectory, keep: 1);

        Assert.Equal([b], result.Kept);
        Assert.Equal([a], result.Deleted);
        Assert.Equal([b.ToString(), c.ToString()], RemainingNames());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Keep_below_one_is_refused(int keep)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _workspace.Manager.Prune(_workspace.DataDirectory, keep));
    }

    [Fact]
    public void Pruning_a_data_directory_without_snapshots_does_nothing()
    {
        PruneResult result = _workspace.Manager.Prune(_workspace.DataDirectory, 3);

        Assert.Empty(result.Kept);
        Assert.Empty(result.Deleted);
        Assert.Empty(result.Invalid);
    }

    [Fact]
    public void A_read_failure_during_verification_aborts_prune_before_anything_is_deleted()
    {
        SnapshotId[] ids = FiveSnapshotsWithOneCorrupt();
        List<string> before = TreeListing.Of(_workspace.SnapshotsDirectory);
        int reads = 0;
        var options = new SnapshotOptions
        {
            // The last file read (in the oldest snapshot) fails with EIO.
            BeforeStep = step =>
            {
                if (step == SnapshotStep.Read && ++reads == 20)
                {
                    throw Faults.Eio(step);
                }
            },
        };

        SnapshotException error = Assert.Throws<SnapshotException>(() => _workspace.Manager.Prune(_workspace.DataDirectory, keep: 1, options));

        Assert.Equal(SnapshotErrorCode.IO, error.Code);
        Assert.Equal(5, error.Errno);
        Assert.Contains(ids[0].ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(before, TreeListing.Of(_workspace.SnapshotsDirectory));
    }

    public static TheoryData<SnapshotStep> PruneSteps() => new(
        SnapshotStep.PruneRenameAside,
        SnapshotStep.PruneSyncRename,
        SnapshotStep.PruneDelete,
        SnapshotStep.PruneSyncDelete);

    [Theory]
    [MemberData(nameof(PruneSteps))]
    public void A_fault_at_any_prune_step_leaves_only_valid_snapshots_under_snapshot_names_and_a_rerun_finishes(SnapshotStep step)
    {
        SnapshotId[] ids = FiveSnapshotsWithOneCorrupt();

        SnapshotException error = Assert.Throws<SnapshotException>(() => _workspace.Manager.Prune(_workspace.DataDirectory, keep: 1, Faults.FailAt(step)));
        Assert.Equal(SnapshotErrorCode.IO, error.Code);
        Assert.Equal(step, error.Step);

        // Whatever is left: discovery still picks the newest valid snapshot, and every directory
        // named like a snapshot is either valid or was already invalid before prune began.
        Assert.Equal(ids[4], _workspace.Manager.DiscoverNewestValid(_workspace.DataDirectory).SelectedId);
        foreach (SnapshotListing entry in _workspace.Manager.ListSnapshots(_workspace.DataDirectory).Where(e => e.Kind == SnapshotEntryKind.Snapshot))
        {
            Assert.True(entry.Id == ids[3] || _workspace.Manager.Verify(entry.Directory).IsValid, $"{entry.Name} is a half-deleted snapshot.");
        }

        _workspace.Manager.RemoveLeftovers(_workspace.DataDirectory);
        PruneResult rerun = _workspace.Manager.Prune(_workspace.DataDirectory, keep: 1);

        Assert.Equal([ids[4]], rerun.Kept);
        Assert.Equal([ids[3].ToString(), ids[4].ToString()], RemainingNames());
    }
}
