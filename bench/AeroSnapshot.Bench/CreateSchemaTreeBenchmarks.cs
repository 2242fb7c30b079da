using AeroSnapshot.Bench.Baselines;
using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Creation;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench;

/// <summary>Create with many small schema files: here the cost is fsync round trips, not bandwidth.</summary>
[MemoryDiagnoser]
[Config(typeof(IoBenchmarkConfig))]
public class CreateSchemaTreeBenchmarks : SnapshotBenchmarkBase
{
    [ParamsSource(nameof(FileCounts))]
    public int SchemaFiles { get; set; }

    [Params(32 * 1024)]
    public int SchemaFileBytes { get; set; }

    public static IEnumerable<int> FileCounts => BenchmarkSettings.Short ? [20] : [10, 2000];

    [GlobalSetup]
    public void Setup() => SetUp($"schemas-{SchemaFiles}", 4096, SchemaFiles, SchemaFileBytes);

    [GlobalCleanup]
    public void Cleanup() => TearDown();

    // Old copies are set aside, not deleted: thousands of deletions right before a create would
    // make every method pay ext4's recently-deleted-inode scan.
    [IterationSetup]
    public void ColdSource() => StartCold(setAsideOldSnapshots: true);

    [Benchmark(Baseline = true, Description = "reference algorithm")]
    public void Reference() => ReferenceAlgorithm.CreateSnapshot(Data.StoragePath, Data.SchemaDirectory, Path.Join(Data.SnapshotsDirectory, "reference"));

    [Benchmark(Description = "naive .NET")]
    public void Naive() => NaiveDotNet.CreateSnapshot(Data.StoragePath, Data.SchemaDirectory, Path.Join(Data.SnapshotsDirectory, "naive"));

    [Benchmark(Description = "AeroSnapshot.Fast")]
    public SnapshotId Fast() => Create(new SnapshotOptions { TimeProvider = Clock });

    [Benchmark(Description = "Fast, fdatasync each as written")]
    public SnapshotId FastEachAsWritten() => Create(new SnapshotOptions { TimeProvider = Clock, SchemaSync = SchemaSyncMode.EachAsWritten });

    [Benchmark(Description = "Fast, no read-ahead of the sources")]
    public SnapshotId FastWithoutPrefetch() => Create(new SnapshotOptions { TimeProvider = Clock, PrefetchSchemas = false });

    [Benchmark(Description = "Fast, one syncfs")]
    public SnapshotId FastSyncFs() => Create(new SnapshotOptions { TimeProvider = Clock, SchemaSync = SchemaSyncMode.SyncFs });
}
