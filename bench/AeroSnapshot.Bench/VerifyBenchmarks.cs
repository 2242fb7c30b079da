using System.Diagnostics;
using AeroSnapshot.Bench.Baselines;
using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench;

/// <summary>
/// Verify of a cached snapshot (as right after it was taken): the cost is reading plus CRC, so the
/// bar is the issue's: GNU <c>cat</c> of the same files to <c>/dev/null</c>, run as a process
/// (its start costs about a millisecond). A .NET read loop with a 1 MiB buffer that does nothing
/// with the bytes is the stricter second baseline: the fastest a single thread can read them.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(IoBenchmarkConfig))]
public class VerifyBenchmarks
{
    private BenchData _data = null!;
    private SnapshotManager _manager = null!;
    private string _snapshot = null!;
    private string[] _files = [];
    private readonly byte[] _readBuffer = GC.AllocateUninitializedArray<byte>(1 << 20, pinned: true);

    [ParamsSource(nameof(StorageSizes))]
    public int StorageMiB { get; set; }

    public static IEnumerable<int> StorageSizes => BenchmarkSettings.Short ? [1] : [64, 1024];

    [GlobalSetup]
    public void Setup()
    {
        _data = new BenchData($"verify-{StorageMiB}", (long)StorageMiB << 20, schemaFiles: 10, schemaFileBytes: 4096);
        _manager = new SnapshotManager();
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            SnapshotId id = _manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, executionLock, new SnapshotOptions { WritebackWindowBytes = 0 }).Id;
            _snapshot = Path.Join(_data.SnapshotsDirectory, id.ToString());
        }

        _files = Directory.GetFiles(_snapshot, "*", SearchOption.AllDirectories);
        PageCache.Warm(_snapshot);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _manager.Dispose();
        _data.Dispose();
    }

    [Benchmark(Baseline = true, Description = "cat > /dev/null")]
    public int Cat()
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (string argument in (string[])["-c", "exec cat -- \"$@\" > /dev/null", "sh", .. _files])
        {
            start.ArgumentList.Add(argument);
        }

        using Process cat = Process.Start(start)!;
        cat.WaitForExit();
        return cat.ExitCode == 0 ? 0 : throw new InvalidOperationException($"cat exited with {cat.ExitCode}");
    }

    [Benchmark(Description = "read only (.NET, 1 MiB)")]
    public long ReadOnly()
    {
        long total = 0;
        foreach (string file in _files)
        {
            using var handle = File.OpenHandle(file);
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(handle, _readBuffer, offset)) > 0)
            {
                offset += read;
            }

            total += offset;
        }

        return total;
    }

    [Benchmark(Description = "reference (8 KiB + CRC)")]
    public uint Reference()
    {
        uint last = 0;
        foreach (string file in Directory.EnumerateFiles(_snapshot, "*", SearchOption.AllDirectories))
        {
            last = ReferenceAlgorithm.ChecksumByRereading(file);
        }

        return last;
    }

    [Benchmark(Description = "AeroSnapshot.Fast Verify")]
    public bool Verify() => _manager.Verify(_snapshot).IsValid;

    // A buffer that stays in the L2 cache between the copy out of the page cache and the CRC.
    [Benchmark(Description = "Verify, 256 KiB buffer")]
    public bool VerifySmallBuffer() => _manager.Verify(_snapshot, new SnapshotOptions { BufferSize = 256 * 1024 }).IsValid;
}
