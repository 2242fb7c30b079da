using System.IO.Hashing;
using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.Wal;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench;

/// <summary>
/// The WAL validator's throughput over a WAL already in memory (AeroDB's records: four short
/// strings and a body), pushed in 1 MiB chunks as the file
/// and archive readers push it, against the CRC-32 alone over the same bytes (the target: at least
/// the CRC's speed). Records of 4 KiB and of 256 B, to show the per-record cost. Two more rows
/// split that cost: the CRC of each record alone, by the validator's <see cref="OneShotCrc32"/>
/// and by System.IO.Hashing's one-shot call (what the validator used before).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CpuBenchmarkConfig))]
public class WalValidatorBenchmarks
{
    private const int Chunk = 1 << 20;
    private readonly StreamingCrc32 _crc = new();
    private byte[] _wal = [];

    [ParamsSource(nameof(RecordSizes))]
    public int RecordBytes { get; set; }

    public static IEnumerable<int> RecordSizes => BenchmarkSettings.Short ? [256] : [256, 4096];

    [GlobalSetup]
    public void Setup()
    {
        int total = BenchmarkSettings.Short ? 1 << 20 : 64 << 20;
        _wal = GC.AllocateUninitializedArray<byte>(total / RecordBytes * RecordBytes, pinned: true);
        new Random(42).NextBytes(_wal);
        AeroDbWalRecords.Fill(_wal, RecordBytes, static sequence => (byte)(sequence % 6));
    }

    [Benchmark(Baseline = true, Description = "StreamingCrc32 alone (1 MiB chunks)")]
    public uint CrcOnly()
    {
        _crc.Reset();
        for (int offset = 0; offset < _wal.Length; offset += Chunk)
        {
            _crc.Append(_wal.AsSpan(offset, Math.Min(Chunk, _wal.Length - offset)));
        }

        return _crc.GetCurrentHashAsUInt32();
    }

    [Benchmark(Description = "WalFrameValidator (1 MiB chunks)")]
    public long Validate()
    {
        var validator = new WalFrameValidator("bench", _wal.Length);
        for (int offset = 0; offset < _wal.Length; offset += Chunk)
        {
            validator.Append(_wal.AsSpan(offset, Math.Min(Chunk, _wal.Length - offset)));
        }

        return validator.Complete().Records;
    }

    [Benchmark(Description = "OneShotCrc32 per record (no frame checks)")]
    public uint OneShotPerRecord()
    {
        uint all = 0;
        for (int offset = 0; offset < _wal.Length; offset += RecordBytes)
        {
            all ^= OneShotCrc32.Hash(_wal.AsSpan(offset, RecordBytes));
        }

        return all;
    }

    [Benchmark(Description = "System.IO.Hashing CRC per record (no frame checks)")]
    public uint SystemPerRecord()
    {
        uint all = 0;
        for (int offset = 0; offset < _wal.Length; offset += RecordBytes)
        {
            all ^= Crc32.HashToUInt32(_wal.AsSpan(offset, RecordBytes));
        }

        return all;
    }
}
