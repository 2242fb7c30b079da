using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench.Regression;

/// <summary>
/// The regression gate's cached verify: a 16 MiB snapshot with 100 schema files, kept in the page
/// cache, verified end to end (open, read, CRC, compare with the manifest). With the files cached
/// this is memory copies and CRC, so it belongs with the CPU-bound set and its 5 % threshold.
/// </summary>
[MemoryDiagnoser]
public class RegressionCpuCachedVerify
{
    private BenchData _data = null!;
    private SnapshotManager _manager = null!;
    private string _snapshot = null!;

    [GlobalSetup]
    public void Setup()
    {
        long storageBytes = BenchmarkSettings.Short ? 1 << 20 : 16 << 20;
        _data = new BenchData("regress-verify", storageBytes, schemaFiles: 100, schemaFileBytes: 4096);
        _manager = new SnapshotManager();
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            SnapshotId id = _manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, executionLock, new SnapshotOptions()).Id;
            _snapshot = Path.Join(_data.SnapshotsDirectory, id.ToString());
        }

        PageCache.Warm(_snapshot);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _manager.Dispose();
        _data.Dispose();
    }

    [Benchmark(Description = "Verify a cached 16 MiB snapshot")]
    public bool Verify() => _manager.Verify(_snapshot).IsValid;
}
