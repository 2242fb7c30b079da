using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Tests.Support;
using static AeroSnapshot.TestSupport.Strace.DurableSequence;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// Recovery of a restore interrupted before its swap moves the data directory's entries back from
/// the new directory and deletes it. The moves back must be durable in both directories before
/// anything of the new directory is deleted, or a crash during the deletion can lose the entries
/// with it; and a marker written by an earlier version, which also lists entries of
/// <c>metadata/</c>, must have those moved back too. Found by the mutation run of issue #17:
/// removing either fsync, or the <c>metadata/</c> branch, failed no test.
/// </summary>
public sealed class RestoreRollbackDurabilityTests : IDisposable
{
    private const string Traced = "fsync,fdatasync,renameat2,?rename,?renameat,?unlink,unlinkat,?rmdir";
    private static readonly SnapshotId Id = SnapshotId.Parse("20260301T101010Z");

    private readonly string _parent = Directory.CreateTempSubdirectory("aerosnap-rollback-").FullName;

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    [PrivilegedFact]
    public void Recovery_moves_every_listed_entry_back_durably_before_deleting_the_new_directory()
    {
        string target = Path.Join(_parent, "data");
        string sibling = Path.Join(_parent, ".data.restore-" + Id);
        Directory.CreateDirectory(Path.Join(target, "metadata"));
        File.WriteAllText(Path.Join(target, "storage.dat"), "old storage");

        // What a crash after the moves leaves: the kept entries in the new directory, and its marker
        // (in the format earlier versions wrote, with a metadata/ entry).
        Directory.CreateDirectory(Path.Join(sibling, "snapshots", "20260101T000000Z"));
        File.WriteAllText(Path.Join(sibling, "snapshots", "20260101T000000Z", "manifest.json"), "{}");
        Directory.CreateDirectory(Path.Join(sibling, "wal"));
        File.WriteAllText(Path.Join(sibling, "wal", "wal.log"), "old wal");
        Directory.CreateDirectory(Path.Join(sibling, "metadata"));
        File.WriteAllText(Path.Join(sibling, "metadata", "catalog.json"), "{\"catalog\":1}");
        File.WriteAllText(Path.Join(sibling, "storage.dat"), "new storage");
        File.WriteAllText(
            Path.Join(sibling, RestoreIntent.FileName),
            $"aerosnap-restore-intent 1\nsnapshot {Id}\ntop {Hex("snapshots")}\ntop {Hex("wal")}\nmetadata {Hex("catalog.json")}\nend\n");

        List<string> handled;
        IReadOnlyList<Syscall> calls;
        using (var recorder = AttachedStrace.Record(Traced))
        {
            handled = RestoreRecovery.Recover(RestoreTarget.For(target));
            calls = recorder.Stop();
        }

        Assert.Equal([".data.restore-" + Id], handled);
        Assert.False(Directory.Exists(sibling));
        Assert.Equal("{}", File.ReadAllText(Path.Join(target, "snapshots", "20260101T000000Z", "manifest.json")));
        Assert.Equal("old wal", File.ReadAllText(Path.Join(target, "wal", "wal.log")));
        Assert.Equal("{\"catalog\":1}", File.ReadAllText(Path.Join(target, "metadata", "catalog.json")));
        Assert.Equal("old storage", File.ReadAllText(Path.Join(target, "storage.dat")));

        var spec = new DurableSequence(calls);
        var deletion = RemovalUnder(sibling);
        foreach ((string from, string to) in new[] { (sibling, target), (Path.Join(sibling, "metadata"), Path.Join(target, "metadata")) })
        {
            foreach (string directory in new[] { from, to })
            {
                int synced = spec.Order(
                    $"the moves back out of {from} must be durable in {directory} before the new directory is deleted",
                    new SyscallEvent($"a move from {from} to {to}", c => c.Succeeded && c.Name == "renameat2" && c.Paths.Count == 2 && Path.GetDirectoryName(c.Paths[0]) == from && Path.GetDirectoryName(c.Paths[1]) == to),
                    DirectorySync(directory));
                spec.NoneBefore(synced, deletion, $"a crash while deleting could lose entries whose move back into {to} was not durable");
            }
        }

        spec.Order("the new directory's deletion must be made durable in the parent", RemoveDirectory(sibling), DirectorySync(_parent));
        spec.AssertHolds();
    }

    private static string Hex(string name) => Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(name));
}
