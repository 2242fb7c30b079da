using System.Globalization;

namespace AeroSnapshot.Fast.Tests.Manifest;

/// <summary>
/// The manifest is written while AeroDB's writes are paused, so writing it into the caller's
/// buffer must not allocate (no garbage collection can start inside the pause because of it).
/// </summary>
public sealed class ManifestWriterAllocationTests
{
    private static SnapshotManifest ManifestWith(int schemaCount, int? formatVersion = null)
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
        Assert.True(manifest.TryWriteUtf8(buffer, out _)); // warm-up: JIT and static initialisation may allocate once

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
        _ = manifest.GetUtf8ByteCount();

        long before = GC.GetAllocatedBytesForCurrentThread();
        int count = manifest.GetUtf8ByteCount();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(count > 0);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Failed_TryWriteUtf8_into_a_too_small_buffer_allocates_nothing()
    {
        SnapshotManifest manifest = ManifestWith(100);
        byte[] buffer = new byte[16];
        _ = manifest.TryWriteUtf8(buffer, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool ok = manifest.TryWriteUtf8(buffer, out _);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.False(ok);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void CheckpointMarker_TryWriteUtf8_allocates_nothing()
    {
        var marker = new CheckpointMarker
        {
            SnapshotId = SnapshotId.Parse("20260204T113000Z"),
            CreatedAt = SnapshotInstant.Parse("2026-02-04T11:30:05Z"),
            WalTruncated = true,
            FormatVersion = 1,
        };
        byte[] buffer = new byte[marker.GetUtf8ByteCount()];
        _ = marker.TryWriteUtf8(buffer, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool ok = marker.TryWriteUtf8(buffer, out _);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(ok);
        Assert.Equal(0, allocated);
    }
}
