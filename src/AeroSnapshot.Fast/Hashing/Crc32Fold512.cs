using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AeroSnapshot.Fast.Hashing;

/// <summary>
/// The bulk of a CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) folded 256 bytes per step
/// with AVX-512 carry-less multiplication (VPCLMULQDQ on 512-bit registers).
/// </summary>
/// <remarks>
/// <para>
/// System.IO.Hashing's <c>Crc32</c> folds 64 bytes per step in 128-bit registers (about 14 GB/s
/// here). Four 512-bit accumulators fold four times as much per step, which matters where the CRC
/// is the whole cost: verifying a snapshot whose files are in the page cache. This is the
/// technique of Intel's "Fast CRC computation for generic polynomials using PCLMULQDQ" paper, as
/// zlib-ng and the Linux kernel apply it with wider registers.
/// </para>
/// <para>
/// Folding keeps the message congruent modulo the polynomial, so it never needs the final
/// reduction: <see cref="Fold"/> returns 64 bytes whose CRC, from a zero register, is the CRC of
/// the bytes it consumed from the given register. <see cref="StreamingCrc32"/> hands those
/// 64 bytes and the rest of the input to System.IO.Hashing, which owns the reduction and the
/// short inputs.
/// </para>
/// </remarks>
internal static class Crc32Fold512
{
    /// <summary>Bytes consumed per step of the main loop: four 64-byte accumulators.</summary>
    public const int StepLength = 4 * 64;

    /// <summary>Inputs shorter than this are not worth folding here.</summary>
    public const int MinimumLength = StepLength;

    /// <summary>Length of the folded remainder that <see cref="Fold"/> writes.</summary>
    public const int FoldedLength = 64;

    // For a 128-bit lane moved forward by D bytes, its low 64 bits (the earlier bytes) are
    // multiplied by x^(8D+32) mod P and its high 64 bits by x^(8D-32) mod P, both bit-reflected
    // and shifted left once (the same derivation gives zlib's 0x154442bd4 and 0x1c6e41596 for
    // D = 64; tests check every constant against System.IO.Hashing).
    private const ulong Fold256Low = 0x1_1542_778a;
    private const ulong Fold256High = 0x1_322d_1430;
    private const ulong Fold64Low = 0x1_5444_2bd4;
    private const ulong Fold64High = 0x1_c6e4_1596;

    /// <summary>True when the CPU and runtime can run the 512-bit carry-less multiply.</summary>
    public static bool IsSupported => Pclmulqdq.V512.IsSupported && Avx512F.IsSupported && BitConverter.IsLittleEndian;

    /// <summary>
    /// Folds the longest prefix of <paramref name="data"/> that is a multiple of 64 bytes into
    /// <paramref name="folded"/>, starting from CRC register <paramref name="register"/> (the
    /// running value before the final inversion).
    /// </summary>
    /// <returns>The number of bytes of <paramref name="data"/> consumed.</returns>
    public static int Fold(uint register, ReadOnlySpan<byte> data, Span<byte> folded)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("AVX-512 VPCLMULQDQ is not available.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(data.Length, MinimumLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(folded.Length, FoldedLength);

        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        var fold256 = Vector512.Create(Fold256Low, Fold256High, Fold256Low, Fold256High, Fold256Low, Fold256High, Fold256Low, Fold256High);
        var fold64 = Vector512.Create(Fold64Low, Fold64High, Fold64Low, Fold64High, Fold64Low, Fold64High, Fold64Low, Fold64High);

        // The register enters the message by XOR into its first four bytes.
        Vector512<ulong> a0 = Load(ref start, 0) ^ Vector512.CreateScalar((ulong)register);
        Vector512<ulong> a1 = Load(ref start, 64);
        Vector512<ulong> a2 = Load(ref start, 128);
        Vector512<ulong> a3 = Load(ref start, 192);
        nuint offset = StepLength;

        for (; length - offset >= StepLength; offset += StepLength)
        {
            a0 = FoldInto(a0, fold256, Load(ref start, offset));
            a1 = FoldInto(a1, fold256, Load(ref start, offset + 64));
            a2 = FoldInto(a2, fold256, Load(ref start, offset + 128));
            a3 = FoldInto(a3, fold256, Load(ref start, offset + 192));
        }

        Vector512<ulong> sum = FoldInto(a0, fold64, a1);
        sum = FoldInto(sum, fold64, a2);
        sum = FoldInto(sum, fold64, a3);
        for (; length - offset >= 64; offset += 64)
        {
            sum = FoldInto(sum, fold64, Load(ref start, offset));
        }

        sum.AsByte().StoreUnsafe(ref MemoryMarshal.GetReference(folded));
        return (int)offset;
    }

    /// <summary>Moves each 128-bit lane of <paramref name="accumulator"/> forward and adds <paramref name="next"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> FoldInto(Vector512<ulong> accumulator, Vector512<ulong> constants, Vector512<ulong> next)
    {
        Vector512<ulong> low = Pclmulqdq.V512.CarrylessMultiply(accumulator, constants, 0x00);
        Vector512<ulong> high = Pclmulqdq.V512.CarrylessMultiply(accumulator, constants, 0x11);
        // 0x96 is the truth table of a three-way XOR.
        return Avx512F.TernaryLogic(low, high, next, 0x96);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Load(ref byte start, nuint offset) =>
        Vector512.LoadUnsafe(ref start, offset).AsUInt64();
}
