using System.Globalization;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// What a PAX extended header (type <c>x</c>) says about the entry that follows it: its
/// <c>path</c>, <c>size</c> and <c>linkpath</c>, and whether it is a sparse file (any
/// <c>GNU.sparse.*</c> record). Every other record (times, owners, <c>SCHILY.*</c>, <c>LIBARCHIVE.*</c>…)
/// is read and ignored, as the mtime, mode and owner fields of a plain header are.
/// </summary>
/// <remarks>
/// Each record is <c>"&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n"</c>, the decimal length counting the whole
/// record. A record that does not parse, a second record for the same one of the three keys, or
/// bytes after the last record other than NUL padding are refused: two tools could read such a
/// header differently. An empty value leaves the header block's field in force (POSIX).
/// </remarks>
internal readonly record struct PaxRecords(string? Path, long? Size, string? LinkPath, bool Sparse)
{
    /// <exception cref="ArchiveFormatException">The records are malformed.</exception>
    public static PaxRecords Parse(ReadOnlySpan<byte> data, long offset)
    {
        string? path = null;
        string? linkPath = null;
        long? size = null;
        bool sparse = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int position = 0;
        while (position < data.Length && data[position] != 0)
        {
            ReadOnlySpan<byte> rest = data[position..];
            int space = rest.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out int length)
                || length <= space + 2 || length > rest.Length || rest[length - 1] != (byte)'\n')
            {
                throw Malformed(offset, position, "a record whose length does not fit it");
            }

            ReadOnlySpan<byte> record = rest[(space + 1)..(length - 1)];
            int equals = record.IndexOf((byte)'=');
            if (equals <= 0)
            {
                throw Malformed(offset, position, "a record without a key");
            }

            string key = TarHeader.Utf8(record[..equals], offset, "PAX record key");
            ReadOnlySpan<byte> value = record[(equals + 1)..];
            if (key is "path" or "linkpath" or "size" && !seen.Add(key))
            {
                throw Malformed(offset, position, $"a second '{key}' record");
            }

            switch (key)
            {
                case "path":
                    path = NonEmpty(value, offset, key);
                    break;
                case "linkpath":
                    linkPath = NonEmpty(value, offset, key);
                    break;
                case "size":
                    if (!value.IsEmpty)
                    {
                        size = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed)
                            ? parsed
                            : throw Malformed(offset, position, "a 'size' record that is not a decimal number");
                    }

                    break;
                default:
                    sparse |= key.StartsWith("GNU.sparse.", StringComparison.Ordinal);
                    break;
            }

            position += length;
        }

        if (data[position..].ContainsAnyExcept((byte)0))
        {
            throw Malformed(offset, position, "bytes after the NUL that ends its records");
        }

        return new PaxRecords(path, size, linkPath, sparse);
    }

    // An empty value is not an override: the header block's own field stays in force.
    private static string? NonEmpty(ReadOnlySpan<byte> value, long offset, string key)
        => value.IsEmpty ? null : TarHeader.Utf8(value, offset, $"PAX '{key}' record");

    private static ArchiveFormatException Malformed(long offset, int position, string what)
        => new($"the PAX extended header at byte {offset} has {what} (at byte {position} of its records)");
}
