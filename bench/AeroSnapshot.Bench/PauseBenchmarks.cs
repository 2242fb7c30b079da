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
public class PauseBenchmarks : SnapshotBenchmarkBase
{
    [ParamsSource(nameof(StorageSizes))]
    public int StorageMiB { get; set; }

    public static IEnumerable<int> StorageSizes => BenchmarkSettings.Short ? [1] : [1024];

    [GlobalSetup]
    public void Setup() => SetUp($"pause-{StorageMiB}", (long)StorageMiB << 20, schemaFiles: 10, schemaFileBytes: 4096);

    [GlobalCleanup]
    public void Cleanup() => TearDown();

    [IterationSetup(Target = nameof(Unprepared))]
    public void ColdSource() => StartCold();

    [IterationSetup(Target = nameof(PreparedWarm))]
    public void ColdSourceThenPrepareAndWarm()
    {
        ColdSource();
        Manager.PrepareSnapshot(Data.Root, Data.StoragePath, warmSource: true);
    }

    [IterationSetup(Target = nameof(Prepared))]
    public void ColdSourceThenPrepare()
    {
        ColdSource();
        Manager.PrepareSnapshot(Data.Root, Data.StoragePath, warmSource: false);
    }

    [Benchmark(Baseline = true, Description = "pause, no preparation")]
    public SnapshotId Unprepared() => Create();

    [Benchmark(Description = "pause after PrepareSnapshot")]
    public SnapshotId Prepared() => Create();

    [Benchmark(Description = "pause after PrepareSnapshot(warmSource: true)")]
    public SnapshotId PreparedWarm() => Create();
}
