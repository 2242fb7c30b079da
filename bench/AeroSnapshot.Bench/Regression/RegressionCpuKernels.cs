using System.Globalization;
using System.Text;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Hashing;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench.Regression;

/// <summary>
/// The regression gate's CPU-bound set (bench/scripts/regress.sh): the hot kernels with no disk
/// I/O — CRC-32, the manifest's writer, measure and reader, snapshot-id and schema-path parsing.
/// One fixed case each, so that both builds measure the same thing in seconds. It uses only the
/// library's public API and the CRC class every version has, because the gate compiles this same
/// code against the base commit's library.
/// </summary>
[MemoryDiagnoser]
public class RegressionCpuKernels
{
    private const string IdText = "20260204T113000Z";
    private const string SchemaPathText = "tenant_017/collection_003/schema_v4.json";

    private readonly StreamingCrc32 _crc = new();
    private readonly byte[] _idUtf8 = Encoding.ASCII.GetBytes(IdText);
    private byte[] _data = [];
    private SnapshotManifest _manifest = null!;
    private byte[] _buffer = [];
    private byte[] _json = [];

    [GlobalSetup]
    public void Setup()
    {
        _data = GC.AllocateUninitializedArray<byte>(256 << 10, pinned: true);
        new Random(42).NextBytes(_data);

        // The large manifest of ManifestBenchmarks: 2,000 schema files.
        var entries = Enumerable.Range(0, 2_000).Select(i => new ChecksumEntry(
            string.Create(CultureInfo.InvariantCulture, $"tenant_{i % 50:D3}/collection_{i / 50:D3}/schema_v{i % 7}.json"),
            new Crc32Checksum((uint)i * 2654435761u)));
        _manifest = SnapshotManifest.Create(SnapshotId.Parse(IdText), new Crc32Checksum(0xdeadbeef), ChecksumMap.Create(entries));
        _buffer = new byte[_manifest.GetUtf8ByteCount()];
        _manifest.TryWriteUtf8(_buffer, out _);
        _json = (byte[])_buffer.Clone();
    }

    [Benchmark(Description = "CRC-32 of 256 KiB (StreamingCrc32)")]
    public uint Crc256KiB()
    {
        _crc.Reset();
        _crc.Append(_data);
        return _crc.GetCurrentHashAsUInt32();
    }

    // A schema file's size: the bulk kernel's start-up and tail matter here, not its bandwidth.
    [Benchmark(Description = "CRC-32 of 4 KiB (StreamingCrc32)")]
    public uint Crc4KiB()
    {
        _crc.Reset();
        _crc.Append(_data.AsSpan(0, 4096));
        return _crc.GetCurrentHashAsUInt32();
    }

    [Benchmark(Description = "Manifest write, 2,000 schemas")]
    public int ManifestWrite()
    {
        _manifest.TryWriteUtf8(_buffer, out int written);
        return written;
    }

    [Benchmark(Description = "Manifest measure, 2,000 schemas")]
    public int ManifestMeasure() => _manifest.GetUtf8ByteCount();

    [Benchmark(Description = "Manifest read, 2,000 schemas")]
    public SnapshotManifest ManifestRead() => SnapshotManifest.ReadUtf8(_json);

    [Benchmark(Description = "SnapshotId.TryParse (UTF-8)")]
    public bool ParseId() => SnapshotId.TryParse(_idUtf8, out _);

    [Benchmark(Description = "SchemaPath.Validate")]
    public string? ValidateSchemaPath() => SchemaPath.Validate(SchemaPathText);
}
