using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace AeroSnapshot.Cli.Demo;

/// <summary>
/// The demo's WAL: eight inserts in AeroDB's record format (its <c>WalRecord::serialize</c>), so that
/// AeroDB's own reader (<c>refharness wal-read</c>) opens the demo directory, and backup,
/// verify-backup, restore-backup and checkpoint accept it as they would AeroDB's.
/// </summary>
internal static class DemoWal
{
    public const int Records = 8;

    /// <summary>
    /// length u32 LE (whole record) | type (0 = insert) | sequence u64 LE (from 1) | payload | CRC-32 LE
    /// of all before it; the payload is collection, document id, schema id, schema version (UTF-8)
    /// and the document body, each behind its u32 LE length.
    /// </summary>
    public static byte[] Build()
    {
        using var wal = new MemoryStream();
        for (int sequence = 1; sequence <= Records; sequence++)
        {
            string id = string.Create(CultureInfo.InvariantCulture, $"user-{sequence}");
            string body = string.Create(CultureInfo.InvariantCulture, $$"""{"id":"{{id}}","email":"{{id}}@example.com"}""");
            byte[] payload = Payload("users", id, "user", "v1", Encoding.UTF8.GetBytes(body));
            byte[] record = new byte[4 + 1 + 8 + payload.Length + 4];
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)record.Length);
            record[4] = 0;
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(5), (ulong)sequence);
            payload.CopyTo(record, 13);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(record.Length - 4), Crc32.HashToUInt32(record.AsSpan(0, record.Length - 4)));
            wal.Write(record);
        }

        return wal.ToArray();
    }

    private static byte[] Payload(string collection, string document, string schema, string version, byte[] body)
    {
        using var payload = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (byte[] field in new[] { Encoding.UTF8.GetBytes(collection), Encoding.UTF8.GetBytes(document), Encoding.UTF8.GetBytes(schema), Encoding.UTF8.GetBytes(version), body })
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)field.Length);
            payload.Write(length);
            payload.Write(field);
        }

        return payload.ToArray();
    }
}
