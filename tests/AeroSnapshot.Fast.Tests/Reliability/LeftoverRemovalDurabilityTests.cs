using AeroSnapshot.Fast.Tests.Support;
using static AeroSnapshot.TestSupport.Strace.DurableSequence;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// The syncs outside the publish path: removing a leftover (a crashed create's staging directory, a
/// crashed prune's renamed-aside snapshot, a pre-copy's tree) is made durable by an fsync of
/// <c>snapshots/</c> after the last removal, and so is the clean-up of a create that failed; and the
/// preparation that creates <c>snapshots/</c> fsyncs it and the data directory before anything is
/// put in it. Found by the mutation run of issue #17: each of these fsyncs could be removed without
/// failing a test. Without them a crash can bring a half-deleted tree back, which the next
/// clean-up must then delete again; for the preparation, a snapshot published into a
/// <c>snapshots/</c> whose own name was never made durable can vanish with it.
/// </summary>
public sealed class LeftoverRemovalDurabilityTests : IDisposable
{
    private const string Traced = "fsync,fdatasync,renameat2,?rename,?renameat,?mkdir,mkdirat,?unlink,unlinkat,?rmdir";

    private readonly TestDataDirectory _data = new();

    public LeftoverRemovalDurabilityTests()
    {
        _data.WriteStorage((64 * 1024) + 3, seed: 9);
        _data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
    }

    public void Dispose() => _data.Dispose();

    [PrivilegedFact]
    public void Removing_leftovers_makes_every_removal_durable_with_an_fsync_of_snapshots_after_it()
    {
        string[] leftovers = [".staging-20260101T000000Z", ".deleting-20260101T000001Z", ".precopy-abc123"];
        foreach (string leftover in leftovers)
        {
            string directory = Path.Join(_data.SnapshotsDirectory, leftover, "schemas");
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Join(directory, "x.json"), "{}");
        }

        IReadOnlyList<Syscall> calls;
        using (var manager = new SnapshotManager())
        using (var recorder = AttachedStrace.Record(Traced))
        {
            Assert.Equal(leftovers.Order(StringComparer.Ordinal), manager.RemoveLeftovers(_data.Root).Order(StringComparer.Ordinal));
            calls = recorder.Stop();
        }

        var spec = new DurableSequence(calls);
        foreach (string leftover in leftovers)
        {
            spec.Order(
                $"the removal of {leftover} must be made durable, or a crash can bring a half-deleted tree back",
                RemoveDirectory(Path.Join(_data.SnapshotsDirectory, leftover)),
                DirectorySync(_data.SnapshotsDirectory));
        }

        spec.AssertHolds();
    }

    [PrivilegedFact]
    public void A_failed_create_removes_its_staging_directory_durably()
    {
        using var manager = new SnapshotManager();
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 7, 1, 10, 0, 0, TimeSpan.Zero));
        string stagingPath = Path.Join(_data.SnapshotsDirectory, ".staging-20260701T100000Z");
        var options = new SnapshotOptions
        {
            TimeProvider = clock,
            BeforeStep = static step =>
            {
                if (step == SnapshotStep.SyncSchemas)
                {
                    throw Faults.Eio(step);
                }
            },
        };
        IReadOnlyList<Syscall> calls;
        using (var recorder = AttachedStrace.Record(Traced))
        {
            Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(manager, options));
            calls = recorder.Stop();
        }

        Assert.Empty(_data.SnapshotsListing());
        var spec = new DurableSequence(calls);
        spec.Order(
            "the failed create's clean-up must make the staging directory's removal durable",
            MakeDirectory(stagingPath),
            RemoveDirectory(stagingPath),
            DirectorySync(_data.SnapshotsDirectory));
        spec.AssertHolds();
    }

    [PrivilegedFact]
    public void A_failed_first_create_removes_the_snapshots_directory_it_made_durably()
    {
        Assert.False(Directory.Exists(_data.SnapshotsDirectory));
        using var manager = new SnapshotManager();
        IReadOnlyList<Syscall> calls;
        using (var recorder = AttachedStrace.Record(Traced))
        {
            Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(manager, Faults.FailAt(SnapshotStep.SyncSchemas)));
            calls = recorder.Stop();
        }

        Assert.False(Directory.Exists(_data.SnapshotsDirectory));
        var spec = new DurableSequence(calls);
        spec.Order(
            "a failed first create leaves the data directory as it found it, durably: snapshots/ removed, then the data directory fsynced",
            MakeDirectory(_data.SnapshotsDirectory),
            RemoveDirectory(_data.SnapshotsDirectory),
            DirectorySync(_data.Root));
        spec.AssertHolds();
    }

    [PrivilegedFact]
    public void Preparing_the_first_snapshot_makes_snapshots_durable_in_the_data_directory()
    {
        Assert.False(Directory.Exists(_data.SnapshotsDirectory));
        IReadOnlyList<Syscall> calls;
        using (var manager = new SnapshotManager())
        using (var recorder = AttachedStrace.Record(Traced))
        {
            Assert.True(manager.PrepareSnapshot(_data.Root, _data.StoragePath).SnapshotsDirectoryCreated);
            calls = recorder.Stop();
        }

        var spec = new DurableSequence(calls);
        spec.Order(
            "snapshots/ must exist durably, itself and its name in the data directory, before a snapshot is published into it",
            MakeDirectory(_data.SnapshotsDirectory),
            DirectorySync(_data.SnapshotsDirectory),
            DirectorySync(_data.Root));
        spec.AssertHolds();
    }
}
