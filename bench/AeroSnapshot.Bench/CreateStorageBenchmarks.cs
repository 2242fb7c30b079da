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
public class CreateStorageBenchmarks : SnapshotBenchmarkBase
{
    [ParamsSource(nameof(StorageSizes))]
    public int StorageMiB { get; set; }

    public static IEnumerable<int> StorageSizes => BenchmarkSettings.Short
        ? [1]
        : BenchmarkSettings.Include4GiB ? [64, 1024, 4096] : [64, 1024];

    [GlobalSetup]
    public void Setup() => SetUp($"create-{StorageMiB}", (long)StorageMiB << 20, schemaFiles: 10, schemaFileBytes: 4096);

    [GlobalCleanup]
    public void Cleanup() => TearDown();

    [IterationSetup]
    public void ColdSource() => StartCold();

    [Benchmark(Baseline = true, Description = "reference algorithm")]
    public void Reference() => ReferenceAlgorithm.CreateSnapshot(Data.StoragePath, Data.SchemaDirectory, Path.Join(Data.SnapshotsDirectory, "reference"));

    [Benchmark(Description = "naive .NET")]
    public void Naive() => NaiveDotNet.CreateSnapshot(Data.StoragePath, Data.SchemaDirectory, Path.Join(Data.SnapshotsDirectory, "naive"));

    [Benchmark(Description = "AeroSnapshot.Fast")]
    public SnapshotId Fast() => Create(new SnapshotOptions { TimeProvider = Clock });

    [Benchmark(Description = "Fast, no writeback window")]
    public SnapshotId FastWithoutWindow() => Create(new SnapshotOptions { TimeProvider = Clock, WritebackWindowBytes = 0 });

    [Benchmark(Description = "Fast, streaming only (no reflink)")]
    public SnapshotId FastStreamingOnly() => Create(new SnapshotOptions { TimeProvider = Clock, UseReflink = false });
}

