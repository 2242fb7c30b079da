using System.Text;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// One 512-byte tar header block, parsed as ustar (POSIX, the base of PAX) or GNU tar write it:
/// the name (with the ustar prefix), the entry type, the size (octal, or GNU's base-256 for sizes
/// of 8 GiB and more) and the link name, after its checksum was verified. The mode, owner, group
/// and times are never read: what they say changes nothing a restore writes.
/// </summary>
/// <remarks>
/// The checksum is the sum of the block's bytes with the checksum field counted as eight spaces; as
/// GNU tar and Python's tarfile do, the sum of the bytes read as signed is accepted too (some old
/// writers computed that one). A block with any other magic than ustar's or GNU's (a V7 header, or
/// anything else) is refused: no tool re-packs a backup that way.
/// </remarks>
internal readonly record struct TarHeader(string Name, char Type, long Size, string LinkName)
{
    public const int BlockSize = 512;

    private const int NameLength = 100;
    private const int SizeOffset = 124;
    private const int SizeLength = 12;
    private const int ChecksumOffset = 148;
    private const int ChecksumLength = 8;
    private const int TypeOffset = 156;
    private const int LinkNameOffset = 157;
    private const int MagicOffset = 257;
    private const int PrefixOffset = 345;
    private const int PrefixLength = 155;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>True for an all-zero block: the end-of-archive marker.</summary>
    public static bool IsZero(ReadOnlySpan<byte> block) => !block.ContainsAnyExcept((byte)0);

    /// <summary>Parses the header block that starts at byte <paramref name="offset"/> of the archive.</summary>
    /// <exception cref="ArchiveFormatException">The block is not a valid ustar or GNU header.</exception>
    public static TarHeader Parse(ReadOnlySpan<byte> block, long offset)
    {
        VerifyChecksum(block, offset);

        ReadOnlySpan<byte> magic = block.Slice(MagicOffset, 8);
        bool gnu = magic.SequenceEqual("ustar  \0"u8);
        if (!gnu && !magic[..6].SequenceEqual("ustar\0"u8))
        {
            throw new ArchiveFormatException($"the header at byte {offset} is not a ustar, GNU or PAX tar header");
        }

        string name = Text(block[..NameLength], offset, "name");
        if (!gnu && Terminated(block.Slice(PrefixOffset, PrefixLength)) is { IsEmpty: false } prefix)
        {
            // ustar splits a long name at a '/': prefix, then name. GNU uses these bytes for times.
            name = Text(prefix, offset, "name prefix") + "/" + name;
        }

        char type = (char)block[TypeOffset];
        long size = Number(block.Slice(SizeOffset, SizeLength), offset, "size");
        string linkName = Text(block.Slice(LinkNameOffset, NameLength), offset, "link name");
        return new TarHeader(name, type, size, linkName);
    }

    /// <summary>Decodes UTF-8 that must be valid (a name that is not cannot be written back as it was).</summary>
    public static string Utf8(ReadOnlySpan<byte> bytes, long offset, string field)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ArchiveFormatException($"the {field} of the header at byte {offset} is not valid UTF-8");
        }
    }

    /// <summary>A NUL-terminated field (or one that fills its whole width), without the terminator.</summary>
    public static ReadOnlySpan<byte> Terminated(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return end < 0 ? field : field[..end];
    }

    private static string Text(ReadOnlySpan<byte> field, long offset, string what) => Utf8(Terminated(field), offset, what);

    private static void VerifyChecksum(ReadOnlySpan<byte> block, long offset)
    {
        long stored = Number(block.Slice(ChecksumOffset, ChecksumLength), offset, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < block.Length; i++)
        {
            byte b = i is >= ChecksumOffset and < ChecksumOffset + ChecksumLength ? (byte)' ' : block[i];
            unsigned += b;
            signed += (sbyte)b;
        }

        if (stored != unsigned && stored != signed)
        {
            throw new ArchiveFormatException($"the header at byte {offset} is damaged: its checksum field says {stored} but its bytes sum to {unsigned}");
        }
    }

    /// <summary>
    /// A numeric field: octal digits after optional spaces, ended by NUL or space (an empty field is
    /// 0), or GNU's base-256 (first byte with its top bit set; 0xFF, a negative number, is refused).
    /// </summary>
    private static long Number(ReadOnlySpan<byte> field, long offset, string what)
    {
        long value = 0;
        if ((field[0] & 0x80) != 0)
        {
            if (field[0] == 0xFF)
            {
                throw new ArchiveFormatException($"the {what} field of the header at byte {offset} is negative");
            }

            value = field[0] & 0x7F;
            foreach (byte b in field[1..])
            {
                if (value > (long.MaxValue >> 8))
                {
                    throw new ArchiveFormatException($"the {what} field of the header at byte {offset} is too large");
                }

                value = (value << 8) | b;
            }

            return value;
        }

        int i = 0;
        while (i < field.Length && field[i] == (byte)' ')
        {
            i++;
        }

        for (; i < field.Length && field[i] is >= (byte)'0' and <= (byte)'7'; i++)
        {
            if (value > (long.MaxValue >> 3))
            {
                throw new ArchiveFormatException($"the {what} field of the header at byte {offset} is too large");
            }

            value = (value << 3) | (uint)(field[i] - '0');
        }

        if (field[i..].ContainsAnyExcept((byte)0, (byte)' '))
        {
            throw new ArchiveFormatException($"the {what} field of the header at byte {offset} is not an octal number");
        }

        return value;
    }
}
