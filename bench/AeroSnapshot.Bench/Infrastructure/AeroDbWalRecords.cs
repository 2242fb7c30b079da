using System.Buffers.Binary;
using System.IO.Hashing;

namespace AeroSnapshot.Bench.Infrastructure;

/// <summary>
/// Fills a buffer with WAL records of one size in AeroDB's record format, numbered from 1: length,
/// type, sequence, a payload of four short strings (collection, document id, schema, version) and a
/// body that fills the rest (whatever bytes the buffer held), CRC-32. AeroDB's reader accepts them.
/// </summary>
internal static class AeroDbWalRecords
{
    /// <summary>The smallest record this writes: header, the four strings with their lengths, an empty body's length, checksum.</summary>
    public const int MinimumRecordBytes = 13 + (4 + 5) + (4 + 12) + (4 + 4) + (4 + 2) + 4 + 4;

    public static void Fill(Span<byte> wal, int recordBytes, Func<ulong, byte> type)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recordBytes, MinimumRecordBytes);
        Span<byte> document = stackalloc byte[12];
        ulong sequence = 1;
        for (int offset = 0; offset + recordBytes <= wal.Length; offset += recordBytes)
        {
            Span<byte> record = wal.Slice(offset, recordBytes);
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)recordBytes);
            record[4] = type(sequence);
            BinaryPrimitives.WriteUInt64LittleEndian(record[5..], sequence);
            Span<byte> payload = record[13..^4];
            "doc-"u8.CopyTo(document);
            _ = sequence.TryFormat(document[4..], out _, "D8");
            int at = Field(payload, "users"u8);
            at += Field(payload[at..], document);
            at += Field(payload[at..], "user"u8);
            at += Field(payload[at..], "v1"u8);
            BinaryPrimitives.WriteUInt32LittleEndian(payload[at..], (uint)(payload.Length - at - 4));
            BinaryPrimitives.WriteUInt32LittleEndian(record[^4..], Crc32.HashToUInt32(record[..^4]));
            sequence++;
        }
    }

    private static int Field(Span<byte> into, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(into, (uint)value.Length);
        value.CopyTo(into[4..]);
        return 4 + value.Length;
    }
}
