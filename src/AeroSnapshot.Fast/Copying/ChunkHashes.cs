using System.IO.Hashing;

namespace AeroSnapshot.Fast.Copying;

/// <summary>
/// A strong hash (XxHash128) per fixed-size chunk of what <see cref="FileCopier"/> reads, for the
/// pre-copy: recorded while the prefix is copied, or compared with a recording while it is read
/// again, stopping at the first chunk that differs. A list of 128-bit hashes is as strong a test of
/// equality as one hash over everything, and the check inside the pause can stop early and name the
/// region that changed. A chunk of <see cref="WholeFile"/> gives one hash for the whole file.
/// </summary>
internal sealed class ChunkHashes
{
    /// <summary>A chunk size that makes the whole file one chunk.</summary>
    public const int WholeFile = int.MaxValue;

    private readonly XxHash128 _hash = new();
    private readonly List<UInt128> _recorded = [];
    private readonly IReadOnlyList<UInt128>? _expected;
    private bool _pending;

    private ChunkHashes(int chunkBytes, IReadOnlyList<UInt128>? expected)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        ChunkBytes = chunkBytes;
        _expected = expected;
    }

    /// <summary>Bytes each hash covers.</summary>
    public int ChunkBytes { get; }

    /// <summary>The hashes recorded (a recording), one per chunk read; the last may cover less.</summary>
    public IReadOnlyList<UInt128> Hashes => _recorded;

    /// <summary>The index of the first chunk whose hash differs from the expected one (or that is missing or extra), or -1.</summary>
    public int FirstDifference { get; private set; } = -1;

    /// <summary>Records a hash per <paramref name="chunkBytes"/> of what is read.</summary>
    public static ChunkHashes Record(int chunkBytes) => new(chunkBytes, null);

    /// <summary>Compares what is read, chunk by chunk, with <paramref name="expected"/>, stopping at the first difference.</summary>
    public static ChunkHashes Compare(IReadOnlyList<UInt128> expected, int chunkBytes) => new(chunkBytes, expected);

    /// <summary>The bytes left in the chunk that holds <paramref name="offset"/> (reads never cross a chunk's end).</summary>
    internal long Room(long offset) => ChunkBytes - (offset % ChunkBytes);

    /// <summary>
    /// Adds <paramref name="bytes"/>, which end at <paramref name="end"/>; completes the chunk when
    /// <paramref name="end"/> is its boundary. Returns false once a comparison found a difference.
    /// </summary>
    internal bool Append(ReadOnlySpan<byte> bytes, long end)
    {
        _hash.Append(bytes);
        _pending = true;
        return end % ChunkBytes != 0 || CompleteChunk();
    }

    /// <summary>
    /// Completes a partial last chunk. <paramref name="ended"/> says the source ended before the
    /// range did, which a comparison counts as a difference. Returns false when one was found.
    /// </summary>
    internal bool Finish(bool ended)
    {
        // A whole file has one hash, an empty one too (that of no bytes), so it can be compared.
        _pending |= ChunkBytes == WholeFile && _recorded.Count == 0;
        if (_pending && !CompleteChunk())
        {
            return false;
        }

        if (_expected is not null && FirstDifference < 0 && (ended || _recorded.Count != _expected.Count))
        {
            FirstDifference = _recorded.Count;
        }

        return FirstDifference < 0;
    }

    private bool CompleteChunk()
    {
        UInt128 hash = _hash.GetCurrentHashAsUInt128();
        _hash.Reset();
        _pending = false;
        int index = _recorded.Count;
        _recorded.Add(hash);
        if (_expected is not null && (index >= _expected.Count || _expected[index] != hash))
        {
            FirstDifference = index;
            return false;
        }

        return true;
    }
}
