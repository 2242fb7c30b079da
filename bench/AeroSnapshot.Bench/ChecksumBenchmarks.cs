using System.IO.Hashing;
using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast.Hashing;
using BenchmarkDotNet.Attributes;

namespace AeroSnapshot.Bench;

/// <summary>
/// CRC-32 alone, over a buffer already in the CPU's cache: the ceiling of a verify of a cached
/// snapshot, where reading and checksumming take turns on one thread. System.IO.Hashing's
/// 128-bit folding against ours, which folds four 512-bit registers where the CPU has VPCLMULQDQ.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CpuBenchmarkConfig))]
public class ChecksumBenchmarks
{
    private readonly Crc32 _library = new();
    private readonly StreamingCrc32 _ours = new();
    private byte[] _data = [];

    [ParamsSource(nameof(Sizes))]
    public int BufferKiB { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkSettings.Short ? [4] : [32, 256, 1024];

    [GlobalSetup]
    public void Setup()
    {
        _data = GC.AllocateUninitializedArray<byte>(BufferKiB << 10, pinned: true);
        new Random(42).NextBytes(_data);
    }

    [Benchmark(Baseline = true, Description = "System.IO.Hashing Crc32")]
    public uint Library()
    {
        _library.Reset();
        _library.Append(_data);
        return _library.GetCurrentHashAsUInt32();
    }

    // The kernels alone, without the final 64- or 32-byte reduction that System.IO.Hashing does:
    // what a CPU with only the 256-bit instruction (no AVX-512) would get from the bulk.
    [Benchmark(Description = "Crc32Fold256 alone")]
    [NeedsCpu(CpuPath.Fold256)]
    public int Fold256()
    {
        Span<byte> folded = stackalloc byte[Crc32Fold256.FoldedLength];
        return Crc32Fold256.Fold(0xFFFFFFFF, _data, folded);
    }

    [Benchmark(Description = "Crc32Fold512 alone")]
    [NeedsCpu(CpuPath.Fold512)]
    public int Fold512()
    {
        Span<byte> folded = stackalloc byte[Crc32Fold512.FoldedLength];
        return Crc32Fold512.Fold(0xFFFFFFFF, _data, folded);
    }

    // Whatever this CPU gets: the 512-bit fold, the 256-bit one, or System.IO.Hashing alone.
    [Benchmark(Description = "StreamingCrc32 (widest fold the CPU has)")]
    public uint Ours()
    {
        _ours.Reset();
        _ours.Append(_data);
        return _ours.GetCurrentHashAsUInt32();
    }
}
