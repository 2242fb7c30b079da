using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench.Regression;

/// <summary>
/// The regression gate's opt-in I/O-bound set (<c>regress.sh --io</c>): cold creates of a storage
/// file and of a schema tree, the library's default options, every iteration from a cold page cache.
/// Monitoring job (IoBenchmarkConfig); the gate compares them at the larger I/O threshold.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(IoBenchmarkConfig))]
public class RegressionIoCreate : SnapshotBenchmarkBase
{
    /// <summary>"storage": one 256 MiB storage file and 10 schemas; "schemas": 4 KiB of storage and 500 schema files of 32 KiB.</summary>
    [Params("storage", "schemas")]
    public string Shape { get; set; } = "storage";

    [GlobalSetup]
    public void Setup()
    {
        bool storage = Shape == "storage";
        long storageBytes = storage ? (BenchmarkSettings.Short ? 1 << 20 : 256L << 20) : 4096;
        int schemaFiles = storage ? 10 : (BenchmarkSettings.Short ? 20 : 500);
        SetUp($"regress-io-{Shape}", storageBytes, schemaFiles, 32 * 1024);
    }

    [GlobalCleanup]
    public void Cleanup() => TearDown();

    [IterationSetup]
    public void ColdSource() => StartCold(setAsideOldSnapshots: true);

    [Benchmark(Description = "Create, cold source")]
    public SnapshotId CreateCold() => Create(new SnapshotOptions { TimeProvider = Clock });
}
