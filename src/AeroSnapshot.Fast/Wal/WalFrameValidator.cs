using AeroSnapshot.Fast.Copying;
using System.Buffers.Binary;
using AeroSnapshot.Fast.Hashing;

namespace AeroSnapshot.Fast.Wal;

/// <summary>
/// Judges a WAL exactly as AeroDB's reader does (<c>WalReader::read_all</c>, <c>WalRecord::deserialize</c>),
/// over bytes pushed in chunks of any size, so a WAL is validated as it streams past (from a file
/// through one pooled buffer, or out of a backup archive while it is unpacked) and is never loaded
/// whole. A record may straddle chunks; it is checksummed and parsed as it goes and never held. The
/// first problem throws <see cref="WalFrameException"/> with the offset of the record it is in.
/// </summary>
/// <remarks>
/// A record: length u32 LE (the whole record), type (0..5), sequence u64 LE, payload (five
/// length-prefixed fields, see <see cref="WalPayloadParser"/>), CRC-32 LE of every byte before it.
/// The reader's checks, in its order: at least 37 bytes left where a record starts; a length of at
/// least 37 that stays inside the file; the checksum; the type; the payload; then the sequence
/// number (the first is 1, each next one the previous + 1). The length is checked as soon as it is
/// read, because everything after depends on it; the rest only once the checksum matched, so a
/// flipped bit is reported as what it is, not as a plausible-looking bad value. The verdicts are
/// pinned against the reference's own reader by committed fixtures (<c>Fixtures/AeroDB/wal</c>).
/// </remarks>
internal sealed class WalFrameValidator : IChunkObserver
{
    /// <summary>Length, type and sequence.</summary>
    public const int HeaderLength = 13;

    /// <summary>The reader's shortest record: header, the five length prefixes of an empty payload, checksum.</summary>
    public const int MinimumRecordLength = HeaderLength + WalPayloadParser.MinimumLength + 4;

    /// <summary>The highest record type defined (5, MVCC GC).</summary>
    public const byte MaxRecordType = 5;

    private readonly StreamingCrc32 _crc = new();
    private readonly byte[] _header = new byte[HeaderLength];
    private readonly byte[] _checksum = new byte[4];
    private readonly long? _totalLength;
    private readonly string _path;

    private WalPayloadParser _payload;
    private State _state = State.Header;
    private int _have;            // bytes of the header or checksum collected so far
    private long _payloadLeft;
    private long _offset;         // bytes consumed in total
    private long _recordStart;
    private uint _recordLength;
    private ulong _lastSequence;  // 0 before the first record: the first must be 1
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

        // A length below the minimum, in a WAL of unknown length: the reader first asks whether
        // 37 bytes are left (else the tail is torn), so the verdict waits for them.
        ShortRecord,
    }

    /// <summary>Bytes consumed so far.</summary>
    public long Offset => _offset;

    /// <summary>Checks the next bytes of the WAL.</summary>
    /// <exception cref="WalFrameException">A record fails a check of AeroDB's reader.</exception>
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
                    _payload.Append(chunk[..take], _payloadLeft);
                    chunk = chunk[take..];
                    _offset += take;
                    _payloadLeft -= take;
                    if (_payloadLeft == 0)
                    {
                        _payload.Complete();
                        _state = State.Checksum;
                    }

                    break;

                case State.ShortRecord:
                    int skip = (int)Math.Min(_payloadLeft, chunk.Length);
                    chunk = chunk[skip..];
                    _offset += skip;
                    _payloadLeft -= skip;
                    if (_payloadLeft == 0)
                    {
                        throw ImpossibleLength();
                    }

                    break;

                default:
                    chunk = Collect(chunk, _checksum);
                    if (_have == 4)
                    {
                        Check(BinaryPrimitives.ReadUInt32LittleEndian(_checksum), _crc.GetCurrentHashAsUInt32(), _payload.Problem, _payload.Detail);
                        _have = 0;
                        _state = State.Header;
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

            string what = _state switch
            {
                State.Header => $"only {_have} bytes are left where a record starts, fewer than the {MinimumRecordLength} of the shortest record",
                State.ShortRecord => $"only {_offset - _recordStart} bytes are left where a record starts, fewer than the {MinimumRecordLength} of the shortest record",
                _ => $"its length says {_recordLength} bytes but the file ends {_offset - _recordStart} bytes into it",
            };
            throw Problem(WalProblemKind.TornTail, $"the last record is torn: {what}");
        }

        return _records == 0
            ? new WalSummary(0, _offset, null, null)
            : new WalSummary(_records, _offset, 1, _lastSequence);
    }

    /// <summary>
    /// The common case: records that lie wholly inside the chunk are checked in place, in one tight
    /// loop with the running state in locals, and no copying. Small records are most of a WAL, and
    /// for them the per-record cost, not the bytes, is what counts: one CRC call over the whole
    /// record, its stored checksum included, compared with the CRC-32 residue (equal exactly when the
    /// stored checksum is the CRC of the bytes before it), then the payload's five fields in one pass
    /// (<see cref="WalPayloadParser.IsValid"/>). Stops, consuming nothing of it, at a record that
    /// straddles the chunk's end or whose length is bad; the byte-wise path then takes it over (and
    /// reports it). A record that fails a check is reported from here.
    /// </summary>
    /// <returns>The rest of the chunk, from the first record not consumed.</returns>
    private ReadOnlySpan<byte> WholeRecords(ReadOnlySpan<byte> chunk)
    {
        long limit = _totalLength ?? long.MaxValue;
        long offset = _offset;
        long records = _records;
        ulong last = _lastSequence;
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
            if (OneShotCrc32.Hash(record) != OneShotCrc32.Residue
                || record[4] > MaxRecordType
                || !WalPayloadParser.IsValid(record[HeaderLength..^4])
                || sequence != last + 1)
            {
                // Report it the one way the byte-wise path does (Check throws).
                _offset = offset;
                _records = records;
                _lastSequence = last;
                _recordStart = offset;
                _recordLength = length;
                record[..HeaderLength].CopyTo(_header);
                bool payloadValid = WalPayloadParser.IsValid(record[HeaderLength..^4]);
                (WalProblemKind kind, string detail) = payloadValid ? default : WalPayloadParser.Describe(record[HeaderLength..^4]);
                Check(
                    BinaryPrimitives.ReadUInt32LittleEndian(record[^4..]),
                    System.IO.Hashing.Crc32.HashToUInt32(record[..^4]),
                    payloadValid ? null : kind,
                    detail);
            }

            last = sequence;
            records++;
            offset += length;
            at += (int)length;
        }

        _offset = offset;
        _records = records;
        _lastSequence = last;
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
        if (_totalLength is { } total && total - _recordStart < MinimumRecordLength)
        {
            throw Problem(WalProblemKind.TornTail, $"only {total - _recordStart} bytes are left where it starts, fewer than the {MinimumRecordLength} of the shortest record");
        }

        if (_recordLength < MinimumRecordLength)
        {
            if (_totalLength is not null)
            {
                throw ImpossibleLength();
            }

            _payloadLeft = MinimumRecordLength - HeaderLength;
            _have = 0;
            _state = State.ShortRecord;
            return;
        }

        if (_totalLength is { } end && _recordStart + _recordLength > end)
        {
            throw Problem(WalProblemKind.TornTail, $"its length is {_recordLength} bytes but only {end - _recordStart} remain in the file");
        }

        _crc.Reset();
        _crc.Append(_header);
        _payload.Reset();
        _payloadLeft = _recordLength - HeaderLength - 4;
        _have = 0;
        _state = State.Payload;
    }

    /// <summary>The checks made once a record's bytes are all seen, in the reader's order: checksum, type, payload, sequence.</summary>
    private void Check(uint stored, uint actual, WalProblemKind? payloadProblem, string? payloadDetail)
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

        if (payloadProblem is { } kind)
        {
            throw Problem(kind, payloadDetail!);
        }

        ulong sequence = BinaryPrimitives.ReadUInt64LittleEndian(_header.AsSpan(5));
        if (sequence != _lastSequence + 1)
        {
            throw Problem(WalProblemKind.SequenceOutOfOrder, _records == 0
                ? $"its sequence number is {sequence}; a WAL's first record is number 1"
                : $"its sequence number {sequence} does not follow the previous record's {_lastSequence}");
        }

        _lastSequence = sequence;
        _records++;
    }

    private WalFrameException ImpossibleLength()
        => Problem(WalProblemKind.ImpossibleLength, $"its length is {_recordLength} bytes, shorter than the {MinimumRecordLength} of the shortest record (header, five empty payload fields, checksum)");

    private WalFrameException Problem(WalProblemKind kind, string what)
        => new(kind, _recordStart, $"WAL '{_path}': record {_records + 1} at offset {_recordStart}: {what}.");
}
