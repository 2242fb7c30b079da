using System.Globalization;
using AeroSnapshot.Fast;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench;

/// <summary>
/// Writing the manifest happens inside the write pause, so its cost and its allocations are
/// what matter: the write benchmarks must report 0 B allocated. Reading happens at recovery and
/// allocates the manifest itself (strings and the map), which is fine but should stay linear.
/// </summary>
[MemoryDiagnoser]
public class ManifestBenchmarks
{
    private SnapshotManifest _manifest = null!;
    private byte[] _buffer = null!;
    private byte[] _json = null!;

    /// <summary>A small data directory and a large one (a schema per tenant and version).</summary>
    [Params(10, 2_000)]
    public int SchemaCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var entries = Enumerable.Range(0, SchemaCount).Select(i => new ChecksumEntry(
            string.Create(CultureInfo.InvariantCulture, $"tenant_{i % 50:D3}/collection_{i / 50:D3}/schema_v{i % 7}.json"),
            new Crc32Checksum((uint)i * 2654435761u)));
        _manifest = SnapshotManifest.Create(
            SnapshotId.Parse("20260204T113000Z"), new Crc32Checksum(0xdeadbeef), ChecksumMap.Create(entries));
        _buffer = new byte[_manifest.GetUtf8ByteCount()];
        _manifest.TryWriteUtf8(_buffer, out _);
        _json = (byte[])_buffer.Clone();
    }

    [Benchmark(Description = "Write into a preallocated buffer")]
    public int Write()
    {
        _manifest.TryWriteUtf8(_buffer, out int written);
        return written;
    }

    [Benchmark(Description = "Measure (GetUtf8ByteCount)")]
    public int Measure() => _manifest.GetUtf8ByteCount();

    [Benchmark(Description = "Read back")]
    public SnapshotManifest Read() => SnapshotManifest.ReadUtf8(_json);
}
