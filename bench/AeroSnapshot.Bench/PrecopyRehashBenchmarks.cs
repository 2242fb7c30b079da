using System.IO.Hashing;
using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.IO;
using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Bench;

/// <summary>
/// The pre-copy's re-hash inside the pause (issue 28): the storage prefix, in the page cache, checked
/// against its per-chunk strong hashes. Hashed in place in the pre-copy's mapping (its page tables
/// built before the pause, as PrecopyWriter does), with XxHash128 (what the pre-copy records) and
/// XxHash3 (64-bit, for comparison); re-read through the copy loop into the pooled buffer (the path
/// where mapping fails, and the only one before); and, as the ceiling, a plain memcpy of the same
/// mapped bytes into an 8 MiB buffer.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CpuBenchmarkConfig))]
public class PrecopyRehashBenchmarks
{
    private const int ChunkBytes = 8 << 20;
    private BenchData _data = null!;
    private SafeFileHandle _storage = null!;
    private MappedFile _mapping = null!;
    private byte[] _copyTarget = [];
    private byte[] _readBuffer = [];
    private UInt128[] _hashes = [];
    private readonly FileCopier _copier = new();

    [Params(1024)]
    public int StorageMiB { get; set; } = 1024;

    private long Bytes => BenchmarkSettings.Short ? 1 << 20 : (long)StorageMiB << 20;

    [GlobalSetup]
    public void Setup()
    {
        _data = new BenchData("rehash", Bytes, schemaFiles: 0, schemaFileBytes: 0);
        _storage = NativeFile.OpenRegularForRead(_data.StoragePath, out _);
        _mapping = MappedFile.Map(_storage, _data.StoragePath, Bytes, populate: true);
        _copyTarget = GC.AllocateUninitializedArray<byte>(ChunkBytes, pinned: true);
        _readBuffer = GC.AllocateUninitializedArray<byte>(1 << 20, pinned: true);
        var hashes = new List<UInt128>();
        for (long offset = 0; offset < Bytes; offset += ChunkBytes)
        {
            hashes.Add(XxHash128.HashToUInt128(Chunk(offset)));
        }

        _hashes = [.. hashes];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _mapping.Dispose();
        _storage.Dispose();
        _data.Dispose();
    }

    [Benchmark(Baseline = true, Description = "memcpy of the mapped prefix (ceiling)")]
    public int MemoryCopy()
    {
        int chunks = 0;
        for (long offset = 0; offset < Bytes; offset += ChunkBytes)
        {
            Chunk(offset).CopyTo(_copyTarget);
            chunks++;
        }

        return chunks;
    }

    [Benchmark(Description = "XxHash128 in place (the pause)")]
    public int XxHash128InPlace()
    {
        int index = 0;
        for (long offset = 0; offset < Bytes; offset += ChunkBytes, index++)
        {
            if (XxHash128.HashToUInt128(Chunk(offset)) != _hashes[index])
            {
                return -1;
            }
        }

        return index;
    }

    [Benchmark(Description = "XxHash3 in place")]
    public ulong XxHash3InPlace()
    {
        ulong all = 0;
        for (long offset = 0; offset < Bytes; offset += ChunkBytes)
        {
            all ^= XxHash3.HashToUInt64(Chunk(offset));
        }

        return all;
    }

    [Benchmark(Description = "re-read through the copy loop + XxHash128 (no mapping)")]
    public int ReRead()
    {
        var same = ChunkHashes.Compare(_hashes, ChunkBytes);
        _copier.Copy(new CopyJob { Source = _storage, SourcePath = _data.StoragePath, Length = Bytes, WithoutCrc = true, ChunkHashes = same, Buffer = _readBuffer });
        return same.FirstDifference;
    }

    private ReadOnlySpan<byte> Chunk(long offset) => _mapping.Slice(offset, (int)Math.Min(ChunkBytes, Bytes - offset));
}
