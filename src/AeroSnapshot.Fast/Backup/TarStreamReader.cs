using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Backup;

/// <summary>One archive entry as its headers declare it, extension headers applied.</summary>
/// <param name="Name">The name: a PAX <c>path</c> record, else a GNU long name, else the header's (ustar prefix included).</param>
/// <param name="Type">The header's type flag (<c>'0'</c> file, <c>'5'</c> directory, …).</param>
/// <param name="Size">Bytes of data that follow the header: a PAX <c>size</c> record, else the header's.</param>
/// <param name="Sparse">A PAX header marked it as a GNU sparse file (its data is a map, not the file).</param>
/// <param name="Offset">Where its first header starts in the archive.</param>
internal readonly record struct TarEntryHeader(string Name, char Type, long Size, bool Sparse, long Offset);

/// <summary>
/// Reads a tar stream front to back, never seeking (so it can read a pipe), and trusts nothing in
/// it: every header's checksum is verified; GNU long names (<c>L</c>, <c>K</c>) and PAX extended
/// headers (<c>x</c>) are applied to the entry they precede; a declared size beyond what is left of
/// the archive is refused before anything reads (or reserves space for) it; after the
/// end-of-archive marker (a zero block) only zeros may follow, to the end.
/// </summary>
/// <remarks>
/// The reader knows the tar format only: which entries are allowed, and where they go, is the
/// caller's to decide (<see cref="BackupArchiveReader"/>). Entry data is read with
/// <see cref="ReadData"/> into the caller's buffer; what the caller leaves unread is skipped by the
/// next <see cref="Next"/>. Extension headers may be at most 1 MiB (a path is at most 4 KiB on Linux).
/// </remarks>
internal sealed class TarStreamReader
{
    private const int ExtensionLimit = 1 << 20;
    private const int TailChunk = 64 * 1024;

    private readonly Stream _stream;
    private readonly string _path;
    private readonly long? _length;
    private readonly byte[] _block = new byte[TarHeader.BlockSize];
    private long _position;
    private long _dataLeft;
    private int _paddingLeft;
    private string _current = string.Empty;

    /// <param name="stream">The archive, read sequentially from its start.</param>
    /// <param name="pathForErrors">The archive's name in messages.</param>
    /// <param name="length">Its length when known (a regular file), null for a stream of unknown length.</param>
    public TarStreamReader(Stream stream, string pathForErrors, long? length)
    {
        _stream = stream;
        _path = pathForErrors;
        _length = length;
    }

    /// <summary>Bytes of the archive read so far.</summary>
    public long Position => _position;

    /// <summary>True when the archive's length is known, so a declared size can be checked against it.</summary>
    public bool LengthKnown => _length is not null;

    /// <summary>
    /// The next entry, or null at the end-of-archive marker once everything after it was checked to
    /// be zeros. What is left of the current entry's data is skipped first.
    /// </summary>
    /// <exception cref="ArchiveFormatException">The stream is not a well-formed tar archive.</exception>
    public TarEntryHeader? Next()
    {
        string? longName = null;
        bool longLink = false;
        PaxRecords? pax = null;
        while (true)
        {
            SkipRestOfEntry(); // the previous entry's (or extension header's) data and padding
            long offset = _position;
            if (!ReadHeaderBlock(offset, pending: longName is not null || longLink || pax is not null))
            {
                return null;
            }

            TarHeader header = TarHeader.Parse(_block, offset);
            StartData(header.Size, offset, header.Name);
            switch (header.Type)
            {
                case 'L':
                    longName = ExtensionText(longName is not null, offset, "GNU long name");
                    continue;
                case 'K':
                    // A long link target: only a link carries one, and links are refused by the caller.
                    _ = ExtensionText(longLink, offset, "GNU long link name");
                    longLink = true;
                    continue;
                case 'x':
                    if (pax is not null)
                    {
                        throw new ArchiveFormatException($"the PAX extended header at byte {offset} follows another one for the same entry");
                    }

                    pax = PaxRecords.Parse(ReadExtension(offset, "PAX extended header"), offset);
                    continue;
            }

            string name = pax?.Path ?? longName ?? header.Name;
            long size = pax?.Size ?? header.Size;
            if (size != header.Size)
            {
                StartData(size, offset, name);
            }

            _current = name;
            return new TarEntryHeader(name, header.Type, size, pax?.Sparse ?? false, offset);
        }
    }

    /// <summary>Reads the current entry's data; 0 once all of it was read.</summary>
    /// <exception cref="ArchiveFormatException">The archive ends inside the data.</exception>
    public int ReadData(Span<byte> buffer)
    {
        if (_dataLeft == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        int read = Read(buffer[..(int)Math.Min(buffer.Length, _dataLeft)]);
        if (read == 0)
        {
            throw new ArchiveFormatException($"the archive ends at byte {_position}, inside the data of '{_current}' ({_dataLeft} of its bytes missing): it is truncated");
        }

        _dataLeft -= read;
        return read;
    }

    /// <summary>Declares <paramref name="size"/> bytes of data after the header just read, refusing more than the archive holds.</summary>
    private void StartData(long size, long offset, string name)
    {
        long padding = (TarHeader.BlockSize - (size % TarHeader.BlockSize)) % TarHeader.BlockSize;
        if (size < 0 || (_length is { } length && size > length - _position))
        {
            throw new ArchiveFormatException(
                $"the header at byte {offset} ('{name}') declares {size} bytes of data but only {(_length ?? 0) - _position} bytes of the archive are left: it is truncated or lies about its size");
        }

        _dataLeft = size;
        _paddingLeft = (int)padding;
    }

    private string ExtensionText(bool again, long offset, string what)
    {
        if (again)
        {
            throw new ArchiveFormatException($"the {what} at byte {offset} follows another one for the same entry");
        }

        return TarHeader.Utf8(TarHeader.Terminated(ReadExtension(offset, what)), offset, what);
    }

    private byte[] ReadExtension(long offset, string what)
    {
        if (_dataLeft > ExtensionLimit)
        {
            throw new ArchiveFormatException($"the {what} at byte {offset} is {_dataLeft} bytes long, more than the {ExtensionLimit} allowed");
        }

        var data = new byte[_dataLeft];
        int done = 0;
        while (done < data.Length)
        {
            done += ReadData(data.AsSpan(done));
        }

        return data;
    }

    private void SkipRestOfEntry()
    {
        Span<byte> scratch = _block;
        while (_dataLeft > 0)
        {
            _ = ReadData(scratch);
        }

        if (_paddingLeft > 0)
        {
            if (ReadFully(scratch[.._paddingLeft]) < _paddingLeft)
            {
                throw new ArchiveFormatException($"the archive ends at byte {_position}, inside the padding after '{_current}': it is truncated");
            }

            _paddingLeft = 0;
        }
    }

    /// <summary>Reads the next header block into <see cref="_block"/>; false at the end-of-archive marker, whose tail is then checked.</summary>
    private bool ReadHeaderBlock(long offset, bool pending)
    {
        int read = ReadFully(_block);
        if (read == 0)
        {
            throw new ArchiveFormatException($"the archive ends at byte {offset} without its end-of-archive marker: it is truncated");
        }

        if (read < _block.Length)
        {
            throw new ArchiveFormatException($"the archive ends at byte {_position}, inside the header that starts at byte {offset}: it is truncated");
        }

        if (!TarHeader.IsZero(_block))
        {
            return true;
        }

        if (pending)
        {
            throw new ArchiveFormatException($"the end-of-archive marker at byte {offset} follows an extension header that names no entry");
        }

        CheckOnlyZerosFollow(offset);
        return false;
    }

    /// <summary>After the marker, tar writers pad with zero blocks (to 10 KiB for GNU tar); anything else is refused.</summary>
    private void CheckOnlyZerosFollow(long marker)
    {
        var chunk = new byte[TailChunk];
        int read;
        while ((read = Read(chunk)) > 0)
        {
            int nonZero = chunk.AsSpan(0, read).IndexOfAnyExcept((byte)0);
            if (nonZero >= 0)
            {
                throw new ArchiveFormatException(
                    $"byte {_position - read + nonZero} follows the end-of-archive marker at byte {marker} and is not zero: only zero padding may follow the marker");
            }
        }
    }

    private int ReadFully(Span<byte> buffer)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int read = Read(buffer[done..]);
            if (read == 0)
            {
                break;
            }

            done += read;
        }

        return done;
    }

    private int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _stream.Read(buffer);
        }
        catch (IOException ex)
        {
            throw Errors.FromIOException("read", _path, ex);
        }

        _position += read;
        return read;
    }
}
