using System.IO.Hashing;
using AeroSnapshot.Fast.Hashing;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.Hashing;

/// <summary>
/// The manifest's checksums must not depend on how the bytes were chunked or on which CPU folded
/// them: System.IO.Hashing's one-shot CRC-32 is the oracle for every case.
/// </summary>
public sealed class StreamingCrc32Tests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(319)]
    [InlineData(320)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    [InlineData((1 << 20) + 77)]
    public void One_chunk_gives_the_same_crc_as_system_io_hashing(int length)
    {
        byte[] data = RandomBytes(length, seed: length);
        var crc = new StreamingCrc32();

        crc.Append(data);

        Assert.Equal(Crc32.HashToUInt32(data), crc.GetCurrentHashAsUInt32());
    }

    [Fact]
    public void Any_split_into_chunks_at_any_alignment_gives_the_same_crc()
    {
        Gen.Select(Gen.Byte.Array[0, 5000], Gen.Int[0, 63], Gen.Int[1, 700].Array[1, 12])
            .Sample((data, misalignment, chunkLengths) =>
            {
                // Copy behind a few bytes of padding so that vector loads start unaligned.
                byte[] padded = new byte[data.Length + misalignment];
                data.CopyTo(padded, misalignment);
                ReadOnlySpan<byte> input = padded.AsSpan(misalignment);
                var crc = new StreamingCrc32();
                int offset = 0;
                for (int i = 0; offset < input.Length; i++)
                {
                    int length = Math.Min(chunkLengths[i % chunkLengths.Length], input.Length - offset);
                    crc.Append(input.Slice(offset, length));
                    offset += length;
                }

                return crc.GetCurrentHashAsUInt32() == Crc32.HashToUInt32(data);
            });
    }

    [Fact]
    public void Reset_forgets_everything_appended_before()
    {
        var crc = new StreamingCrc32();
        crc.Append(RandomBytes(10_000, seed: 1));

        crc.Reset();
        crc.Append("123456789"u8);

        Assert.Equal(0xCBF43926u, crc.GetCurrentHashAsUInt32());
    }

    public delegate int FoldKernel(uint register, ReadOnlySpan<byte> data, Span<byte> folded);

    public static TheoryData<string> Kernels => new() { "512", "256" };

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Fold_leaves_bytes_whose_crc_from_a_zero_register_is_that_of_what_it_consumed(string width)
    {
        (string feature, bool supported, int minimum, int foldedLength, FoldKernel fold) = Kernel(width);
        TestRequirements.CpuFeature(supported, $"needs {feature} (not offered by this CPU, or switched off by a DOTNET_Enable* variable)");

        Gen.Select(Gen.Byte.Array[minimum, 3000], Gen.UInt).Sample((data, register) =>
        {
            Span<byte> folded = stackalloc byte[foldedLength];
            int consumed = fold(register, data, folded);

            return consumed % foldedLength == 0
                && data.Length - consumed < foldedLength
                && RegisterAfter(0, folded) == RegisterAfter(register, data.AsSpan(0, consumed));
        });
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void A_fold_the_cpu_cannot_run_refuses_instead_of_faulting(string width)
    {
        (string feature, bool supported, int minimum, int foldedLength, FoldKernel fold) = Kernel(width);
        TestRequirements.CpuFeature(!supported, $"runs only where {feature} is absent (a CPU without it, or DOTNET_EnableAVX512=0 / DOTNET_EnableAVX=0)");

        Assert.Throws<PlatformNotSupportedException>(() => fold(0, new byte[minimum], new byte[foldedLength]));
    }

    [Fact]
    public void The_wide_folds_are_used_where_the_cpu_advertises_them()
    {
        // Without this the tests above would pass through the fallback alone on this machine. The
        // runtime's DOTNET_Enable* switches hide instruction sets on purpose (CI runs the hashing tests
        // so); then /proc/cpuinfo is not what the runtime offers, and this test has nothing to check.
        string[] overrides = [.. Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(static k => k.StartsWith("DOTNET_Enable", StringComparison.Ordinal) || k == "DOTNET_PreferredVectorBitWidth")];
        TestRequirements.CpuFeature(overrides.Length == 0, $"compares with /proc/cpuinfo, which {string.Join(", ", overrides)} overrides");
        string[] flags = File.ReadAllLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal)).Split(' ');

        Assert.Equal(flags.Contains("vpclmulqdq") && flags.Contains("avx512f"), Crc32Fold512.IsSupported);
        Assert.Equal(flags.Contains("vpclmulqdq") && flags.Contains("avx"), Crc32Fold256.IsSupported);
    }

    private static (string Feature, bool Supported, int Minimum, int FoldedLength, FoldKernel Fold) Kernel(string width) => width == "512"
        ? ("AVX-512 VPCLMULQDQ", Crc32Fold512.IsSupported, Crc32Fold512.MinimumLength, Crc32Fold512.FoldedLength, Crc32Fold512.Fold)
        : ("256-bit VPCLMULQDQ", Crc32Fold256.IsSupported, Crc32Fold256.MinimumLength, Crc32Fold256.FoldedLength, Crc32Fold256.Fold);

    /// <summary>A bit-at-a-time CRC register update: slow, obviously right, and independent of both implementations.</summary>
    private static uint RegisterAfter(uint register, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            register ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                register = (register & 1) != 0 ? (register >> 1) ^ 0xEDB88320u : register >> 1;
            }
        }

        return register;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
