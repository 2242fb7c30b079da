using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Tests.Support;
using static AeroSnapshot.TestSupport.Strace.DurableSequence;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// The durable order of restore's swap into an existing data directory, the rules
/// <see cref="DurableSequenceTests"/> leaves out. Found by the mutation run of issue #17 (each rule
/// here failed no test when its sync was removed, because a later fsync of the same directory, or
/// ext4's in-order journal, makes up for it):
/// the new directory's name is durable in the parent before any entry of the data directory is
/// moved into it (else a crash can lose the moved entries with the name); the intent marker's data is
/// synced before it is renamed into place and its name is durable before the first move (else
/// recovery finds no marker, or an empty one, and cannot move the entries back); every directory
/// the restore makes (metadata/ included) is fsynced before the exchange; and the exchange is durable
/// before the tidy-up starts (a tidy-up failure is reported as a clean-up failure of a completed restore).
/// </summary>
public sealed class RestoreSwapDurabilityTests : IDisposable
{
    private const string Traced = "fsync,fdatasync,renameat2,?rename,?renameat,?mkdir,mkdirat,?unlink,unlinkat,?rmdir";

    private readonly TestDataDirectory _data = new();

    public RestoreSwapDurabilityTests()
    {
        _data.WriteStorage((256 * 1024) + 5, seed: 3);
        _data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
        _data.WriteSchema("orders_v1.json", "[1]");
    }

    public void Dispose() => _data.Dispose();

    [PrivilegedFact]
    public void Restore_in_place_makes_the_new_directory_and_the_intent_durable_before_moving_and_the_exchange_before_tidying_up()
    {
        SnapshotId id;
        using (var manager = new SnapshotManager())
        {
            id = _data.CreateSnapshot(manager);
        }

        Directory.CreateDirectory(Path.Join(_data.Root, "wal"));
        File.WriteAllText(Path.Join(_data.Root, "wal", "wal.log"), "records after the snapshot");
        string parent = Path.GetDirectoryName(_data.Root)!;

        IReadOnlyList<Syscall> calls;
        using (var manager = new SnapshotManager())
        using (var recorder = AttachedStrace.Record(Traced))
        {
            manager.Restore(_data.SnapshotDirectory(id), _data.Root);
            calls = recorder.Stop();
        }

        var spec = new DurableSequence(calls);
        Syscall swap = Assert.Single(calls, c => c.Name == "renameat2" && c.Succeeded && c.Paths.Count == 2 && c.Paths[0] == _data.Root && c.Arguments.Contains("RENAME_EXCHANGE", StringComparison.Ordinal));
        string sibling = swap.Paths[1];
        var moveIn = new SyscallEvent(
            $"a move of an entry of {_data.Root} into {sibling}",
            c => c.Succeeded && c.Name == "renameat2" && c.Paths.Count == 2
                && c.Paths[0].StartsWith(_data.Root + "/", StringComparison.Ordinal) && c.Paths[1].StartsWith(sibling + "/", StringComparison.Ordinal));
        Assert.NotNull(spec.First(moveIn)); // snapshots/ is always carried over

        int nameDurable = spec.Order(
            "the new directory's name must be durable in the parent before entries of the data directory are moved into it",
            MakeDirectory(sibling),
            DirectorySync(parent));
        spec.NoneBefore(nameDurable, moveIn, "a crash could lose the moved entries together with the new directory's name");

        string marker = Path.Join(sibling, RestoreIntent.FileName);
        int markerDurable = spec.Order(
            "the intent marker's data must be durable before its name, and its name before the first move",
            DataSync(marker + ".tmp"),
            Rename(marker + ".tmp", marker, "RENAME_NOREPLACE"),
            DirectorySync(sibling));
        spec.NoneBefore(markerDurable, moveIn, "after a crash, recovery must find the marker that lists what to move back");

        foreach (string directory in new[] { "metadata", "metadata/schemas", "metadata/schemas/users", "wal" })
        {
            string made = Path.Join(sibling, directory);
            spec.Order($"{made}, made by the restore, must be fsynced before the exchange", MakeDirectory(made), DirectorySync(made), Rename(_data.Root, sibling, "RENAME_EXCHANGE"));
        }

        string movedMarker = Path.Join(_data.Root, RestoreIntent.FileName);
        spec.Order(
            "the exchange must be durable before the tidy-up (removing the marker) starts",
            Rename(_data.Root, sibling, "RENAME_EXCHANGE"),
            DirectorySync(parent),
            new SyscallEvent($"unlink {movedMarker}", c => c.Succeeded && c.Name is "unlink" or "unlinkat" && c.Paths.Count > 0 && c.Paths[^1] == movedMarker));
        spec.AssertHolds();
    }
}
