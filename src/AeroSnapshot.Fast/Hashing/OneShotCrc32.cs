using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AeroSnapshot.Fast.Hashing;

/// <summary>
/// The CRC-32 (IEEE 802.3, as <see cref="System.IO.Hashing.Crc32"/>) of one short message in one
/// call, built for the WAL validator, which checks hundreds of thousands of independent records of
/// a few hundred bytes each. There the cost is the dependency chain of each call, not the bytes:
/// System.IO.Hashing folds 16 bytes per step and then reduces; a table-driven finish adds a chain
/// of dependent look-ups. Here every 16-byte block of a message of up to 4 KiB is moved onto the
/// last block by its own carry-less multiply (four blocks per 512-bit instruction, none waiting for
/// another), a tail shorter than 16 bytes is appended in the folded domain with two shuffles, and
/// Barrett reduction gives the 32 bits, so the CPU overlaps consecutive records and a WAL of
/// 256-byte records is checked about as fast as the CRC of the whole file.
/// </summary>
/// <remarks>
/// Folding keeps the message congruent modulo the polynomial (see <see cref="Crc32Fold512"/>).
/// Longer messages are folded by <see cref="Crc32Fold512"/> first. Without AVX-512 VPCLMULQDQ, or
/// below 64 bytes, System.IO.Hashing answers. Tests compare every length from 0 to 3,000 bytes, at
/// eight alignments, and random lengths to 70,000, with System.IO.Hashing.
/// </remarks>
internal static class OneShotCrc32
{
    /// <summary>The CRC-32 of a message followed by its own CRC-32 (little-endian): the same for every message.</summary>
    public const uint Residue = 0x2144DF1C;

    // Inputs of up to this many 16-byte blocks (4 KiB) are joined by one multiply per block; longer
    // ones are folded first.
    private const int MaxJoinedBlocks = 256;

    // Per 128-bit lane moved forward by D bytes: x^(8D+32) and x^(8D-32) mod P, bit-reflected and
    // shifted left once (the derivation of Crc32Fold512). A wrong one cannot hide: the tests compare
    // every length, so every path and tail, with System.IO.Hashing.
    private const ulong Fold48Low = 0x0_3db1_ecdc;
    private const ulong Fold48High = 0x1_7435_9406;
    private const ulong Fold32Low = 0x0_f1da_05aa;
    private const ulong Fold32High = 0x1_5a54_6366;
    private const ulong Fold16Low = 0x1_7519_97d0;
    private const ulong Fold16High = 0x0_ccaa_009e;

    // 64 bits to 32 (x^64 mod P, reflected and shifted), and Barrett's P and mu = x^64 / P, bit-reflected
    // (the constants of Intel's paper, as the Linux kernel's crc32-pclmul uses them).
    private const ulong Fold8Low = 0x1_63cd_6124;
    private const ulong ReflectedPolynomial = 0x1_db71_0641;
    private const ulong ReflectedMu = 0x1_f701_1641;

    private static readonly ulong[] Distances = BuildDistances();

    // At 0 + r: the shuffle that moves bytes up by 16 - r (zero below); at 16 + r: down by r (zero
    // above); at 48 + r: 0xFF on the top r bytes. 0x80 makes PSHUFB write zero.
    private static readonly byte[] ShiftTable = BuildShiftTable();

    /// <summary>True when the folding path runs; otherwise every call goes to System.IO.Hashing.</summary>
    public static bool IsAccelerated => Crc32Fold512.IsSupported && Pclmulqdq.IsSupported;

    /// <summary>The CRC-32 of <paramref name="data"/>, equal to <c>System.IO.Hashing.Crc32.HashToUInt32</c>.</summary>
    public static uint Hash(ReadOnlySpan<byte> data)
    {
        if (data.Length < 64 || !IsAccelerated)
        {
            return System.IO.Hashing.Crc32.HashToUInt32(data);
        }

        return data.Length >> 4 <= MaxJoinedBlocks ? Joined(data) : Folded(data);
    }

    /// <summary>
    /// Up to <see cref="MaxJoinedBlocks"/> 16-byte blocks: every block but the last is moved onto the
    /// last one by its own multiply (the constants for its distance, from <see cref="Distances"/>),
    /// and the products are XORed together. No multiply waits for another, so the chain is one
    /// multiply and a few XORs long whatever the length, and consecutive records overlap in the CPU.
    /// </summary>
    private static uint Joined(ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint blocks = (nuint)data.Length >> 4;
        ref ulong distances = ref MemoryMarshal.GetArrayDataReference(Distances);

        // Block k's constants are at Distances[first + k] (two ulongs each): the table is stored
        // farthest first, so one load gives four consecutive blocks theirs.
        nuint first = MaxJoinedBlocks - blocks;
        Vector512<ulong> data0 = Load512(ref start, 0) ^ Vector512.CreateScalar((ulong)uint.MaxValue);
        Vector512<ulong> constants = Vector512.LoadUnsafe(ref distances, 2 * first);
        Vector512<ulong> sum = Pclmulqdq.V512.CarrylessMultiply(data0, constants, 0x00)
            ^ Pclmulqdq.V512.CarrylessMultiply(data0, constants, 0x11);
        nuint block = 4;
        for (; blocks - block >= 4; block += 4)
        {
            Vector512<ulong> next = Load512(ref start, block * 16);
            constants = Vector512.LoadUnsafe(ref distances, 2 * (first + block));
            sum = Avx512F.TernaryLogic(
                Pclmulqdq.V512.CarrylessMultiply(next, constants, 0x00),
                Pclmulqdq.V512.CarrylessMultiply(next, constants, 0x11),
                sum,
                0x96);
        }

        Vector256<ulong> half = sum.GetLower() ^ sum.GetUpper();
        Vector128<ulong> x = half.GetLower() ^ half.GetUpper();
        for (; block < blocks; block++)
        {
            Vector128<ulong> next = Vector128.LoadUnsafe(ref start, block * 16).AsUInt64();
            Vector128<ulong> constant = Vector128.LoadUnsafe(ref distances, 2 * (first + block));
            x ^= Pclmulqdq.CarrylessMultiply(next, constant, 0x00) ^ Pclmulqdq.CarrylessMultiply(next, constant, 0x11);
        }

        // The last block's constants are zero: it stays where it is, so it enters as it is.
        x ^= Vector128.LoadUnsafe(ref start, (blocks - 1) * 16).AsUInt64();
        return Finish(x, ref start, blocks * 16, (nuint)data.Length);
    }

    /// <summary>Longer inputs: the four-accumulator fold down to 64 bytes, then the same finish.</summary>
    private static uint Folded(ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        Span<byte> folded = stackalloc byte[Crc32Fold512.FoldedLength];
        nuint offset = (nuint)Crc32Fold512.Fold(uint.MaxValue, data, folded);
        Vector512<ulong> acc = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(folded)).AsUInt64();

        // Lanes 0, 1 and 2 move forward 48, 32 and 16 bytes onto lane 3; lane 3 stays (zero constants).
        var join = Vector512.Create(Fold48Low, Fold48High, Fold32Low, Fold32High, Fold16Low, Fold16High, 0UL, 0UL);
        var lastLane = Vector512.Create(0UL, 0UL, 0UL, 0UL, 0UL, 0UL, ulong.MaxValue, ulong.MaxValue);
        Vector512<ulong> moved = Avx512F.TernaryLogic(
            Pclmulqdq.V512.CarrylessMultiply(acc, join, 0x00),
            Pclmulqdq.V512.CarrylessMultiply(acc, join, 0x11),
            acc & lastLane,
            0x96);
        Vector256<ulong> half = moved.GetLower() ^ moved.GetUpper();
        Vector128<ulong> x = half.GetLower() ^ half.GetUpper();

        var fold16 = Vector128.Create(Fold16Low, Fold16High);
        for (; length - offset >= 16; offset += 16)
        {
            x = Pclmulqdq.CarrylessMultiply(x, fold16, 0x00)
                ^ Pclmulqdq.CarrylessMultiply(x, fold16, 0x11)
                ^ Vector128.LoadUnsafe(ref start, offset).AsUInt64();
        }

        return Finish(x, ref start, offset, length);
    }

    /// <summary>
    /// The CRC of the message given the 16 bytes <paramref name="x"/> that everything before
    /// <paramref name="offset"/> was folded into (the initial register included), and the fewer than
    /// 16 bytes from <paramref name="offset"/> to <paramref name="length"/>. Those are appended in
    /// the folded domain, then the 16 bytes are reduced to 32 bits by Barrett reduction: all in
    /// registers, with no table look-up on the dependency chain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Finish(Vector128<ulong> x, ref byte start, nuint offset, nuint length)
    {
        nuint rest = length - offset;
        if (rest != 0)
        {
            // x followed by r bytes T, preceded by 16 - r zero bytes (which change nothing), is two
            // blocks: H = zeros || x[..r], moved forward 16 bytes onto B = x[r..] || T. T is the top
            // of the message's last 16 bytes (the message is at least 64 bytes long).
            ref byte shifts = ref MemoryMarshal.GetArrayDataReference(ShiftTable);
            Vector128<byte> bytes = x.AsByte();
            Vector128<byte> head = Ssse3.Shuffle(bytes, Vector128.LoadUnsafe(ref shifts, rest));
            Vector128<byte> keep = Ssse3.Shuffle(bytes, Vector128.LoadUnsafe(ref shifts, 16 + rest));
            Vector128<byte> tailMask = Vector128.LoadUnsafe(ref shifts, 48 + rest);
            Vector128<byte> tail = Vector128.LoadUnsafe(ref start, length - 16) & tailMask;
            var fold16 = Vector128.Create(Fold16Low, Fold16High);
            x = Pclmulqdq.CarrylessMultiply(head.AsUInt64(), fold16, 0x00)
                ^ Pclmulqdq.CarrylessMultiply(head.AsUInt64(), fold16, 0x11)
                ^ (keep | tail).AsUInt64();
        }

        // 128 bits to 64: the low half moved forward 8 bytes (x^64 and x^-32 folded into one constant).
        var constants = Vector128.Create(Fold16Low, Fold16High);
        Vector128<ulong> mask32 = Vector128.Create(0xFFFF_FFFFUL, 0UL);
        Vector128<ulong> t = Pclmulqdq.CarrylessMultiply(x, constants, 0x10) ^ Sse2.ShiftRightLogical128BitLane(x, 8);

        // 96 bits to 64.
        t = Pclmulqdq.CarrylessMultiply(t & mask32, Vector128.CreateScalar(Fold8Low), 0x00) ^ Sse2.ShiftRightLogical128BitLane(t, 4);

        // Barrett reduction: quotient estimate by mu, times P, subtracted.
        var barrett = Vector128.Create(ReflectedPolynomial, ReflectedMu);
        Vector128<ulong> quotient = Pclmulqdq.CarrylessMultiply(t & mask32, barrett, 0x10);
        Vector128<ulong> product = Pclmulqdq.CarrylessMultiply(quotient & mask32, barrett, 0x00);
        return ~(product ^ t).AsUInt32().GetElement(1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Load512(ref byte start, nuint offset) =>
        Vector512.LoadUnsafe(ref start, offset).AsUInt64();

    /// <summary>
    /// For i in 0..255, the constants that move a 16-byte block forward by 16 × (255 − i) bytes:
    /// x^(8D+32) and x^(8D−32) mod P, bit-reflected and shifted left once (the last pair, D = 0, is
    /// zero: that block is added as it is). Powers of x are stepped one bit at a time, so the table
    /// costs some 33,000 shifts once.
    /// </summary>
    private static ulong[] BuildDistances()
    {
        const ulong Polynomial = 0x1_04C1_1DB7; // normal form, x^32 included
        ulong[] table = new ulong[2 * MaxJoinedBlocks];
        ulong power = 1; // x^exponent mod P
        int exponent = 0;
        for (int blocks = 1; blocks < MaxJoinedBlocks; blocks++)
        {
            int distance = 16 * blocks;
            ulong high = PowerAt((8 * distance) - 32, ref power, ref exponent, Polynomial);
            ulong low = PowerAt((8 * distance) + 32, ref power, ref exponent, Polynomial);
            int slot = MaxJoinedBlocks - 1 - blocks;
            table[2 * slot] = (ulong)ReverseBits((uint)low) << 1;
            table[(2 * slot) + 1] = (ulong)ReverseBits((uint)high) << 1;
        }

        return table;

        static ulong PowerAt(int target, ref ulong power, ref int exponent, ulong polynomial)
        {
            for (; exponent < target; exponent++)
            {
                power <<= 1;
                if ((power >> 32) != 0)
                {
                    power ^= polynomial;
                }
            }

            return power;
        }

        static uint ReverseBits(uint value)
        {
            uint reversed = 0;
            for (int bit = 0; bit < 32; bit++)
            {
                reversed = (reversed << 1) | ((value >> bit) & 1);
            }

            return reversed;
        }
    }

    private static byte[] BuildShiftTable()
    {
        byte[] table = new byte[80];
        for (int j = 0; j < 48; j++)
        {
            table[j] = j is >= 16 and < 32 ? (byte)(j - 16) : (byte)0x80;
        }

        for (int j = 48; j < 80; j++)
        {
            table[j] = j >= 64 ? (byte)0xFF : (byte)0;
        }

        return table;
    }
}
