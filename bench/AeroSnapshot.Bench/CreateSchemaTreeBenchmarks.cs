using AeroSnapshot.Bench.Baselines;
using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Creation;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench;

/// <summary>Create with many small schema files: here the cost is fsync round trips, not bandwidth.</summary>
[MemoryDiagnoser]
[Config(typeof(IoBenchmarkConfig))]
public class CreateSchemaTreeBenchmarks
{
    private BenchData _data = null!;
    private SnapshotManager _manager = null!;
    private readonly GlobalExecutionLock _lock = new();
    private readonly FixedClock _clock = new();

    [ParamsSource(nameof(FileCounts))]
    public int SchemaFiles { get; set; }

    [Params(32 * 1024)]
    public int SchemaFileBytes { get; set; }

    public static IEnumerable<int> FileCounts => BenchmarkSettings.Short ? [20] : [10, 2000];

    [GlobalSetup]
    public void Setup()
    {
        _data = new BenchData($"schemas-{SchemaFiles}", 4096, SchemaFiles, SchemaFileBytes);
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

    [Benchmark(Description = "Fast, fdatasync each as written")]
    public SnapshotId FastEachAsWritten() => Create(new SnapshotOptions { TimeProvider = _clock, SchemaSync = SchemaSyncMode.EachAsWritten });

    [Benchmark(Description = "Fast, one syncfs")]
    public SnapshotId FastSyncFs() => Create(new SnapshotOptions { TimeProvider = _clock, SchemaSync = SchemaSyncMode.SyncFs });

    private SnapshotId Create(SnapshotOptions options)
    {
        using (_lock.Acquire())
        {
            return _manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, _lock, options);
        }
    }
}
