using System.Text.Json;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// The states a checkpoint of <c>DataDirectory</c> may leave when it is interrupted (killed, or a
/// system call failed), judged from the files alone, with the independent oracle for every snapshot
/// and for the one <c>checkpoint.json</c> names. Shared by the kill and the strace suites.
/// </summary>
internal sealed class CheckpointStates(DataDirectory dir, byte[] wal)
{
    private readonly DataDirectory _dir = dir;
    private readonly byte[] _wal = wal;

    public string WalPath => Path.Join(_dir.Data, "wal", "wal.log");

    public string MarkerPath => Path.Join(_dir.Data, "checkpoint.json");

    /// <summary>The paths a checkpoint's own steps touch after its snapshot is published.</summary>
    public IEnumerable<string> OwnPaths =>
    [
        _dir.Data,
        Path.Join(_dir.Data, ".checkpoint-intent"),
        Path.Join(_dir.Data, ".checkpoint-intent.tmp"),
        MarkerPath,
        MarkerPath + ".tmp",
        Path.Join(_dir.Data, "wal"),
        WalPath,
    ];

    /// <summary>The state a kill left, before any recovery; fails the test on a forbidden one.</summary>
    public string BeforeClean(ExpectedContent expected, string context)
    {
        byte[] wal = File.ReadAllBytes(WalPath);
        bool walOld = wal.AsSpan().SequenceEqual(_wal);
        Assert.True(walOld || wal.Length == 0, $"{context}: the WAL is neither the old one nor empty ({wal.Length} bytes)");
        string? marked = MarkedSnapshot(expected, context);
        Assert.True(walOld || marked is not null, $"{context}: the WAL was reset but no durable checkpoint.json names a valid snapshot");
        bool intent = File.Exists(Path.Join(_dir.Data, ".checkpoint-intent"));
        string[] snapshots = ValidSnapshots(expected, context);
        Assert.True(snapshots.Length <= 1, $"{context}: {snapshots.Length} snapshots after one checkpoint");
        return (walOld, marked is not null) switch
        {
            (true, false) => $"WAL old, no marker, {snapshots.Length} snapshot(s){(intent ? ", intent left" : string.Empty)}",
            (true, true) => $"marker durable, WAL old{(intent ? ", intent left" : string.Empty)}",
            _ => $"marker durable, WAL empty{(intent ? ", intent left" : string.Empty)}",
        };
    }

    public string AfterClean(ExpectedContent expected, string context)
    {
        string[] leftovers = [.. Directory.EnumerateFileSystemEntries(_dir.Data).Select(Path.GetFileName).Where(n => n!.StartsWith(".checkpoint-intent", StringComparison.Ordinal) || n.EndsWith(".tmp", StringComparison.Ordinal))!];
        Assert.True(leftovers.Length == 0, $"{context}: clean left {string.Join(", ", leftovers)}");
        if (Directory.Exists(_dir.SnapshotsPath))
        {
            string[] staging = [.. Directory.EnumerateDirectories(_dir.SnapshotsPath).Select(Path.GetFileName).Where(n => n!.StartsWith('.'))!];
            Assert.True(staging.Length == 0, $"{context}: clean left {string.Join(", ", staging)}");
        }

        byte[] wal = File.ReadAllBytes(WalPath);
        string? marked = MarkedSnapshot(expected, context);
        ValidSnapshots(expected, context);
        if (wal.AsSpan().SequenceEqual(_wal) && marked is null)
        {
            return "old WAL, no marker";
        }

        Assert.True(wal.Length == 0 && marked is not null, $"{context}: after clean the WAL has {wal.Length} bytes and the marker {(marked is null ? "is absent" : "names " + marked)}: neither undone nor finished");
        return "empty WAL, marker valid";
    }

    /// <summary>The snapshot a present <c>checkpoint.json</c> names, after checking it with the oracle; null when absent.</summary>
    public string? MarkedSnapshot(ExpectedContent expected, string context)
    {
        if (!File.Exists(MarkerPath))
        {
            return null;
        }

        using var json = JsonDocument.Parse(File.ReadAllBytes(MarkerPath));
        string id = json.RootElement.GetProperty("snapshot_id").GetString()!;
        Assert.True(json.RootElement.GetProperty("wal_truncated").GetBoolean(), $"{context}: checkpoint.json says the WAL was not truncated");
        Assert.Equal(1, json.RootElement.GetProperty("format_version").GetInt32());
        List<string> problems = IndependentSnapshotOracle.Judge(_dir.SnapshotPath(id), expected);
        Assert.True(problems.Count == 0, $"{context}: checkpoint.json names {id}, which the oracle rejects: {string.Join("; ", problems)}");
        return id;
    }

    public string[] ValidSnapshots(ExpectedContent expected, string context)
    {
        string[] ids = _dir.SnapshotIds();
        foreach (string id in ids)
        {
            List<string> problems = IndependentSnapshotOracle.Judge(_dir.SnapshotPath(id), expected);
            Assert.True(problems.Count == 0, $"{context}: snapshot {id} is published but the oracle rejects it: {string.Join("; ", problems)}");
        }

        return ids;
    }

    /// <summary>Back to the state before a checkpoint: the old WAL, no marker, no snapshot (so ids never collide).</summary>
    public void Reset()
    {
        Directory.CreateDirectory(_dir.SnapshotsPath);
        foreach (string entry in Directory.EnumerateDirectories(_dir.SnapshotsPath))
        {
            Directory.Delete(entry, recursive: true);
        }

        foreach (string name in new[] { "checkpoint.json", "checkpoint.json.tmp", ".checkpoint-intent", ".checkpoint-intent.tmp" })
        {
            File.Delete(Path.Join(_dir.Data, name));
        }

        File.WriteAllBytes(WalPath, _wal);
    }
}
