using System.Diagnostics;
using System.Globalization;
using AeroSnapshot.Fast.Checkpoint;

namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>
/// The manifest is written while AeroDB's writes are paused, so writing it into the caller's
/// buffer must not allocate (no garbage collection can start inside the pause because of it).
/// </summary>
public sealed class ManifestWriterAllocationTests
{
    internal static readonly CheckpointMarker Marker = new()
    {
        SnapshotId = SnapshotId.Parse("20260204T113000Z"),
        CreatedAt = SnapshotInstant.Parse("2026-02-04T11:30:05Z"),
        WalTruncated = true,
        FormatVersion = 1,
    };

    /// <summary>Paths that go through every branch of the string writer: escapes, non-ASCII and surrogate pairs.</summary>
    internal static SnapshotManifest ManifestWith(int schemaCount, int? formatVersion = null)
    {
        var entries = Enumerable.Range(0, schemaCount).Select(i => new ChecksumEntry(
            string.Create(CultureInfo.InvariantCulture, $"tenant_{i % 7}/caf\u00e9 \"q\"\t{i}/\U0001F600_v{i}.json"),
            new Crc32Checksum((uint)i * 2654435761u)));
        SnapshotManifest manifest = SnapshotManifest.Create(
            SnapshotId.Parse("20260204T113000Z"), new Crc32Checksum(0xdeadbeef), ChecksumMap.Create(entries));
        return formatVersion == SnapshotManifest.MvccFormatVersion
            ? new SnapshotManifest
            {
                SnapshotId = manifest.SnapshotId,
                CreatedAt = manifest.CreatedAt,
                StorageChecksum = manifest.StorageChecksum,
                SchemaChecksums = manifest.SchemaChecksums,
                FormatVersion = SnapshotManifest.MvccFormatVersion,
                CommitBoundary = 42,
            }
            : manifest;
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2_000, 1)]
    [InlineData(10, 2)]
    public void TryWriteUtf8_into_a_caller_buffer_allocates_nothing(int schemaCount, int formatVersion)
    {
        SnapshotManifest manifest = ManifestWith(schemaCount, formatVersion);
        byte[] buffer = new byte[manifest.GetUtf8ByteCount()];
        Assert.True(manifest.TryWriteUtf8(buffer, out _)); // warm-up: static initialisation may allocate once

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool ok = manifest.TryWriteUtf8(buffer, out int written);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(ok);
        Assert.Equal(buffer.Length, written);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void GetUtf8ByteCount_allocates_nothing()
    {
        SnapshotManifest manifest = ManifestWith(100);

        Assert.Equal(0, ColdAllocationProbe.AllocatedBy(manifest.GetUtf8ByteCount));
    }

    [Fact]
    public void Failed_TryWriteUtf8_into_a_too_small_buffer_allocates_nothing()
    {
        SnapshotManifest manifest = ManifestWith(100);
        byte[] buffer = new byte[16];

        Assert.Equal(0, ColdAllocationProbe.AllocatedBy(() => manifest.TryWriteUtf8(buffer, out _)));
    }

    [Fact]
    public void CheckpointMarker_TryWriteUtf8_allocates_nothing()
    {
        byte[] buffer = new byte[Marker.GetUtf8ByteCount()];

        Assert.Equal(0, ColdAllocationProbe.AllocatedBy(() => Marker.TryWriteUtf8(buffer, out _)));
    }

    [Fact]
    public async Task Writing_allocates_nothing_even_in_never_promoted_tier0_code()
    {
        // In this process the writer may already be tier-1 code (other tests warmed it up), which
        // hid 96 bytes of boxing per string from the tests above. DOTNET_TC_CallCounting=0 keeps every
        // method at its first tier in the child, as it is in a database that snapshots every few minutes.
        var start = new ProcessStartInfo(DotnetHost(), ["exec", typeof(ColdAllocationProbe).Assembly.Location, ColdAllocationProbe.Argument])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_TieredCompilation"] = "1";
        start.Environment["DOTNET_TC_CallCounting"] = "0";

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using Process probe = ExternalCommand.Start(start);
        Task<string> stderr = probe.StandardError.ReadToEndAsync(timeout.Token);
        string output = await probe.StandardOutput.ReadToEndAsync(timeout.Token);
        await probe.WaitForExitAsync(timeout.Token);

        Assert.True(probe.ExitCode == 0, $"probe failed with {probe.ExitCode}: {await stderr}");
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(13, lines.Length);
        Assert.True(lines.All(line => line.EndsWith("=0", StringComparison.Ordinal)), output);
    }

    /// <summary>The dotnet host running this test, so the child uses the same runtime.</summary>
    private static string DotnetHost()
    {
        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
