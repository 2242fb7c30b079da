using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Backup;

/// <summary>A data directory with a snapshot and a WAL, and helpers to back it up.</summary>
internal static class BackupFixture
{
    public static readonly DateTimeOffset SnapshotClock = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static TestDataDirectory Build(out SnapshotId id, out byte[] wal, long storageBytes = 200_000, SnapshotManager? manager = null)
    {
        var data = new TestDataDirectory();
        data.WriteStorage(storageBytes);
        data.WriteSchema("users.json", "{\"type\":\"object\"}");
        data.WriteSchema("b/deep/orders.json", "{\"o\":1}");
        data.WriteSchema("a.json", "[]");
        Directory.CreateDirectory(Path.Join(data.SchemaDirectory, "empty"));
        (wal, _) = WalBuilder.Valid([3, 300, 3000, 0]);
        Directory.CreateDirectory(Path.Join(data.Root, "wal"));
        File.WriteAllBytes(Path.Join(data.Root, "wal", "wal.log"), wal);
        using var owned = manager is null ? new SnapshotManager() : null;
        id = data.CreateSnapshot(manager ?? owned!, new SnapshotOptions { TimeProvider = new FixedTimeProvider(SnapshotClock) });
        return data;
    }

    public static BackupResult Backup(SnapshotManager manager, string dataDirectory, string output, DateTimeOffset? clock = null, SnapshotOptions? options = null)
    {
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            options ??= new SnapshotOptions { TimeProvider = new FixedTimeProvider(clock ?? SnapshotClock.AddHours(1)) };
            return manager.Backup(dataDirectory, output, null, executionLock, options);
        }
    }

    public static string Scratch(TestDataDirectory data, string name)
    {
        string directory = Path.Join(Path.GetDirectoryName(data.Root)!, Path.GetFileName(data.Root) + "-out");
        Directory.CreateDirectory(directory);
        return Path.Join(directory, name);
    }

    public static void DeleteScratch(TestDataDirectory data)
    {
        string directory = Path.Join(Path.GetDirectoryName(data.Root)!, Path.GetFileName(data.Root) + "-out");
        if (Directory.Exists(directory))
        {
            TestDataDirectory.DeleteTree(directory);
        }
    }
}
