using AeroSnapshot.Fast.Precopy;
using AeroSnapshot.Fast.Pruning;
using AeroSnapshot.Fast.Tests.Support;
using static AeroSnapshot.TestSupport.Strace.DurableSequence;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// Issue #17, "the durable sequence, asserted": create, prune and restore run under strace (attached
/// to the calling thread, <c>-y</c> for descriptor paths) and the recorded calls must satisfy the
/// protocol's partial order. These are the syncs a power-cut test on ext4 cannot see go missing:
/// ext4 commits its journal in order, so a later fsync saves an earlier missing one by accident, and
/// writeback started by <c>POSIX_FADV_DONTNEED</c> saves a missing data sync.
/// </summary>
public sealed class DurableSequenceTests : IDisposable
{
    /// <summary>Everything the rules talk about, and the removals prune and restore make ("?": calls arm64 does not have, e.g. mkdir, are not an error).</summary>
    private const string Traced = "fsync,fdatasync,renameat2,?rename,?renameat,?mkdir,mkdirat,?unlink,unlinkat,?rmdir";

    private readonly TestDataDirectory _data = new();
    private readonly FixedTimeProvider _clock = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    public DurableSequenceTests()
    {
        _data.WriteStorage((1 << 20) + 3, seed: 7);
        _data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
        _data.WriteSchema("users/deep/er/nested.json", "{}");
        _data.WriteSchema("orders_v1.json", "[1,2,3]");
    }

    public void Dispose() => _data.Dispose();

    [PrivilegedFact]
    public void First_create_syncs_every_file_and_directory_before_the_no_replace_rename_and_both_parents_after_it()
    {
        Assert.False(Directory.Exists(_data.SnapshotsDirectory));

        (SnapshotId id, IReadOnlyList<Syscall> calls) = TracedCreate();

        CheckCreate(id, calls, snapshotsIsNew: true);
    }

    [PrivilegedFact]
    public void Later_create_syncs_every_file_and_directory_before_the_no_replace_rename_and_snapshots_after_it()
    {
        CreateUntraced();
        _clock.Now = _clock.Now.AddSeconds(1);

        (SnapshotId id, IReadOnlyList<Syscall> calls) = TracedCreate();

        CheckCreate(id, calls, snapshotsIsNew: false);
    }

    [PrivilegedFact]
    public void Create_with_fsync_for_files_keeps_the_same_order()
    {
        (SnapshotId id, IReadOnlyList<Syscall> calls) = TracedCreate(new SnapshotOptions { TimeProvider = _clock, SyncFilesWithFsync = true });

        CheckCreate(id, calls, snapshotsIsNew: true);

        // And the option is honoured: every copied file, storage and schemas, gets fsync, none fdatasync.
        string staging = StagingOf(id);
        Assert.DoesNotContain(calls, c => c.Name == "fdatasync" && c.Path0.StartsWith(staging, StringComparison.Ordinal));
        foreach (string file in CopiedFiles(id))
        {
            Assert.Contains(calls, c => c.Name == "fsync" && c.Succeeded && c.Path0 == file);
        }
    }

    /// <summary>
    /// The reference's way (<see cref="Fast.Creation.SchemaSyncMode.EachAsWritten"/>): each schema
    /// file's data is synced before the next one is even created. Found by the second mutation pass
    /// of issue #17: the mode could be ignored (the files then synced in one batch at the end, which
    /// the general rules accept) without failing a test.
    /// </summary>
    [PrivilegedFact]
    public void Create_syncing_each_schema_file_as_written_syncs_each_before_creating_the_next()
    {
        (SnapshotId id, IReadOnlyList<Syscall> calls) = TracedCreate(
            new SnapshotOptions { TimeProvider = _clock, SchemaSync = Fast.Creation.SchemaSyncMode.EachAsWritten }, "openat");

        CheckCreate(id, calls, snapshotsIsNew: true);
        List<string> schemaFiles = [.. CopiedFiles(id).Where(static f => !f.EndsWith("/storage.dat", StringComparison.Ordinal))];
        var created = schemaFiles.Select(f => IndexOf(calls, c => c.Name == "openat" && c.Succeeded && c.Line.Contains("O_CREAT", StringComparison.Ordinal) && c.Paths.Count > 0 && c.Paths[^1] == f)).ToList();
        var synced = schemaFiles.Select(f => IndexOf(calls, c => c.Name == "fdatasync" && c.Succeeded && c.Path0 == f)).ToList();
        Assert.All(created.Concat(synced), static i => Assert.True(i >= 0));
        var order = created.Zip(synced, schemaFiles).OrderBy(static t => t.First).ToList();
        for (int i = 0; i + 1 < order.Count; i++)
        {
            Assert.True(order[i].Second < order[i + 1].First, $"{order[i].Third} was synced after {order[i + 1].Third} was created");
        }
    }

    /// <summary>
    /// <see cref="Fast.Creation.SchemaSyncMode.SyncFs"/>: no per-file sync, so the one <c>syncfs</c>
    /// of the staging file system is all that makes the schema files durable; it must come after the
    /// last schema file is written and before the publishing rename. Found by the second mutation
    /// pass of issue #17: removing the <c>syncfs</c> failed no test.
    /// </summary>
    [PrivilegedFact]
    public void Create_syncing_schemas_with_syncfs_syncs_the_file_system_after_the_last_schema_write_and_before_the_rename()
    {
        (SnapshotId id, IReadOnlyList<Syscall> calls) = TracedCreate(
            new SnapshotOptions { TimeProvider = _clock, SchemaSync = Fast.Creation.SchemaSyncMode.SyncFs }, "syncfs,pwrite64");

        string staging = StagingOf(id);
        string final = Path.Join(_data.SnapshotsDirectory, id.ToString());
        int syncfs = IndexOf(calls, c => c.Name == "syncfs" && c.Succeeded && c.Path0.StartsWith(staging, StringComparison.Ordinal));
        int rename = IndexOf(calls, c => c.Name == "renameat2" && c.Succeeded && c.Paths.SequenceEqual([staging, final]));
        int lastSchemaWrite = calls.ToList().FindLastIndex(c => c.Name == "pwrite64" && c.Path0.StartsWith(staging + "/schemas/", StringComparison.Ordinal));
        Assert.True(lastSchemaWrite >= 0, "the schema files are written with pwrite64");
        Assert.True(syncfs > lastSchemaWrite, "syncfs must follow the last schema write");
        Assert.True(rename > syncfs, "the rename must follow the syncfs");
    }

    /// <summary>
    /// Issue 26: a pre-copied create runs the ordinary storage and schema copies (with less to do),
    /// so it honours the same sync options. The pre-copy's own path used fdatasync whatever the
    /// options said, for the appended storage tail and for the schema files it re-copied.
    /// </summary>
    [PrivilegedFact]
    public void A_precopied_create_with_fsync_for_files_fsyncs_the_appended_storage_and_each_recopied_schema_file()
    {
        var options = new SnapshotOptions { TimeProvider = _clock, SyncFilesWithFsync = true, PrecopyChunkBytes = 64 << 10 };
        using var manager = new SnapshotManager();
        using SnapshotPrecopy precopy = manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, options);
        File.AppendAllBytes(_data.StoragePath, new byte[4096]);
        _data.WriteSchema("orders_v1.json", "[1,2,3,4]");

        SnapshotId id;
        IReadOnlyList<Syscall> calls;
        using (var recorder = AttachedStrace.Record(Traced))
        {
            id = _data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = _clock, SyncFilesWithFsync = true, Precopy = precopy });
            calls = recorder.Stop();
        }

        // The unchanged schema files and the directories were made durable by the pre-copy: the
        // pause syncs what it wrote, with fsync as asked, before the publishing rename.
        string staging = StagingOf(id);
        int rename = IndexOf(calls, c => c.Name == "renameat2" && c.Succeeded && c.Paths.SequenceEqual([staging, _data.SnapshotDirectory(id)]));
        Assert.True(rename >= 0, "the snapshot is published with renameat2");
        Assert.DoesNotContain(calls, c => c.Name == "fdatasync" && c.Path0.StartsWith(staging, StringComparison.Ordinal));
        foreach (string file in (string[])[Path.Join(staging, "storage.dat"), Path.Join(staging, "schemas", "orders_v1.json")])
        {
            int fsync = IndexOf(calls, c => c.Name == "fsync" && c.Succeeded && c.Path0 == file);
            Assert.True(fsync >= 0 && fsync < rename, $"{file} must be fsynced before the rename");
        }
    }

    /// <summary>
    /// Issue 28: a capture syncs nothing of the snapshot inside the pause (the WAL only), and its
    /// completion makes every copied file and every directory durable before the publishing rename,
    /// and the rename durable after it.
    /// </summary>
    [PrivilegedFact]
    public void A_capture_syncs_only_the_wal_and_its_completion_syncs_every_file_and_directory_before_the_rename()
    {
        using var manager = new SnapshotManager();
        string wal = Path.Join(_data.Root, "wal.log");
        File.WriteAllBytes(wal, [1, 2, 3]);
        using var walHandle = File.OpenHandle(wal, FileMode.Open, FileAccess.ReadWrite);
        var executionLock = new GlobalExecutionLock();
        Fast.Creation.SnapshotCapture capture;
        IReadOnlyList<Syscall> captureCalls;
        using (executionLock.Acquire())
        using (var recorder = AttachedStrace.Record(Traced))
        {
            capture = manager.CaptureSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.ForHandle(walHandle, wal), executionLock, new SnapshotOptions { TimeProvider = _clock });
            captureCalls = recorder.Stop();
        }

        IReadOnlyList<Syscall> completeCalls;
        using (capture)
        using (var recorder = AttachedStrace.Record(Traced))
        {
            capture.Complete();
            completeCalls = recorder.Stop();
        }

        string staging = StagingOf(capture.Id);
        Assert.Equal([wal], captureCalls.Where(static c => c.Name is "fsync" or "fdatasync").Select(static c => c.Path0));
        int rename = IndexOf(completeCalls, c => c.Name == "renameat2" && c.Succeeded && c.Paths.SequenceEqual([staging, _data.SnapshotDirectory(capture.Id)]));
        Assert.True(rename >= 0, "the completion publishes with renameat2");
        string[] directories = [staging, .. Directory.EnumerateDirectories(_data.SnapshotDirectory(capture.Id), "*", SearchOption.AllDirectories)
            .Select(d => Path.Join(staging, Path.GetRelativePath(_data.SnapshotDirectory(capture.Id), d)))];
        foreach (string path in CopiedFiles(capture.Id).Concat(directories))
        {
            int sync = IndexOf(completeCalls, c => c.Name is "fsync" or "fdatasync" && c.Succeeded && c.Path0 == path);
            Assert.True(sync >= 0 && sync < rename, $"{path} must be synced by the completion before the rename");
        }

        Assert.Contains(completeCalls.Skip(rename), c => c.Name == "fsync" && c.Succeeded && c.Path0 == _data.SnapshotsDirectory);
    }

    [PrivilegedFact]
    public void Prune_makes_each_rename_aside_durable_before_deleting_and_the_deletion_durable_after()
    {
        SnapshotId[] ids = new SnapshotId[4];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = CreateUntraced();
            _clock.Now = _clock.Now.AddSeconds(1);
        }

        PruneResult result;
        IReadOnlyList<Syscall> calls;
        using (var manager = new SnapshotManager())
        using (var recorder = AttachedStrace.Record(Traced))
        {
            result = manager.Prune(_data.Root, keep: 2);
            calls = recorder.Stop();
        }

        Assert.Equal([ids[0], ids[1]], result.Deleted);
        var spec = new DurableSequence(calls);
        string snapshots = _data.SnapshotsDirectory;
        foreach (SnapshotId id in result.Deleted)
        {
            string published = Path.Join(snapshots, id.ToString());
            string aside = Path.Join(snapshots, ".deleting-" + id);
            int renameDurable = spec.Order(
                $"{id} must leave its name durably before any of it is deleted, or a crash leaves a half-deleted snapshot under a valid name",
                Rename(published, aside, "RENAME_NOREPLACE"),
                DirectorySync(snapshots));
            spec.NoneBefore(renameDurable, RemovalUnder(aside), $"deleting {id}'s files must wait until the rename aside is durable");
            spec.OrderFrom(
                renameDurable,
                $"the removal of {aside} must be made durable, or it can come back after a crash",
                RemoveDirectory(aside),
                DirectorySync(snapshots));
        }

        spec.AssertHolds();
    }

    [PrivilegedFact]
    public void Restore_into_an_empty_directory_syncs_every_file_and_directory_before_the_exchange_and_the_parent_after_it()
    {
        SnapshotId id = CreateUntraced();
        string target = Path.Join(_data.Root, "restored");
        Directory.CreateDirectory(target); // restore replaces an existing data directory, never makes one (issue 11)

        IReadOnlyList<Syscall> calls;
        using (var manager = new SnapshotManager())
        using (var recorder = AttachedStrace.Record(Traced))
        {
            manager.Restore(_data.SnapshotDirectory(id), target);
            calls = recorder.Stop();
        }

        var spec = new DurableSequence(calls);
        Syscall swap = Assert.Single(calls, c => c.Name == "renameat2" && c.Succeeded && c.Paths.Count == 2 && c.Paths[0] == target && c.Arguments.Contains("RENAME_EXCHANGE", StringComparison.Ordinal));
        string sibling = swap.Paths[1];
        CheckRestoredTree(spec, id, sibling);
        spec.Order(
            "the restored directory's empty WAL must be durable before the directory holding it",
            DirectorySync(Path.Join(sibling, "wal")),
            DirectorySync(sibling));
        spec.Order(
            "the restored directory's entries must be durable before it is exchanged with the target, and the exchange durable after",
            DirectorySync(sibling),
            Rename(target, sibling, "RENAME_EXCHANGE"),
            DirectorySync(_data.Root));
        spec.AssertHolds();
    }

    [PrivilegedFact]
    public void Restore_in_place_syncs_the_copy_and_the_moved_entries_before_the_exchange_and_the_parent_after_it()
    {
        SnapshotId id = CreateUntraced();
        Directory.CreateDirectory(Path.Join(_data.Root, "wal"));
        File.WriteAllText(Path.Join(_data.Root, "wal", "wal.log"), "records after the snapshot");
        string parent = Path.GetDirectoryName(_data.Root)!;

        IReadOnlyList<Syscall> calls;
        using (var manager = new SnapshotManager())
        using (var recorder = AttachedStrace.Record(Traced))
        {
            manager.Restore(_data.SnapshotDirectory(id), _data.Root, keepWal: true); // so wal/ is moved too
            calls = recorder.Stop();
        }

        var spec = new DurableSequence(calls);
        Syscall swap = Assert.Single(calls, c => c.Name == "renameat2" && c.Succeeded && c.Paths.Count == 2 && c.Paths[0] == _data.Root && c.Arguments.Contains("RENAME_EXCHANGE", StringComparison.Ordinal));
        string sibling = swap.Paths[1];
        CheckRestoredTree(spec, id, sibling);

        // Entries the target keeps (wal/, snapshots/) are moved into the new directory: both
        // directories' fsyncs must follow each move and come before the exchange.
        List<Syscall> moves = calls.Where(c => c.Name == "renameat2" && c.Succeeded && c.Index < swap.Index && c.Paths.Count == 2
            && c.Paths[0].StartsWith(_data.Root + "/", StringComparison.Ordinal) && c.Paths[1].StartsWith(sibling + "/", StringComparison.Ordinal)).ToList();
        Assert.Contains(moves, m => m.Paths[0] == Path.Join(_data.Root, "wal"));
        Assert.Contains(moves, m => m.Paths[0] == _data.SnapshotsDirectory);
        foreach (Syscall move in moves)
        {
            int from = spec.OrderFrom(move.Index, $"the move out of {Path.GetDirectoryName(move.Paths[0])} must be durable before the exchange", DirectorySync(Path.GetDirectoryName(move.Paths[0])!));
            int to = spec.OrderFrom(move.Index, $"the move into {Path.GetDirectoryName(move.Paths[1])} must be durable before the exchange", DirectorySync(Path.GetDirectoryName(move.Paths[1])!));
            Assert.True(from < swap.Index && to < swap.Index, $"the fsyncs after {move} come after the exchange {swap}");
        }

        spec.Order(
            "the new directory's entries must be durable before it is exchanged in, and the exchange durable after",
            DirectorySync(sibling),
            Rename(_data.Root, sibling, "RENAME_EXCHANGE"),
            DirectorySync(parent));
        spec.AssertHolds();
    }

    /// <summary>Every file restored from the snapshot (storage and schemas) is data-synced before its directory's fsync.</summary>
    private void CheckRestoredTree(DurableSequence spec, SnapshotId id, string sibling)
    {
        string snapshot = _data.SnapshotDirectory(id);
        spec.Order("storage.dat's data must be durable before the entry naming it", DataSync(Path.Join(sibling, "storage.dat")), DirectorySync(sibling));
        string schemas = Path.Join(snapshot, "schemas");
        foreach (string file in Directory.EnumerateFiles(schemas, "*", SearchOption.AllDirectories))
        {
            string restored = Path.Join(sibling, "metadata", "schemas", Path.GetRelativePath(schemas, file));
            spec.Order($"{restored}'s data must be durable before the entry naming it", DataSync(restored), DirectorySync(Path.GetDirectoryName(restored)!));
        }

        foreach (string directory in Directory.EnumerateDirectories(schemas, "*", SearchOption.AllDirectories))
        {
            string restored = Path.Join(sibling, "metadata", "schemas", Path.GetRelativePath(schemas, directory));
            spec.Order($"{restored} must be created before its parent's fsync makes its entry durable", MakeDirectory(restored), DirectorySync(Path.GetDirectoryName(restored)!));
        }
    }

    private void CheckCreate(SnapshotId id, IReadOnlyList<Syscall> calls, bool snapshotsIsNew)
        => DurableSequence.CheckCreate(calls, _data.Root, id.ToString(), snapshotsIsNew);

    private string StagingOf(SnapshotId id) => Path.Join(_data.SnapshotsDirectory, ".staging-" + id);

    /// <summary>The staging paths of every file a create copies (storage and schemas), read from the published snapshot.</summary>
    private List<string> CopiedFiles(SnapshotId id)
    {
        string published = Path.Join(_data.SnapshotsDirectory, id.ToString());
        return [.. Directory.EnumerateFiles(published, "*", SearchOption.AllDirectories)
            .Where(static f => !f.EndsWith("manifest.json", StringComparison.Ordinal))
            .Select(f => Path.Join(StagingOf(id), Path.GetRelativePath(published, f)))];
    }

    private static int IndexOf(IReadOnlyList<Syscall> calls, Func<Syscall, bool> match) => calls.ToList().FindIndex(c => match(c));

    private (SnapshotId Id, IReadOnlyList<Syscall> Calls) TracedCreate(SnapshotOptions? options = null, string? alsoTraced = null)
    {
        using var manager = new SnapshotManager();
        using var recorder = AttachedStrace.Record(alsoTraced is null ? Traced : Traced + "," + alsoTraced);
        SnapshotId id = _data.CreateSnapshot(manager, options ?? new SnapshotOptions { TimeProvider = _clock });
        return (id, recorder.Stop());
    }

    private SnapshotId CreateUntraced()
    {
        using var manager = new SnapshotManager();
        return _data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = _clock });
    }
}
