using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench;

/// <summary>
/// The paused part alone: <c>CreateSnapshot</c> from a cold source, with and without
/// <c>PrepareSnapshot</c> having run just before the pause (its time is in the untimed set-up,
/// because the database does not pause writes for it).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(IoBenchmarkConfig))]
public class PauseBenchmarks
{
    private BenchData _data = null!;
    private SnapshotManager _manager = null!;
    private readonly GlobalExecutionLock _lock = new();
    private readonly FixedClock _clock = new();

    [ParamsSource(nameof(StorageSizes))]
    public int StorageMiB { get; set; }

    public static IEnumerable<int> StorageSizes => BenchmarkSettings.Short ? [1] : [1024];

    [GlobalSetup]
    public void Setup()
    {
        _data = new BenchData($"pause-{StorageMiB}", (long)StorageMiB << 20, schemaFiles: 10, schemaFileBytes: 4096);
        _manager = new SnapshotManager();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _manager.Dispose();
        _data.Dispose();
    }

    [IterationSetup(Target = nameof(Unprepared))]
    public void ColdSource()
    {
        _data.ClearSnapshots();
        _data.EvictSources();
    }

    [IterationSetup(Target = nameof(PreparedWarm))]
    public void ColdSourceThenPrepareAndWarm()
    {
        ColdSource();
        _manager.PrepareSnapshot(_data.Root, _data.StoragePath, warmSource: true);
    }

    [IterationSetup(Target = nameof(Prepared))]
    public void ColdSourceThenPrepare()
    {
        ColdSource();
        _manager.PrepareSnapshot(_data.Root, _data.StoragePath, warmSource: false);
    }

    [Benchmark(Baseline = true, Description = "pause, no preparation")]
    public SnapshotId Unprepared() => Create();

    [Benchmark(Description = "pause after PrepareSnapshot")]
    public SnapshotId Prepared() => Create();

    [Benchmark(Description = "pause after PrepareSnapshot(warmSource: true)")]
    public SnapshotId PreparedWarm() => Create();

    private SnapshotId Create()
    {
        using (_lock.Acquire())
        {
            return _manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, _lock, new SnapshotOptions { TimeProvider = _clock });
        }
    }
}
