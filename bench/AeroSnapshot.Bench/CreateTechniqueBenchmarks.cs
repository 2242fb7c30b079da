using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench;

/// <summary>
/// One storage size, one knob at a time: the writeback window, the buffer size, fallocate,
/// fdatasync against fsync, and the O_DIRECT and RWF_DONTCACHE write paths. The default configuration is the baseline, so each Ratio says what
/// turning that knob does.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(IoBenchmarkConfig))]
public class CreateTechniqueBenchmarks : SnapshotBenchmarkBase
{
    [ParamsSource(nameof(StorageSizes))]
    public int StorageMiB { get; set; }

    public static IEnumerable<int> StorageSizes => BenchmarkSettings.Short ? [1] : BenchmarkSettings.Include4GiB ? [1024, 4096] : [1024];

    [GlobalSetup]
    public void Setup() => SetUp($"technique-{StorageMiB}", (long)StorageMiB << 20, schemaFiles: 10, schemaFileBytes: 4096);

    [GlobalCleanup]
    public void Cleanup() => TearDown();

    [IterationSetup]
    public void ColdSource() => StartCold();

    [Benchmark(Baseline = true, Description = "default (1 MiB buffer, 8 MiB window)")]
    public SnapshotId Default() => Create(new SnapshotOptions { TimeProvider = Clock });

    [Benchmark(Description = "no window (one fdatasync at the end)")]
    public SnapshotId NoWindow() => Create(new SnapshotOptions { TimeProvider = Clock, WritebackWindowBytes = 0 });

    [Benchmark(Description = "32 MiB window")]
    public SnapshotId Window32() => Create(new SnapshotOptions { TimeProvider = Clock, WritebackWindowBytes = 32L << 20 });

    [Benchmark(Description = "128 MiB window")]
    public SnapshotId Window128() => Create(new SnapshotOptions { TimeProvider = Clock, WritebackWindowBytes = 128L << 20 });

    [Benchmark(Description = "64 KiB buffer")]
    public SnapshotId Buffer64K() => Create(new SnapshotOptions { TimeProvider = Clock, BufferSize = 64 << 10 });

    [Benchmark(Description = "16 MiB buffer")]
    public SnapshotId Buffer16M() => Create(new SnapshotOptions { TimeProvider = Clock, BufferSize = 16 << 20 });

    [Benchmark(Description = "no fallocate")]
    public SnapshotId NoFallocate() => Create(new SnapshotOptions { TimeProvider = Clock, Preallocate = false });

    [Benchmark(Description = "fsync instead of fdatasync")]
    public SnapshotId Fsync() => Create(new SnapshotOptions { TimeProvider = Clock, SyncFilesWithFsync = true });

    [Benchmark(Description = "O_DIRECT destination")]
    public SnapshotId Direct() => Create(new SnapshotOptions { TimeProvider = Clock, StorageWriteMode = Fast.Copying.DestinationWriteMode.Direct });

    [Benchmark(Description = "RWF_DONTCACHE writes")]
    public SnapshotId DontCache() => Create(new SnapshotOptions { TimeProvider = Clock, StorageWriteMode = Fast.Copying.DestinationWriteMode.DontCache });
}
