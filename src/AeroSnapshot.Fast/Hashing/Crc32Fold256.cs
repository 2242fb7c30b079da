using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AeroSnapshot.Fast.Hashing;

/// <summary>
/// <see cref="Crc32Fold512"/> for CPUs that have VPCLMULQDQ on 256-bit registers but no AVX-512
/// (AMD Zen 3, Intel Alder Lake): four 256-bit accumulators fold 128 bytes per step.
/// </summary>
/// <remarks>
/// The same folding as <see cref="Crc32Fold512"/>, with its constants for the shorter distances;
/// see there for how they are derived and why no final reduction is needed.
/// </remarks>
internal static class Crc32Fold256
{
    /// <summary>Bytes consumed per step of the main loop: four 32-byte accumulators.</summary>
    public const int StepLength = 4 * 32;

    /// <summary>Inputs shorter than this are not worth folding here.</summary>
    public const int MinimumLength = StepLength;

    /// <summary>Length of the folded remainder that <see cref="Fold"/> writes.</summary>
    public const int FoldedLength = 32;

    // x^(8D+32) and x^(8D-32) mod P, bit-reflected and shifted left once, for D = 128 and D = 32.
    private const ulong Fold128Low = 0x1_e88e_f372;
    private const ulong Fold128High = 0x1_4a7f_e880;
    private const ulong Fold32Low = 0x0_f1da_05aa;
    private const ulong Fold32High = 0x1_5a54_6366;

    /// <summary>True when the CPU and runtime can run the 256-bit carry-less multiply.</summary>
    public static bool IsSupported => Pclmulqdq.V256.IsSupported && BitConverter.IsLittleEndian;

    /// <summary>
    /// Folds the longest prefix of <paramref name="data"/> that is a multiple of 32 bytes into
    /// <paramref name="folded"/>, starting from CRC register <paramref name="register"/>.
    /// </summary>
    /// <returns>The number of bytes of <paramref name="data"/> consumed.</returns>
    public static int Fold(uint register, ReadOnlySpan<byte> data, Span<byte> folded)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("VPCLMULQDQ is not available.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(data.Length, MinimumLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(folded.Length, FoldedLength);

        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        var fold128 = Vector256.Create(Fold128Low, Fold128High, Fold128Low, Fold128High);
        var fold32 = Vector256.Create(Fold32Low, Fold32High, Fold32Low, Fold32High);

        Vector256<ulong> a0 = Load(ref start, 0) ^ Vector256.CreateScalar((ulong)register);
        Vector256<ulong> a1 = Load(ref start, 32);
        Vector256<ulong> a2 = Load(ref start, 64);
        Vector256<ulong> a3 = Load(ref start, 96);
        nuint offset = StepLength;

        for (; length - offset >= StepLength; offset += StepLength)
        {
            a0 = FoldInto(a0, fold128, Load(ref start, offset));
            a1 = FoldInto(a1, fold128, Load(ref start, offset + 32));
            a2 = FoldInto(a2, fold128, Load(ref start, offset + 64));
            a3 = FoldInto(a3, fold128, Load(ref start, offset + 96));
        }

        Vector256<ulong> sum = FoldInto(a0, fold32, a1);
        sum = FoldInto(sum, fold32, a2);
        sum = FoldInto(sum, fold32, a3);
        for (; length - offset >= 32; offset += 32)
        {
            sum = FoldInto(sum, fold32, Load(ref start, offset));
        }

        sum.AsByte().StoreUnsafe(ref MemoryMarshal.GetReference(folded));
        return (int)offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> FoldInto(Vector256<ulong> accumulator, Vector256<ulong> constants, Vector256<ulong> next) =>
        Pclmulqdq.V256.CarrylessMultiply(accumulator, constants, 0x00)
        ^ Pclmulqdq.V256.CarrylessMultiply(accumulator, constants, 0x11)
        ^ next;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Load(ref byte start, nuint offset) =>
        Vector256.LoadUnsafe(ref start, offset).AsUInt64();
}
