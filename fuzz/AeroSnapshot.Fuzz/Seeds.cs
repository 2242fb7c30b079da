using System.Text;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Checkpoint;

namespace AeroSnapshot.Fuzz;

/// <summary>Valid documents to start from: the spec's example shapes, written by the library itself.</summary>
internal static class Seeds
{
    public static List<byte[]> All()
    {
        var at = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        SnapshotId id = SnapshotId.FromDateTimeOffset(at);
        var seeds = new List<byte[]>
        {
            Write(SnapshotManifest.Create(id, new Crc32Checksum(0xDEADBEEF), ChecksumMap.Empty)),
            Write(SnapshotManifest.Create(id, new Crc32Checksum(0x01234567), ChecksumMap.Create(
            [
                new ChecksumEntry("users/user_v1.json", new Crc32Checksum(0x89ABCDEF)),
                new ChecksumEntry("orders_v1.json", new Crc32Checksum(0)),
                new ChecksumEntry("\"quoted\" tab\there\u007f", new Crc32Checksum(1)),
                new ChecksumEntry("ünïcødé/日本/😀.json", new Crc32Checksum(2)),
            ]))),
            Write(new SnapshotManifest
            {
                SnapshotId = id,
                CreatedAt = id.Instant,
                StorageChecksum = new Crc32Checksum(7),
                SchemaChecksums = ChecksumMap.Empty,
                FormatVersion = SnapshotManifest.MvccFormatVersion,
                CommitBoundary = ulong.MaxValue,
            }),
            Write(new CheckpointMarker { SnapshotId = id, CreatedAt = id.Instant, WalTruncated = true, FormatVersion = CheckpointMarker.CurrentFormatVersion }),
            Encoding.UTF8.GetBytes("{}"),
            new AeroSnapshot.Fast.Backup.BackupManifest { BackupId = id, CreatedAt = id.Instant, SnapshotId = id, WalPresent = true, FormatVersion = 1 }.ToUtf8(),
            WalRecords(3),
        };
        return seeds;
    }

    /// <summary>A WAL of <paramref name="count"/> small records in AeroDB's record format (BACKUP-CHECKPOINT.md §4).</summary>
    private static byte[] WalRecords(int count)
    {
        var wal = new List<byte>();
        for (int i = 1; i <= count; i++)
        {
            // AeroDB's payload: five length-prefixed fields (collection, document, schema, version, body).
            byte[] payload = [5, 0, 0, 0, .. "users"u8, 1, 0, 0, 0, (byte)('0' + i), 4, 0, 0, 0, .. "user"u8, 2, 0, 0, 0, .. "v1"u8, (byte)i, 0, 0, 0, .. new byte[i]];
            byte[] record = new byte[17 + payload.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)record.Length);
            record[4] = (byte)i;
            payload.CopyTo(record, 13);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(5), (ulong)i);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(record.Length - 4), System.IO.Hashing.Crc32.HashToUInt32(record.AsSpan(0, record.Length - 4)));
            wal.AddRange(record);
        }

        return [.. wal];
    }

    /// <summary>Writes the seeds into <paramref name="directory"/> (a starting corpus for libFuzzer or AFL).</summary>
    public static int WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        List<byte[]> seeds = All();
        for (int i = 0; i < seeds.Count; i++)
        {
            File.WriteAllBytes(Path.Join(directory, $"seed-{i:D2}.json"), seeds[i]);
        }

        Console.WriteLine($"wrote {seeds.Count} seeds to {directory}");
        return 0;
    }

    private static byte[] Write(SnapshotManifest manifest)
    {
        byte[] bytes = new byte[manifest.GetUtf8ByteCount()];
        _ = manifest.TryWriteUtf8(bytes, out _);
        return bytes;
    }

    private static byte[] Write(CheckpointMarker marker)
    {
        byte[] bytes = new byte[marker.GetUtf8ByteCount()];
        _ = marker.TryWriteUtf8(bytes, out _);
        return bytes;
    }
}
