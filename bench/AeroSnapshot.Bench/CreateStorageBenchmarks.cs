using AeroSnapshot.Bench.Baselines;
using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench;

/// <summary>
/// Create with a large storage file and a small schema tree, from a cold source (evicted before
/// every iteration), fsync included: the database's write pause.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(IoBenchmarkConfig))]
public class CreateStorageBenchmarks
{
    private BenchData _data = null!;
    private SnapshotManager _manager = null!;
    private readonly GlobalExecutionLock _lock = new();
    private readonly FixedClock _clock = new();

    [ParamsSource(nameof(StorageSizes))]
    public int StorageMiB { get; set; }

    public static IEnumerable<int> StorageSizes => BenchmarkSettings.Short
        ? [1]
        : BenchmarkSettings.Include4GiB ? [64, 1024, 4096] : [64, 1024];

    [GlobalSetup]
    public void Setup()
    {
        _data = new BenchData($"create-{StorageMiB}", (long)StorageMiB << 20, schemaFiles: 10, schemaFileBytes: 4096);
        _manager = new SnapshotManager();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _manager.Dispose();
        _data.Dispose();
    }

    [IterationSetup]
    public void ColdSource()
    {
        _data.ClearSnapshots();
        _data.EvictSources();
    }

    [Benchmark(Baseline = true, Description = "reference algorithm")]
    public void Reference() => ReferenceAlgorithm.CreateSnapshot(_data.StoragePath, _data.SchemaDirectory, Path.Join(_data.SnapshotsDirectory, "reference"));

    [Benchmark(Description = "naive .NET")]
    public void Naive() => NaiveDotNet.CreateSnapshot(_data.StoragePath, _data.SchemaDirectory, Path.Join(_data.SnapshotsDirectory, "naive"));

    [Benchmark(Description = "AeroSnapshot.Fast")]
    public SnapshotId Fast() => Create(new SnapshotOptions { TimeProvider = _clock });

    [Benchmark(Description = "Fast, no writeback window")]
    public SnapshotId FastWithoutWindow() => Create(new SnapshotOptions { TimeProvider = _clock, WritebackWindowBytes = 0 });

    [Benchmark(Description = "Fast, streaming only (no reflink)")]
    public SnapshotId FastStreamingOnly() => Create(new SnapshotOptions { TimeProvider = _clock, UseReflink = false });

    private SnapshotId Create(SnapshotOptions options)
    {
        using (_lock.Acquire())
        {
            return _manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, _lock, options);
        }
    }
}

/// <summary>Always the same second, so every iteration writes the same snapshot id.</summary>
internal sealed class FixedClock : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => new(2026, 2, 4, 11, 30, 0, TimeSpan.Zero);
}
