using System.Buffers.Binary;
using AeroSnapshot.Fast.Hashing;

namespace AeroSnapshot.Fast.Wal;

/// <summary>
/// Checks the WAL record frame over bytes pushed in chunks of any size, so a WAL is validated as it
/// streams past (from a file through one pooled buffer, or out of a backup archive while it is
/// unpacked) and is never loaded whole. A record may straddle chunks; its payload is checksummed as
/// it goes and never held. The first problem throws <see cref="WalFrameException"/> with the offset of
/// the record it is in.
/// </summary>
/// <remarks>
/// A record: length u32 LE (the whole record), type (0..5), sequence u64 LE, payload, CRC-32 LE of
/// every byte before it. The length is checked as soon as it is read, because everything after
/// depends on it; type and sequence only once the checksum matched, so a flipped bit in them is
/// reported as what it is (a checksum mismatch), not as a plausible-looking bad value.
/// </remarks>
internal sealed class WalFrameValidator
{
    /// <summary>Length, type and sequence.</summary>
    public const int HeaderLength = 13;

    /// <summary>Header and checksum: the shortest possible record.</summary>
    public const int MinimumRecordLength = HeaderLength + 4;

    /// <summary>The highest record type defined (5, MVCC GC).</summary>
    public const byte MaxRecordType = 5;

    private readonly StreamingCrc32 _crc = new();
    private readonly byte[] _header = new byte[HeaderLength];
    private readonly byte[] _checksum = new byte[4];
    private readonly long? _totalLength;
    private readonly string _path;

    private State _state = State.Header;
    private int _have;            // bytes of the header or checksum collected so far
    private long _payloadLeft;
    private long _offset;         // bytes consumed in total
    private long _recordStart;
    private uint _recordLength;
    private ulong? _lastSequence;
    private ulong? _firstSequence;
    private long _records;

    /// <param name="path">The WAL's path or name, for messages.</param>
    /// <param name="totalLength">The WAL's length when known in advance: a length running past it is reported at once.</param>
    public WalFrameValidator(string path, long? totalLength)
    {
        _path = path;
        _totalLength = totalLength;
    }

    private enum State
    {
        Header,
        Payload,
        Checksum,
    }

    /// <summary>Bytes consumed so far.</summary>
    public long Offset => _offset;

    /// <summary>Checks the next bytes of the WAL.</summary>
    /// <exception cref="WalFrameException">A record fails its frame.</exception>
    public void Append(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            if (_state == State.Header && _have == 0)
            {
                chunk = WholeRecords(chunk);
                if (chunk.IsEmpty)
                {
                    break;
                }
            }

            switch (_state)
            {
                case State.Header:
                    chunk = Collect(chunk, _header);
                    if (_have == HeaderLength)
                    {
                        StartRecord();
                    }

                    break;

                case State.Payload:
                    int take = (int)Math.Min(_payloadLeft, chunk.Length);
                    _crc.Append(chunk[..take]);
                    chunk = chunk[take..];
                    _offset += take;
                    _payloadLeft -= take;
                    if (_payloadLeft == 0)
                    {
                        _state = State.Checksum;
                    }

                    break;

                default:
                    chunk = Collect(chunk, _checksum);
                    if (_have == 4)
                    {
                        EndRecord();
                    }

                    break;
            }
        }
    }

    /// <summary>Declares the end of the WAL: it must not end inside a record.</summary>
    /// <exception cref="WalFrameException">The last record is torn.</exception>
    public WalSummary Complete()
    {
        if (_state != State.Header || _have != 0)
        {
            if (_state == State.Header)
            {
                _recordStart = _offset - _have;
            }

            string what = _state == State.Header
                ? $"only {_have} of its {HeaderLength} header bytes are there"
                : $"its length says {_recordLength} bytes but the file ends {_offset - _recordStart} bytes into it";
            throw Problem(WalProblemKind.TornTail, $"the last record is torn: {what}");
        }

        return new WalSummary(_records, _offset, _firstSequence, _lastSequence);
    }

    /// <summary>
    /// The common case: records that lie wholly inside the chunk are checked in place, in one tight
    /// loop with the running state in locals, and no copying. Small records are most of a WAL, and
    /// for them the per-record cost, not the bytes, is what counts: one CRC call over the whole
    /// record, its stored checksum included, compared with the CRC-32 residue (equal exactly when the
    /// stored checksum is the CRC of the bytes before it). Stops, consuming nothing of it, at a
    /// record that straddles the chunk's end or whose length is bad; the byte-wise path then takes
    /// it over (and reports it). A record that fails a check is reported from here.
    /// </summary>
    /// <returns>The rest of the chunk, from the first record not consumed.</returns>
    private ReadOnlySpan<byte> WholeRecords(ReadOnlySpan<byte> chunk)
    {
        long limit = _totalLength ?? long.MaxValue;
        long offset = _offset;
        long records = _records;
        bool any = _lastSequence.HasValue;
        ulong last = _lastSequence.GetValueOrDefault();
        int at = 0;
        while (chunk.Length - at >= MinimumRecordLength)
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(chunk[at..]);
            if (length < MinimumRecordLength || length > (uint)(chunk.Length - at) || offset + length > limit)
            {
                break;
            }

            ReadOnlySpan<byte> record = chunk.Slice(at, (int)length);
            ulong sequence = BinaryPrimitives.ReadUInt64LittleEndian(record[5..]);
            if (OneShotCrc32.Hash(record) != OneShotCrc32.Residue || record[4] > MaxRecordType || (any && sequence <= last))
            {
                // Report it the one way the byte-wise path does (Check throws).
                _offset = offset;
                _records = records;
                _lastSequence = any ? last : null;
                _recordStart = offset;
                _recordLength = length;
                record[..HeaderLength].CopyTo(_header);
                Check(BinaryPrimitives.ReadUInt32LittleEndian(record[^4..]), System.IO.Hashing.Crc32.HashToUInt32(record[..^4]));
            }

            if (!any)
            {
                _firstSequence = sequence;
                any = true;
            }

            last = sequence;
            records++;
            offset += length;
            at += (int)length;
        }

        _offset = offset;
        _records = records;
        _lastSequence = any ? last : null;
        return chunk[at..];
    }

    private ReadOnlySpan<byte> Collect(ReadOnlySpan<byte> chunk, Span<byte> into)
    {
        int take = Math.Min(into.Length - _have, chunk.Length);
        chunk[..take].CopyTo(into[_have..]);
        _have += take;
        _offset += take;
        return chunk[take..];
    }

    private void StartRecord()
    {
        _recordStart = _offset - HeaderLength;
        _recordLength = BinaryPrimitives.ReadUInt32LittleEndian(_header);
        if (_recordLength < MinimumRecordLength)
        {
            throw Problem(WalProblemKind.ImpossibleLength, $"its length is {_recordLength} bytes, shorter than the {MinimumRecordLength} of header and checksum");
        }

        if (_totalLength is { } total && _recordStart + _recordLength > total)
        {
            throw Problem(WalProblemKind.TornTail, $"its length is {_recordLength} bytes but only {total - _recordStart} remain in the file");
        }

        _crc.Reset();
        _crc.Append(_header);
        _payloadLeft = _recordLength - MinimumRecordLength;
        _have = 0;
        _state = _payloadLeft == 0 ? State.Checksum : State.Payload;
    }

    private void EndRecord() => Check(BinaryPrimitives.ReadUInt32LittleEndian(_checksum), _crc.GetCurrentHashAsUInt32());

    /// <summary>The checks made once a record's bytes are all seen: checksum, then type, then sequence.</summary>
    private void Check(uint stored, uint actual)
    {
        if (stored != actual)
        {
            throw Problem(WalProblemKind.ChecksumMismatch, $"its checksum is {new Crc32Checksum(stored)} but its bytes have {new Crc32Checksum(actual)}");
        }

        byte type = _header[4];
        if (type > MaxRecordType)
        {
            throw Problem(WalProblemKind.UnknownType, $"its type is {type}, not one of 0..{MaxRecordType}");
        }

        ulong sequence = BinaryPrimitives.ReadUInt64LittleEndian(_header.AsSpan(5));
        if (_lastSequence is { } last && sequence <= last)
        {
            throw Problem(WalProblemKind.SequenceNotIncreasing, $"its sequence number {sequence} does not follow the previous record's {last}");
        }

        _firstSequence ??= sequence;
        _lastSequence = sequence;
        _records++;
        _have = 0;
        _state = State.Header;
    }

    private WalFrameException Problem(WalProblemKind kind, string what)
        => new(kind, _recordStart, $"WAL '{_path}': record {_records + 1} at offset {_recordStart}: {what}.");
}
