using System.Buffers.Binary;
using System.Text;

namespace AeroSnapshot.Fast.Tests.Backup;

/// <summary>
/// Tar bytes made by hand, for what no writer of ours or .NET's makes: a GNU sparse header, a mode
/// with file-type bits, a base-256 size, a damaged checksum. Offsets are those of POSIX ustar.
/// </summary>
internal static class TarBlocks
{
    public const int Block = 512;

    /// <summary>A header block: ustar (<c>"ustar\0" "00"</c>) or GNU (<c>"ustar  \0"</c>), its checksum set.</summary>
    public static byte[] Header(string name, char type, long size, bool gnu = true, string? prefix = null, string mode = "0000644")
    {
        var header = new byte[Block];
        Encoding.UTF8.GetBytes(name).CopyTo(header, 0);
        Octal(header.AsSpan(100, 8), mode);
        Octal(header.AsSpan(108, 8), "0000000");
        Octal(header.AsSpan(116, 8), "0000000");
        SetSize(header, size);
        Octal(header.AsSpan(136, 12), "00000000000");
        header[156] = (byte)type;
        (gnu ? "ustar  \0"u8 : "ustar\u000000"u8).CopyTo(header.AsSpan(257));
        if (prefix is not null)
        {
            Encoding.UTF8.GetBytes(prefix).CopyTo(header, 345);
        }

        SetChecksum(header);
        return header;
    }

    /// <summary>An entry: header, data, zero padding to the next block.</summary>
    public static byte[] Entry(string name, char type, byte[] data, bool gnu = true)
    {
        var stream = new MemoryStream();
        stream.Write(Header(name, type, data.Length, gnu));
        stream.Write(data);
        stream.Write(new byte[Padding(data.Length)]);
        return stream.ToArray();
    }

    /// <summary>A PAX extended header entry (type <c>x</c>) holding <paramref name="records"/>.</summary>
    public static byte[] Pax(params (string Key, string Value)[] records)
    {
        var data = new List<byte>();
        foreach ((string key, string value) in records)
        {
            int body = Encoding.UTF8.GetByteCount($" {key}={value}\n");
            int length = body + body.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            if ((length - body) != length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length)
            {
                length++;
            }

            data.AddRange(Encoding.UTF8.GetBytes($"{length} {key}={value}\n"));
        }

        return Entry("PaxHeaders/entry", 'x', [.. data], gnu: false);
    }

    public static int Padding(long size) => (int)((Block - (size % Block)) % Block);

    /// <summary>Octal size field (11 digits and a NUL).</summary>
    public static void SetSize(Span<byte> header, long size) => Octal(header.Slice(124, 12), Convert.ToString(size, 8).PadLeft(11, '0'));

    /// <summary>GNU's base-256 size: 0x80, then the size big-endian in the field's remaining 11 bytes.</summary>
    public static void SetBase256Size(Span<byte> header, long size)
    {
        Span<byte> field = header.Slice(124, 12);
        field.Clear();
        field[0] = 0x80;
        BinaryPrimitives.WriteInt64BigEndian(field[4..], size);
    }

    /// <summary>Sets the mode field (octal text, e.g. <c>0100644</c> with the regular-file type bits) and the checksum.</summary>
    public static void SetMode(Span<byte> header, string octal)
    {
        Octal(header.Slice(100, 8), octal);
        SetChecksum(header);
    }

    /// <summary>The checksum as GNU tar writes it: six octal digits, NUL, space.</summary>
    public static void SetChecksum(Span<byte> header)
    {
        header.Slice(148, 8).Fill((byte)' ');
        long sum = 0;
        foreach (byte b in header[..Block])
        {
            sum += b;
        }

        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header[148..]);
    }

    /// <summary>The offset of the header block whose name field is <paramref name="name"/> (the first one, block-aligned).</summary>
    public static int Find(byte[] archive, string name)
    {
        byte[] wanted = Encoding.UTF8.GetBytes(name + "\0");
        for (int offset = 0; offset + Block <= archive.Length; offset += Block)
        {
            if (archive.AsSpan(offset, wanted.Length).SequenceEqual(wanted))
            {
                return offset;
            }
        }

        throw new InvalidOperationException($"no header named '{name}'");
    }

    /// <summary>The offset of the end-of-archive marker of an archive whose entries are <see cref="Find"/>-able.</summary>
    public static int EndMarker(byte[] archive)
    {
        int offset = 0;
        while (archive.AsSpan(offset, Block).ContainsAnyExcept((byte)0))
        {
            long size = Convert.ToInt64(Encoding.ASCII.GetString(archive, offset + 124, 11), 8);
            offset += Block + (int)size + Padding(size);
        }

        return offset;
    }

    public static byte[] Splice(byte[] archive, int at, byte[] inserted) => [.. archive.AsSpan(0, at), .. inserted, .. archive.AsSpan(at)];

    private static void Octal(Span<byte> field, string digits)
    {
        field.Clear();
        Encoding.ASCII.GetBytes(digits).CopyTo(field);
    }
}
