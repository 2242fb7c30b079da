using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Precopy;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench;

/// <summary>
/// The write pause with a pre-copy (issue 18), against a plain create in the same run. Timed: the
/// pause alone (<c>CreateSnapshot</c>), except in <see cref="PrecopyAndPauseCold"/>, which times the
/// pre-copy and the pause together to compare with a plain create. Untimed set-up: the pre-copy, then
/// what the database did meanwhile (1 MiB appended to the storage file; 10 schema files rewritten),
/// then the source's cache state: warm (a running database keeps its file in the page cache) or
/// cold (dropped after the pre-copy, so the pause re-hashes the prefix from disk).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(IoBenchmarkConfig))]
public class PrecopyPauseBenchmarks
{
    private const int AppendBytes = 1 << 20;
    private const int ChangedSchemas = 10;
    private readonly GlobalExecutionLock _lock = new();
    private readonly FixedClock _clock = new();
    private BenchData _storage = null!;
    private BenchData _schemas = null!;
    private SnapshotManager _manager = null!;
    private SnapshotPrecopy? _precopy;
    private int _round;

    private static long StorageBytes => BenchmarkSettings.Short ? 1 << 20 : 1L << 30;

    private static int SchemaFiles => BenchmarkSettings.Short ? 20 : 2000;

    [GlobalSetup]
    public void Setup()
    {
        _storage = new BenchData("precopy-storage", StorageBytes, schemaFiles: 10, schemaFileBytes: 4096);
        _schemas = new BenchData("precopy-schemas", 1 << 20, SchemaFiles, schemaFileBytes: 2048);
        _manager = new SnapshotManager();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _precopy?.Dispose();
        _manager.Dispose();
        _storage.Dispose();
        _schemas.Dispose();
    }

    [IterationSetup(Target = nameof(PlainCold))]
    public void StorageCold()
    {
        _storage.ClearSnapshots();
        _storage.EvictSources();
    }

    [IterationSetup(Target = nameof(PlainWarm))]
    public void StorageWarm()
    {
        StorageCold();
        WarmSources(_storage);
    }

    [IterationSetup(Target = nameof(PrecopyAppendedWarm))]
    public void PrecopyThenAppendWarm() => PrecopyThenAppend(cold: false, overwriteAt: null);

    [IterationSetup(Target = nameof(PrecopyAppendedCold))]
    public void PrecopyThenAppendCold() => PrecopyThenAppend(cold: true, overwriteAt: null);

    [IterationSetup(Target = nameof(FallbackFirstChunk))]
    public void PrecopyThenOverwriteFirstChunk() => PrecopyThenAppend(cold: false, overwriteAt: 4096);

    [IterationSetup(Target = nameof(FallbackLastChunk))]
    public void PrecopyThenOverwriteLastChunk() => PrecopyThenAppend(cold: false, overwriteAt: StorageBytes - 4096);

    [IterationSetup(Target = nameof(PrecopyAndPauseCold))]
    public void StorageColdForBoth() => StorageCold();

    [IterationSetup(Target = nameof(SchemasPlainWarm))]
    public void SchemasWarm()
    {
        _schemas.ClearSnapshots(setAside: true);
        WarmSources(_schemas);
    }

    [IterationSetup(Target = nameof(SchemasPrecopyWarm))]
    public void SchemasPrecopyThenChange()
    {
        _schemas.ClearSnapshots(setAside: true);
        _precopy?.Dispose();
        _precopy = _manager.PrecopySnapshot(_schemas.Root, _schemas.StoragePath, _schemas.SchemaDirectory);
        _round++;
        for (int i = 0; i < ChangedSchemas; i++)
        {
            // Spread over the tree, named as BenchData names them.
            int k = i * (SchemaFiles / ChangedSchemas);
            string path = Path.Join(_schemas.SchemaDirectory, $"collection_{k / 100:D3}", $"schema_v{k % 100:D2}.json");
            byte[] content = new byte[2048];
            new Random(_round * 100 + i).NextBytes(content);
            File.WriteAllBytes(path, content);
        }

        WarmSources(_schemas);
    }

    [Benchmark(Baseline = true, Description = "1 GiB: plain create, cold source")]
    public SnapshotId PlainCold() => Create(_storage, precopy: null);

    [Benchmark(Description = "1 GiB: plain create, warm source")]
    public SnapshotId PlainWarm() => Create(_storage, precopy: null);

    [Benchmark(Description = "1 GiB + 1 MiB appended: pause after pre-copy, warm source")]
    public SnapshotId PrecopyAppendedWarm() => Create(_storage, _precopy);

    [Benchmark(Description = "1 GiB + 1 MiB appended: pause after pre-copy, cold source")]
    public SnapshotId PrecopyAppendedCold() => Create(_storage, _precopy);

    [Benchmark(Description = "fallback, in-place write in the first chunk: pause, warm source")]
    public SnapshotId FallbackFirstChunk() => Create(_storage, _precopy);

    [Benchmark(Description = "fallback, in-place write in the last chunk: pause, warm source")]
    public SnapshotId FallbackLastChunk() => Create(_storage, _precopy);

    [Benchmark(Description = "1 GiB: pre-copy + pause together, cold source, nothing appended")]
    public SnapshotId PrecopyAndPauseCold()
    {
        using SnapshotPrecopy precopy = _manager.PrecopySnapshot(_storage.Root, _storage.StoragePath, _storage.SchemaDirectory);
        return Create(_storage, precopy);
    }

    [Benchmark(Description = "2,000 schemas: plain create, warm")]
    public SnapshotId SchemasPlainWarm() => Create(_schemas, precopy: null);

    [Benchmark(Description = "2,000 schemas, 10 changed: pause after pre-copy, warm")]
    public SnapshotId SchemasPrecopyWarm() => Create(_schemas, _precopy);

    private void PrecopyThenAppend(bool cold, long? overwriteAt)
    {
        _storage.ClearSnapshots();
        _precopy?.Dispose();
        _precopy = _manager.PrecopySnapshot(_storage.Root, _storage.StoragePath, _storage.SchemaDirectory);
        byte[] bytes = new byte[AppendBytes];
        new Random(++_round).NextBytes(bytes);
        using (FileStream stream = new(_storage.StoragePath, FileMode.Open, FileAccess.Write))
        {
            if (overwriteAt is { } at)
            {
                // The database breaking its own rule: a page rewritten in place.
                stream.Position = at;
                stream.Write(bytes, 0, 4096);
            }

            stream.Position = stream.Length;
            stream.Write(bytes);
        }

        if (cold)
        {
            _storage.EvictSources();
        }
        else
        {
            WarmSources(_storage);
        }
    }

    /// <summary>Reads the sources only (not snapshots/, where the pre-copy is), as a running database keeps them cached.</summary>
    private static void WarmSources(BenchData data)
    {
        byte[] buffer = new byte[1 << 20];
        using (FileStream stream = File.OpenRead(data.StoragePath))
        {
            while (stream.Read(buffer) > 0)
            {
            }
        }

        PageCache.Warm(data.SchemaDirectory);
    }

    private SnapshotId Create(BenchData data, SnapshotPrecopy? precopy)
    {
        using (_lock.Acquire())
        {
            return _manager.CreateSnapshot(data.Root, data.StoragePath, data.SchemaDirectory, WalDurability.None, _lock, new SnapshotOptions { TimeProvider = _clock, Precopy = precopy }).Id;
        }
    }
}
