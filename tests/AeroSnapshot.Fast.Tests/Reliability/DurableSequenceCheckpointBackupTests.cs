using AeroSnapshot.Fast.Tests.Support;
using static AeroSnapshot.TestSupport.Strace.DurableSequence;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// Issue #17's durable sequence for the operations of issue #13, recorded under strace on the
/// calling thread like <see cref="DurableSequenceTests"/>: a checkpoint makes the WAL durable before
/// the snapshot, publishes the snapshot durably, makes <c>checkpoint.json</c> durable before it
/// touches the WAL, and makes the WAL reset durable; a backup makes its archive durable before it
/// gets its name, and the name durable after; a restore from a backup makes the new data directory
/// durable before it is exchanged in, and the exchange durable after.
/// </summary>
public sealed class DurableSequenceCheckpointBackupTests : IDisposable
{
    private const string Traced = "fsync,fdatasync,renameat2,?rename,?renameat,?link,linkat,ftruncate,?mkdir,mkdirat,?unlink,unlinkat,?rmdir";

    private readonly TestDataDirectory _data = new();
    private readonly FixedTimeProvider _clock = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    public DurableSequenceCheckpointBackupTests()
    {
        _data.WriteStorage((1 << 20) + 3, seed: 11);
        _data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
        _data.WriteSchema("orders_v1.json", "[1,2,3]");
        Directory.CreateDirectory(WalDirectory);
        File.WriteAllBytes(WalPath, WalBuilder.Valid([10, 200, 3000]).Bytes);
    }

    private string WalDirectory => Path.Join(_data.Root, "wal");

    private string WalPath => Path.Join(WalDirectory, "wal.log");

    public void Dispose() => _data.Dispose();

    [PrivilegedFact]
    public void Checkpoint_makes_the_wal_the_snapshot_and_checkpoint_json_durable_before_the_wal_is_reset_and_the_reset_durable_after()
    {
        IReadOnlyList<Syscall> calls;
        SnapshotId snapshotId;
        using (var manager = new SnapshotManager())
        using (var recorder = AttachedStrace.Record(Traced))
        {
            var executionLock = new GlobalExecutionLock();
            using (executionLock.Acquire())
            {
                snapshotId = manager.Checkpoint(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalPath, executionLock, new SnapshotOptions { TimeProvider = _clock }).SnapshotId;
            }

            calls = recorder.Stop();
        }

        string id = snapshotId.ToString();
        string snapshots = _data.SnapshotsDirectory;
        string marker = Path.Join(_data.Root, "checkpoint.json");
        var spec = new DurableSequence(calls);
        CheckCreate(calls, _data.Root, id, snapshotsIsNew: true);
        spec.Order(
            "the WAL must be durable before the snapshot is published (step 2 of the sequence)",
            DataSync(WalPath),
            Rename(Path.Join(snapshots, ".staging-" + id), Path.Join(snapshots, id), "RENAME_NOREPLACE"),
            DirectorySync(snapshots));

        Syscall markerRename = Assert.Single(calls, c => c.Succeeded && c.Name is "renameat2" or "renameat" or "rename" && c.Paths.Count == 2 && c.Paths[1] == marker);
        var renameMarker = new SyscallEvent($"rename → {marker}", c => c.Index == markerRename.Index);
        var truncateWal = new SyscallEvent($"ftruncate of {WalPath}", c => c.Succeeded && c.Name == "ftruncate" && c.Path0 == WalPath);
        int markerDurable = spec.Order(
            "checkpoint.json must be written and durable under its name after the snapshot is durable",
            DirectorySync(snapshots),
            DataSync(markerRename.Paths[0]),
            renameMarker,
            DirectorySync(_data.Root));
        spec.NoneBefore(markerDurable, truncateWal, "the WAL must not be touched before checkpoint.json is durable");
        spec.OrderFrom(
            markerDurable,
            "the WAL reset must be made durable: the file, then its directory",
            truncateWal,
            DataSync(WalPath),
            DirectorySync(WalDirectory));
        spec.AssertHolds();
        Assert.Equal(0, new FileInfo(WalPath).Length);
    }

    [PrivilegedFact]
    public void Backup_makes_its_archive_durable_before_it_gets_its_name_and_the_name_durable_after()
    {
        CreateSnapshot();
        string outputDirectory = Path.Join(_data.Root, "backups");
        Directory.CreateDirectory(outputDirectory);
        string archive = Path.Join(outputDirectory, "backup.tar");

        IReadOnlyList<Syscall> calls = Trace(manager =>
        {
            var executionLock = new GlobalExecutionLock();
            using (executionLock.Acquire())
            {
                manager.Backup(_data.Root, archive, WalPath, executionLock, new SnapshotOptions { TimeProvider = _clock });
            }
        });

        var spec = new DurableSequence(calls);
        Syscall publish = Assert.Single(calls, c => c.Succeeded && c.Name is "renameat2" or "renameat" or "rename" or "link" or "linkat" && c.Paths.Count == 2 && c.Paths[1] == archive);
        Assert.True(publish.Name is "linkat" or "link" || publish.Arguments.Contains("RENAME_NOREPLACE", StringComparison.Ordinal), $"the archive must never replace a file: {publish.Line}");
        spec.Order(
            "the archive's bytes must be durable before it gets its name, and the name durable after",
            DataSync(publish.Paths[0]),
            new SyscallEvent($"publish → {archive}", c => c.Index == publish.Index),
            DirectorySync(outputDirectory));
        spec.AssertHolds();
    }

    [PrivilegedFact]
    public void Restore_from_a_backup_makes_the_new_data_directory_durable_before_the_exchange_and_the_exchange_after()
    {
        CreateSnapshot();
        string archive = Path.Join(Path.GetDirectoryName(_data.Root)!, Path.GetFileName(_data.Root) + "-backup.tar");
        using (var manager = new SnapshotManager())
        {
            var executionLock = new GlobalExecutionLock();
            using (executionLock.Acquire())
            {
                manager.Backup(_data.Root, archive, WalPath, executionLock, new SnapshotOptions { TimeProvider = _clock });
            }
        }

        try
        {
            IReadOnlyList<Syscall> calls = Trace(manager => manager.RestoreBackup(archive, _data.Root));

            var spec = new DurableSequence(calls);
            Syscall swap = Assert.Single(calls, c => c.Succeeded && c.Name == "renameat2" && c.Paths.Count == 2 && c.Arguments.Contains("RENAME_EXCHANGE", StringComparison.Ordinal));
            string built = swap.Paths[0] == _data.Root ? swap.Paths[1] : swap.Paths[0];
            spec.Order(
                "every restored file must be durable before the new data directory, and that before the exchange",
                DataSync(Path.Join(built, "storage.dat")),
                DirectorySync(built),
                new SyscallEvent("the exchange", c => c.Index == swap.Index),
                DirectorySync(Path.GetDirectoryName(_data.Root)!));
            spec.Order("the restored WAL must be durable before its directory", DataSync(Path.Join(built, "wal", "wal.log")), DirectorySync(Path.Join(built, "wal")));
            spec.AssertHolds();
        }
        finally
        {
            File.Delete(archive);
        }
    }

    private void CreateSnapshot()
    {
        using var manager = new SnapshotManager();
        _data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = _clock });
        _clock.Now = _clock.Now.AddSeconds(1);
    }

    private static IReadOnlyList<Syscall> Trace(Action<SnapshotManager> operation)
    {
        using var manager = new SnapshotManager();
        using var recorder = AttachedStrace.Record(Traced);
        operation(manager);
        return recorder.Stop();
    }
}
