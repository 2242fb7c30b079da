using System.Diagnostics;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.IO.Interop;
using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Restoring;

/// <summary>
/// Restore: a byte-identical copy of the snapshot, verified while copied, swapped in atomically;
/// restore replaces and never merges: the target ends with the snapshot's storage and schema tree
/// and an empty WAL, keeping only <c>snapshots/</c> (and the WAL when asked) and a fresh <c>LOCK</c>; on any
/// failure the target is exactly as it was; after a crash at any point, the next restore or clean-up
/// puts things right.
/// </summary>
public sealed class RestoreTests : IDisposable
{
    private readonly ReadSideWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private string Data => _workspace.DataDirectory;

    /// <summary>
    /// A live data directory with a WAL, a lock file, other metadata and a snapshot, changed since
    /// the snapshot was taken (different storage, an edited and an added schema, more WAL).
    /// </summary>
    private SnapshotId LiveDataDirectoryWithOlderSnapshot()
    {
        _workspace.WriteTypicalData("at-snapshot");
        Directory.CreateDirectory(Path.Join(Data, "wal"));
        File.WriteAllText(Path.Join(Data, "wal", "wal.log"), "wal records up to the snapshot");
        File.WriteAllText(Path.Join(Data, "LOCK"), "pid 1234");
        File.WriteAllText(Path.Join(Data, "metadata", "catalog.json"), "{\"catalog\":true}");
        SnapshotId id = _workspace.Snapshot();

        _workspace.WriteTypicalData("after-snapshot");
        _workspace.WriteSchema("later.json", "{\"later\":true}");
        File.AppendAllText(Path.Join(Data, "wal", "wal.log"), " and after it");
        return id;
    }

    /// <summary>What the snapshot should become in a data directory: storage.dat and metadata/schemas, modes aside.</summary>
    private List<string> SnapshotContent(SnapshotId id) => TreeListing.OfSnapshotData(_workspace.SnapshotPath(id));

    private static List<string> RestoredContent(string dataDirectory) => TreeListing.OfRestoredData(dataDirectory);

    /// <summary>What a restore carries over from the target (<c>snapshots/</c>), with contents and modes.</summary>
    private static List<string> KeptEntries(string dataDirectory) => TreeListing.Of(dataDirectory)
        .Where(l => l.StartsWith("snapshots", StringComparison.Ordinal))
        .ToList();

    /// <summary>The WAL as restore leaves it by default: one empty <c>wal.log</c>.</summary>
    private static void AssertEmptyWal(string dataDirectory)
    {
        Assert.Equal(["wal.log"], Directory.EnumerateFileSystemEntries(Path.Join(dataDirectory, "wal")).Select(Path.GetFileName));
        Assert.Equal(0, new FileInfo(Path.Join(dataDirectory, "wal", "wal.log")).Length);
    }

    /// <summary>Directories a restore builds beside its target.</summary>
    private List<string> Siblings() => Directory.EnumerateFileSystemEntries(_workspace.Root)
        .Select(p => Path.GetFileName(p)!)
        .Where(n => n.Contains(".restore-", StringComparison.Ordinal))
        .ToList();

    [Fact]
    public void Restoring_into_an_empty_directory_gives_a_byte_identical_copy_and_an_empty_wal()
    {
        _workspace.WriteTypicalData();
        _workspace.WriteSchema("empty-dir-sibling/deep/x.json", "{}");
        Directory.CreateDirectory(Path.Join(_workspace.SchemaDirectory, "empty"));
        SnapshotId id = _workspace.Snapshot();
        string target = Path.Join(_workspace.Root, "restored");
        Directory.CreateDirectory(target);

        RestoreResult result = _workspace.Manager.Restore(_workspace.SnapshotPath(id), target);

        Assert.Equal(id, result.Id);
        Assert.Equal(target, result.TargetDirectory);
        Assert.Equal(5, result.FilesRestored);
        Assert.Null(result.CleanupFailure);
        Assert.False(result.WalKept);
        Assert.Empty(result.Discarded);
        Assert.Equal(File.ReadAllBytes(_workspace.StoragePath), File.ReadAllBytes(Path.Join(target, "storage.dat")));
        Assert.Equal(TreeListing.Of(_workspace.SchemaDirectory, modes: false), TreeListing.Of(Path.Join(target, "metadata", "schemas"), modes: false));
        Assert.Equal(["metadata", "storage.dat", "wal"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        AssertEmptyWal(target);
        Assert.Empty(Siblings());
    }

    [Fact]
    public void Restoring_into_a_missing_directory_is_refused_and_creates_nothing()
    {
        _workspace.WriteTypicalData();
        SnapshotId id = _workspace.Snapshot();
        string target = Path.Join(_workspace.Root, "restored");
        List<string> before = [.. Directory.EnumerateFileSystemEntries(_workspace.Root)];

        SnapshotException error = Assert.Throws<SnapshotException>(() => _workspace.Manager.Restore(_workspace.SnapshotPath(id), target));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(target, error.Path);
        Assert.Equal(2, error.Errno);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(Path.Exists(target));
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(_workspace.Root));
    }

    [Fact]
    public void Restoring_over_a_live_data_directory_replaces_its_state_and_never_merges()
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        File.WriteAllText(Path.Join(Data, "checkpoint.json"), "{}");
        File.WriteAllText(Path.Join(Data, "unknown.bin"), "?");
        List<string> kept = KeptEntries(Data);

        RestoreResult result = _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data);

        Assert.Equal(SnapshotContent(id), RestoredContent(Data));
        Assert.False(File.Exists(Path.Join(_workspace.SchemaDirectory, "later.json")));
        AssertEmptyWal(Data);                   // a snapshot carries no WAL: no records from another time
        Assert.Equal(kept, KeptEntries(Data));  // snapshots/ came along, contents and modes
        Assert.Equal(0, new FileInfo(Path.Join(Data, "LOCK")).Length); // recreated empty, never moved
        Assert.Equal(["checkpoint.json", "metadata/catalog.json", "unknown.bin"], result.Discarded);
        Assert.Equal(["LOCK", "metadata", "snapshots", "storage.dat", "wal"], Directory.EnumerateFileSystemEntries(Data).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["schemas"], Directory.EnumerateFileSystemEntries(Path.Join(Data, "metadata")).Select(Path.GetFileName));
        Assert.False(result.WalKept);
        Assert.True(_workspace.Manager.Verify(_workspace.SnapshotPath(id)).IsValid); // the source snapshot came along intact
        Assert.False(File.Exists(Path.Join(Data, RestoreIntent.FileName)));
        Assert.Empty(Siblings());
        Assert.Null(result.CleanupFailure);
    }

    [Fact]
    public void The_locked_LOCK_stays_at_its_name_until_the_exchange_and_the_new_one_keeps_its_mode()
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        string lockFile = Path.Join(Data, "LOCK");
        File.SetUnixFileMode(lockFile, (UnixFileMode)0b110_000_000);
        using DataDirectoryLock held = DataDirectoryLock.Acquire(Data);
        ulong locked = NativeFile.TryStatus(lockFile)!.Value.Inode;
        var atSwap = new List<ulong>();
        var options = new SnapshotOptions { BeforeStep = step => { if (step == SnapshotStep.RestoreSwap) { atSwap.Add(NativeFile.TryStatus(lockFile)!.Value.Inode); } } };

        _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data, options: options);

        Assert.Equal([locked], atSwap); // nothing could take the data directory while it was restored
        FileStatus fresh = NativeFile.TryStatus(lockFile)!.Value;
        Assert.NotEqual(locked, fresh.Inode);
        Assert.Equal(0b110_000_000u, fresh.Permissions);
        Assert.Equal(0, fresh.Size);
    }

    [Fact]
    public void KeepWal_carries_the_targets_wal_over_unchanged()
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        List<string> wal = TreeListing.Of(Data).Where(l => l.StartsWith("wal", StringComparison.Ordinal)).ToList();

        RestoreResult result = _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data, keepWal: true);

        Assert.True(result.WalKept);
        Assert.Equal("wal records up to the snapshot and after it", File.ReadAllText(Path.Join(Data, "wal", "wal.log")));
        Assert.Equal(wal, TreeListing.Of(Data).Where(l => l.StartsWith("wal", StringComparison.Ordinal)));
        Assert.Equal(SnapshotContent(id), RestoredContent(Data));
        Assert.Empty(Siblings());
    }

    [Fact]
    public void KeepWal_without_a_wal_gives_an_empty_one()
    {
        _workspace.WriteTypicalData();
        SnapshotId id = _workspace.Snapshot();

        RestoreResult result = _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data, keepWal: true);

        Assert.False(result.WalKept);
        AssertEmptyWal(Data);
    }

    [Fact]
    public void The_data_directory_keeps_its_mode_and_so_does_storage()
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        File.SetUnixFileMode(Data, (UnixFileMode)0b111_101_000);
        File.SetUnixFileMode(_workspace.StoragePath, (UnixFileMode)0b110_000_000);

        _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data);

        Assert.Equal(0b111_101_000u, NativeFile.TryStatus(Data)!.Value.Permissions);
        Assert.Equal(0b110_000_000u, NativeFile.TryStatus(_workspace.StoragePath)!.Value.Permissions);
    }

    [Fact]
    public void An_entry_whose_name_is_not_utf8_is_discarded_and_named_printably()
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        RunShell("printf 'odd' > \"$(printf 'name-\\377')\"", Data);
        byte[] oddName = [.. "name-"u8, 0xff];
        try
        {
            RestoreResult result = _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data);

            Assert.DoesNotContain(DirectoryListing.Read(Data), e => e.RawName.AsSpan().SequenceEqual(oddName));
            Assert.Contains("name-\\xff", result.Discarded);
            Assert.Null(result.CleanupFailure);
            Assert.Empty(Siblings());
            Assert.Equal(SnapshotContent(id), RestoredContent(Data));
        }
        finally
        {
            // .NET cannot name it to delete it, and neither can the workspace's clean-up.
            RunShell("rm -f \"$(printf 'name-\\377')\"", Data);
        }
    }

    [Fact]
    public void A_checksum_mismatch_found_while_copying_is_data_corruption_and_the_target_is_untouched()
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        Damage.FlipBit(Path.Join(_workspace.SnapshotPath(id), "schemas", "app", "orders", "v2.json"), 2);
        List<string> before = TreeListing.Of(Data);

        SnapshotException error = Assert.Throws<SnapshotException>(() => _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data));

        Assert.Equal(SnapshotErrorCode.DataCorruption, error.Code);
        Assert.Equal(SnapshotSeverity.Fatal, error.Severity);
        Assert.EndsWith(Path.Join("schemas", "app", "orders", "v2.json"), error.Path, StringComparison.Ordinal);
        Assert.Equal(before, TreeListing.Of(Data));
        Assert.Empty(Siblings());
    }

    [Fact]
    public void An_invalid_manifest_is_metadata_corruption_and_nothing_is_written()
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        Damage.WriteManifest(_workspace.SnapshotPath(id), "{\"snapshot_id\": 1}");
        List<string> before = TreeListing.Of(Data);

        SnapshotException error = Assert.Throws<SnapshotException>(() => _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data));

        Assert.Equal(SnapshotErrorCode.MetadataCorruption, error.Code);
        Assert.Equal(before, TreeListing.Of(Data));
        Assert.Empty(Siblings());
    }

    [Fact]
    public void A_target_that_is_a_symlink_is_refused_and_left_alone()
    {
        _workspace.WriteTypicalData();
        SnapshotId id = _workspace.Snapshot();
        string link = Path.Join(_workspace.Root, "link");
        File.CreateSymbolicLink(link, Data);
        List<string> before = TreeListing.Of(Data);

        SnapshotException error = Assert.Throws<SnapshotException>(() => _workspace.Manager.Restore(_workspace.SnapshotPath(id), link));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(Data, File.ResolveLinkTarget(link, returnFinalTarget: false)!.FullName);
        Assert.Equal(before, TreeListing.Of(Data));
    }

    public static TheoryData<SnapshotStep> StepsBeforeCompletion() => new(
        SnapshotStep.RestoreRecover,
        SnapshotStep.Read,
        SnapshotStep.RestoreCopy,
        SnapshotStep.RestoreEmptyWal,
        SnapshotStep.RestoreSync,
        SnapshotStep.RestoreWriteIntent,
        SnapshotStep.RestoreMoveEntries,
        SnapshotStep.RestoreSyncMoves,
        SnapshotStep.RestoreSwap,
        SnapshotStep.RestoreSyncSwap);

    [Theory]
    [MemberData(nameof(StepsBeforeCompletion))]
    public void A_fault_at_any_step_before_completion_leaves_an_existing_target_exactly_as_it_was(SnapshotStep step)
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        List<string> before = TreeListing.Of(Data);

        SnapshotException error = Assert.Throws<SnapshotException>(() => _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data, options: Faults.FailAt(step)));

        Assert.Equal(SnapshotErrorCode.IO, error.Code);
        Assert.Equal(step, error.Step);
        Assert.Equal(5, error.Errno);
        Assert.Null(error.CleanupFailure);
        Assert.Equal(before, TreeListing.Of(Data));
        Assert.Empty(Siblings());
        Assert.Equal(id, _workspace.Manager.DiscoverNewestValid(Data).SelectedId);
    }

    [Theory]
    [InlineData(SnapshotStep.RestoreRemoveIntent)]
    [InlineData(SnapshotStep.RestoreRemoveOld)]
    public void A_fault_while_tidying_up_after_completion_is_reported_and_the_leftovers_are_removed_later(SnapshotStep step)
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        List<string> kept = KeptEntries(Data);

        RestoreResult result = _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data, options: Faults.FailAt(step));

        Assert.IsType<NativeIOException>(result.CleanupFailure);
        Assert.Equal(SnapshotContent(id), RestoredContent(Data));
        Assert.NotEmpty(Siblings()); // the old data is still beside the target

        IReadOnlyList<string> handled = _workspace.Manager.RemoveLeftovers(Data);

        Assert.NotEmpty(handled);
        Assert.Empty(Siblings());
        Assert.Equal(kept, KeptEntries(Data));
        Assert.Equal(SnapshotContent(id), RestoredContent(Data));
    }

    [Fact]
    public void A_crash_after_the_entries_were_moved_is_rolled_back_by_RemoveLeftovers()
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        List<string> before = TreeListing.Of(Data);

        Assert.Throws<SimulatedCrashException>(() => _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data, options: Faults.CrashAt(SnapshotStep.RestoreSwap)));

        // The crash left snapshots/ beside the target: discovery must refuse, not quietly
        // recover the database without them.
        Assert.False(Directory.Exists(_workspace.SnapshotsDirectory));
        SnapshotException refused = Assert.Throws<SnapshotException>(() => _workspace.Manager.DiscoverNewestValid(Data));
        Assert.Contains("interrupted", refused.Message, StringComparison.Ordinal);

        IReadOnlyList<string> handled = _workspace.Manager.RemoveLeftovers(Data);

        Assert.Single(handled);
        Assert.Equal(before, TreeListing.Of(Data));
        Assert.Empty(Siblings());
        Assert.Equal(id, _workspace.Manager.DiscoverNewestValid(Data).SelectedId);
    }

    [Fact]
    public void A_crash_after_the_entries_were_moved_is_rolled_back_by_the_next_restore_which_then_completes()
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        List<string> kept = KeptEntries(Data);
        Assert.Throws<SimulatedCrashException>(() => _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data, options: Faults.CrashAt(SnapshotStep.RestoreSyncMoves)));
        Assert.False(Directory.Exists(_workspace.SnapshotsDirectory)); // the source snapshot itself was moved aside

        _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data);

        Assert.Equal(SnapshotContent(id), RestoredContent(Data));
        Assert.Equal(kept, KeptEntries(Data));
        Assert.Empty(Siblings());
    }

    [Theory]
    [InlineData(SnapshotStep.RestoreSyncSwap)]
    [InlineData(SnapshotStep.RestoreRemoveIntent)]
    [InlineData(SnapshotStep.RestoreRemoveOld)]
    public void A_crash_after_the_exchange_is_completed_by_RemoveLeftovers(SnapshotStep step)
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        List<string> kept = KeptEntries(Data);

        Assert.Throws<SimulatedCrashException>(() => _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data, options: Faults.CrashAt(step)));
        Assert.Equal(id, _workspace.Manager.DiscoverNewestValid(Data).SelectedId); // the swapped-in directory is whole

        _workspace.Manager.RemoveLeftovers(Data);

        Assert.Equal(SnapshotContent(id), RestoredContent(Data));
        Assert.Equal(kept, KeptEntries(Data));
        Assert.False(File.Exists(Path.Join(Data, RestoreIntent.FileName)));
        Assert.Empty(Siblings());
    }

    [Theory]
    [InlineData(SnapshotStep.RestoreCopy)]
    [InlineData(SnapshotStep.RestoreWriteIntent)]
    public void A_crash_before_anything_was_moved_leaves_the_target_as_it_was_and_the_build_is_removed(SnapshotStep step)
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        List<string> before = TreeListing.Of(Data);

        Assert.Throws<SimulatedCrashException>(() => _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data, options: Faults.CrashAt(step)));
        Assert.Equal(before, TreeListing.Of(Data));

        _workspace.Manager.RemoveLeftovers(Data);

        Assert.Equal(before, TreeListing.Of(Data));
        Assert.Empty(Siblings());
    }

    [Fact]
    public void Recovery_never_overwrites_an_entry_created_in_the_target_after_the_crash()
    {
        SnapshotId id = LiveDataDirectoryWithOlderSnapshot();
        Assert.Throws<SimulatedCrashException>(() => _workspace.Manager.Restore(_workspace.SnapshotPath(id), Data, options: Faults.CrashAt(SnapshotStep.RestoreSwap)));
        Directory.CreateDirectory(_workspace.SnapshotsDirectory);
        File.WriteAllText(Path.Join(_workspace.SnapshotsDirectory, "note"), "made by someone meanwhile");

        SnapshotException error = Assert.Throws<SnapshotException>(() => _workspace.Manager.RemoveLeftovers(Data));

        Assert.Contains("snapshots", error.Message, StringComparison.Ordinal);
        Assert.Equal("made by someone meanwhile", File.ReadAllText(Path.Join(_workspace.SnapshotsDirectory, "note")));
        Assert.Single(Siblings()); // the old snapshots/ is still there, beside the target, for an operator
    }

    private static void RunShell(string command, string workingDirectory)
    {
        var info = new ProcessStartInfo("sh") { WorkingDirectory = workingDirectory };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        using Process process = ExternalCommand.Start(info);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
