namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>Builds WAL bytes in AeroDB's record format (BACKUP-CHECKPOINT.md §4), written independently of the validator (<see cref="AeroDbWal"/>).</summary>
public static class WalBuilder
{
    /// <summary>One record's bytes around any payload: length, type, sequence, payload, CRC-32 of all before it.</summary>
    public static byte[] Record(byte type, ulong sequence, ReadOnlySpan<byte> payload) => AeroDbWal.Frame(type, sequence, payload);

    /// <summary>
    /// A valid WAL (if <paramref name="firstSequence"/> is 1; else the tail of one) whose records carry
    /// bodies of the given sizes in AeroDB's five-field payload, types 0..5 in turn, and the offset of each record.
    /// </summary>
    public static (byte[] Bytes, long[] Offsets) Valid(IReadOnlyList<int> bodySizes, ulong firstSequence = 1, int seed = 7)
    {
        var random = new Random(seed);
        var stream = new MemoryStream();
        var offsets = new long[bodySizes.Count];
        for (int i = 0; i < bodySizes.Count; i++)
        {
            offsets[i] = stream.Length;
            var body = new byte[bodySizes[i]];
            random.NextBytes(body);
            ulong sequence = firstSequence + (ulong)i;
            stream.Write(AeroDbWal.Frame((byte)(i % 6), sequence, AeroDbWal.Payload("users", $"doc-{sequence}", "user", "v1", body)));
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
