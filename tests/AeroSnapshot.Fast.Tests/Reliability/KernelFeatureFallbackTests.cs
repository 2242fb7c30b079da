using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Tests.Backup;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.TestSupport.Oracle;
using AeroSnapshot.TestSupport.Strace;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// The paths the library takes on a kernel or file system without a feature it prefers: no
/// <c>RENAME_NOREPLACE</c>/<c>RENAME_EXCHANGE</c> (EINVAL, as from a file system that lacks the
/// flags), no <c>RWF_DONTCACHE</c>, no <c>sync_file_range</c>, no <c>fallocate</c>. This machine
/// has them all, so no other test ever ran those branches (the second mutation pass of issue #17
/// found every one of them uncovered). strace, attached to the test thread, fails every call of
/// the feature (<c>when=1+</c>) and records the calls the fallback makes instead; each case checks
/// both that the fallback ran and that what it produced is right, judged by the independent oracle.
/// </summary>
public sealed class KernelFeatureFallbackTests : IDisposable
{
    private static readonly DateTimeOffset EarlierClock = new(2026, 7, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Clock = EarlierClock.AddHours(1);

    private readonly TestDataDirectory _data = new();
    private readonly SnapshotManager _manager = new();

    public KernelFeatureFallbackTests()
    {
        _data.WriteStorage((9 << 20) + 333, seed: 7);
        _data.WriteSchema("users.json", "{\"u\":1}");
        _data.WriteSchema("app/deep/orders.json", "{\"o\":1}");
        Directory.CreateDirectory(Path.Join(_data.SchemaDirectory, "empty"));
    }

    public void Dispose()
    {
        _manager.Dispose();
        _data.Dispose();
    }

    private static SnapshotId Id => SnapshotId.FromDateTimeOffset(Clock);

    private string Staging => Path.Join(_data.SnapshotsDirectory, ".staging-" + Id);

    private string Final => _data.SnapshotDirectory(Id);

    private string StorageCopy => Path.Join(Staging, "storage.dat");

    [PrivilegedFact(Needs = ["strace"])]
    public void Without_RENAME_NOREPLACE_create_publishes_by_checking_the_name_then_renaming_and_the_snapshot_is_whole()
    {
        Create(EarlierClock);
        ExpectedContent expected = ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory);

        IReadOnlyList<Syscall> calls = Traced(
            new StraceRequest("renameat2,rename,link", "error=EINVAL:when=1+") { InjectInto = "renameat2" },
            () => Create(Clock));

        Assert.Contains(calls, c => c.Name == "renameat2" && !c.Succeeded && c.Paths.SequenceEqual([Staging, Final]));
        Assert.Contains(calls, c => c.Name == "rename" && c.Succeeded && c.Paths.SequenceEqual([Staging, Final]));
        Assert.Empty(IndependentSnapshotOracle.Judge(Final, expected));
        Assert.False(Directory.Exists(Staging));
    }

    /// <summary>
    /// The fallback's check-then-rename is safe only because nobody else creates the name while the
    /// lock is held; a directory planted there anyway (an empty one, which a plain <c>rename(2)</c>
    /// would silently replace) must still be refused at the check.
    /// </summary>
    [PrivilegedFact(Needs = ["strace"])]
    public void Without_RENAME_NOREPLACE_create_still_never_replaces_an_empty_directory_planted_at_the_final_name()
    {
        Create(EarlierClock);
        var options = new SnapshotOptions
        {
            TimeProvider = new FixedTimeProvider(Clock),
            BeforeStep = step =>
            {
                if (step == SnapshotStep.Publish)
                {
                    Directory.CreateDirectory(Final);
                }
            },
        };

        SnapshotException? error = null;
        IReadOnlyList<Syscall> calls = Traced(
            new StraceRequest("renameat2,rename", "error=EINVAL:when=1+") { InjectInto = "renameat2" },
            () => error = Assert.Throws<SnapshotException>(() => Create(options)));

        Assert.Contains(calls, c => c.Name == "renameat2" && !c.Succeeded && c.Paths.SequenceEqual([Staging, Final]));
        Assert.DoesNotContain(calls, c => c.Name == "rename" && c.Paths.SequenceEqual([Staging, Final]));
        Assert.Equal(Errno.EEXIST, error!.Errno);
        Assert.Equal(Final, error.Path);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Final));
        Assert.False(Directory.Exists(Staging));
    }

    [PrivilegedFact(Needs = ["strace"])]
    public void Without_RENAME_NOREPLACE_a_backup_is_published_by_link_and_unlink_and_verifies()
    {
        Create(EarlierClock);
        string archive = BackupFixture.Scratch(_data, "b.tar");
        string partial = Path.Join(Path.GetDirectoryName(archive)!, ".b.tar.partial");
        try
        {
            IReadOnlyList<Syscall> calls = Traced(
                new StraceRequest("renameat2,link,unlink", "error=EINVAL:when=1+") { InjectInto = "renameat2" },
                () => BackupFixture.Backup(_manager, _data.Root, archive));

            Assert.Contains(calls, c => c.Name == "renameat2" && !c.Succeeded && c.Paths.SequenceEqual([partial, archive]));
            Assert.Contains(calls, c => c.Name == "link" && c.Succeeded && c.Paths.SequenceEqual([partial, archive]));
            Assert.Contains(calls, c => c.Name == "unlink" && c.Succeeded && c.Path0 == partial);
            Assert.False(File.Exists(partial));
            Assert.Equal(SnapshotId.FromDateTimeOffset(EarlierClock), _manager.VerifyBackup(archive).Manifest.SnapshotId);
        }
        finally
        {
            BackupFixture.DeleteScratch(_data);
        }
    }

    /// <summary>
    /// Restore has no fallback on purpose (moving its entries with a plain rename could overwrite,
    /// and swapping by two renames leaves a moment with no data directory): it must refuse naming
    /// what the file system lacks, leave the data directory as it was and nothing beside it, and
    /// not stand in the way of a restore once the file system can do it. Without
    /// <c>RENAME_NOREPLACE</c> it stops at its first move, before any exchange.
    /// </summary>
    [PrivilegedFact(Needs = ["strace"])]
    public void Without_RENAME_NOREPLACE_restore_is_refused_by_name_and_changes_nothing()
    {
        using var workspace = new ReadSideWorkspace();
        SnapshotId id = PrepareRestore(workspace);

        SnapshotException error = RefusedRestore(workspace, id, new StraceRequest("renameat2", "error=EINVAL:when=1+"), out IReadOnlyList<Syscall> calls);

        Assert.DoesNotContain(calls, static c => c.Line.Contains("RENAME_EXCHANGE", StringComparison.Ordinal));
        Assert.Contains("renameat2(RENAME_NOREPLACE)", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot rename without replacing", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Only the exchange fails (its place among the restore's renames counted on a twin data directory first).</summary>
    [PrivilegedFact(Needs = ["strace"])]
    public void Without_RENAME_EXCHANGE_restore_is_refused_by_name_and_changes_nothing()
    {
        int exchange;
        using (var twin = new ReadSideWorkspace())
        {
            SnapshotId twinId = PrepareRestore(twin);
            IReadOnlyList<Syscall> renames = Traced(new StraceRequest("renameat2"), () => twin.Manager.Restore(twin.SnapshotPath(twinId), twin.DataDirectory));
            exchange = 1 + renames.ToList().FindIndex(static c => c.Line.Contains("RENAME_EXCHANGE", StringComparison.Ordinal));
            Assert.True(exchange > 0, "a restore exchanges the directories");
        }

        using var workspace = new ReadSideWorkspace();
        SnapshotId id = PrepareRestore(workspace);

        SnapshotException error = RefusedRestore(workspace, id, new StraceRequest("renameat2", $"error=EINVAL:when={exchange}"), out IReadOnlyList<Syscall> calls);

        Assert.Contains("RENAME_EXCHANGE", calls[exchange - 1].Line, StringComparison.Ordinal);
        Assert.Contains("(INJECTED)", calls[exchange - 1].Line, StringComparison.Ordinal);
        Assert.Contains("cannot exchange two directories atomically", error.Message, StringComparison.Ordinal);
    }

    private static SnapshotId PrepareRestore(ReadSideWorkspace workspace)
    {
        workspace.WriteStorage(new byte[70_000]);
        workspace.WriteSchema("users.json", "{\"u\":1}");
        SnapshotId id = workspace.Snapshot();
        File.WriteAllText(Path.Join(workspace.DataDirectory, "LOCK"), string.Empty);
        workspace.WriteStorage(new byte[90_000]);
        workspace.WriteSchema("later.json", "{}");
        return id;
    }

    /// <summary>Runs the restore under <paramref name="request"/>; checks it failed with EINVAL and changed nothing, and that a plain restore then works.</summary>
    private static SnapshotException RefusedRestore(ReadSideWorkspace workspace, SnapshotId id, StraceRequest request, out IReadOnlyList<Syscall> calls)
    {
        string snapshot = workspace.SnapshotPath(id);
        List<string> before = TreeListing.Of(workspace.DataDirectory);
        string sibling = RestoreTarget.For(workspace.DataDirectory).SiblingFor(id);

        SnapshotException? error = null;
        calls = Traced(request, () => error = Assert.Throws<SnapshotException>(() => workspace.Manager.Restore(snapshot, workspace.DataDirectory)));

        Assert.Equal(Errno.EINVAL, error!.Errno);
        Assert.Null(error.CleanupFailure);
        Assert.Equal(before, TreeListing.Of(workspace.DataDirectory));
        Assert.False(Directory.Exists(sibling));

        workspace.Manager.Restore(snapshot, workspace.DataDirectory);
        Assert.Equal(TreeListing.OfSnapshotData(snapshot), TreeListing.OfRestoredData(workspace.DataDirectory));
        return error;
    }

    /// <summary>
    /// A control first: without the fault the storage copy really is written with
    /// <c>pwritev2(RWF_DONTCACHE)</c> on this machine, or the case below would prove nothing.
    /// </summary>
    [PrivilegedFact(Needs = ["strace"])]
    public void Refused_uncached_writes_fall_back_to_buffered_writes_under_the_writeback_window_and_the_copy_is_whole()
    {
        ExpectedContent expected = ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory);
        string earlierCopy = Path.Join(_data.SnapshotsDirectory, ".staging-" + SnapshotId.FromDateTimeOffset(EarlierClock), "storage.dat");
        IReadOnlyList<Syscall> control = Traced(new StraceRequest("pwritev2,pwrite64"), () => Create(UncachedAt(EarlierClock)));
        Assert.Contains(control, c => c.Name == "pwritev2" && c.Succeeded && c.Path0 == earlierCopy);
        Assert.DoesNotContain(control, c => c.Name == "pwrite64" && c.Path0 == earlierCopy);

        IReadOnlyList<Syscall> calls = Traced(
            new StraceRequest("pwritev2,pwrite64,sync_file_range,fdatasync", "error=EOPNOTSUPP:when=1+") { InjectInto = "pwritev2" },
            () => Create(UncachedAt(Clock)));

        List<Syscall> onCopy = calls.Where(c => c.Path0 == StorageCopy).ToList();
        Assert.Single(onCopy, c => c.Name == "pwritev2");
        Assert.False(onCopy.Single(c => c.Name == "pwritev2").Succeeded);
        Assert.True(onCopy.Count(c => c.Name == "pwrite64" && c.Succeeded) >= 9, "the whole copy is written through the page cache");
        Assert.True(onCopy.Count(c => c.Name == "sync_file_range" && c.Succeeded) >= 8, "buffered writes get the writeback window");
        Assert.Contains(onCopy, c => c.Name == "fdatasync" && c.Succeeded);
        Assert.Empty(IndependentSnapshotOracle.Judge(Final, expected));
    }

    [PrivilegedFact(Needs = ["strace"])]
    public void Without_sync_file_range_the_window_is_given_up_and_the_copy_is_still_made_durable_by_fdatasync()
    {
        ExpectedContent expected = ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory);
        var options = new SnapshotOptions { TimeProvider = new FixedTimeProvider(Clock), WritebackWindowBytes = 1 << 20 };

        IReadOnlyList<Syscall> calls = Traced(
            new StraceRequest("sync_file_range,fdatasync", "error=ENOSYS:when=1+") { InjectInto = "sync_file_range" },
            () => Create(options));

        List<Syscall> onCopy = calls.Where(c => c.Path0 == StorageCopy).ToList();
        Assert.Single(onCopy, c => c.Name == "sync_file_range");
        Assert.False(onCopy.Single(c => c.Name == "sync_file_range").Succeeded);
        Assert.Contains(onCopy, c => c.Name == "fdatasync" && c.Succeeded);
        Assert.Empty(IndependentSnapshotOracle.Judge(Final, expected));
    }

    [PrivilegedFact(Needs = ["strace"])]
    public void Without_fallocate_the_copy_goes_on_unreserved_and_is_whole()
    {
        ExpectedContent expected = ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory);

        IReadOnlyList<Syscall> calls = Traced(new StraceRequest("fallocate", "error=EOPNOTSUPP:when=1+"), () => Create(Clock));

        Assert.Contains(calls, c => c.Name == "fallocate" && !c.Succeeded && c.Path0 == StorageCopy);
        Assert.Empty(IndependentSnapshotOracle.Judge(Final, expected));
    }

    private static SnapshotOptions UncachedAt(DateTimeOffset clock) => new()
    {
        TimeProvider = new FixedTimeProvider(clock),
        StorageWriteMode = DestinationWriteMode.DontCache,
        WritebackWindowBytes = 1 << 20,
    };

    private static IReadOnlyList<Syscall> Traced(StraceRequest request, Action run)
    {
        using AttachedStrace strace = AttachedStrace.Attach(request);
        run();
        return strace.Stop();
    }

    private void Create(DateTimeOffset clock) => Create(new SnapshotOptions { TimeProvider = new FixedTimeProvider(clock) });

    private void Create(SnapshotOptions options)
    {
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            _ = _manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, executionLock, options);
        }
    }
}
