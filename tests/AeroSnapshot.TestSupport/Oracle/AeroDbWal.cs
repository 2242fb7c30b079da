using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace AeroSnapshot.TestSupport.Oracle;

/// <summary>
/// Writes WAL records in AeroDB's record format (its <c>WalRecord::serialize</c>, written here
/// independently of the library): length u32 LE of the whole record, type, sequence u64 LE, the
/// payload's five length-prefixed fields (collection, document id, schema id, schema version, body),
/// CRC-32 LE of every byte before it. The reference's <c>refharness wal-read</c> reads these.
/// </summary>
public static class AeroDbWal
{
    /// <summary>The payload AeroDB's writer produces: four UTF-8 strings and the body, each behind its u32 LE length.</summary>
    public static byte[] Payload(string collection, string document, string schema, string version, ReadOnlySpan<byte> body)
    {
        var payload = new MemoryStream();
        foreach (string field in new[] { collection, document, schema, version })
        {
            Field(payload, Encoding.UTF8.GetBytes(field));
        }

        Field(payload, body);
        return payload.ToArray();
    }

    /// <summary>One record around any payload bytes (well-formed or not), with a correct length and checksum.</summary>
    public static byte[] Frame(byte type, ulong sequence, ReadOnlySpan<byte> payload)
    {
        var record = new byte[17 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)record.Length);
        record[4] = type;
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(5), sequence);
        payload.CopyTo(record.AsSpan(13));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(record.Length - 4), Crc32.HashToUInt32(record.AsSpan(0, record.Length - 4)));
        return record;
    }

    /// <summary>A record as AeroDB's writer makes it: collection <c>users</c>, document <c>doc-N</c>, schema <c>user</c> <c>v1</c>, the body given.</summary>
    public static byte[] Record(byte type, ulong sequence, ReadOnlySpan<byte> body)
        => Frame(type, sequence, Payload("users", "doc-" + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "user", "v1", body));

    /// <summary>A WAL of <paramref name="records"/> records numbered from 1, types cycling insert, update, delete, bodies of <c>i * bodyStep</c> bytes.</summary>
    public static byte[] Valid(int records, int bodyStep = 10)
    {
        var wal = new MemoryStream();
        for (int i = 1; i <= records; i++)
        {
            byte[] body = new byte[i * bodyStep];
            body.AsSpan().Fill((byte)i);
            wal.Write(Record((byte)((i - 1) % 3), (ulong)i, body));
        }

        return wal.ToArray();
    }

    /// <summary>
    /// Reads a WAL as AeroDB's reader does (<c>WalReader::read_all</c>), the slow and obvious way
    /// (whole records, .NET's strict UTF-8 decoder), and returns the number of records; throws
    /// <see cref="InvalidDataException"/> naming the record's offset where the reader would refuse it.
    /// </summary>
    public static int ReadAll(byte[] wal)
    {
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        int at = 0;
        int count = 0;
        while (at < wal.Length)
        {
            if (wal.Length - at < 37)
            {
                throw Refused(at, "fewer than 37 bytes left");
            }

            uint length = BinaryPrimitives.ReadUInt32LittleEndian(wal.AsSpan(at));
            if (length < 37 || length > wal.Length - at)
            {
                throw Refused(at, $"length {length}");
            }

            byte[] record = wal.AsSpan(at, (int)length).ToArray();
            if (Crc32.HashToUInt32(record.AsSpan(0, record.Length - 4)) != BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(record.Length - 4)))
            {
                throw Refused(at, "checksum");
            }

            if (record[4] > 5)
            {
                throw Refused(at, $"type {record[4]}");
            }

            var payload = new BinaryReader(new MemoryStream(record, 13, record.Length - 17));
            try
            {
                for (int field = 0; field < 5; field++)
                {
                    uint fieldLength = payload.ReadUInt32();
                    if (fieldLength > payload.BaseStream.Length - payload.BaseStream.Position)
                    {
                        throw Refused(at, $"field {field} runs past the payload");
                    }

                    byte[] bytes = payload.ReadBytes((int)fieldLength);
                    if (field < 4)
                    {
                        _ = strict.GetString(bytes);
                    }
                }
            }
            catch (Exception ex) when (ex is EndOfStreamException or DecoderFallbackException)
            {
                throw Refused(at, ex.Message);
            }

            if (BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(5)) != (ulong)count + 1)
            {
                throw Refused(at, "sequence");
            }

            count++;
            at += (int)length;
        }

        return count;
    }

    private static InvalidDataException Refused(int offset, string why) => new($"AeroDB's reader refuses the record at offset {offset}: {why}");

    private static void Field(MemoryStream payload, ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)bytes.Length);
        payload.Write(length);
        payload.Write(bytes);
    }
}
