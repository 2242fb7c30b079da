using System.Buffers.Binary;
using System.IO.Hashing;

namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>Builds WAL bytes in the record frame of BACKUP-CHECKPOINT.md §4, written independently of the validator.</summary>
public static class WalBuilder
{
    /// <summary>One record's bytes: length, type, sequence, payload, CRC-32 of all before it.</summary>
    public static byte[] Record(byte type, ulong sequence, ReadOnlySpan<byte> payload)
    {
        var record = new byte[17 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)record.Length);
        record[4] = type;
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(5), sequence);
        payload.CopyTo(record.AsSpan(13));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(record.Length - 4), Crc32.HashToUInt32(record.AsSpan(0, record.Length - 4)));
        return record;
    }

    /// <summary>A valid WAL of records with the given payload sizes, sequences from <paramref name="firstSequence"/> up, and the offset of each record.</summary>
    public static (byte[] Bytes, long[] Offsets) Valid(IReadOnlyList<int> payloadSizes, ulong firstSequence = 1, int seed = 7)
    {
        var random = new Random(seed);
        var stream = new MemoryStream();
        var offsets = new long[payloadSizes.Count];
        for (int i = 0; i < payloadSizes.Count; i++)
        {
            offsets[i] = stream.Length;
            var payload = new byte[payloadSizes[i]];
            random.NextBytes(payload);
            stream.Write(Record((byte)(i % 6), firstSequence + (ulong)i, payload));
        }

        return (stream.ToArray(), offsets);
    }

    /// <summary>The index of the record that holds byte <paramref name="position"/>.</summary>
    public static int RecordAt(long[] offsets, long position)
    {
        int index = Array.BinarySearch(offsets, position);
        return index >= 0 ? index : ~index - 1;
    }
}
