using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Precopy;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench;

/// <summary>
/// The write pause against the database's size (issue 28), for every path, in one run: the one-call
/// create with the lock held throughout (the baseline), the capture alone (a clone where the file
/// system shares extents, a copy where it does not; the completion runs untimed after it), and the
/// pause after a pre-copy with 1 MiB appended. The source is warm, as a running database keeps it.
/// Run it on the file system under test (AEROSNAP_BENCH_DIR on an XFS, btrfs or ext4 mount);
/// AEROSNAP_BENCH_PAUSE_GIB picks the sizes. bench/scripts/pause-vs-size.sh is the whole-process
/// counterpart that the chart in docs/ comes from.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(IoBenchmarkConfig))]
public class PauseBySizeBenchmarks
{
    private const int AppendBytes = 1 << 20;
    private readonly GlobalExecutionLock _lock = new();
    private readonly FixedClock _clock = new();
    private BenchData _data = null!;
    private SnapshotManager _manager = null!;
    private SnapshotCapture? _capture;
    private SnapshotPrecopy? _precopy;
    private int _round;

    /// <summary>The storage file's size; 1 MiB in the smoke run.</summary>
    [ParamsSource(nameof(StorageSizes))]
    public long StorageMiB { get; set; }

    public static IEnumerable<long> StorageSizes => BenchmarkSettings.Short ? [1] : BenchmarkSettings.PauseSizesGiB.Select(static gib => (long)gib << 10);

    [GlobalSetup]
    public void Setup()
    {
        _data = new BenchData($"pause-by-size-{StorageMiB}", StorageMiB << 20, schemaFiles: 10, schemaFileBytes: 4096);
        _manager = new SnapshotManager();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _precopy?.Dispose();
        _manager.Dispose();
        _data.Dispose();
    }

    [IterationSetup(Targets = [nameof(LockHeldThroughout), nameof(Capture)])]
    public void WarmSource()
    {
        _data.ClearSnapshots();
        PageCache.WarmFile(_data.StoragePath);
        PageCache.Warm(_data.SchemaDirectory);
    }

    [IterationCleanup(Target = nameof(Capture))]
    public void Complete()
    {
        using SnapshotCapture? capture = _capture;
        capture?.Complete();
        _capture = null;
    }

    [IterationSetup(Target = nameof(PrecopyPause))]
    public void PrecopyThenAppend()
    {
        _data.ClearSnapshots();
        _precopy?.Dispose();
        _precopy = _manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory);
        byte[] bytes = new byte[AppendBytes];
        new Random(++_round).NextBytes(bytes);
        using (FileStream stream = new(_data.StoragePath, FileMode.Append, FileAccess.Write))
        {
            stream.Write(bytes);
        }

        PageCache.WarmFile(_data.StoragePath);
    }

    [Benchmark(Baseline = true, Description = "create, lock held throughout")]
    public SnapshotId LockHeldThroughout()
    {
        using (_lock.Acquire())
        {
            return _manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, _lock, Options(precopy: null)).Id;
        }
    }

    [Benchmark(Description = "capture (the pause; complete untimed)")]
    public SnapshotId Capture()
    {
        using (_lock.Acquire())
        {
            _capture = _manager.CaptureSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, _lock, Options(precopy: null));
            return _capture.Id;
        }
    }

    [Benchmark(Description = "pause after a pre-copy, 1 MiB appended")]
    public SnapshotId PrecopyPause()
    {
        using (_lock.Acquire())
        {
            return _manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, _lock, Options(_precopy)).Id;
        }
    }

    private SnapshotOptions Options(SnapshotPrecopy? precopy) => new() { TimeProvider = _clock, Precopy = precopy };
}
