using System.Diagnostics;
using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench;

/// <summary>
/// Backup and restore-backup of a snapshot with a WAL, sources warm in the page cache (the
/// cold-cache whole-process comparison is <c>bench/scripts/compare-backup.sh</c>). Baselines: GNU
/// <c>tar cf</c> of the same files, and <c>tar xf</c> of the same archive, each followed by
/// <c>sync -f</c> of the output (an fsync of that file system), run as processes.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(IoBenchmarkConfig))]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class BackupBenchmarks
{
    private BenchData _data = null!;
    private SnapshotManager _manager = null!;
    private string _snapshotId = null!;
    private string _archive = null!;
    private string _tarArchive = null!;
    private string _restoreTarget = null!;

    [ParamsSource(nameof(StorageSizes))]
    public int StorageMiB { get; set; }

    public static IEnumerable<int> StorageSizes => BenchmarkSettings.Short ? [1] : [64, 1024];

    [GlobalSetup]
    public void Setup()
    {
        _data = new BenchData($"backup-{StorageMiB}", (long)StorageMiB << 20, schemaFiles: 10, schemaFileBytes: 4096);
        Directory.CreateDirectory(Path.Join(_data.Root, "wal"));
        File.WriteAllBytes(Path.Join(_data.Root, "wal", "wal.log"), Wal(StorageMiB << 14)); // a WAL 1/64 of the storage size
        _manager = new SnapshotManager();
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            _snapshotId = _manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, executionLock).Id.ToString();
        }

        _archive = Path.Join(_data.Root, "backup.tar");
        _tarArchive = Path.Join(_data.Root, "tar.tar");
        _restoreTarget = Path.Join(_data.Root, "restored");
        PageCache.Warm(_data.SnapshotsDirectory);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _manager.Dispose();
        _data.Dispose();
    }

    [IterationSetup(Targets = [nameof(TarCreate), nameof(Backup)])]
    public void RemoveArchives()
    {
        File.Delete(_archive);
        File.Delete(_tarArchive);
    }

    [IterationSetup(Targets = [nameof(TarExtract), nameof(RestoreBackup)])]
    public void PrepareRestore()
    {
        if (!File.Exists(_archive))
        {
            Backup();
        }

        if (Directory.Exists(_restoreTarget))
        {
            Directory.Delete(_restoreTarget, recursive: true);
        }

        Directory.CreateDirectory(_restoreTarget);
    }

    [BenchmarkCategory("backup")]
    [Benchmark(Baseline = true, Description = "tar cf + sync -f")]
    public int TarCreate()
        => Shell($"tar cf '{_tarArchive}' -C '{_data.SnapshotsDirectory}' '{_snapshotId}' -C '{_data.Root}' wal/wal.log && sync -f '{_tarArchive}'");

    [BenchmarkCategory("backup")]
    [Benchmark(Description = "aerosnap backup")]
    public long Backup()
    {
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            return _manager.Backup(_data.Root, _archive, null, executionLock).ArchiveBytes;
        }
    }

    [BenchmarkCategory("restore")]
    [Benchmark(Baseline = true, Description = "tar xf + sync -f")]
    public int TarExtract() => Shell($"tar xf '{_archive}' -C '{_restoreTarget}' && sync -f '{_restoreTarget}'");

    [BenchmarkCategory("restore")]
    [Benchmark(Description = "aerosnap restore-backup")]
    public long RestoreBackup() => _manager.RestoreBackup(_archive, _restoreTarget).SnapshotBytes;

    private static int Shell(string command)
    {
        using Process process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { UseShellExecute = false })!;
        process.WaitForExit();
        return process.ExitCode == 0 ? 0 : throw new InvalidOperationException($"'{command}' exited with {process.ExitCode}");
    }

    private static byte[] Wal(int bytes)
    {
        const int Record = 4096;
        var wal = new byte[Math.Max(bytes / Record, 1) * Record];
        new Random(7).NextBytes(wal);
        AeroSnapshot.Bench.Infrastructure.AeroDbWalRecords.Fill(wal, Record, static _ => 0);
        return wal;
    }
}
