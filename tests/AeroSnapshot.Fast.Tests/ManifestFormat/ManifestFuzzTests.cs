using System.Globalization;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>
/// Whatever bytes are on disk (a torn write, bit rot, a hostile file), reading a manifest either
/// returns a manifest or throws <see cref="ManifestFormatException"/>: recovery treats that one
/// exception as "skip this snapshot", so any other exception would crash the database instead.
/// </summary>
public sealed class ManifestFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Modest by default so the suite stays quick; set AEROSNAP_FUZZ_ITERATIONS for a longer soak.</summary>
    private static readonly long Iterations =
        long.TryParse(Environment.GetEnvironmentVariable("AEROSNAP_FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out long fromEnvironment) && fromEnvironment > 0
            ? fromEnvironment
            : 2_000;

    /// <summary>Bytes that change JSON structure or UTF-8 validity, so mutations hit the interesting paths often.</summary>
    private static readonly Gen<byte> InterestingByte = Gen.Frequency(
        (4, Gen.OneOf<byte>((byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'u', (byte)'/', (byte)'.', (byte)'0', (byte)'9', (byte)'-', (byte)' ', (byte)'\n', (byte)'e', (byte)'n')),
        (2, Gen.OneOf<byte>(0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF)),
        (3, Gen.Byte));

    private enum MutationKind
    {
        FlipBit,
        ReplaceByte,
        InsertByte,
        DeleteByte,
    }

    private static readonly Gen<(MutationKind Kind, int Position, int Bit, byte Value)> Mutation =
        Gen.Select(Gen.Enum<MutationKind>(), Gen.Int[0, int.MaxValue], Gen.Int[0, 7], InterestingByte);

    /// <summary>A valid manifest with one to three single-byte mutations.</summary>
    private static readonly Gen<byte[]> MutatedManifest = Gen.Select(
        ManifestGen.Manifest,
        Gen.Frequency((6, Gen.Int[1, 1]), (3, Gen.Int[2, 3])).SelectMany(count => Mutation.Array[count]),
        (manifest, mutations) =>
        {
            var bytes = new List<byte>(Samples.Write(manifest));
            foreach ((MutationKind kind, int position, int bit, byte value) in mutations)
            {
                Apply(bytes, kind, position, bit, value);
            }

            return bytes.ToArray();
        });

    [Fact]
    public void Random_bytes_are_read_or_refused_with_ManifestFormatException_only()
    {
        CaseBudget.Watch(() => Gen.Frequency((3, Gen.Byte.Array[0, 64]), (1, InterestingByte.Array[0, 256]))
            .Sample(AssertReadOrRefused, iter: Iterations, print: Hex));
        output.WriteLine(CaseBudget.Summary);
    }

    [Fact]
    public void Mutated_manifests_are_read_or_refused_with_ManifestFormatException_only()
    {
        CaseBudget.Watch(() => MutatedManifest.Sample(AssertReadOrRefused, iter: Iterations, print: Hex));
        output.WriteLine(CaseBudget.Summary);
    }

    [Fact]
    public void Mutated_large_manifests_are_read_or_refused_within_the_time_and_allocation_budget()
    {
        // Hundreds of keys, long ones included: where a quadratic step or a copy per key would show.
        Gen<byte[]> large = Gen.Select(ManifestGen.SchemaPath, Gen.UInt).List[200, 600]
            .Select(entries => new SnapshotManifest
            {
                SnapshotId = SnapshotId.FromDateTimeOffset(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero)),
                CreatedAt = SnapshotId.FromDateTimeOffset(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero)).Instant,
                StorageChecksum = new Crc32Checksum(1),
                SchemaChecksums = ChecksumMap.Create(entries.DistinctBy(static e => e.Item1, StringComparer.Ordinal).Select(static e => new ChecksumEntry(e.Item1, new Crc32Checksum(e.Item2)))),
                FormatVersion = SnapshotManifest.CurrentFormatVersion,
            })
            .SelectMany(manifest => Mutation.Select(mutation =>
            {
                var bytes = new List<byte>(Samples.Write(manifest));
                Apply(bytes, mutation.Kind, mutation.Position, mutation.Bit, mutation.Value);
                return bytes.ToArray();
            }));
        CaseBudget.Watch(() => large.Sample(AssertReadOrRefused, iter: Math.Max(Iterations / 50, 50), print: static b => $"{b.Length} bytes"));
        output.WriteLine(CaseBudget.Summary);
    }

    [Fact]
    public void The_budget_fails_a_case_that_allocates_far_beyond_its_input()
    {
        // The budget must be able to fail: a "parser" that copies its input 300 times (300 KB for 1 KB; the limit is 64 × 1000 + 64 KiB) is caught.
        var error = Assert.ThrowsAny<Exception>(() => CaseBudget.Measure(new byte[1000], static input =>
        {
            for (int i = 0; i < 300; i++)
            {
                GC.KeepAlive(input.Clone());
            }
        }));
        Assert.Contains("allocated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_budget_fails_a_case_that_runs_over_its_time_limit()
    {
        var error = Assert.ThrowsAny<Exception>(() => CaseBudget.Measure([1, 2, 3], static _ => Thread.Sleep(CaseBudget.TimeLimit + TimeSpan.FromMilliseconds(100))));
        Assert.Contains("time limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_watchdog_fails_a_case_that_never_returns()
    {
        // A hang cannot be timed after the fact: the watchdog sees the case in flight and fails the
        // test with its input, leaving the stuck (background) thread behind.
        using var release = new ManualResetEventSlim();
        var error = Assert.ThrowsAny<Exception>(() => CaseBudget.Watch(() => CaseBudget.Measure([0xAB], _ => release.Wait())));
        release.Set();
        Assert.Contains("AB", error.Message, StringComparison.Ordinal);
        Assert.Contains("still running", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_single_byte_deletion_of_the_spec_example_is_read_or_refused()
    {
        // Exhaustive where cheap: each prefix is a torn write, each deletion a lost byte.
        byte[] spec = Samples.Utf8(Samples.SpecExampleJson);
        for (int i = 0; i <= spec.Length; i++)
        {
            AssertReadOrRefused(spec[..i]);
            if (i < spec.Length)
            {
                AssertReadOrRefused([.. spec[..i], .. spec[(i + 1)..]]);
            }
        }
    }

    [Fact]
    public void Every_byte_of_the_spec_example_replaced_by_each_interesting_byte_is_read_or_refused()
    {
        byte[] spec = Samples.Utf8(Samples.SpecExampleJson);
        byte[] replacements = [.. "\"\\{}[],:u0-. \n"u8, 0x00, 0x1F, 0x7F, 0x80, 0xC0, 0xED, 0xFF];
        foreach (byte replacement in replacements)
        {
            for (int i = 0; i < spec.Length; i++)
            {
                byte[] mutated = (byte[])spec.Clone();
                mutated[i] = replacement;
                AssertReadOrRefused(mutated);
            }
        }
    }

    private static void AssertReadOrRefused(byte[] document)
    {
        SnapshotManifest? manifest = null;
        CaseBudget.Measure(document, input =>
        {
            try
            {
                manifest = SnapshotManifest.ReadUtf8(input);
            }
            catch (ManifestFormatException)
            {
                manifest = null;
            }
        });

        if (manifest is null)
        {
            return;
        }

        // Whatever is accepted must be a manifest this library can write and read back unchanged.
        Assert.Equal(manifest, SnapshotManifest.ReadUtf8(Samples.Write(manifest)));
    }

    private static void Apply(List<byte> bytes, MutationKind kind, int position, int bit, byte value)
    {
        switch (kind)
        {
            case MutationKind.InsertByte:
                bytes.Insert(position % (bytes.Count + 1), value);
                break;
            case MutationKind.DeleteByte when bytes.Count > 0:
                bytes.RemoveAt(position % bytes.Count);
                break;
            case MutationKind.FlipBit when bytes.Count > 0:
                bytes[position % bytes.Count] ^= (byte)(1 << bit);
                break;
            case MutationKind.ReplaceByte when bytes.Count > 0:
                bytes[position % bytes.Count] = value;
                break;
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes) + " \"" + System.Text.Encoding.UTF8.GetString(bytes) + "\"";
}
