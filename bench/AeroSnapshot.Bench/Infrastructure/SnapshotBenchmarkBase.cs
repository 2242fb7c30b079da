using AeroSnapshot.Fast;

namespace AeroSnapshot.Bench.Infrastructure;

/// <summary>
/// What every create benchmark shares: a data directory built once, a manager whose buffer pool
/// lives across iterations, a cold source before every iteration, and a locked create with a
/// clock that always gives the same id (the previous snapshot is removed first).
/// </summary>
public abstract class SnapshotBenchmarkBase
{
    private readonly GlobalExecutionLock _lock = new();

    private protected BenchData Data { get; private set; } = null!;

    private protected SnapshotManager Manager { get; private set; } = null!;

    private protected TimeProvider Clock { get; } = new FixedClock();

    private protected void SetUp(string name, long storageBytes, int schemaFiles, int schemaFileBytes)
    {
        Data = new BenchData(name, storageBytes, schemaFiles, schemaFileBytes);
        Manager = new SnapshotManager();
    }

    private protected void TearDown()
    {
        Manager.Dispose();
        Data.Dispose();
    }

    /// <summary>Removes the previous snapshot and evicts the sources: every iteration starts cold.</summary>
    /// <param name="setAsideOldSnapshots">Move old snapshots aside instead of deleting them (see <see cref="BenchData.ClearSnapshots"/>).</param>
    private protected void StartCold(bool setAsideOldSnapshots = false)
    {
        Data.ClearSnapshots(setAsideOldSnapshots);
        Data.EvictSources();
    }

    private protected SnapshotId Create(SnapshotOptions? options = null)
    {
        using (_lock.Acquire())
        {
            return Manager.CreateSnapshot(Data.Root, Data.StoragePath, Data.SchemaDirectory, WalDurability.None, _lock, options ?? new SnapshotOptions { TimeProvider = Clock }).Id;
        }
    }
}

/// <summary>Always the same second, so every iteration writes the same snapshot id.</summary>
internal sealed class FixedClock : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => new(2026, 2, 4, 11, 30, 0, TimeSpan.Zero);
}
