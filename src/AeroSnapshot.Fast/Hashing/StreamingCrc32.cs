using System.IO.Hashing;

namespace AeroSnapshot.Fast.Hashing;

/// <summary>
/// CRC-32 (IEEE 802.3, as in the manifest) of bytes that arrive in chunks: System.IO.Hashing's
/// <see cref="Crc32"/>, with the bulk of each chunk folded by <see cref="Crc32Fold512"/> where the
/// CPU has AVX-512 VPCLMULQDQ, or by <see cref="Crc32Fold256"/> where it has VPCLMULQDQ without
/// AVX-512. Same results everywhere; allocates nothing after construction.
/// </summary>
internal sealed class StreamingCrc32
{
    private readonly Crc32 _crc = new();

    /// <summary>Starts a new checksum.</summary>
    public void Reset() => _crc.Reset();

    /// <summary>Adds <paramref name="data"/> to the checksum.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        Span<byte> folded = stackalloc byte[Crc32Fold512.FoldedLength];
        int consumed;
        if (Crc32Fold512.IsSupported && data.Length >= Crc32Fold512.MinimumLength)
        {
            consumed = Crc32Fold512.Fold(Register, data, folded);
        }
        else if (Crc32Fold256.IsSupported && data.Length >= Crc32Fold256.MinimumLength)
        {
            consumed = Crc32Fold256.Fold(Register, data, folded);
            folded = folded[..Crc32Fold256.FoldedLength];
        }
        else
        {
            _crc.Append(data);
            return;
        }

        // The folded bytes carry the CRC from a zero register; Crc32 restarts from all ones, and
        // inverting the first four bytes cancels that.
        folded[0] ^= 0xFF;
        folded[1] ^= 0xFF;
        folded[2] ^= 0xFF;
        folded[3] ^= 0xFF;
        _crc.Reset();
        _crc.Append(folded);
        _crc.Append(data[consumed..]);
    }

    /// <summary>The CRC-32 of everything appended since the last <see cref="Reset"/>.</summary>
    public uint GetCurrentHashAsUInt32() => _crc.GetCurrentHashAsUInt32();

    // Crc32 exposes its register only inverted; the folds want the register itself.
    private uint Register => ~_crc.GetCurrentHashAsUInt32();
}
